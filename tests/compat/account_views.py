"""The account views through every popular client, unmodified: one adapter per client family.

Each adapter is made on the matrix's (``matrix.py``: the client pointed at the server by its
base URL alone, its refusals turned into a :class:`~.matrix.Refusal`) and calls the client's
own method for each view:

- python-binance 1.0.37 (``Client``, ``AsyncClient``): ``futures_account`` (``/fapi/v2/account``),
  ``futures_account_balance`` (``/fapi/v3/balance``), ``futures_position_information``
  (``/fapi/v3/positionRisk``); each takes ``version=`` for the other one (base_client.py,
  ``_get_version``). ``futures_get_open_orders``, ``futures_v1_get_open_order``,
  ``futures_get_position_mode``, ``futures_change_position_mode``, ``futures_leverage_bracket``,
  ``futures_mark_price``, ``futures_v1_get_asset_index``.
- binance-futures-connector 4.2.0 (``UMFutures``): ``account``, ``balance``,
  ``get_position_risk`` (v3 only: their paths are fixed), ``get_orders`` (``openOrders``),
  ``get_open_orders`` (``openOrder``: one order), ``get_position_mode``,
  ``change_position_mode``, ``leverage_brackets``, ``mark_price``, ``asset_Index``.
- binance-sdk-derivatives-trading-usds-futures 18.1.0: ``account_information_v2|v3``,
  ``futures_account_balance_v2|v3``, ``position_information_v2|v3``,
  ``current_all_open_orders``, ``query_current_open_order``, ``get_current_position_mode``,
  ``change_position_mode``, ``notional_and_leverage_brackets``, ``mark_price``, ``asset_index``.
  The SDK parses into pydantic models with strict types; when that fails it logs a warning,
  relaxes the model *for the rest of the process* and retries, or hands back the raw JSON
  (binance_common/utils.py, ``send_request``) — so the adapter fails on any such warning, on
  anything but a model, and on fields the model does not know (``additional_properties``).
- ccxt 4.5.90 (``binanceusdm``, sync and async): the unified methods, through
  :class:`CcxtViews`. ``load_markets()`` with keys calls ``GET /sapi/v1/capital/config/getall``
  and, ``fetchMargins`` being on by default, ``GET /sapi/v1/margin/allPairs`` (binance.py,
  ``fetch_currencies``), then ``GET /fapi/v1/exchangeInfo``: the ``sapi`` URLs point here too.

The raw adapters return the documents as the client hands them over (the SDK's: the models'
``to_dict()``, which is the JSON it received when every field is known and typed).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel

from .matrix import (
    FAMILIES,
    SUCCESS,
    Adapter,
    BinanceSdk,
    CcxtAsync,
    CcxtSync,
    FuturesConnector,
    Key,
    PythonBinanceAsync,
    PythonBinanceSync,
    Refusal,
)

__all__ = ["RAW_FAMILIES", "CCXT_FAMILIES", "CcxtViews", "RawViews", "make_ccxt", "make_raw"]

JSON = dict[str, Any]


def _position_mode(answer: Any) -> bool:
    assert answer == {"dualSidePosition": answer["dualSidePosition"]}, answer
    assert isinstance(answer["dualSidePosition"], bool), answer  # ccxt's safe_bool needs one
    return bool(answer["dualSidePosition"])


class RawViews(ABC):
    """One client's account views, as the JSON documents the client hands over."""

    #: The versions of account, balance and positionRisk the client can ask for.
    versions: frozenset[int]

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        return self.adapter.errors

    def refusal(self, error: BaseException) -> Refusal:
        return self.adapter.refusal(error)

    def close(self) -> None:
        self.adapter.close()

    @abstractmethod
    def account(self, version: int) -> JSON: ...

    @abstractmethod
    def balance(self, version: int) -> list[JSON]: ...

    @abstractmethod
    def position_risk(self, version: int, symbol: str | None = None) -> list[JSON]: ...

    @abstractmethod
    def open_orders(self, symbol: str | None = None) -> list[JSON]: ...

    @abstractmethod
    def open_order(self, symbol: str, order_id: int) -> JSON: ...

    @abstractmethod
    def position_mode(self) -> bool: ...

    @abstractmethod
    def change_position_mode(self, hedged: bool) -> None:
        """Change it; the client's answer must be Binance's success document."""

    @abstractmethod
    def leverage_brackets(self, symbol: str | None = None) -> Any: ...

    @abstractmethod
    def mark_price(self, symbol: str) -> JSON: ...

    @abstractmethod
    def asset_index(self, symbol: str) -> JSON: ...


# python-binance -------------------------------------------------------------------------------


