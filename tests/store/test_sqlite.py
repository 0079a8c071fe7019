"""The SQLite file itself: who may read it."""

from __future__ import annotations

import stat
from pathlib import Path

from multiassets.store.sqlite import SQLiteStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_new_folder_are_readable_by_their_owner_only(
    tmp_path: Path,
) -> None:
    path = tmp_path / "made" / "multiassets.db"
    SQLiteStore(str(path)).close()  # its schema written: the WAL too, while open
    # It holds HMAC secrets: 0600, in a 0700 folder; the WAL takes the file's mode.
    assert (mode(path), mode(path.parent)) == (0o600, 0o700)
    assert all(mode(extra) == 0o600 for extra in tmp_path.glob("made/multiassets.db-*"))


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    SQLiteStore(str(path)).close()
    path.chmod(0o640)
    SQLiteStore(str(path)).close()
    assert mode(path) == 0o640
