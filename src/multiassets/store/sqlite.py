"""The embedded store: one SQLite file, WAL, full sync, versioned schema."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from .base import Account, ApiKey, StoreError

__all__ = ["MIGRATIONS", "SQLiteStore"]

# Each entry moves the schema one version up; PRAGMA user_version records where a file is.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        multi_assets_margin INTEGER NOT NULL DEFAULT 0 CHECK (multi_assets_margin IN (0, 1)),
        created_ms INTEGER NOT NULL
    );
    CREATE TABLE api_keys (
        api_key TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('HMAC', 'RSA', 'ED25519')),
        secret TEXT,
        public_key TEXT,
        created_ms INTEGER NOT NULL,
        CHECK ((kind = 'HMAC') = (secret IS NOT NULL))
    );
    CREATE INDEX api_keys_account ON api_keys(account_id);
    """,
)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class SQLiteStore:
    """A :class:`~multiassets.store.base.Store` on one SQLite file."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: every write below runs in an explicit transaction.
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"can't open SQLite database {path!r}: {exc}") from exc

    def _migrate(self) -> None:
        # BEGIN IMMEDIATE takes the write lock first, so two processes opening a new file
        # at once can't both apply the same migration.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self.schema_version()
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"database schema version {version} is newer than this multiassets "
                    f"({len(MIGRATIONS)}); upgrade multiassets"
                )
            for target, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={target}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def schema_version(self) -> int:
        row = self._db.execute("PRAGMA user_version").fetchone()
        return int(row[0])

    def accounts(self) -> list[Account]:
        rows = self._db.execute("SELECT id, name, multi_assets_margin FROM accounts ORDER BY id")
        return [Account(row[0], row[1], bool(row[2])) for row in rows]

    def api_keys(self) -> list[ApiKey]:
        rows = self._db.execute(
            "SELECT api_key, account_id, kind, secret, public_key FROM api_keys"
        )
        return [ApiKey(*row) for row in rows]

    def find_key(self, api_key: str) -> tuple[ApiKey, Account] | None:
        row = self._db.execute(
            "SELECT k.api_key, k.account_id, k.kind, k.secret, k.public_key,"
            " a.name, a.multi_assets_margin"
            " FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.api_key = ?",
            (api_key,),
        ).fetchone()
        if row is None:
            return None
        key = ApiKey(row[0], row[1], row[2], row[3], row[4])
        return key, Account(row[1], row[5], bool(row[6]))

    def ensure_account(self, name: str) -> tuple[Account, bool]:
        with self._transaction():
            row = self._db.execute(
                "SELECT id, name, multi_assets_margin FROM accounts WHERE name = ?", (name,)
            ).fetchone()
            if row is not None:
                return Account(row[0], row[1], bool(row[2])), False
            cursor = self._db.execute(
                "INSERT INTO accounts (name, created_ms) VALUES (?, ?)", (name, _now_ms())
            )
            assert cursor.lastrowid is not None
            return Account(cursor.lastrowid, name, False), True

    def add_key(self, key: ApiKey) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO api_keys (api_key, account_id, kind, secret, public_key, created_ms)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key.api_key, key.account_id, key.kind, key.secret, key.public_key, _now_ms()),
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def close(self) -> None:
        self._db.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")