class PythonBinanceViews(RawViews):
    """Client and AsyncClient alike: an async client's coroutines run on the adapter's loop."""

    versions = frozenset({2, 3})

    def __init__(self, adapter: PythonBinanceSync | PythonBinanceAsync) -> None:
        super().__init__(adapter)
        self.client = adapter.client
        self._run: Callable[[Any], Any] = (
            adapter.run if isinstance(adapter, PythonBinanceAsync) else lambda answer: answer
        )

    def account(self, version: int) -> JSON:
        # 1.0.37 asks for v2 (client.py, futures_account: version 2); version= overrides it.
        if version == 2:
            return dict(self._run(self.client.futures_account()))
        return dict(self._run(self.client.futures_account(version=version)))

    def balance(self, version: int) -> list[JSON]:
        # 1.0.37 asks for v3 (futures_account_balance: version 3).
        if version == 3:
            return list(self._run(self.client.futures_account_balance()))
        return list(self._run(self.client.futures_account_balance(version=version)))

    def position_risk(self, version: int, symbol: str | None = None) -> list[JSON]:
        # 1.0.37 asks for v3 (futures_position_information: version 3).
        params: JSON = {} if symbol is None else {"symbol": symbol}
        if version != 3:
            params["version"] = version
        return list(self._run(self.client.futures_position_information(**params)))

    def open_orders(self, symbol: str | None = None) -> list[JSON]:
        params = {} if symbol is None else {"symbol": symbol}
        return list(self._run(self.client.futures_get_open_orders(**params)))

    def open_order(self, symbol: str, order_id: int) -> JSON:
        return dict(
            self._run(self.client.futures_v1_get_open_order(symbol=symbol, orderId=order_id))
        )

    def position_mode(self) -> bool:
        return _position_mode(self._run(self.client.futures_get_position_mode()))

    def change_position_mode(self, hedged: bool) -> None:
        # The method passes its keywords through, str()-ed (base_client.py, _order_params):
        # a Python True would go as "True"; a user sends Binance's documented "true".
        answer = self._run(
            self.client.futures_change_position_mode(dualSidePosition=str(hedged).lower())
        )
        assert answer == SUCCESS, answer

    def leverage_brackets(self, symbol: str | None = None) -> Any:
        params = {} if symbol is None else {"symbol": symbol}
        return self._run(self.client.futures_leverage_bracket(**params))

    def mark_price(self, symbol: str) -> JSON:
        return dict(self._run(self.client.futures_mark_price(symbol=symbol)))

    def asset_index(self, symbol: str) -> JSON:
        return dict(self._run(self.client.futures_v1_get_asset_index(symbol=symbol)))


# binance-futures-connector -------------------------------------------------------------------


class FuturesConnectorViews(RawViews):
    # account, balance and get_position_risk have their paths fixed at v3 (um_futures/account.py).
    versions = frozenset({3})

    def __init__(self, adapter: FuturesConnector) -> None:
        super().__init__(adapter)
        self.client = adapter.client

    def account(self, version: int) -> JSON:
        assert version == 3
        return dict(self.client.account())

    def balance(self, version: int) -> list[JSON]:
        assert version == 3
        return list(self.client.balance())

    def position_risk(self, version: int, symbol: str | None = None) -> list[JSON]:
        assert version == 3
        params = {} if symbol is None else {"symbol": symbol}
        return list(self.client.get_position_risk(**params))

    def open_orders(self, symbol: str | None = None) -> list[JSON]:
        # get_orders is GET /fapi/v1/openOrders; get_open_orders is GET /fapi/v1/openOrder.
        params = {} if symbol is None else {"symbol": symbol}
        return list(self.client.get_orders(**params))

    def open_order(self, symbol: str, order_id: int) -> JSON:
        return dict(self.client.get_open_orders(symbol, orderId=order_id))

    def position_mode(self) -> bool:
        return _position_mode(self.client.get_position_mode())

    def change_position_mode(self, hedged: bool) -> None:
        answer = self.client.change_position_mode(dualSidePosition=str(hedged).lower())
        assert answer == SUCCESS, answer

    def leverage_brackets(self, symbol: str | None = None) -> Any:
        params = {} if symbol is None else {"symbol": symbol}
        return self.client.leverage_brackets(**params)

    def mark_price(self, symbol: str) -> JSON:
        return dict(self.client.mark_price(symbol))

    def asset_index(self, symbol: str) -> JSON:
        return dict(self.client.asset_Index(symbol))


# binance-sdk-derivatives-trading-usds-futures ------------------------------------------------


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _no_warnings() -> Iterator[None]:
    # send_request logs through the root logger when a model does not fit what it received.
    handler = _Warnings()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
    assert not handler.records, [record.getMessage() for record in handler.records]


def _known(model: Any, allowed: frozenset[str]) -> JSON:
    """A model's document, after checking that it is a model and that every field it got,
    nested ones too, is one the model declares (or one of ``allowed``).

    The document is built from the model's fields (by their JSON names, unset ones left
    out), not by ``to_dict()``: an array response's items are instances of the response
    class, whose ``to_dict()`` keeps ``additional_properties`` as a key of its own."""
    assert isinstance(model, BaseModel), f"the SDK handed back raw JSON: {model!r}"[:300]
    extra: dict[str, Any] = dict(getattr(model, "additional_properties", {}))
    assert set(extra) <= allowed, f"{type(model).__name__} does not know {sorted(extra)}"
    document: JSON = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if name != "additional_properties" and value is not None:
            document[field.alias or name] = _value(value, allowed)
    return document | extra


