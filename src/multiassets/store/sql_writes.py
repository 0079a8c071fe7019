"""The SQL of each write, shared by the SQL stores (``sql.py`` runs them in transactions)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any, assert_never

from ..account.model import AccountState
from .base import (
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
    StoreError,
    Write,
)

__all__ = [
    "KEY_COLUMNS",
    "Applied",
    "apply_batched",
    "apply_one",
    "next_version",
    "replace_state",
    "require",
]

KEY_COLUMNS = "api_key, account_id, kind, secret, public_key, can_read, can_trade, ip_allowlist"

#: What a write did: its result (the new row id of a CreateAccount, else None), and the mode
#: change it made, (account id, mode), that streams must hear of (None: it made none).
Applied = tuple[int | None, tuple[int, bool] | None]

_NOTHING: Applied = (None, None)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _changed_at(at_ms: int | None) -> int:
    return at_ms if at_ms is not None else _now_ms()


def apply_one(db: Any, write: Write, after_explicit_id: Callable[[Any], None]) -> Applied:
    """Run ``write``'s SQL; raises what it failed with."""
    match write:
        case CreateAccount(name, account_id):
            return _create_account(db, name, account_id, after_explicit_id), None
        case DeleteAccount(account_id):
            require(db.execute("DELETE FROM accounts WHERE id = ?", (account_id,)))
        case AddKey(key):
            _add_key(db, key)
        case RevokeKey(api_key):
            require(db.execute("DELETE FROM api_keys WHERE api_key = ?", (api_key,)))
        case SetMode(account_id, mode, expected, at_ms):
            next_version(db, account_id, expected, mode, at_ms)
            return None, (account_id, mode)
        case SetMarginType(account_id, symbol, margin_type, expected, at_ms):
            next_version(db, account_id, expected, at_ms=at_ms)
            db.execute(
                "INSERT INTO margin_types (account_id, symbol, margin_type) VALUES (?, ?, ?)"
                " ON CONFLICT (account_id, symbol)"
                " DO UPDATE SET margin_type = excluded.margin_type",
                (account_id, symbol, margin_type),
            )
        case SetPositionMode(account_id, dual, expected, at_ms):
            next_version(db, account_id, expected, at_ms=at_ms)
            db.execute(
                "UPDATE accounts SET dual_side_position = ? WHERE id = ?", (int(dual), account_id)
            )
            # The rules let only flat positions through: those of the old sides go.
            kept = "position_side <> 'BOTH'" if dual else "position_side = 'BOTH'"
            db.execute(
                f"DELETE FROM positions WHERE account_id = ? AND NOT ({kept})", (account_id,)
            )
        case ReplaceState(account_id, state, at_ms):
            return None, _replace_state_mode(db, account_id, state, at_ms)
        case Reset():
            db.execute("DELETE FROM accounts")
        case SetSetting(name, value):
            db.execute(
                "INSERT INTO settings (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
        case _:
            # A write type without its SQL here is an error, never a write silently skipped
            # (mypy --strict finds it first).
            assert_never(write)
    return _NOTHING


def _create_account(
    db: Any, name: str, account_id: int | None, after_explicit_id: Callable[[Any], None]
) -> int:
    if db.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
        raise StoreError(f"account {name!r} already exists")
    if account_id is None:
        row = db.execute(
            "INSERT INTO accounts (name, created_ms, updated_ms) VALUES (?, ?, ?) RETURNING id",
            (name, *[_now_ms()] * 2),
        ).fetchone()
    else:
        row = db.execute(
            "INSERT INTO accounts (id, name, created_ms, updated_ms) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            (account_id, name, *[_now_ms()] * 2),
        ).fetchone()
        after_explicit_id(db)
    return int(row[0])


def _add_key(db: Any, key: ApiKey) -> None:
    allowlist = json.dumps(list(key.ip_allowlist)) if key.ip_allowlist is not None else None
    db.execute(
        f"INSERT INTO api_keys ({KEY_COLUMNS}, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key.api_key,
            key.account_id,
            key.kind,
            key.secret,
            key.public_key,
            int(key.can_read),
            int(key.can_trade),
            allowlist,
            _now_ms(),
        ),
    )


def _replace_state_mode(
    db: Any, account_id: int, state: AccountState, at_ms: int | None
) -> tuple[int, bool] | None:
    """Replace the account's state; the mode change that made, if it made one (read first)."""
    row = db.execute(
        "SELECT multi_assets_margin FROM accounts WHERE id = ?", (account_id,)
    ).fetchone()
    replace_state(db, account_id, state, at_ms)
    if row is not None and bool(row[0]) != state.multi_assets_margin:
        return account_id, state.multi_assets_margin
    return None


