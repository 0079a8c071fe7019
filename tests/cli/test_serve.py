from __future__ import annotations

import sqlite3
from pathlib import Path

from multiassets.store.sqlite import MIGRATIONS

from ..support import Server, running_server


def test_first_start_creates_demo_account_and_prints_its_key_once(tmp_path: Path) -> None:
    with running_server(tmp_path) as first:
        demo = first.demo
        assert len(demo.api_key) == 64 and len(demo.secret) == 64
        assert first.signed("GET", "/fapi/v1/multiAssetsMargin").status == 200
    # A second start on the same database keeps the account and prints no credentials.
    with running_server(tmp_path, expect_demo=False) as second:
        second.demo = demo
        assert second.signed("GET", "/fapi/v1/multiAssetsMargin").status == 200
    assert second.output == ""


def test_serve_creates_the_schema_at_the_latest_version(server: Server) -> None:
    with sqlite3.connect(server.db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