def _value(value: Any, allowed: frozenset[str]) -> Any:
    if isinstance(value, BaseModel):
        return _known(value, allowed)
    if isinstance(value, list):
        return [_value(item, allowed) for item in value]
    return value


class SdkViews(RawViews):
    versions = frozenset({2, 3})

    #: Fields Binance sends that the SDK's models lack, by view: the live v2 account's
    #: position rows carry ``breakEvenPrice`` (ccxt's sample in fetch_account_positions),
    #: which the SDK's v2 account position model does not declare.
    LIVE_EXTRAS = {("account", 2): frozenset({"breakEvenPrice"})}

    def __init__(self, adapter: BinanceSdk) -> None:
        super().__init__(adapter)
        self.api = adapter.client.rest_api

    def _data(self, call: Callable[[], Any], allowed: frozenset[str] = frozenset()) -> Any:
        with _no_warnings():
            data = call().data()
            if isinstance(data, list):
                return [_known(item, allowed) for item in data]
            if hasattr(data, "actual_instance"):  # a oneOf (an object or an array)
                data = data.actual_instance
                if isinstance(data, list):
                    return [_known(item, allowed) for item in data]
            return _known(data, allowed)

    def account(self, version: int) -> JSON:
        call = self.api.account_information_v2 if version == 2 else self.api.account_information_v3
        return dict(self._data(call, self.LIVE_EXTRAS.get(("account", version), frozenset())))

    def balance(self, version: int) -> list[JSON]:
        call = (
            self.api.futures_account_balance_v2
            if version == 2
            else self.api.futures_account_balance_v3
        )
        return list(self._data(call))

    def position_risk(self, version: int, symbol: str | None = None) -> list[JSON]:
        method = (
            self.api.position_information_v2 if version == 2 else self.api.position_information_v3
        )
        return list(self._data(lambda: method(symbol=symbol)))

    def open_orders(self, symbol: str | None = None) -> list[JSON]:
        return list(self._data(lambda: self.api.current_all_open_orders(symbol=symbol)))

    def open_order(self, symbol: str, order_id: int) -> JSON:
        return dict(
            self._data(lambda: self.api.query_current_open_order(symbol, order_id=order_id))
        )

    def position_mode(self) -> bool:
        return _position_mode(self._data(self.api.get_current_position_mode))

    def change_position_mode(self, hedged: bool) -> None:
        # The SDK takes the documented string, "true" or "false".
        answer = self._data(lambda: self.api.change_position_mode(str(hedged).lower()))
        assert answer == SUCCESS, answer

    def leverage_brackets(self, symbol: str | None = None) -> Any:
        return self._data(lambda: self.api.notional_and_leverage_brackets(symbol=symbol))

    def mark_price(self, symbol: str) -> JSON:
        return dict(self._data(lambda: self.api.mark_price(symbol=symbol)))

    def asset_index(self, symbol: str) -> JSON:
        return dict(self._data(lambda: self.api.asset_index(symbol=symbol)))


# ccxt -----------------------------------------------------------------------------------------


class CcxtViews:
    """ccxt's unified methods (and the implicit ones a user calls), sync or async alike."""

    def __init__(self, adapter: CcxtSync | CcxtAsync, base_url: str) -> None:
        self.adapter = adapter
        self.exchange = adapter.exchange
        # The matrix points the fapi groups here; load_markets() with keys also calls sapi
        # (fetch_currencies), which must not go to api.binance.com.
        for name, url in self.exchange.urls["api"].items():
            if name.startswith("sapi"):
                self.exchange.urls["api"][name] = url.replace("https://api.binance.com", base_url)
        self._async = isinstance(adapter, CcxtAsync)

    @property
    def errors(self) -> tuple[type[BaseException], ...]:
        return self.adapter.errors

    def refusal(self, error: BaseException) -> Refusal:
        return self.adapter.refusal(error)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``exchange.<method>(*args, **kwargs)``, awaited for the async exchange."""
        answer = getattr(self.exchange, method)(*args, **kwargs)
        if self._async:
            assert isinstance(self.adapter, CcxtAsync)
            return self.adapter.run(answer)
        return answer

    def close(self) -> None:
        self.adapter.close()


RAW_FAMILIES = ("python-binance-sync", "python-binance-async", "futures-connector", "binance-sdk")
CCXT_FAMILIES = ("ccxt-sync", "ccxt-async")


def make_raw(family: str, base_url: str, key: Key) -> RawViews:
    adapter = FAMILIES[family][1](base_url, key)
    if isinstance(adapter, PythonBinanceSync | PythonBinanceAsync):
        return PythonBinanceViews(adapter)
    if isinstance(adapter, FuturesConnector):
        return FuturesConnectorViews(adapter)
    assert isinstance(adapter, BinanceSdk), family
    return SdkViews(adapter)


def make_ccxt(family: str, base_url: str, key: Key) -> CcxtViews:
    adapter = FAMILIES[family][1](base_url, key)
    assert isinstance(adapter, CcxtSync | CcxtAsync), family
    return CcxtViews(adapter, base_url)
