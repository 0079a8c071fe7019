"""Account versions: a change decided on a copy of the account that another process has
changed since is refused as Stale, on both stores; the UPDATE that checks it holds the row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from multiassets.account.model import AccountState, MarginType
from multiassets.store import (
    CreateAccount,
    NotFound,
    ReplaceState,
    SetMarginType,
    SetMode,
    Stale,
    Store,
    open_store,
)

from ..support import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'versions.db'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture
def two_processes(store_url: str) -> Iterator[tuple[Store, Store]]:
    """Two connections to one database, as two server processes have."""
    first, second = open_store(store_url), open_store(store_url)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def test_each_change_counts_one_version(two_processes: tuple[Store, Store]) -> None:
    store, _ = two_processes
    [account_id] = store.apply([CreateAccount("alice")])
    assert isinstance(account_id, int)
    assert store.account("alice").version == 0  # type: ignore[union-attr]
    store.apply([SetMode(account_id, True, expected_version=0)])
    store.apply([SetMarginType(account_id, "BTCUSDT", "CROSSED", expected_version=1)])
    store.apply([ReplaceState(account_id, AccountState())])
    assert store.account("alice").version == 3  # type: ignore[union-attr]


def test_a_change_decided_on_an_old_version_is_stale(two_processes: tuple[Store, Store]) -> None:
    first, second = two_processes
    [account_id] = first.apply([CreateAccount("alice")])
    assert isinstance(account_id, int)
    # Both processes read version 0; the second commits first.
    second.apply([SetMode(account_id, True, expected_version=0)])
    [failure] = first.apply([SetMode(account_id, False, expected_version=0)])
    assert isinstance(failure, Stale)
    [failure] = first.apply([SetMarginType(account_id, "ETHUSDT", "ISOLATED", expected_version=0)])
    assert isinstance(failure, Stale)
    fresh = first.account("alice")
    assert fresh is not None and (fresh.version, fresh.state.multi_assets_margin) == (1, True)
    # Decided again on the fresh copy, it goes through.
    assert first.apply([SetMode(account_id, False, expected_version=1)]) == [None]


def test_a_change_to_a_deleted_account_is_not_found(two_processes: tuple[Store, Store]) -> None:
    store, _ = two_processes
    [failure] = store.apply([SetMode(999, True, expected_version=0)])
    assert isinstance(failure, NotFound) and not isinstance(failure, Stale)


def test_mode_changes_of_many_accounts_commit_in_one_statement_each_judged_alone(
    two_processes: tuple[Store, Store],
) -> None:
    store, other = two_processes
    ids = [store.apply([CreateAccount(f"user{n}")])[0] for n in range(3)]
    assert all(isinstance(account_id, int) for account_id in ids)
    first, second, third = (int(account_id) for account_id in ids)  # type: ignore[arg-type]
    other.apply([SetMode(second, True, expected_version=0)])  # the second moved on
    results = store.apply(
        [
            SetMode(first, True, expected_version=0),
            SetMode(second, False, expected_version=0),
            SetMode(999, True, expected_version=0),
            SetMode(third, True, expected_version=0),
        ]
    )
    assert [type(result).__name__ for result in results] == [
        "NoneType",
        "Stale",
        "NotFound",
        "NoneType",
    ]
    modes = {a.name: (a.state.multi_assets_margin, a.version) for a in store.accounts()}
    assert modes == {"user0": (True, 1), "user1": (True, 1), "user2": (True, 1)}


def test_processes_committing_overlapping_groups_do_not_deadlock(store_url: str) -> None:
    """Found in review: two processes' group commits locked the same accounts in opposite
    orders; PostgreSQL broke the deadlock by failing one whole commit."""
    import threading
    import time

    setup = open_store(store_url)
    ids = [int(setup.apply([CreateAccount(name)])[0]) for name in ("a", "b")]  # type: ignore[arg-type]
    setup.close()
    failures: list[str] = []

    def commit(order: list[int]) -> None:
        store = open_store(store_url)
        try:
            deadline = time.monotonic() + 2
            turn = 0
            while time.monotonic() < deadline:
                turn += 1
                kind: MarginType = "ISOLATED" if turn % 2 else "CROSSED"
                try:
                    store.apply([SetMarginType(account, "BTCUSDT", kind) for account in order])
                except Exception as error:
                    failures.append(str(error)[:80])
        finally:
            store.close()

    threads = [threading.Thread(target=commit, args=(order,)) for order in (ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_database_has_one_identity_however_it_is_reached(store_url: str) -> None:
    """Servers share Redis keys by it: found in review, a prefix from the URL's spelling gave
    two nodes reaching one database as localhost and 127.0.0.1 separate weight budgets."""
    other_spelling = store_url.replace("127.0.0.1", "localhost").replace(
        "sqlite:///", "sqlite:////"
    )
    first, second = open_store(store_url), open_store(other_spelling)
    try:
        assert first.identity() == second.identity()
        assert len(first.identity()) == 32
    finally:
        first.close()
        second.close()
