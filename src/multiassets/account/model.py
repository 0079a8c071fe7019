"""The state behind the rules: mode, margin types, balances, positions, open orders.

Amounts are :class:`~decimal.Decimal`, never floats; in JSON they are strings, as Binance sends
them. ``to_json``/``from_json`` are the document the control plane and fixtures exchange.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ..market import ASSETS_BY_NAME, CREDITS_ASSET, DEFAULT_LEVERAGE, SYMBOLS_BY_NAME

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


#: An amount in a state document: a decimal string, as Binance writes amounts (a JSON number
#: may be rounded on its way), with at most 8 decimals (Binance's most) and 18 digits before
#: the point. Under 10**18, an amount is far inside a double's range (and a Java long's), and
#: the rules' sums and products of such amounts and index prices have a few dozen digits at
#: most: rules.py computes them exactly, a million orders of magnitude from Decimal's exponent
#: limits. The OpenAPI schema shows this very pattern (``server/openapi/control.py``).
#: Matched with ``re.fullmatch``, so that ``$`` ends the string, as in JSON Schema's dialect
#: (ECMA-262), rather than also before a final newline.
AMOUNT_INTEGER_DIGITS = 18
AMOUNT_DECIMALS = 8
AMOUNT_PATTERN = rf"^-?[0-9]{{1,{AMOUNT_INTEGER_DIGITS}}}(\.[0-9]{{1,{AMOUNT_DECIMALS}}})?$"
_AMOUNT = re.compile(AMOUNT_PATTERN)
_AMOUNT_RULE = (
    f'a decimal string such as "-1.5": at most {AMOUNT_INTEGER_DIGITS} digits before the point'
    f" and {AMOUNT_DECIMALS} after it"
)
#: Binance's order ids are positive Java longs (and a store keeps them as 64-bit integers).
ORDER_ID_MIN = 1
ORDER_ID_MAX = 2**63 - 1
#: The fields of each part of a state document; the amounts are strings of AMOUNT_PATTERN.
#: A position holds what Binance keeps of it; its margin and PnL follow from these and the
#: market (``margin.py``), and are never stored.
POSITION_AMOUNTS = ("positionAmt", "entryPrice", "isolatedWallet")
POSITION_FIELDS = ("symbol", "positionSide", *POSITION_AMOUNTS)
ORDER_AMOUNTS = ("price", "origQty")
ORDER_FIELDS = ("orderId", "symbol", "side", "type", "positionSide", *ORDER_AMOUNTS)
STATE_FIELDS = (
    "multiAssetsMargin",
    "dualSidePosition",
    "creditsMode",
    "marginTypes",
    "leverage",
    "balances",
    "positions",
    "openOrders",
)
#: The fields a document may leave out, and what each then is (positionSide: One-way Mode's;
#: Hedge Mode's positions and orders name theirs).
POSITION_DEFAULTS = {"positionSide": "BOTH", **dict.fromkeys(POSITION_AMOUNTS[1:], "0")}
ORDER_DEFAULTS = {"type": "LIMIT", "positionSide": "BOTH", "price": "0"}
#: Fields of older documents, now computed: the refusal says so.
_COMPUTED = {"initialMargin", "unrealizedProfit"}
#: The longest a refusal quotes of the value it refuses: a document can hold a megabyte.
_SHOWN = 60


class StateError(ValueError):
    """A state document that does not describe a valid account."""


def _cut(text: str) -> str:
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}… ({len(text)} characters)"


def _shown(value: Any) -> str:
    return _cut(repr(value))


def _decimal(value: Any, what: str) -> Decimal:
    if not isinstance(value, str) or _AMOUNT.fullmatch(value) is None:
        raise StateError(f"{what} must be {_AMOUNT_RULE}, got {_shown(value)}")
    return Decimal(value)


def _text(amount: Decimal) -> str:
    # Fixed-point, as the document gave it: str() would write 0.00000001 as "1E-8", which
    # AMOUNT_PATTERN refuses, so an export would not import.
    return format(amount, "f")


def _order_id(value: Any) -> int:
    # JSON Schema's integers include 1.0 (a number's value, not its spelling, decides).
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise StateError(f"orderId must be an integer, got {_shown(value)}")
    if not ORDER_ID_MIN <= value <= ORDER_ID_MAX:
        raise StateError(f"orderId must be from {ORDER_ID_MIN} to {ORDER_ID_MAX}, got {value}")
    return value


def _choice(value: Any, choices: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise StateError(f"{what} must be one of {', '.join(choices)}, got {_shown(value)}")
    return str(value)


def _object(value: Any, fields: tuple[str, ...] | None, what: str) -> dict[Any, Any]:
    """``value`` if it is an object with no field but ``fields`` (any, if None)."""
    if not isinstance(value, dict):
        raise StateError(f"{what} must be an object, got {_shown(value)}")
    unknown = sorted(set(value) - set(fields)) if fields is not None else []
    if unknown:
        raise StateError(f"unknown fields in {what}: {_cut(', '.join(unknown))}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise StateError(f"{what} must be a list, got {_shown(value)}")
    return value


def _symbol(value: Any, what: str) -> str:
    if not isinstance(value, str) or value not in SYMBOLS_BY_NAME:
        raise StateError(f"{what}: unknown symbol {_shown(value)}")
    return str(value)


@dataclass(frozen=True, slots=True)
class Position:
    symbol: str
    position_side: str
    #: Signed size: negative for a short in one-way mode.
    position_amt: Decimal
    entry_price: Decimal
    #: The margin moved into an isolated position (0 for a cross one); part of the wallet.
    isolated_wallet: Decimal = Decimal(0)

    def to_json(self) -> dict[str, str]:
        return {
            "symbol": self.symbol,
            "positionSide": self.position_side,
            "positionAmt": _text(self.position_amt),
            "entryPrice": _text(self.entry_price),
            "isolatedWallet": _text(self.isolated_wallet),
        }

    @classmethod
    def from_json(cls, data: Any) -> Position:
        data = {**POSITION_DEFAULTS, **_object(data, POSITION_FIELDS, "a position")}
        position = cls(
            _symbol(data.get("symbol"), "position symbol"),
            _choice(data["positionSide"], POSITION_SIDES, "positionSide"),
            *(_decimal(data.get(name), name) for name in POSITION_AMOUNTS),
        )
        where = f"the {position.symbol} {position.position_side} position"
        if position.entry_price < 0 or position.isolated_wallet < 0:
            raise StateError(f"{where}: entryPrice and isolatedWallet can't be negative")
        if position.position_amt != 0 and position.entry_price == 0:
            raise StateError(f"{where}: an open position needs its entryPrice")
        if position.position_amt == 0 and position.isolated_wallet != 0:
            raise StateError(f"{where}: a flat position has no isolatedWallet")
        side = position.position_side
        if (side == "LONG" and position.position_amt < 0) or (
            side == "SHORT" and position.position_amt > 0
        ):
            raise StateError(f"{where}: a LONG amount is positive, a SHORT one negative")
        return position


@dataclass(frozen=True, slots=True)
class Order:
    order_id: int
    symbol: str
    side: str
    price: Decimal
    orig_qty: Decimal
    type: str = "LIMIT"
    position_side: str = "BOTH"

    def to_json(self) -> dict[str, Any]:
        return {
            "orderId": self.order_id,
            "symbol": self.symbol,
            "side": self.side,
            "type": self.type,
            "positionSide": self.position_side,
            "price": _text(self.price),
            "origQty": _text(self.orig_qty),
        }

    @classmethod
    def from_json(cls, data: Any) -> Order:
        data = {**ORDER_DEFAULTS, **_object(data, ORDER_FIELDS, "an order")}
        order = cls(
            _order_id(data.get("orderId")),
            _symbol(data.get("symbol"), "order symbol"),
            _choice(data.get("side"), ORDER_SIDES, "order side"),
            _decimal(data["price"], "price"),
            _decimal(data.get("origQty"), "origQty"),
            _choice(data["type"], ORDER_TYPES, "order type"),
            _choice(data["positionSide"], POSITION_SIDES, "order positionSide"),
        )
        if order.price < 0 or order.orig_qty <= 0:
            raise StateError(f"order {order.order_id}: price is 0 or more, origQty above 0")
        return order


@dataclass(slots=True)
class AccountState:
    """Everything the rules and the views read. Symbols not in ``margin_types`` are CROSSED,
    those not in ``leverage`` at :data:`~multiassets.market.DEFAULT_LEVERAGE`."""

    multi_assets_margin: bool = False
    margin_types: dict[str, MarginType] = field(default_factory=dict)
    balances: dict[str, Decimal] = field(default_factory=dict)
    positions: list[Position] = field(default_factory=list)
    open_orders: list[Order] = field(default_factory=list)
    #: Hedge Mode (LONG and SHORT positions) rather than One-way Mode (BOTH).
    dual_side_position: bool = False
    leverage: dict[str, int] = field(default_factory=dict)
    #: An EU account in Binance's Credits Trading Mode: held in Multi-Assets Mode, its PnL and
    #: margin booked in BNFCR.
    credits_mode: bool = False

    def margin_type(self, symbol: str) -> MarginType:
        return self.margin_types.get(symbol, "CROSSED")

    def leverage_of(self, symbol: str) -> int:
        return self.leverage.get(symbol, DEFAULT_LEVERAGE)

    def margin_asset(self, symbol: str) -> str:
        """The asset a symbol's PnL and margin are booked in."""
        return CREDITS_ASSET if self.credits_mode else SYMBOLS_BY_NAME[symbol].margin_asset

    def to_json(self) -> dict[str, Any]:
        return {
            "multiAssetsMargin": self.multi_assets_margin,
            "dualSidePosition": self.dual_side_position,
            "creditsMode": self.credits_mode,
            "marginTypes": dict(sorted(self.margin_types.items())),
            "leverage": dict(sorted(self.leverage.items())),
            "balances": {asset: _text(amount) for asset, amount in sorted(self.balances.items())},
            "positions": [position.to_json() for position in self.positions],
            "openOrders": [order.to_json() for order in self.open_orders],
        }

    @classmethod
    def from_json(cls, data: Any) -> AccountState:
        """The state a document describes; a field left out is empty (or False)."""
        data = _object(data, STATE_FIELDS, "an account state")
        mode, hedge, credits = (
            _flag(data, name) for name in ("multiAssetsMargin", "dualSidePosition", "creditsMode")
        )
        if credits and not mode:
            raise StateError("a creditsMode account is in Multi-Assets Mode (multiAssetsMargin)")
        state = cls(
            mode,
            _margin_types(data.get("marginTypes", {})),
            _balances(data.get("balances", {})),
            _positions(_list(data.get("positions", []), "positions")),
            _orders(_list(data.get("openOrders", []), "openOrders")),
            hedge,
            _leverage(data.get("leverage", {})),
            credits,
        )
        _check_sides(state)
        return state


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise StateError(f"{name} must be true or false, got {_shown(value)}")
    return value


