"""A database made by an earlier version opens in this one with its data: schema version 3
(positions holding their margin and PnL, no position mode) migrated to 4."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from multiassets.store import Store, open_store
from multiassets.store.postgres import _postgres_ddl
from multiassets.store.schema import MIGRATIONS

from ..support import postgres_database

#: What a version-3 database could hold: a one-way account with a cross position and an
#: order, and one holding LONG and SHORT positions (beside a flat BOTH row) with an order,
#: which the old model allowed without a position mode.
ROWS = (
    "INSERT INTO accounts (id, name, multi_assets_margin, created_ms, version)"
    " VALUES (1, 'plain', 0, 1700000000000, 3), (2, 'hedged', 0, 1700000000001, 5)",
    "INSERT INTO balances (account_id, asset, wallet_balance)"
    " VALUES (1, 'USDT', '1000'), (2, 'USDC', '50')",
    "INSERT INTO positions (account_id, seq, symbol, position_side, position_amt,"
    " entry_price, initial_margin, unrealized_profit) VALUES"
    " (1, 0, 'BTCUSDT', 'BOTH', '0.010', '90000', '45', '-1'),"
    " (2, 0, 'ETHUSDC', 'LONG', '2', '3000', '300', '0'),"
    " (2, 1, 'ETHUSDC', 'SHORT', '-1', '3100', '150', '0'),"
    " (2, 2, 'BTCUSDC', 'BOTH', '0.000', '0', '0', '0')",
    "INSERT INTO open_orders (account_id, order_id, symbol, side, type, price, orig_qty)"
    " VALUES (1, 9, 'BNBUSDT', 'SELL', 'LIMIT', '900', '1'),"
    " (2, 10, 'ETHUSDC', 'SELL', 'LIMIT', '3200', '1')",
)


def version_3_sqlite(path: Path) -> str:
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        db.executescript(script)
    for statement in ROWS:
        db.execute(statement)
    db.execute("PRAGMA user_version=3")
    db.commit()
    db.close()
    return f"sqlite:///{path}"


def version_3_postgres(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for script in MIGRATIONS[:3]:
            for statement in _postgres_ddl(script).split(";"):
                if statement.strip():
                    db.execute(statement)
        for statement in ROWS:
            db.execute(statement)
        db.execute("INSERT INTO schema_version (version) VALUES (3)")


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        store = open_store(version_3_sqlite(tmp_path / "old.db"))
        try:
            yield store
        finally:
            store.close()
        return
    with postgres_database() as url:
        version_3_postgres(url)
        store = open_store(url)
        try:
            yield store
        finally:
            store.close()


def test_a_version_3_database_keeps_its_accounts_and_positions(migrated: Store) -> None:
    assert migrated.schema_version() == len(MIGRATIONS) == 4
    plain = migrated.account("plain")
    assert plain is not None
    assert (plain.version, plain.updated_ms) == (3, 1700000000000)  # dated by its creation
    assert plain.state.to_json() == {
        "multiAssetsMargin": False,
        "dualSidePosition": False,
        "creditsMode": False,
        "marginTypes": {},
        "leverage": {},
        "balances": {"USDT": "1000"},
        # Its stored margin and PnL are gone: they follow from the market now.
        "positions": [
            {
                "symbol": "BTCUSDT",
                "positionSide": "BOTH",
                "positionAmt": "0.010",
                "entryPrice": "90000",
                "isolatedWallet": "0",
            }
        ],
        "openOrders": [
            {
                "orderId": 9,
                "symbol": "BNBUSDT",
                "side": "SELL",
                "type": "LIMIT",
                "positionSide": "BOTH",
                "price": "900",
                "origQty": "1",
            }
        ],
    }


def test_an_account_that_held_long_and_short_positions_is_in_hedge_mode(migrated: Store) -> None:
    hedged = migrated.account("hedged")
    assert hedged is not None
    state = hedged.state
    assert state.dual_side_position is True
    # The flat BOTH row went; the order takes the side a SELL opens.
    assert [(p.symbol, p.position_side, p.position_amt) for p in state.positions] == [
        ("ETHUSDC", "LONG", Decimal(2)),
        ("ETHUSDC", "SHORT", Decimal(-1)),
    ]
    assert [(o.order_id, o.position_side) for o in state.open_orders] == [(10, "SHORT")]
    # A state the model takes as it is: it can be edited and exported again.
    type(state).from_json(state.to_json())
