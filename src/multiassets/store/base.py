"""The store interface: what the server and the CLI need from a database.

Reads return plain records. Writes are :data:`Write` operations, applied by :meth:`Store.apply`
in one transaction per call, so concurrent changes can share one commit (group commit); each
operation succeeds or fails on its own. Each write type declares what that transaction and the
other processes need to know of it (:class:`BaseWrite`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

from ..account.model import AccountState, MarginType

__all__ = [
    "Account",
    "ApiKey",
    "CreateAccount",
    "DeleteAccount",
    "Elsewhere",
    "KeyKind",
    "ModeChange",
    "NotFound",
    "ReplaceState",
    "Reset",
    "RevokeKey",
    "SetMarginType",
    "SetMode",
    "SetPositionMode",
    "SetSetting",
    "Store",
    "Stale",
    "StoreError",
    "Write",
    "AddKey",
    "BaseWrite",
    "Counted",
    "FACTS",
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
    #: When its state last changed (ms): what Binance's views give as an asset's updateTime.
    updated_ms: int = 0


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


#: What the other processes must hear of a committed write, through the shared change counter:
#: None, that it may have changed anything (they read everything again); else the account it
#: changed, with (its new version, its new mode, when: its updated_ms or None) for a change of
#: mode alone decided on a known version, which they take without reading, or with None: they
#: read that account again.
Counted = tuple[int, tuple[int, bool, int | None] | None] | None

#: The facts every write class declares itself (see :class:`BaseWrite`).
FACTS = ("savepoint", "versioned", "locks", "counted")


class BaseWrite:
    """What every write declares about itself, so that the transaction that runs it (the SQL
    stores) and the processes that must hear of it (the server) keep no list of write types:
    a new write is its dataclass with these facts, and its SQL in ``sql_writes.py``.

    Each write class declares each fact itself, none inherited: a class that misses one fails
    when it is defined, rather than a lock, a savepoint or a count going silently wrong."""

    __slots__ = ()

    #: Whether it may fail half-way through its SQL, so it runs in a savepoint and is rolled
    #: back alone. One that fails before it writes anything needs none: a round trip fewer
    #: each on PostgreSQL.
    savepoint: ClassVar[bool]
    #: Whether it carries ``expected_version``, the account version it was decided on (None:
    #: any), and is refused as :class:`Stale` if the account has moved on since.
    versioned: ClassVar[bool]

    @property
    def locks(self) -> tuple[int, ...]:
        """The accounts it changes in a group commit, which the transaction locks in id order
        before it changes any: processes committing overlapping groups can't deadlock. (The
        control plane's and the CLI's writes never share a commit with the server's: they
        lock rows as they go.)"""
        raise NotImplementedError

    def counted(self) -> Counted:
        """What the other processes must hear of it once it is committed."""
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [fact for fact in FACTS if fact not in cls.__dict__]
        if missing:
            raise TypeError(f"write {cls.__name__} does not declare {', '.join(missing)}")
        if cls.versioned != ("expected_version" in cls.__dict__.get("__annotations__", {})):
            raise TypeError(
                f"write {cls.__name__}: a versioned write has an expected_version field,"
                " and only a versioned one"
            )


@dataclass(frozen=True, slots=True)
class CreateAccount(BaseWrite):
    name: str
    #: Chosen by the database unless given (imports keep ids stable within one transaction).
    account_id: int | None = None

    savepoint = True
    versioned = False
    locks = ()

    def counted(self) -> Counted:
        return None


@dataclass(frozen=True, slots=True)
class DeleteAccount(BaseWrite):
    account_id: int

    savepoint = True
    versioned = False
    locks = ()

    def counted(self) -> Counted:
        return None


@dataclass(frozen=True, slots=True)
class AddKey(BaseWrite):
    key: ApiKey

    savepoint = True
    versioned = False
    locks = ()

    def counted(self) -> Counted:
        return None


@dataclass(frozen=True, slots=True)
class RevokeKey(BaseWrite):
    api_key: str

    savepoint = True
    versioned = False
    locks = ()

    def counted(self) -> Counted:
        return None


@dataclass(frozen=True, slots=True)
class SetMode(BaseWrite):
    account_id: int
    multi_assets_margin: bool
    #: Refuse with :class:`Stale` unless the account is still at this version (None: any).
    expected_version: int | None = None
    #: When it was decided, on the server's clock (ms): the account's new updated_ms
    #: (None: the database's wall clock).
    at_ms: int | None = None

    # Refused (Stale, NotFound) before it writes anything.
    savepoint = False
    versioned = True

    @property
    def locks(self) -> tuple[int, ...]:
        return (self.account_id,)

    def counted(self) -> Counted:
        if self.expected_version is None:
            return self.account_id, None  # its new version is not known here
        return self.account_id, (self.expected_version + 1, self.multi_assets_margin, self.at_ms)


@dataclass(frozen=True, slots=True)
class SetMarginType(BaseWrite):
    account_id: int
    symbol: str
    margin_type: MarginType
    expected_version: int | None = None
    #: When it was decided, on the server's clock (ms): the account's new updated_ms
    #: (None: the database's wall clock).
    at_ms: int | None = None

    # Refused (Stale, NotFound) before it writes anything.
    savepoint = False
    versioned = True

    @property
    def locks(self) -> tuple[int, ...]:
        return (self.account_id,)

    def counted(self) -> Counted:
        return self.account_id, None  # the change counter carries modes, not margin types


@dataclass(frozen=True, slots=True)
class SetPositionMode(BaseWrite):
    account_id: int
    dual_side_position: bool
    expected_version: int | None = None
    #: When it was decided, on the server's clock (ms): the account's new updated_ms
    #: (None: the database's wall clock).
    at_ms: int | None = None

    # Refused (Stale, NotFound) before it writes anything.
    savepoint = False
    versioned = True

    @property
    def locks(self) -> tuple[int, ...]:
        return (self.account_id,)

    def counted(self) -> Counted:
        return self.account_id, None  # the change counter carries asset modes alone


@dataclass(frozen=True, slots=True)
class ReplaceState(BaseWrite):
    account_id: int
    state: AccountState
    #: The server's time of the change (ms), or None: the database's wall clock.
    at_ms: int | None = None

    savepoint = True
    versioned = False
    locks = ()

    def counted(self) -> Counted:
        return None


@dataclass(frozen=True, slots=True)
class Reset(BaseWrite):
    """Delete every account, key and state (settings stay)."""

    savepoint = True
    versioned = False
    locks = ()

    def counted(self) -> Counted:
        return None


@dataclass(frozen=True, slots=True)
class SetSetting(BaseWrite):
    name: str
    value: str

    savepoint = True
    versioned = False
    locks = ()

    def counted(self) -> Counted:
        return None


#: Every write; :class:`BaseWrite` says what each declares.
Write = (
    CreateAccount
    | DeleteAccount
    | AddKey
    | RevokeKey
    | SetMode
    | SetMarginType
    | SetPositionMode
    | ReplaceState
    | Reset
    | SetSetting
)


#: A committed mode change as the database tells it: (account id, mode, when this process
#: committed it (``time.monotonic()``), or None when another process did). A stream opened
#: after that moment must not hear of it: the announcement comes later than the commit.
ModeChange = tuple[int, bool, float | None]


@dataclass(frozen=True, slots=True)
class Elsewhere:
    """What was committed since the last look: whether other processes changed anything, and,
    where the database can carry them, every mode change (this process's own too) in commit
    order; None when it can't (then compare before and after)."""

    changed: bool
    modes: list[ModeChange] | None = None


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