def _check_sides(state: AccountState) -> None:
    """Positions and orders on the sides the position mode has; isolated margin only in
    Single-Asset Mode, isolated wallets only on isolated symbols."""
    sides = ("LONG", "SHORT") if state.dual_side_position else ("BOTH",)
    mode = "Hedge Mode (dualSidePosition true)" if state.dual_side_position else "One-way Mode"
    for what, side in [(f"a {p.symbol} position", p.position_side) for p in state.positions] + [
        (f"order {o.order_id}", o.position_side) for o in state.open_orders
    ]:
        if side not in sides:
            raise StateError(f"{what} is on side {side}: {mode} has {' and '.join(sides)}")
    if state.multi_assets_margin and "ISOLATED" in state.margin_types.values():
        raise StateError("Multi-Assets Mode has cross margin only: no symbol is ISOLATED")
    for position in state.positions:
        if position.isolated_wallet and state.margin_type(position.symbol) != "ISOLATED":
            raise StateError(
                f"the {position.symbol} position has an isolatedWallet: the symbol is CROSSED"
            )


def _margin_types(value: Any) -> dict[str, MarginType]:
    margin_types: dict[str, MarginType] = {}
    for symbol, margin_type in _object(value, None, "marginTypes").items():
        chosen = _choice(margin_type, MARGIN_TYPES, "marginType")
        margin_types[_symbol(symbol, "marginTypes")] = (
            "ISOLATED" if chosen == "ISOLATED" else "CROSSED"
        )
    return margin_types


