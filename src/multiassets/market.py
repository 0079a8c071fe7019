"""The exchange's static catalogue: margin assets, contract symbols and their leverage brackets.

A small, realistic subset of what live Binance USD-M Futures lists: USDT- and USDC-margined
perpetuals, and the assets usable as margin in Multi-Assets Mode with their auto-exchange
thresholds. Shared by the server's exchangeInfo, the account's margin and its rules. Prices
live elsewhere (:mod:`multiassets.account.prices`): they move, the catalogue does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ASSETS",
    "ASSETS_BY_NAME",
    "CREDITS_ASSET",
    "DEFAULT_LEVERAGE",
    "SYMBOLS",
    "SYMBOLS_BY_NAME",
    "Asset",
    "Bracket",
    "Symbol",
]

#: A symbol's leverage until the account sets another (Binance's default for a new account).
DEFAULT_LEVERAGE = 20
#: What an EU (credits) account's PnL, margin and fees are booked in (Binance's FAQ).
CREDITS_ASSET = "BNFCR"


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    margin_available: bool
    #: Balance below which Multi-Assets Mode auto-exchanges the asset; None where it never does.
    auto_asset_exchange: str | None
    #: The asset index's defaults (``GET /fapi/v1/assetIndex``): the USD index price and the
    #: haircuts Binance applies to it, for valuing the asset as collateral (bid) and as a
    #: liability or requirement (ask), and on auto-exchange.
    index_price: Decimal
    buffer: Decimal
    auto_exchange_buffer: Decimal


@dataclass(frozen=True, slots=True)
class Bracket:
    """One notional bracket of a symbol (``GET /fapi/v1/leverageBracket``). ``cum``, the
    maintenance amount, is derived, as Binance derives it: each bracket's cum keeps the
    maintenance margin continuous at its floor."""

    bracket: int
    initial_leverage: int
    notional_floor: Decimal
    notional_cap: Decimal
    maint_margin_ratio: Decimal
    cum: Decimal


def _brackets(*rows: tuple[int, int, str]) -> tuple[Bracket, ...]:
    """Brackets from (cap, initial leverage, maintenance ratio) rows, floors and cums derived."""
    brackets: list[Bracket] = []
    floor, cum, ratio_below = Decimal(0), Decimal(0), Decimal(0)
    for number, (cap, leverage, ratio_text) in enumerate(rows, start=1):
        ratio = Decimal(ratio_text)
        cum += floor * (ratio - ratio_below)
        brackets.append(Bracket(number, leverage, floor, Decimal(cap), ratio, cum))
        floor, ratio_below = Decimal(cap), ratio
    return tuple(brackets)


_MAJOR = _brackets(
    (50_000, 125, "0.004"),
    (600_000, 100, "0.005"),
    (3_000_000, 75, "0.0065"),
    (12_000_000, 50, "0.01"),
    (70_000_000, 25, "0.02"),
    (100_000_000, 20, "0.025"),
    (230_000_000, 10, "0.05"),
    (480_000_000, 5, "0.1"),
    (600_000_000, 4, "0.125"),
    (800_000_000, 3, "0.15"),
    (1_200_000_000, 2, "0.25"),
    (1_800_000_000, 1, "0.5"),
)
_MINOR = _brackets(
    (5_000, 75, "0.01"),
    (50_000, 50, "0.02"),
    (250_000, 25, "0.025"),
    (1_000_000, 20, "0.05"),
    (5_000_000, 10, "0.1"),
    (10_000_000, 5, "0.125"),
    (20_000_000, 4, "0.15"),
    (30_000_000, 2, "0.25"),
    (50_000_000, 1, "0.5"),
)


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
    #: The mark price's default (``GET /fapi/v1/premiumIndex``).
    mark_price: Decimal
    brackets: tuple[Bracket, ...] = _MAJOR
    maint_margin_percent: str = "2.5000"
    required_margin_percent: str = "5.0000"

    @property
    def margin_asset(self) -> str:
        return self.quote

    @property
    def max_leverage(self) -> int:
        return self.brackets[0].initial_leverage


def _stable(name: str, threshold: str, index: str = "1", buffer: str = "0") -> Asset:
    return Asset(name, True, threshold, Decimal(index), Decimal(buffer), Decimal(buffer))


ASSETS: tuple[Asset, ...] = (
    _stable("USDT", "-10000", "0.99990000", "0.00010000"),
    Asset("BTC", True, "-0.10000000", Decimal(90000), Decimal("0.05"), Decimal("0.025")),
    Asset("BNB", True, "-10", Decimal(900), Decimal("0.05"), Decimal("0.025")),
    Asset("ETH", True, "-5", Decimal(3000), Decimal("0.05"), Decimal("0.025")),
    _stable("USDC", "-10000"),
    _stable("FDUSD", "0"),
    _stable("BFUSD", "0", "0.99950000", "0.00050000"),
    _stable(CREDITS_ASSET, "-5000"),
)
ASSETS_BY_NAME = {asset.name: asset for asset in ASSETS}

_ONBOARD, _ONBOARD_USDC = 1569398400000, 1705881600000
SYMBOLS: tuple[Symbol, ...] = (
    Symbol(
        "BTCUSDT",
        "BTC",
        "USDT",
        _ONBOARD,
        2,
        3,
        "0.10",
        "0.001",
        "0.001",
        "1000",
        "100",
        Decimal(90000),
    ),
    Symbol(
        "ETHUSDT",
        "ETH",
        "USDT",
        _ONBOARD,
        2,
        3,
        "0.01",
        "0.001",
        "0.001",
        "10000",
        "20",
        Decimal(3000),
    ),
    Symbol(
        "BNBUSDT",
        "BNB",
        "USDT",
        _ONBOARD,
        3,
        2,
        "0.010",
        "0.01",
        "0.01",
        "100000",
        "5",
        Decimal(900),
        _MINOR,
    ),
    Symbol(
        "SOLUSDT",
        "SOL",
        "USDT",
        _ONBOARD,
        4,
        0,
        "0.0100",
        "1",
        "1",
        "1000000",
        "5",
        Decimal(140),
        _MINOR,
    ),
    Symbol(
        "BTCUSDC",
        "BTC",
        "USDC",
        _ONBOARD_USDC,
        1,
        3,
        "0.1",
        "0.001",
        "0.001",
        "500",
        "5",
        Decimal(90000),
    ),
    Symbol(
        "ETHUSDC",
        "ETH",
        "USDC",
        _ONBOARD_USDC,
        2,
        3,
        "0.01",
        "0.001",
        "0.001",
        "8000",
        "5",
        Decimal(3000),
    ),
)
SYMBOLS_BY_NAME = {symbol.name: symbol for symbol in SYMBOLS}
