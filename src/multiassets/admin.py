"""What the people who run the server can do: accounts, keys, account state, fixtures.

One implementation over a :class:`~multiassets.store.Store`, used by the control plane of a
running server and by the CLI working directly on a database. Failures are
:class:`~multiassets.AdminError` with a message meant for a person: the client's exception,
which :class:`~multiassets.control_client.ControlClient` raises too.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ._exceptions import AdminError
from .account.model import AccountState, StateError
from .account.preview import preview
from .account.prices import Market
from .protocol.keys import KEY_LENGTH, PERMISSIONS, is_api_key, new_token
from .protocol.signing import KeyFormatError, read_public_key
from .store import (
    Account,
    AddKey,
    ApiKey,
    CreateAccount,
    DeleteAccount,
    ReplaceState,
    Reset,
    RevokeKey,
    SetSetting,
    Store,
    StoreError,
    Write,
)
from .store.base import KeyKind, NotFound

__all__ = [
    "ACCOUNT_NAME_PATTERN",
    "DEMO_ACCOUNT",
    "PERMISSIONS",
    "Admin",
    "AdminError",
    "NewKey",
    "new_token",
    "token_matches",
]

DEMO_ACCOUNT = "demo"
_TOKEN_SETTING = "admin_token_sha256"
EXPORT_FORMAT = "multiassets/state@1"
#: An account name: letters, digits, ".", "_" and "-" (RFC 3986's unreserved characters but
#: "~", which older encoders escape: none needs encoding in a path, so a name is sent as it
#: is), starting with a letter or a digit (never the path segments "." and "..", which
#: clients resolve away, nor a word the CLI would read as an option), at most 64 of them. The
#: OpenAPI schema shows this very pattern; ``re.fullmatch`` makes ``$`` end the string, as in
#: JSON Schema's dialect.
ACCOUNT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_ACCOUNT_NAME = re.compile(ACCOUNT_NAME_PATTERN)
_ACCOUNT_NAME_RULE = (
    'an account name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit'
)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(store: Store, token: str) -> bool:
    stored = store.setting(_TOKEN_SETTING)
    return stored is not None and hmac.compare_digest(stored, _token_hash(token))


@dataclass(frozen=True, slots=True)
class NewKey:
    account: str
    key: ApiKey

    def as_json(self) -> dict[str, Any]:
        """The key as shown once at creation: with its secret (HMAC keys)."""
        document = {"account": self.account, **self.key.public_json()}
        if self.key.secret is not None:
            document["secretKey"] = self.key.secret
        return document


class Admin:
    def __init__(self, store: Store, now_ms: Callable[[], int] | None = None) -> None:
        self.store = store
        #: The server's clock, which dates a state's change (None: the database's wall clock).
        self.now_ms = now_ms

    def _now(self) -> int | None:
        return self.now_ms() if self.now_ms is not None else None

    def _apply(self, *writes: Write, atomic: bool = False) -> list[int | None]:
        try:
            results = self.store.apply(writes, atomic=atomic)
        except StoreError as error:
            raise AdminError(str(error), 409) from None
        for result in results:
            if isinstance(result, Exception):
                raise AdminError(str(result), 404 if isinstance(result, NotFound) else 409)
        return [result for result in results if not isinstance(result, Exception)]

    def _account(self, name: str) -> Account:
        account = self.store.account(name)
        if account is None:
            raise AdminError(f"no account named {name!r}", 404)
        return account

    # -- the control plane's token ------------------------------------------------------------

    def ensure_token(self, configured: str | None) -> str | None:
        """Install ``configured`` as the token, or make one on first start.

        Returns the token when it was just generated (to be shown once), else None.
        """
        if configured is not None:
            self._apply(SetSetting(_TOKEN_SETTING, _token_hash(configured)))
            return None
        if self.store.setting(_TOKEN_SETTING) is not None:
            return None
        token = new_token()
        self._apply(SetSetting(_TOKEN_SETTING, _token_hash(token)))
        return token

    def create_demo_if_empty(self) -> NewKey | None:
        """On a database without accounts, the ``demo`` account with one HMAC key."""
        if self.store.accounts():
            return None
        return self.new_key(DEMO_ACCOUNT)

    # -- accounts -----------------------------------------------------------------------------

    def list_accounts(self) -> list[dict[str, Any]]:
        return [
            {"name": account.name, "multiAssetsMargin": account.state.multi_assets_margin}
            for account in self.store.accounts()
        ]

    def create_account(self, name: object) -> dict[str, Any]:
        """A new account in Single-Asset Mode; ``name`` as a request body gave it."""
        checked = account_name(name)
        self._apply(CreateAccount(checked))
        return {"name": checked, "multiAssetsMargin": False}

    def ensure_account(self, name: str) -> tuple[Account, bool]:
        account = self.store.account(name)
        if account is not None:
            return account, False
        self.create_account(name)
        return self._account(name), True

    def delete_account(self, name: str) -> None:
        self._apply(DeleteAccount(self._account(name).id))

    # -- keys ---------------------------------------------------------------------------------

    def create_key(
        self,
        account: str,
        permissions: Iterable[str] = PERMISSIONS,
        ip_allowlist: Iterable[str] | None = None,
        public_key: str | None = None,
    ) -> dict[str, Any]:
        """A key for ``account`` (created if needed), as JSON: an HMAC key with its secret
        (the only time it is shown), or, given a PEM ``public_key``, an RSA or Ed25519 key of
        which only the public half is stored."""
        return self.new_key(account, permissions, ip_allowlist, public_key).as_json()

    def new_key(
        self,
        account: str,
        permissions: Iterable[str] = PERMISSIONS,
        ip_allowlist: Iterable[str] | None = None,
        public_key: str | None = None,
    ) -> NewKey:
        granted = {str(name) for name in permissions}
        if not granted <= set(PERMISSIONS):
            raise AdminError(f"permissions are {' and '.join(PERMISSIONS)}")
        allowed = _allowlist(ip_allowlist)
        kind: KeyKind = "HMAC"
        if public_key is not None:
            try:
                kind, _ = read_public_key(public_key)
            except KeyFormatError as error:
                raise AdminError(str(error)) from None
        owner, _ = self.ensure_account(account)
        key = ApiKey(
            new_token(),
            owner.id,
            kind,
            secret=new_token() if public_key is None else None,
            public_key=public_key,
            can_read="USER_DATA" in granted,
            can_trade="TRADE" in granted,
            ip_allowlist=allowed,
        )
        self._apply(AddKey(key))
        return NewKey(owner.name, key)

    def list_keys(self, account: str) -> list[dict[str, Any]]:
        return [key.public_json() for key in self.store.api_keys(self._account(account).id)]

    def revoke_key(self, api_key: str) -> None:
        self._apply(RevokeKey(api_key))

    # -- state --------------------------------------------------------------------------------

    def state(self, account: str) -> dict[str, Any]:
        return self._account(account).state.to_json()

    def modes(self, account: str, market: Market | None = None) -> dict[str, Any]:
        """The account in both asset modes, and whether a switch would be refused (at the
        default prices unless given: a running server's are its own)."""
        return preview(self._account(account).state, market if market is not None else Market())

    def set_state(self, account: str, document: Any, *, partial: bool = False) -> dict[str, Any]:
        """Replace the account's state; with ``partial``, only the fields given."""
        owner = self._account(account)
        if partial and isinstance(document, dict):
            document = {**owner.state.to_json(), **document}
        try:
            state = AccountState.from_json(document)
        except StateError as error:
            raise AdminError(str(error)) from None
        self._apply(ReplaceState(owner.id, state, self._now()))
        return state.to_json()

    # -- everything ---------------------------------------------------------------------------

    def reset(self) -> None:
        self._apply(Reset())

    def export(self) -> dict[str, Any]:
        """The whole state as one JSON document (fixtures). HMAC secrets are included:
        a fixture must be able to give its keys back."""
        accounts = []
        for account in self.store.accounts():
            keys = [
                {**key.public_json(), "secretKey": key.secret, "publicKey": key.public_key}
                for key in self.store.api_keys(account.id)
            ]
            accounts.append({"name": account.name, "keys": keys, "state": account.state.to_json()})
        return {"format": EXPORT_FORMAT, "accounts": accounts}

    def import_(self, document: Any) -> None:
        """Replace everything with ``document`` (as :meth:`export` makes it), all or nothing."""
        writes: list[Write] = [Reset()]
        for account_id, (name, keys, state) in enumerate(_parse_export(document), start=1):
            writes.append(CreateAccount(name, account_id))
            writes.append(ReplaceState(account_id, state, self._now()))
            writes.extend(AddKey(ApiKey(**{**key, "account_id": account_id})) for key in keys)
        self._apply(*writes, atomic=True)


def account_name(value: object) -> str:
    """``value`` if it is a valid account name (ACCOUNT_NAME_PATTERN), else AdminError."""
    if not isinstance(value, str) or _ACCOUNT_NAME.fullmatch(value) is None:
        shown = repr(value) if len(repr(value)) <= 70 else f"{repr(value)[:70]}…"
        raise AdminError(f"{_ACCOUNT_NAME_RULE}, not {shown}")
    return value


def _allowlist(value: Any) -> tuple[str, ...] | None:
    """None (any IP), or a list of IP addresses (an empty list allows none)."""
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(ip, str) for ip in value):
        raise AdminError("ipAllowlist must be a list of IP addresses")
    for ip in value:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise AdminError(f"not an IP address: {ip!r}") from None
    return tuple(value)


