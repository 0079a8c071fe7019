"""The store interface: what the server and the CLI need from a database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["Account", "ApiKey", "KeyKind", "Store", "StoreError"]

KeyKind = Literal["HMAC", "RSA", "ED25519"]


class StoreError(Exception):
    """The database can't be opened or used."""


@dataclass(slots=True)
class Account:
    id: int
    name: str
    multi_assets_margin: bool


@dataclass(frozen=True, slots=True)
class ApiKey:
    api_key: str
    account_id: int
    kind: KeyKind
    #: HMAC secret; RSA and Ed25519 keys keep only their public key.
    secret: str | None = None
    public_key: str | None = None


class Store(Protocol):
    """A database of accounts and keys. Every method commits before it returns."""

    def accounts(self) -> list[Account]: ...

    def api_keys(self) -> list[ApiKey]: ...

    def find_key(self, api_key: str) -> tuple[ApiKey, Account] | None: ...

    def ensure_account(self, name: str) -> tuple[Account, bool]:
        """The account named ``name``, created if missing; the flag says it was created."""
        ...

    def add_key(self, key: ApiKey) -> None: ...

    def schema_version(self) -> int: ...

    def close(self) -> None: ...
