"""The state behind the rules: mode, margin types, balances, positions, open orders.

Amounts are :class:`~decimal.Decimal`, never floats; in JSON they are strings, as Binance sends
them. ``to_json``/``from_json`` are the document the control plane and fixtures exchange.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ..market import ASSETS_BY_NAME, SYMBOLS_BY_NAME

__all__ = ["AccountState", "MarginType", "Order", "Position", "StateError"]

MarginType = Literal["CROSSED", "ISOLATED"]
MARGIN_TYPES: tuple[MarginType, ...] = ("CROSSED", "ISOLATED")
POSITION_SIDES = ("BOTH", "LONG", "SHORT")
ORDER_SIDES = ("BUY", "SELL")
ORDER_TYPES = (
    "LIMIT",
    "MARKET",
    "STOP",
    "STOP_MARKET",
    "TAKE_PROFIT",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
)


class StateError(ValueError):
    """A state document that does not describe a valid account."""


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise StateError(f"{what} must be a decimal string, got {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise StateError(f"{what} must be a decimal string, got {value!r}") from None
    if not number.is_finite():
        raise StateError(f"{what} must be finite, got {value!r}")
    return number


def _choice(value: Any, choices: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise StateError(f"{what} must be one of {', '.join(choices)}, got {value!r}")
    return str(value)


def _mapping(value: Any, what: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise StateError(f"{what} must be an object, got {value!r}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise StateError(f"{what} must be a list, got {value!r}")
    return value


def _symbol(value: Any, what: str) -> str:
    if not isinstance(value, str) or value not in SYMBOLS_BY_NAME:
        raise StateError(f"{what}: unknown symbol {value!r}")
    return str(value)


@dataclass(frozen=True, slots=True)
class Position:
    symbol: str
    position_side: str
    #: Signed size: negative for a short in one-way mode.
    position_amt: Decimal
    entry_price: Decimal
    initial_margin: Decimal
    unrealized_profit: Decimal

    def to_json(self) -> dict[str, str]:
        return {
            "symbol": self.symbol,
            "positionSide": self.position_side,
            "positionAmt": str(self.position_amt),
            "entryPrice": str(self.entry_price),
            "initialMargin": str(self.initial_margin),
            "unrealizedProfit": str(self.unrealized_profit),
        }

    @classmethod
    def from_json(cls, data: Any) -> Position:
        if not isinstance(data, dict):
            raise StateError(f"a position must be an object, got {data!r}")
        return cls(
            _symbol(data.get("symbol"), "position symbol"),
            _choice(data.get("positionSide", "BOTH"), POSITION_SIDES, "positionSide"),
            _decimal(data.get("positionAmt"), "positionAmt"),
            _decimal(data.get("entryPrice", "0"), "entryPrice"),
            _decimal(data.get("initialMargin", "0"), "initialMargin"),
            _decimal(data.get("unrealizedProfit", "0"), "unrealizedProfit"),
        )


@dataclass(frozen=True, slots=True)
class Order:
    order_id: int
    symbol: str
    side: str
    price: Decimal
    orig_qty: Decimal
    type: str = "LIMIT"

    def to_json(self) -> dict[str, Any]:
        return {
            "orderId": self.order_id,
            "symbol": self.symbol,
            "side": self.side,
            "type": self.type,
            "price": str(self.price),
            "origQty": str(self.orig_qty),
        }

    @classmethod
    def from_json(cls, data: Any) -> Order:
        if not isinstance(data, dict):
            raise StateError(f"an order must be an object, got {data!r}")
        order_id = data.get("orderId")
        if isinstance(order_id, bool) or not isinstance(order_id, int):
            raise StateError(f"orderId must be an integer, got {order_id!r}")
        return cls(
            order_id,
            _symbol(data.get("symbol"), "order symbol"),
            _choice(data.get("side"), ORDER_SIDES, "order side"),
            _decimal(data.get("price", "0"), "price"),
            _decimal(data.get("origQty"), "origQty"),
            _choice(data.get("type", "LIMIT"), ORDER_TYPES, "order type"),
        )


@dataclass(slots=True)
class AccountState:
    """Everything the rules read. Symbols not in ``margin_types`` are CROSSED."""

    multi_assets_margin: bool = False
    margin_types: dict[str, MarginType] = field(default_factory=dict)
    balances: dict[str, Decimal] = field(default_factory=dict)
    positions: list[Position] = field(default_factory=list)
    open_orders: list[Order] = field(default_factory=list)

    def margin_type(self, symbol: str) -> MarginType:
        return self.margin_types.get(symbol, "CROSSED")

    def to_json(self) -> dict[str, Any]:
        return {
            "multiAssetsMargin": self.multi_assets_margin,
            "marginTypes": dict(sorted(self.margin_types.items())),
            "balances": {asset: str(amount) for asset, amount in sorted(self.balances.items())},
            "positions": [position.to_json() for position in self.positions],
            "openOrders": [order.to_json() for order in self.open_orders],
        }

    @classmethod
    def from_json(cls, data: Any) -> AccountState:
        if not isinstance(data, dict):
            raise StateError(f"an account state must be an object, got {data!r}")
        unknown = set(data) - {
            "multiAssetsMargin",
            "marginTypes",
            "balances",
            "positions",
            "openOrders",
        }
        if unknown:
            raise StateError(f"unknown fields: {', '.join(sorted(unknown))}")
        mode = data.get("multiAssetsMargin", False)
        if not isinstance(mode, bool):
            raise StateError(f"multiAssetsMargin must be true or false, got {mode!r}")
        margin_types: dict[str, MarginType] = {}
        for symbol, margin_type in _mapping(data.get("marginTypes"), "marginTypes").items():
            chosen = _choice(margin_type, MARGIN_TYPES, "marginType")
            margin_types[_symbol(symbol, "marginTypes")] = (
                "ISOLATED" if chosen == "ISOLATED" else "CROSSED"
            )
        balances: dict[str, Decimal] = {}
        for asset, amount in _mapping(data.get("balances"), "balances").items():
            if asset not in ASSETS_BY_NAME:
                raise StateError(f"balances: unknown asset {asset!r}")
            balances[asset] = _decimal(amount, f"balance of {asset}")
        positions = [Position.from_json(p) for p in _list(data.get("positions"), "positions")]
        orders = [Order.from_json(o) for o in _list(data.get("openOrders"), "openOrders")]
        if len({order.order_id for order in orders}) != len(orders):
            raise StateError("orderId must be unique within an account")
        return cls(mode, margin_types, balances, positions, orders)