def next_version(
    db: Any,
    account_id: int,
    expected: int | None,
    mode: bool | None = None,
    at_ms: int | None = None,
) -> None:
    """Count a change to the account (and set its mode, if given), if it is still at
    ``expected``. The UPDATE takes the row's lock until COMMIT, so changes to one account
    from any number of processes happen one at a time, each decided on the state the one
    before it left."""
    sets = "version = version + 1, updated_ms = ?"
    sets += ", multi_assets_margin = ?" if mode is not None else ""
    args: list[int] = [_changed_at(at_ms), *([int(mode)] if mode is not None else [])]
    where = "id = ?" + (" AND version = ?" if expected is not None else "")
    args += [account_id] if expected is None else [account_id, expected]
    if db.execute(f"UPDATE accounts SET {sets} WHERE {where}", args).rowcount == 1:
        return
    exists = db.execute("SELECT 1 FROM accounts WHERE id = ?", (account_id,)).fetchone()
    raise Stale("the account changed meanwhile") if exists else NotFound("no such account")


def require(cursor: Any) -> None:
    if cursor.rowcount == 0:
        raise NotFound("no such account or key")


def replace_state(db: Any, account_id: int, state: AccountState, at_ms: int | None = None) -> None:
    require(
        db.execute(
            "UPDATE accounts SET multi_assets_margin = ?, dual_side_position = ?,"
            " credits_mode = ?, updated_ms = ?, version = version + 1 WHERE id = ?",
            (
                int(state.multi_assets_margin),
                int(state.dual_side_position),
                int(state.credits_mode),
                _changed_at(at_ms),
                account_id,
            ),
        )
    )
    for table in ("margin_types", "leverages", "balances", "positions", "open_orders"):
        db.execute(f"DELETE FROM {table} WHERE account_id = ?", (account_id,))
    for statement, rows in _state_rows(account_id, state):
        db.cursor().executemany(statement, rows)


def _state_rows(account_id: int, state: AccountState) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Each table's INSERT and the rows of ``state`` it takes."""
    a = account_id
    return [
        (
            "INSERT INTO margin_types (account_id, symbol, margin_type) VALUES (?, ?, ?)",
            [(a, symbol, kind) for symbol, kind in state.margin_types.items()],
        ),
        (
            "INSERT INTO leverages (account_id, symbol, leverage) VALUES (?, ?, ?)",
            [(a, symbol, leverage) for symbol, leverage in state.leverage.items()],
        ),
        (
            "INSERT INTO balances (account_id, asset, wallet_balance) VALUES (?, ?, ?)",
            [(a, asset, str(amount)) for asset, amount in state.balances.items()],
        ),
        (
            "INSERT INTO positions (account_id, seq, symbol, position_side, position_amt,"
            " entry_price, isolated_wallet) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (a, n, p.symbol, p.position_side)
                + (str(p.position_amt), str(p.entry_price), str(p.isolated_wallet))
                for n, p in enumerate(state.positions)
            ],
        ),
        (
            "INSERT INTO open_orders (account_id, order_id, symbol, side, type, price, orig_qty,"
            " position_side) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (a, o.order_id, o.symbol, o.side, o.type)
                + (str(o.price), str(o.orig_qty), o.position_side)
                for o in state.open_orders
            ],
        ),
    ]


def apply_batched(db: Any, writes: Sequence[Write]) -> dict[int, Applied | StoreError]:
    """Run the writes that can share one statement, by their position in ``writes``: mode
    changes, when there are two or more, each with its expected version, no account twice
    (the server's group commit makes such batches). The others are left to :func:`apply_one`."""
    found = {
        index: write
        for index, write in enumerate(writes)
        if isinstance(write, SetMode) and write.expected_version is not None
    }
    if len(found) < 2 or len({write.account_id for write in found.values()}) < len(found):
        return {}
    outcomes = _set_modes(db, list(found.values()))
    return dict(zip(found, outcomes, strict=True))


def _set_modes(db: Any, writes: list[SetMode]) -> list[Applied | StoreError]:
    """Several accounts' mode changes (each with its expected version) in one statement: one
    round trip to the database for all of them, each refused alone if its account moved on."""
    rows = ", ".join(["(?, ?, ?, ?)"] * len(writes))
    args = [
        value
        for write in writes
        for value in (
            write.account_id,
            int(write.multi_assets_margin),
            write.expected_version,
            _changed_at(write.at_ms),
        )
    ]
    # VALUES' columns are column1.. in both SQLite and PostgreSQL.
    changed = {
        int(row[0])
        for row in db.execute(
            "UPDATE accounts SET multi_assets_margin = v.column2, version = accounts.version + 1,"
            " updated_ms = v.column4"
            f" FROM (VALUES {rows}) AS v WHERE accounts.id = v.column1"
            " AND accounts.version = v.column3 RETURNING accounts.id",
            args,
        ).fetchall()
    }
    missed = [write.account_id for write in writes if write.account_id not in changed]
    existing: set[int] = set()
    if missed:
        marks = ", ".join(["?"] * len(missed))
        rows_found = db.execute(f"SELECT id FROM accounts WHERE id IN ({marks})", missed)
        existing = {int(row[0]) for row in rows_found.fetchall()}
    return [
        (None, (write.account_id, write.multi_assets_margin))
        if write.account_id in changed
        else Stale("the account changed meanwhile")
        if write.account_id in existing
        else NotFound("no such account")
        for write in writes
    ]
