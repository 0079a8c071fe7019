"""The embedded store: one SQLite file, WAL, full sync, versioned schema."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .base import Elsewhere, StoreError
from .schema import MIGRATIONS
from .sql import SQLStore

__all__ = ["SQLiteStore"]


def _connect(path: str) -> sqlite3.Connection:
    # Autocommit mode: every write runs in an explicit transaction.
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk (WAL fsync) before it returns, so a 200 is never lost.
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA busy_timeout=10000")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _create_private(path: Path) -> None:
    """A new database (and a folder made for it) readable by its owner only: it holds HMAC
    secrets. SQLite gives its -wal and -shm files the database's mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class SQLiteStore(SQLStore):
    """A :class:`~multiassets.store.base.Store` on one SQLite file."""

    # BEGIN IMMEDIATE takes the write lock first: no deadlock between two writers.
    begin_write = "BEGIN IMMEDIATE"
    errors = (sqlite3.Error,)

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            if path != ":memory:":
                _create_private(Path(path))
            reader = _connect(path)
            super().__init__(reader, None)
            self._migrate()
            self._writer = _connect(path)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"can't open SQLite database {path!r}: {exc}") from exc
        self._data_version = self._writer.execute("PRAGMA data_version").fetchone()[0]

    def _migrate(self) -> None:
        # Two processes opening a new file at once can't both apply the same migration.
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
        with self._read_lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def changed_elsewhere(self) -> Elsewhere:
        # data_version moves when another connection commits: the CLI, another process.
        # SQLite never moves it for a connection's own commits, and the writer connection is
        # the one asked, so this store's own writes don't count.
        with self._write_lock:
            version = self._writer.execute("PRAGMA data_version").fetchone()[0]
        changed = version != self._data_version
        self._data_version = version
        return Elsewhere(bool(changed))  # SQLite says that, not what: the caller compares
