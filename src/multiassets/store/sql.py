"""What the SQL stores share: the queries, the writes and their transactions.

Two connections: one for reads (the server's event loop, the CLI) and one for writes, used by
one thread at a time (the server's commit thread), so reads never see a write half-done. The
SQL is written once, with ``?`` placeholders; each database's subclass says how to connect,
migrate and notice other processes' commits (SQLite in ``sqlite.py``, PostgreSQL in
``postgres.py``).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ..account.model import AccountState, Order, Position
from .base import Account, ApiKey, Elsewhere, StoreError, Write
from .sql_writes import KEY_COLUMNS, Applied, apply_batched, apply_one

__all__ = ["SQLStore"]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _key(row: tuple[Any, ...]) -> ApiKey:
    api_key, account_id, kind, secret, public_key, can_read, can_trade, allowlist = row
    return ApiKey(
        api_key,
        account_id,
        kind,
        secret,
        public_key,
        bool(can_read),
        bool(can_trade),
        tuple(json.loads(allowlist)) if allowlist is not None else None,
    )


class SQLStore:
    """The part of a :class:`~multiassets.store.base.Store` that is plain SQL."""

    #: What a write transaction starts with (SQLite takes its write lock up front).
    begin_write = "BEGIN"
    #: The database driver's errors.
    errors: tuple[type[Exception], ...] = ()
    notifies_modes = False

    def __init__(self, reader: Any, writer: Any) -> None:
        # The read connection is shared by the event loop and the commit thread (control-plane
        # work): one user at a time, so one's read transaction never wraps the other's reads.
        self._read_lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._db = reader
        self._writer = writer

    def schema_version(self) -> int:
        raise NotImplementedError

    def changed_elsewhere(self) -> Elsewhere:
        raise NotImplementedError

    def _before_commit(self, db: Any, modes: list[tuple[int, bool]]) -> None:
        """Called inside each write transaction, before COMMIT, with its mode changes."""

    def _after_commit(self, committed: bool) -> None:
        """Called after each write transaction, still holding the write lock: whether it
        committed."""

    def _lock_accounts(self, db: Any, account_ids: list[int]) -> None:
        """Take the row locks of the accounts a transaction changes, in id order, before it
        changes any: processes committing overlapping groups can't deadlock. (SQLite's write
        transaction holds the whole file already.)"""

    def _after_explicit_id(self, db: Any) -> None:
        """Called after an account was created with an id chosen by the caller."""

    def identity(self) -> str:
        """A random id the database keeps, made by the first process that asks."""
        with self._write_lock:
            db = self._writer
            db.execute(
                "INSERT INTO settings (name, value) VALUES ('database_id', ?)"
                " ON CONFLICT (name) DO NOTHING",
                (secrets.token_hex(16),),
            )
        found = self.setting("database_id")
        assert found is not None
        return found

    def healthy(self) -> bool:
        try:
            with self._read_lock:
                self._db.execute("SELECT 1 FROM accounts LIMIT 1").fetchall()
        except self.errors:
            return False
        return True

    # -- reads ---------------------------------------------------------------------------------

    def accounts(self) -> list[Account]:
        return self.snapshot()[0]

    def snapshot(self) -> tuple[list[Account], list[ApiKey]]:
        # One read transaction, so accounts, their states and keys are from one moment.
        with self._read_lock:
            self._db.execute("BEGIN")
            try:
                rows = self._db.execute(
                    f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY id"
                ).fetchall()
                states = {int(row[0]): _bare_state(row) for row in rows}
                self._load_states(states)
                keys = self.api_keys()
            finally:
                self._db.execute("COMMIT")
        return [_account(row, states) for row in rows], keys

    def account(self, name: str) -> Account | None:
        with self._read_lock:
            return self._account(name)

    def _account(self, name: str) -> Account | None:
        row = self._db.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            return None
        states = {int(row[0]): _bare_state(row)}
        self._load_states(states)
        return _account(row, states)

    def accounts_by_id(self, account_ids: set[int]) -> list[Account]:
        if not account_ids:
            return []
        ids = sorted(account_ids)
        with self._read_lock:
            self._db.execute("BEGIN")
            try:
                rows = self._db.execute(
                    f"SELECT {_ACCOUNT_COLUMNS} FROM accounts"
                    f" WHERE id IN ({', '.join('?' * len(ids))}) ORDER BY id",
                    ids,
                ).fetchall()
                states = {int(row[0]): _bare_state(row) for row in rows}
                self._load_states(states)
            finally:
                self._db.execute("COMMIT")
        return [_account(row, states) for row in rows]

    def _load_states(self, states: dict[int, AccountState]) -> None:
        """Fill ``states`` (by account id) from the database: all of them in one query per
        table (every account's rows when that is cheaper than naming them)."""
        if not states:
            return
        where, args = "", tuple[int, ...]()
        if len(states) <= 500:
            where = f" WHERE account_id IN ({', '.join('?' * len(states))})"
            args = tuple(states)
        for account_id, symbol, margin_type in self._db.execute(
            f"SELECT account_id, symbol, margin_type FROM margin_types{where}", args
        ):
            if account_id in states:
                states[account_id].margin_types[symbol] = margin_type
        for account_id, asset, amount in self._db.execute(
            f"SELECT account_id, asset, wallet_balance FROM balances{where}", args
        ):
            if account_id in states:
                states[account_id].balances[asset] = Decimal(amount)
        for account_id, symbol, leverage in self._db.execute(
            f"SELECT account_id, symbol, leverage FROM leverages{where}", args
        ):
            if account_id in states:
                states[account_id].leverage[symbol] = int(leverage)
        for row in self._db.execute(
            "SELECT account_id, symbol, position_side, position_amt, entry_price,"
            f" isolated_wallet FROM positions{where} ORDER BY account_id, seq",
            args,
        ):
            if row[0] in states:
                states[row[0]].positions.append(
                    Position(row[1], row[2], *(Decimal(value) for value in row[3:]))
                )
        for row in self._db.execute(
            "SELECT account_id, order_id, symbol, side, price, orig_qty, type, position_side"
            f" FROM open_orders{where} ORDER BY account_id, order_id",
            args,
        ):
            if row[0] in states:
                states[row[0]].open_orders.append(
                    Order(row[1], row[2], row[3], Decimal(row[4]), Decimal(row[5]), row[6], row[7])
                )

    def api_keys(self, account_id: int | None = None) -> list[ApiKey]:
        with self._read_lock:
            return self._api_keys(account_id)

    def _api_keys(self, account_id: int | None) -> list[ApiKey]:
        if account_id is None:
            rows = self._db.execute(f"SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_ms")
        else:
            rows = self._db.execute(
                f"SELECT {KEY_COLUMNS} FROM api_keys WHERE account_id = ? ORDER BY created_ms",
                (account_id,),
            )
        return [_key(row) for row in rows]

    def find_key(self, api_key: str) -> tuple[ApiKey, Account] | None:
        with self._read_lock:
            return self._find_key(api_key)

    def _find_key(self, api_key: str) -> tuple[ApiKey, Account] | None:
        row = self._db.execute(
            f"SELECT {KEY_COLUMNS} FROM api_keys WHERE api_key = ?", (api_key,)
        ).fetchone()
        if row is None:
            return None
        key = _key(row)
        name = self._db.execute(
            "SELECT name FROM accounts WHERE id = ?", (key.account_id,)
        ).fetchone()
        account = self._account(name[0]) if name is not None else None
        return (key, account) if account is not None else None

    def setting(self, name: str) -> str | None:
        with self._read_lock:
            row = self._db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    # -- writes --------------------------------------------------------------------------------

    def apply(
        self, writes: Sequence[Write], *, atomic: bool = False
    ) -> list[Exception | int | None]:
        failures: tuple[type[Exception], ...] = (*self.errors, StoreError)
        with self._write_lock:
            db = self._writer
            try:
                db.execute(self.begin_write)
                self._lock_accounts(db, sorted({a for write in writes for a in write.locks}))
                results, modes = self._run(db, writes, atomic, failures)
                self._before_commit(db, modes)
                db.execute("COMMIT")
                self._after_commit(True)
            except failures as error:
                self._after_commit(False)
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(error, StoreError):
                    raise
                raise StoreError(f"commit failed: {error}") from error
        return results

    def _run(
        self, db: Any, writes: Sequence[Write], atomic: bool, failures: tuple[type[Exception], ...]
    ) -> tuple[list[Exception | int | None], list[tuple[int, bool]]]:
        """Each write in turn, inside the transaction (those that share one statement, first):
        its result or what it failed with, and the mode changes made, in order."""
        results: list[Exception | int | None] = []
        modes: list[tuple[int, bool]] = []
        batched = apply_batched(db, writes)
        for index, write in enumerate(writes):
            outcome = batched[index] if index in batched else self._one(db, write, atomic, failures)
            if isinstance(outcome, StoreError):
                if atomic:
                    raise outcome
                results.append(outcome)
                continue
            result, mode = outcome
            results.append(result)
            if mode is not None:
                modes.append(mode)
        return results, modes

    def _one(
        self, db: Any, write: Write, atomic: bool, failures: tuple[type[Exception], ...]
    ) -> Applied | StoreError:
        """One write, in a savepoint if it may fail half-way: what it did, or what it failed
        with, unless that ends the whole transaction (then raised)."""
        guarded = write.savepoint
        if guarded:
            db.execute("SAVEPOINT one")
        try:
            applied = apply_one(db, write, self._after_explicit_id)
            if guarded:
                db.execute("RELEASE one")
            return applied
        except failures as error:
            failure = error if isinstance(error, StoreError) else StoreError(str(error))
            # Without a savepoint, only a refusal before anything was written (Stale,
            # NotFound) leaves the transaction good to go on.
            if atomic or not (guarded or isinstance(error, StoreError)):
                raise failure from error
            if guarded:
                db.execute("ROLLBACK TO one")
                db.execute("RELEASE one")
            return failure

    def close(self) -> None:
        self._db.close()
        self._writer.close()


#: An account's own columns, as :func:`_bare_state` and :func:`_account` read them.
_ACCOUNT_COLUMNS = (
    "id, name, multi_assets_margin, version, dual_side_position, credits_mode, updated_ms"
)


def _bare_state(row: Any) -> AccountState:
    """The state an accounts row holds by itself (its other tables fill in the rest)."""
    return AccountState(bool(row[2]), dual_side_position=bool(row[4]), credits_mode=bool(row[5]))


def _account(row: Any, states: dict[int, AccountState]) -> Account:
    return Account(int(row[0]), str(row[1]), states[int(row[0])], int(row[3]), int(row[6]))
