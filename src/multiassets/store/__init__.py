"""Persistence: one store interface (:mod:`.base`) and its implementations."""

from __future__ import annotations

from .base import Account, ApiKey, Store, StoreError
from .sqlite import SQLiteStore

__all__ = ["Account", "ApiKey", "SQLiteStore", "Store", "StoreError", "open_store"]


def open_store(url: str) -> Store:
    """Open (creating or migrating) the database named by ``url``.

    ``sqlite:///relative/path.db`` and ``sqlite:////absolute/path.db``, as SQLAlchemy spells them.
    """
    if url.startswith("sqlite:///"):
        return SQLiteStore(url.removeprefix("sqlite:///"))
    raise StoreError(f"unsupported database URL {url!r}: expected sqlite:///PATH")
