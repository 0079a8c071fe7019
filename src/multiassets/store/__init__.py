"""Persistence: one store interface (:mod:`.base`) and its implementations."""

from __future__ import annotations

from .base import (
    Account,
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
)
from .sqlite import SQLiteStore

__all__ = [
    "Account",
    "AddKey",
    "ApiKey",
    "CreateAccount",
    "DeleteAccount",
    "NotFound",
    "ReplaceState",
    "Reset",
    "RevokeKey",
    "SQLiteStore",
    "SetMarginType",
    "SetPositionMode",
    "SetMode",
    "SetSetting",
    "Stale",
    "Store",
    "StoreError",
    "Write",
    "open_store",
]


def open_store(url: str) -> Store:
    """Open (creating or migrating) the database named by ``url``.

    ``sqlite:///relative/path.db`` and ``sqlite:////absolute/path.db``, as SQLAlchemy spells
    them, or ``postgresql://user@host:5432/database``.
    """
    if url.startswith("sqlite:///"):
        return SQLiteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore

        return PostgresStore(url)
    raise StoreError(f"unsupported database URL {url!r}: expected sqlite:///PATH or postgresql://…")