def _api_key(value: Any) -> str:
    if not is_api_key(value):
        raise AdminError(f"an apiKey is {KEY_LENGTH} letters and digits")
    return value


def _parse_export(document: Any) -> list[tuple[str, list[dict[str, Any]], AccountState]]:
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise AdminError(f"not a multiassets state document (format {EXPORT_FORMAT!r})")
    unknown = sorted(set(document) - {"format", "accounts"})
    if unknown:
        raise AdminError(f"invalid state document: unknown fields: {', '.join(unknown)[:200]}")
    accounts = document.get("accounts")
    if not isinstance(accounts, list):
        raise AdminError("invalid state document: accounts must be a list")
    try:
        return [_parse_entry(entry) for entry in accounts]
    except (StateError, KeyFormatError, KeyError, TypeError, AttributeError) as error:
        raise AdminError(f"invalid state document: {error}") from None


def _parse_entry(entry: Any) -> tuple[str, list[dict[str, Any]], AccountState]:
    """One account of an export: its name, its keys (as ApiKey's fields), its state."""
    if not isinstance(entry, dict) or not set(entry) <= {"name", "keys", "state"}:
        raise AdminError("invalid state document: an account is {name, keys, state}")
    if "name" not in entry:
        raise AdminError("invalid state document: an account needs its name")
    keys = entry.get("keys", [])
    if not isinstance(keys, list):
        raise AdminError("invalid state document: keys must be a list")
    state = AccountState.from_json(entry.get("state", {}))
    return account_name(entry["name"]), [_parse_key(key) for key in keys], state


def _parse_key(key: Any) -> dict[str, Any]:
    permissions = set(key.get("permissions") or ())
    kind = key.get("type", "HMAC")
    if kind == "HMAC" and not key.get("secretKey"):
        raise AdminError("an HMAC key needs its secretKey to be imported")
    if kind != "HMAC":
        kind, _ = read_public_key(str(key.get("publicKey")))
    return {
        "api_key": _api_key(key.get("apiKey")),
        "kind": kind,
        "secret": key.get("secretKey") if kind == "HMAC" else None,
        "public_key": key.get("publicKey") if kind != "HMAC" else None,
        "can_read": "USER_DATA" in permissions,
        "can_trade": "TRADE" in permissions,
        "ip_allowlist": _allowlist(key.get("ipAllowlist")),
    }
