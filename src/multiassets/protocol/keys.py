"""API keys as Binance shapes them: 64 letters and digits (secrets and listenKeys too), and
the permissions a key can have."""

from __future__ import annotations

import secrets
import string
from typing import TypeGuard

__all__ = ["KEY_ALPHABET", "KEY_LENGTH", "PERMISSIONS", "is_api_key", "new_token"]

#: What a key may do: read (Binance's "Enable Reading") and trade ("Enable Futures"); the
#: names are the endpoint security types each one opens.
PERMISSIONS = ("USER_DATA", "TRADE")
KEY_LENGTH = 64
KEY_ALPHABET = string.ascii_letters + string.digits


def is_api_key(text: object) -> TypeGuard[str]:
    """Whether ``text`` has an API key's shape: 64 ASCII letters and digits."""
    return isinstance(text, str) and len(text) == KEY_LENGTH and text.isascii() and text.isalnum()


def new_token(length: int = KEY_LENGTH) -> str:
    """A new random key, secret, listenKey or token of that shape."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(length))
