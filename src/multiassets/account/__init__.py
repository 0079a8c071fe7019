"""An account as Binance sees it: its state, the market it is valued at, its margin and the
rules that refuse a change. No HTTP, no database."""

from __future__ import annotations

from .margin import AccountMargin, account_margin
from .model import AccountState, MarginType, Order, Position
from .prices import AssetIndex, Market
from .rules import check_margin_type_change, check_mode_change, check_position_mode_change

__all__ = [
    "AccountMargin",
    "AccountState",
    "AssetIndex",
    "MarginType",
    "Market",
    "Order",
    "Position",
    "account_margin",
    "check_margin_type_change",
    "check_mode_change",
    "check_position_mode_change",
]
