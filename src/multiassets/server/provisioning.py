"""Creating accounts and keys: shared by the CLI and the server's first start."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from ..store import Account, ApiKey, Store

__all__ = ["DEMO_ACCOUNT", "NewHmacKey", "create_hmac_key", "ensure_demo_account"]

DEMO_ACCOUNT = "demo"
_ALPHABET = string.ascii_letters + string.digits


def _token(length: int = 64) -> str:
    # Binance's keys and secrets are 64 letters and digits.
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass(frozen=True, slots=True)
class NewHmacKey:
    account: Account
    api_key: str
    secret_key: str

    def as_json(self) -> dict[str, str]:
        return {"account": self.account.name, "apiKey": self.api_key, "secretKey": self.secret_key}


def create_hmac_key(store: Store, account_name: str) -> NewHmacKey:
    """Create ``account_name`` if needed, and a new HMAC key for it."""
    account, _ = store.ensure_account(account_name)
    api_key, secret = _token(), _token()
    store.add_key(ApiKey(api_key, account.id, "HMAC", secret=secret))
    return NewHmacKey(account, api_key, secret)


def ensure_demo_account(store: Store) -> NewHmacKey | None:
    """On an empty database, create the ``demo`` account with one HMAC key."""
    if store.accounts():
        return None
    return create_hmac_key(store, DEMO_ACCOUNT)
