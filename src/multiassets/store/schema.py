"""The schema, as a list of migrations: entry N takes a database from version N to N+1."""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

MIGRATIONS: tuple[str, ...] = (
    # 1: accounts and keys
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
    # 2: key permissions and IP allow-lists; the account state behind the rules
    """
    ALTER TABLE api_keys ADD COLUMN can_read INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE api_keys ADD COLUMN can_trade INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE api_keys ADD COLUMN ip_allowlist TEXT;
    CREATE TABLE margin_types (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        symbol TEXT NOT NULL,
        margin_type TEXT NOT NULL CHECK (margin_type IN ('CROSSED', 'ISOLATED')),
        PRIMARY KEY (account_id, symbol)
    );
    CREATE TABLE balances (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        asset TEXT NOT NULL,
        wallet_balance TEXT NOT NULL,
        PRIMARY KEY (account_id, asset)
    );
    CREATE TABLE positions (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        symbol TEXT NOT NULL,
        position_side TEXT NOT NULL,
        position_amt TEXT NOT NULL,
        entry_price TEXT NOT NULL,
        initial_margin TEXT NOT NULL,
        unrealized_profit TEXT NOT NULL,
        PRIMARY KEY (account_id, seq)
    );
    CREATE TABLE open_orders (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        order_id INTEGER NOT NULL,
        symbol TEXT NOT NULL,
        side TEXT NOT NULL,
        type TEXT NOT NULL,
        price TEXT NOT NULL,
        orig_qty TEXT NOT NULL,
        PRIMARY KEY (account_id, order_id)
    );
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 3: a version per account, so a change made on a copy of the account that another
    # process has since changed is refused (the UPDATE that checks it takes the row's lock)
    """
    ALTER TABLE accounts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    """,
    # 4: the position mode, credits mode and leverage; a position keeps its isolated wallet
    # (its margin and PnL follow from the market, never stored: the table is rebuilt without
    # them, which every SQLite can do, where DROP COLUMN needs 3.35); an order its
    # positionSide; when the account's state last changed (Binance dates its assets). An
    # account holding LONG or SHORT positions was in Hedge Mode: it says so now, its flat
    # BOTH rows go, its orders take the side they open.
    """
    ALTER TABLE accounts ADD COLUMN dual_side_position INTEGER NOT NULL DEFAULT 0
        CHECK (dual_side_position IN (0, 1));
    ALTER TABLE accounts ADD COLUMN credits_mode INTEGER NOT NULL DEFAULT 0
        CHECK (credits_mode IN (0, 1));
    ALTER TABLE accounts ADD COLUMN updated_ms INTEGER NOT NULL DEFAULT 0;
    UPDATE accounts SET updated_ms = created_ms;
    CREATE TABLE positions_v4 (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        symbol TEXT NOT NULL,
        position_side TEXT NOT NULL,
        position_amt TEXT NOT NULL,
        entry_price TEXT NOT NULL,
        isolated_wallet TEXT NOT NULL DEFAULT '0',
        PRIMARY KEY (account_id, seq)
    );
    INSERT INTO positions_v4 (account_id, seq, symbol, position_side, position_amt, entry_price)
        SELECT account_id, seq, symbol, position_side, position_amt, entry_price FROM positions;
    DROP TABLE positions;
    ALTER TABLE positions_v4 RENAME TO positions;
    ALTER TABLE open_orders ADD COLUMN position_side TEXT NOT NULL DEFAULT 'BOTH';
    UPDATE accounts SET dual_side_position = 1 WHERE id IN
        (SELECT account_id FROM positions WHERE position_side IN ('LONG', 'SHORT'));
    DELETE FROM positions WHERE position_side = 'BOTH' AND CAST(position_amt AS REAL) = 0
        AND account_id IN (SELECT id FROM accounts WHERE dual_side_position = 1);
    UPDATE open_orders SET position_side = CASE side WHEN 'BUY' THEN 'LONG' ELSE 'SHORT' END
        WHERE account_id IN (SELECT id FROM accounts WHERE dual_side_position = 1);
    CREATE TABLE leverages (
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        symbol TEXT NOT NULL,
        leverage INTEGER NOT NULL,
        PRIMARY KEY (account_id, symbol)
    );
    """,
)