def _balances(value: Any) -> dict[str, Decimal]:
    balances: dict[str, Decimal] = {}
    for asset, amount in _object(value, None, "balances").items():
        if asset not in ASSETS_BY_NAME:
            raise StateError(f"balances: unknown asset {_shown(asset)}")
        balances[asset] = _decimal(amount, f"balance of {asset}")
    return balances


def _leverage(value: Any) -> dict[str, int]:
    leverage: dict[str, int] = {}
    for symbol, chosen in _object(value, None, "leverage").items():
        top = SYMBOLS_BY_NAME[_symbol(symbol, "leverage")].max_leverage
        if isinstance(chosen, float) and chosen.is_integer():
            chosen = int(chosen)  # a JSON integer, as JSON Schema counts them
        if isinstance(chosen, bool) or not isinstance(chosen, int) or not 1 <= chosen <= top:
            raise StateError(f"the leverage of {symbol} is an integer from 1 to {top}")
        leverage[symbol] = chosen
    return leverage


def _positions(documents: list[Any]) -> list[Position]:
    for document in documents:
        if isinstance(document, dict) and _COMPUTED & set(document):
            raise StateError(
                "a position's initialMargin and unrealizedProfit follow from its entryPrice,"
                " the symbol's leverage and the mark price (PATCH /_multiassets/market):"
                " leave them out"
            )
    positions = [Position.from_json(document) for document in documents]
    seen: set[tuple[str, str]] = set()
    for position in positions:
        key = (position.symbol, position.position_side)
        if key in seen:
            # Binance holds one position per symbol and side; the rules would count it twice.
            raise StateError(
                f"two positions for {position.symbol} {position.position_side}:"
                " a symbol has one position per positionSide"
            )
        seen.add(key)
    return positions


def _orders(documents: list[Any]) -> list[Order]:
    orders = [Order.from_json(document) for document in documents]
    seen: set[int] = set()
    for order in orders:
        if order.order_id in seen:
            raise StateError(f"two open orders with orderId {order.order_id}: it must be unique")
        seen.add(order.order_id)
    return orders
