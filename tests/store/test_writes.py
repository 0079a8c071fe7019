"""What each write declares of itself (``store/base.py``): whether it needs a savepoint, whether
it is refused as Stale on an old version, which accounts a commit locks for it and what the
other processes hear of it. The SQL stores act on these facts alone; here, each fact is
declared by every write type, and does what it says on both stores."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pytest

from multiassets.account.model import AccountState, Order
from multiassets.store import (
    AddKey,
    ApiKey,
    CreateAccount,
    DeleteAccount,
    NotFound,
    ReplaceState,
    Reset,
    RevokeKey,
    SetMarginType,
    SetMode,
    SetPositionMode,
    SetSetting,
    Stale,
    Store,
    StoreError,
    Write,
    open_store,
)
from multiassets.store.base import FACTS, BaseWrite, Counted

from ..support import postgres_database

#: One write of each type, on the account given.
EXAMPLES: dict[type[BaseWrite], Callable[[int], Write]] = {
    CreateAccount: lambda account: CreateAccount("bob"),
    DeleteAccount: lambda account: DeleteAccount(account),
    AddKey: lambda account: AddKey(ApiKey("k" * 64, account, "HMAC", "s" * 64)),
    RevokeKey: lambda account: RevokeKey("k" * 64),
    SetMode: lambda account: SetMode(account, True, expected_version=0),
    SetMarginType: lambda account: SetMarginType(account, "BTCUSDT", "ISOLATED", 0),
    SetPositionMode: lambda account: SetPositionMode(account, True, 0),
    ReplaceState: lambda account: ReplaceState(account, AccountState(True)),
    Reset: lambda account: Reset(),
    SetSetting: lambda account: SetSetting("colour", "blue"),
}
WRITE_TYPES: tuple[type[BaseWrite], ...] = get_args(Write)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'writes.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    try:
        yield opened
    finally:
        opened.close()


def new_account(store: Store, name: str = "alice") -> int:
    [account_id] = store.apply([CreateAccount(name)])
    assert isinstance(account_id, int)
    return account_id


def test_every_write_type_declares_every_fact_itself() -> None:
    assert set(EXAMPLES) == set(WRITE_TYPES)
    undeclared = {
        write_type.__name__: [fact for fact in FACTS if fact not in write_type.__dict__]
        for write_type in WRITE_TYPES
    }
    assert undeclared == {write_type.__name__: [] for write_type in WRITE_TYPES}


def test_the_facts_each_write_declares() -> None:
    facts: dict[str, tuple[bool, bool, tuple[int, ...], Counted]] = {}
    for write_type, example in EXAMPLES.items():
        write = example(7)
        facts[write_type.__name__] = (
            write.savepoint,
            write.versioned,
            write.locks,
            write.counted(),
        )
    assert facts == {
        "CreateAccount": (True, False, (), None),
        "DeleteAccount": (True, False, (), None),
        "AddKey": (True, False, (), None),
        "RevokeKey": (True, False, (), None),
        "SetMode": (False, True, (7,), (7, (1, True, None))),
        "SetMarginType": (False, True, (7,), (7, None)),
        "SetPositionMode": (False, True, (7,), (7, None)),
        "ReplaceState": (True, False, (), None),
        "Reset": (True, False, (), None),
        "SetSetting": (True, False, (), None),
    }
    # Decided on no known version, a mode change's new version is not known: read it again.
    assert SetMode(7, False).counted() == (7, None)


def test_a_write_type_missing_a_fact_fails_when_defined() -> None:
    with pytest.raises(TypeError) as missing:

        @dataclasses.dataclass(frozen=True, slots=True)
        class SetLeverage(BaseWrite):  # what a new write type looks like
            account_id: int
            leverage: int
            expected_version: int | None = None

            savepoint = False
            versioned = True

    assert str(missing.value) == "write SetLeverage does not declare locks, counted"


def test_a_versioned_write_type_has_an_expected_version_and_only_it() -> None:
    def define(versioned: bool, annotations: dict[str, Any]) -> None:
        body = {"__annotations__": annotations, "savepoint": True, "versioned": versioned}
        body |= {"locks": (), "counted": lambda self: None}
        type("SetLeverage", (BaseWrite,), body)

    define(True, {"expected_version": "int | None"})
    define(False, {"account_id": "int"})
    for versioned, fields in ((True, {}), (False, {"expected_version": "int | None"})):
        with pytest.raises(TypeError) as refused:
            define(versioned, fields)
        assert str(refused.value) == (
            "write SetLeverage: a versioned write has an expected_version field,"
            " and only a versioned one"
        )


def test_a_versioned_write_decided_on_an_old_version_is_stale(store: Store) -> None:
    for write_type in (t for t in WRITE_TYPES if t.versioned):
        name = write_type.__name__.lower()
        account_id = new_account(store, name)
        write: Any = EXAMPLES[write_type](account_id)  # decided on version 0
        store.apply([SetMode(account_id, False, expected_version=0)])  # another process's
        [refused] = store.apply([write])
        assert isinstance(refused, Stale), write_type
        # Decided again on the fresh copy, it goes through and counts a version.
        assert store.apply([dataclasses.replace(write, expected_version=1)]) == [None]
        account = store.account(name)
        assert account is not None and account.version == 2


def test_a_write_without_a_savepoint_fails_before_it_writes(store: Store) -> None:
    """Refused with no savepoint to roll back to, it leaves the transaction good: the writes
    after it in the same commit still go through (on PostgreSQL a statement that failed half-way
    would have aborted them all)."""
    for write_type in (t for t in WRITE_TYPES if not t.savepoint):
        results = store.apply([EXAMPLES[write_type](999), SetSetting("after", write_type.__name__)])
        assert [type(result) for result in results] == [NotFound, type(None)]
        assert store.setting("after") == write_type.__name__


def test_a_write_failing_half_way_is_rolled_back_alone(store: Store) -> None:
    account_id = new_account(store)
    store.apply([SetMarginType(account_id, "BTCUSDT", "ISOLATED")])
    order = Order(1, "BTCUSDT", "BUY", Decimal("1"), Decimal("1"))
    # The account row is updated, its state deleted, then the second order breaks the key.
    broken = ReplaceState(account_id, AccountState(True, open_orders=[order, order]))
    assert broken.savepoint
    results = store.apply([broken, SetSetting("after", "1")])
    assert type(results[0]) is StoreError and results[1:] == [None]
    account = store.account("alice")
    assert account is not None
    assert (account.version, account.state) == (
        1,
        AccountState(margin_types={"BTCUSDT": "ISOLATED"}),
    )
    assert store.setting("after") == "1"


def test_a_commit_locks_its_writes_accounts_in_id_order(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = new_account(store, "first"), new_account(store, "second")
    locked: list[list[int]] = []
    original = store._lock_accounts  # type: ignore[attr-defined]

    def lock_accounts(db: Any, account_ids: list[int]) -> None:
        locked.append(account_ids)
        original(db, account_ids)

    monkeypatch.setattr(store, "_lock_accounts", lock_accounts)
    store.apply(
        [
            SetMarginType(second, "BTCUSDT", "ISOLATED"),
            SetMode(first, True),
            SetSetting("colour", "blue"),
            SetMarginType(second, "ETHUSDT", "ISOLATED"),
        ]
    )
    store.apply([SetSetting("colour", "red"), ReplaceState(first, AccountState())])
    assert locked == [[first, second], []]


def test_the_mode_changes_a_commit_makes_are_told_in_order(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What streams hear of (PostgreSQL's notifications carry it): every mode change, batched
    or not, and a state replaced with another mode; not a state replaced with the same one."""
    ids = [new_account(store, name) for name in ("a", "b", "c")]
    told: list[list[tuple[int, bool]]] = []
    original = store._before_commit  # type: ignore[attr-defined]

    def before_commit(db: Any, modes: list[tuple[int, bool]]) -> None:
        told.append(list(modes))
        original(db, modes)

    monkeypatch.setattr(store, "_before_commit", before_commit)
    store.apply([SetMode(ids[0], True, 0), SetMode(ids[1], True, 0), SetMode(ids[2], True)])
    store.apply(
        [ReplaceState(ids[0], AccountState(False)), ReplaceState(ids[1], AccountState(True))]
    )
    store.apply([SetMode(ids[2], False, 0), SetSetting("colour", "blue")])  # stale: no change
    assert told == [
        [(ids[0], True), (ids[1], True), (ids[2], True)],
        [(ids[0], False)],
        [],
    ]
