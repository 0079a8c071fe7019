"""The exchange's static catalogue: margin assets and contract symbols.

A small, realistic subset of what live Binance USD-M Futures lists: USDT- and USDC-margined
perpetuals, and the assets usable as margin in Multi-Assets Mode with their auto-exchange
thresholds. Shared by the server's exchangeInfo and the account rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["ASSETS", "ASSETS_BY_NAME", "SYMBOLS", "SYMBOLS_BY_NAME", "Asset", "Symbol"]


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    margin_available: bool
    #: Balance below which Multi-Assets Mode auto-exchanges the asset; None where it never does.
    auto_asset_exchange: str | None
    #: USD value of one unit, used to pool margin across assets in Multi-Assets Mode.
    index_price: Decimal


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    base: str
    quote: str
    onboard_ms: int
    price_precision: int
    quantity_precision: int
    tick_size: str
    step_size: str
    min_qty: str
    max_qty: str
    min_notional: str
    maint_margin_percent: str = "2.5000"
    required_margin_percent: str = "5.0000"

    @property
    def margin_asset(self) -> str:
        return self.quote


ASSETS: tuple[Asset, ...] = (
    Asset("USDT", True, "-10000", Decimal("1")),
    Asset("BTC", True, "-0.10000000", Decimal("90000")),
    Asset("BNB", True, "-10", Decimal("900")),
    Asset("ETH", True, "-5", Decimal("3000")),
    Asset("USDC", True, "-10000", Decimal("1")),
    Asset("FDUSD", True, "0", Decimal("1")),
    Asset("BFUSD", True, "0", Decimal("1")),
)
ASSETS_BY_NAME = {asset.name: asset for asset in ASSETS}

SYMBOLS: tuple[Symbol, ...] = (
    Symbol("BTCUSDT", "BTC", "USDT", 1569398400000, 2, 3, "0.10", "0.001", "0.001", "1000", "100"),
    Symbol("ETHUSDT", "ETH", "USDT", 1569398400000, 2, 3, "0.01", "0.001", "0.001", "10000", "20"),
    Symbol("BNBUSDT", "BNB", "USDT", 1569398400000, 3, 2, "0.010", "0.01", "0.01", "100000", "5"),
    Symbol("SOLUSDT", "SOL", "USDT", 1569398400000, 4, 0, "0.0100", "1", "1", "1000000", "5"),
    Symbol("BTCUSDC", "BTC", "USDC", 1705881600000, 1, 3, "0.1", "0.001", "0.001", "500", "5"),
    Symbol("ETHUSDC", "ETH", "USDC", 1705881600000, 2, 3, "0.01", "0.001", "0.001", "8000", "5"),
)
SYMBOLS_BY_NAME = {symbol.name: symbol for symbol in SYMBOLS}
