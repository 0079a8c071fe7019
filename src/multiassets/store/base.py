"""The store interface: what the server and the CLI need from a database.

Reads return plain records. Writes are :data:`Write` operations, applied by :meth:`Store.apply`
in one transaction per call, so concurrent changes can share one commit (group commit); each
operation succeeds or fails on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ..account.model import AccountState, MarginType

__all__ = [
    "Account",
    "ApiKey",
    "CreateAccount",
    "DeleteAccount",
    "Elsewhere",
    "KeyKind",
    "NotFound",
    "ReplaceState",
    "Reset",
    "RevokeKey",
    "SetMarginType",
    "SetMode",
    "SetSetting",
    "Store",
    "Stale",
    "StoreError",
    "Write",
    "AddKey",
]

KeyKind = Literal["HMAC", "RSA", "ED25519"]


class StoreError(Exception):
    """The database can't be opened or used."""


class NotFound(StoreError):
    """The account or key a write names does not exist."""


class Stale(StoreError):
    """A change was decided on a copy of the account older than the database's: another
    process changed the account since. Read it again, decide again."""


@dataclass(slots=True)
class Account:
    id: int
    name: str
    state: AccountState = field(default_factory=AccountState)
    #: Counts the changes to the account's state; a change names the version it was decided on.
    version: int = 0


@dataclass(frozen=True, slots=True)
class ApiKey:
    api_key: str
    account_id: int
    kind: KeyKind
    #: HMAC secret; RSA and Ed25519 keys keep only their public key.
    secret: str | None = None
    public_key: str | None = None
    #: USER_DATA endpoints ("Enable Reading").
    can_read: bool = True
    #: TRADE endpoints ("Enable Futures").
    can_trade: bool = True
    #: Client IPs the key may be used from; None allows any.
    ip_allowlist: tuple[str, ...] | None = None

    def public_json(self) -> dict[str, Any]:
        """What may be shown about a key after its creation: never the secret."""
        return {
            "apiKey": self.api_key,
            "type": self.kind,
            "permissions": [
                name for name, on in (("USER_DATA", self.can_read), ("TRADE", self.can_trade)) if on
            ],
            "ipAllowlist": list(self.ip_allowlist) if self.ip_allowlist is not None else None,
        }


@dataclass(frozen=True, slots=True)
class CreateAccount:
    name: str
    #: Chosen by the database unless given (imports keep ids stable within one transaction).
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class DeleteAccount:
    account_id: int


@dataclass(frozen=True, slots=True)
class AddKey:
    key: ApiKey


@dataclass(frozen=True, slots=True)
class RevokeKey:
    api_key: str


@dataclass(frozen=True, slots=True)
class SetMode:
    account_id: int
    multi_assets_margin: bool
    #: Refuse with :class:`Stale` unless the account is still at this version (None: any).
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class SetMarginType:
    account_id: int
    symbol: str
    margin_type: MarginType
    expected_version: int | None = None


@dataclass(frozen=True, slots=True)
class ReplaceState:
    account_id: int
    state: AccountState


@dataclass(frozen=True, slots=True)
class Reset:
    """Delete every account, key and state (settings stay)."""


@dataclass(frozen=True, slots=True)
class SetSetting:
    name: str
    value: str


Write = (
    CreateAccount
    | DeleteAccount
    | AddKey
    | RevokeKey
    | SetMode
    | SetMarginType
    | ReplaceState
    | Reset
    | SetSetting
)


@dataclass(frozen=True, slots=True)
class Elsewhere:
    """What was committed since the last look: whether other processes changed anything, and,
    where the database can carry them, every mode change (this process's own too) in commit
    order (account id, mode); None when it can't (then compare before and after)."""

    changed: bool
    modes: list[tuple[int, bool]] | None = None


class Store(Protocol):
    """A database of accounts, keys and account state."""

    #: Whether :meth:`changed_elsewhere` tells each mode change (else only that something
    #: changed).
    notifies_modes: bool

    def accounts(self) -> list[Account]:
        """Every account with its state, by id."""
        ...

    def snapshot(self) -> tuple[list[Account], list[ApiKey]]:
        """Every account (with its state) and every key, read at one moment."""
        ...

    def account(self, name: str) -> Account | None: ...

    def accounts_by_id(self, account_ids: set[int]) -> list[Account]:
        """Those of these accounts that exist, with their state, read at one moment."""
        ...

    def api_keys(self, account_id: int | None = None) -> list[ApiKey]: ...

    def find_key(self, api_key: str) -> tuple[ApiKey, Account] | None: ...

    def apply(
        self, writes: Sequence[Write], *, atomic: bool = False
    ) -> list[Exception | int | None]:
        """Apply ``writes`` in one committed transaction; each one succeeds or fails alone.

        Returns, per write, the exception it failed with, the new row id (CreateAccount),
        or None. With ``atomic``, the first failure rolls everything back and is raised.
        """
        ...

    def setting(self, name: str) -> str | None: ...

    def changed_elsewhere(self) -> Elsewhere:
        """What another connection committed since the last call."""
        ...

    def schema_version(self) -> int: ...

    def identity(self) -> str:
        """The same for every process using this database, however its URL is spelt."""
        ...

    def healthy(self) -> bool:
        """Whether the database answers a query now."""
        ...

    def close(self) -> None: ...
