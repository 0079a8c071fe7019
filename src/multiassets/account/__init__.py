"""An account as the Multi-Assets Mode rules see it: state and rules, no HTTP, no database."""

from __future__ import annotations

from .model import AccountState, MarginType, Order, Position
from .rules import check_margin_type_change, check_mode_change

__all__ = [
    "AccountState",
    "MarginType",
    "Order",
    "Position",
    "check_margin_type_change",
    "check_mode_change",
]
