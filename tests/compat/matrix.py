"""The client matrix's adapters: every popular Python client, unmodified, behind one interface.

Each adapter points its client at the server by base URL alone (python-binance through a
subclass's URL attributes, ccxt through its ``urls['api']`` entries, the others through their
``base_url``/``base_path`` option), reads and sets the mode with the client's own method for it,
and turns the client's exception into a :class:`Refusal`: what that client tells its user,
which is not always everything the server said (see each ``refusal``).
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import ccxt  # type: ignore[import-untyped]
import ccxt.async_support as ccxt_async  # type: ignore[import-untyped]
from binance import AsyncClient, Client
from binance.error import ClientError
from binance.exceptions import BinanceAPIException
from binance.um_futures import UMFutures
from binance_common import errors as sdk_errors
from binance_common.configuration import ConfigurationRestAPI
from binance_sdk_derivatives_trading_usds_futures import DerivativesTradingUsdsFutures

__all__ = ["FAMILIES", "Adapter", "Key", "Refusal"]

T = TypeVar("T")

SUCCESS = {"code": 200, "msg": "success"}


@dataclass(frozen=True)
class Key:
    """An API key of the demo account and what signs with it."""

    kind: str  # "HMAC", "RSA" or "ED25519"
    api_key: str
    secret: str  # the HMAC secret, or the private key as PKCS#8 PEM


@dataclass(frozen=True)
class Refusal:
    """A refused request, as the client reports it."""

    error: str  # the class of the exception the client raised
    status: int | None  # the HTTP status, None where the client does not report it
    code: int
    msg: str


class Adapter(ABC):
    """One client variant, made for one key."""

    #: What the client raises when Binance refuses a request.
    errors: tuple[type[BaseException], ...]

    @abstractmethod
    def get_mode(self) -> bool: ...

    @abstractmethod
    def set_mode(self, on: bool) -> None:
        """Change the mode; the client's answer must be Binance's success document."""

    @abstractmethod
    def refusal(self, error: BaseException) -> Refusal: ...

    @abstractmethod
    def close(self) -> None: ...


def _mode(answer: Any) -> bool:
    assert answer == {"multiAssetsMargin": answer["multiAssetsMargin"]}, answer
    assert isinstance(answer["multiAssetsMargin"], bool), answer
    return bool(answer["multiAssetsMargin"])


class _Async:
    """Runs an async client's coroutines on one event loop of its own."""

    def __init__(self) -> None:
        self._runner = asyncio.Runner()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._runner.run(coroutine)

    def close_runner(self) -> None:
        self._runner.close()


# python-binance -------------------------------------------------------------------------------


def local_class(base: type[Any], base_url: str) -> type[Any]:
    # python-binance keeps its hosts in class attributes; a subclass points them at us, so the
    # constructors' own calls (GET /api/v3/ping, and /api/v3/time for AsyncClient) come here too.
    return type(
        f"Local{base.__name__}",
        (base,),
        {"API_URL": f"{base_url}/api", "FUTURES_URL": f"{base_url}/fapi"},
    )


def _python_binance_keys(key: Key) -> dict[str, str]:
    # With ``private_key`` it signs with RSA when the PEM is longer than 120 characters, else
    # with Ed25519 (base_client.py, _init_private_key).
    return {"api_secret": key.secret} if key.kind == "HMAC" else {"private_key": key.secret}


def _python_binance_refusal(error: BaseException) -> Refusal:
    # BinanceAPIException keeps all of it: the HTTP status, Binance's code and message.
    assert isinstance(error, BinanceAPIException)
    return Refusal(type(error).__name__, error.status_code, error.code, error.message)


class PythonBinanceSync(Adapter):
    errors = (BinanceAPIException,)

    def __init__(self, base_url: str, key: Key) -> None:
        self.client = local_class(Client, base_url)(key.api_key, **_python_binance_keys(key))

    def get_mode(self) -> bool:
        return _mode(self.client.futures_get_multi_assets_mode())

    def set_mode(self, on: bool) -> None:
        assert self.client.futures_change_multi_assets_mode(on) == SUCCESS

    def refusal(self, error: BaseException) -> Refusal:
        return _python_binance_refusal(error)

    def close(self) -> None:
        self.client.close_connection()
        self.client.loop.close()  # the sync client makes an event loop of its own


class PythonBinanceAsync(Adapter, _Async):
    errors = (BinanceAPIException,)

    def __init__(self, base_url: str, key: Key) -> None:
        _Async.__init__(self)
        # create() calls GET /api/v3/ping and GET /api/v3/time, and keeps the clocks' difference
        # as timestamp_offset: measured once, here, never again.
        self.client = self.run(
            local_class(AsyncClient, base_url).create(key.api_key, **_python_binance_keys(key))
        )

    def get_mode(self) -> bool:
        return _mode(self.run(self.client.futures_get_multi_assets_mode()))

    def set_mode(self, on: bool) -> None:
        assert self.run(self.client.futures_change_multi_assets_mode(on)) == SUCCESS

    def refusal(self, error: BaseException) -> Refusal:
        return _python_binance_refusal(error)

    def close(self) -> None:
        try:
            self.run(self.client.close_connection())
        finally:
            self.close_runner()


# binance-futures-connector -------------------------------------------------------------------


class FuturesConnector(Adapter):
    errors = (ClientError,)

    def __init__(self, base_url: str, key: Key) -> None:
        keys = {"secret": key.secret} if key.kind == "HMAC" else {"private_key": key.secret}
        self.client = UMFutures(key=key.api_key, base_url=base_url, **keys)

    def get_mode(self) -> bool:
        return _mode(self.client.get_multi_asset_mode())

    def set_mode(self, on: bool) -> None:
        answer = self.client.change_multi_asset_mode(multiAssetsMargin=str(on).lower())
        assert answer == SUCCESS

    def refusal(self, error: BaseException) -> Refusal:
        # ClientError(status_code, error_code, error_message, header): all of it.
        assert isinstance(error, ClientError)
        return Refusal(
            type(error).__name__, error.status_code, error.error_code, error.error_message
        )

    def close(self) -> None:
        self.client.session.close()


# ccxt -----------------------------------------------------------------------------------------


def _ccxt_options(key: Key) -> dict[str, Any]:
    # A PEM secret makes ccxt sign with RSA (longer than 120 characters) or Ed25519
    # (binance.py, sign). adjustForTimeDifference is off by default; said here because the
    # stale-timestamp cell depends on it. ccxt spaces requests by their cost times rateLimit
    # (GET multiAssetsMargin costs 30: 1.5 s); against a local server that only slows tests.
    return {
        "apiKey": key.api_key,
        "secret": key.secret,
        "enableRateLimit": False,
        "options": {"adjustForTimeDifference": False},
    }


def _ccxt_point_at(exchange: Any, base_url: str) -> None:
    # Every USDⓈ-M API group (fapiPublic, fapiPrivate, fapiPrivateV2, V3, fapiData …) has its
    # own entry; the implicit methods below use fapiPrivate.
    for name, url in exchange.urls["api"].items():
        if name.startswith("fapi"):
            exchange.urls["api"][name] = url.replace("https://fapi.binance.com", base_url)


def _ccxt_refusal(error: BaseException) -> Refusal:
    # ccxt drops the HTTP status. Its message is the exchange's id, a space and the answer's
    # body as received; the class comes from the code, through tables chosen by the URL's host
    # (binance.py, get_exceptions_by_url): only https://fapi.binance.com/… gets the USDⓈ-M
    # table, any other base URL the common one (so -4167 is ExchangeError here, BadRequest
    # against Binance; -1021 and -1022 are in the common table and come out the same).
    assert isinstance(error, ccxt.BaseError)
    prefix, _, body = str(error).partition(" ")
    assert prefix == "binanceusdm", str(error)
    document = json.loads(body)
    assert set(document) == {"code", "msg"}, document
    return Refusal(type(error).__name__, None, document["code"], document["msg"])


class CcxtSync(Adapter):
    errors = (ccxt.BaseError,)

    def __init__(self, base_url: str, key: Key) -> None:
        # ccxt has no unified method for the asset mode; its implicit API methods, generated
        # from the endpoint list, are what a ccxt user calls.
        self.exchange = ccxt.binanceusdm(_ccxt_options(key))
        _ccxt_point_at(self.exchange, base_url)

    def get_mode(self) -> bool:
        return _mode(self.exchange.fapiPrivateGetMultiAssetsMargin())

    def set_mode(self, on: bool) -> None:
        answer = self.exchange.fapiPrivatePostMultiAssetsMargin(
            {"multiAssetsMargin": str(on).lower()}
        )
        assert answer == SUCCESS

    def refusal(self, error: BaseException) -> Refusal:
        return _ccxt_refusal(error)

    def close(self) -> None:
        self.exchange.close()


class CcxtAsync(Adapter, _Async):
    errors = (ccxt.BaseError,)

    def __init__(self, base_url: str, key: Key) -> None:
        _Async.__init__(self)
        self.exchange = ccxt_async.binanceusdm(_ccxt_options(key))
        _ccxt_point_at(self.exchange, base_url)

    def get_mode(self) -> bool:
        return _mode(self.run(self.exchange.fapiPrivateGetMultiAssetsMargin()))

    def set_mode(self, on: bool) -> None:
        answer = self.run(
            self.exchange.fapiPrivatePostMultiAssetsMargin({"multiAssetsMargin": str(on).lower()})
        )
        assert answer == SUCCESS

    def refusal(self, error: BaseException) -> Refusal:
        return _ccxt_refusal(error)

    def close(self) -> None:
        try:
            self.run(self.exchange.close())
        finally:
            self.close_runner()


# binance-sdk-derivatives-trading-usds-futures ------------------------------------------------

#: The SDK tells the HTTP status by the class it raises (binance_common/utils.py, send_request).
_SDK_ERRORS = (
    sdk_errors.BadRequestError,
    sdk_errors.UnauthorizedError,
    sdk_errors.ForbiddenError,
    sdk_errors.NotFoundError,
    sdk_errors.RateLimitBanError,
    sdk_errors.TooManyRequestsError,
)
_SDK_STATUS: dict[type[BaseException], int] = dict(
    zip(_SDK_ERRORS, (400, 401, 403, 404, 418, 429), strict=True)
)


class BinanceSdk(Adapter):
    errors = (sdk_errors.Error,)

    def __init__(self, base_url: str, key: Key) -> None:
        hmac = key.kind == "HMAC"
        config = ConfigurationRestAPI(
            api_key=key.api_key,
            api_secret=key.secret if hmac else None,
            private_key=None if hmac else key.secret,  # it tells RSA from Ed25519
            base_path=base_url,
            timeout=10_000,  # ms; its default of 1 s is tight for a loaded CI machine
        )
        self.client = DerivativesTradingUsdsFutures(config_rest_api=config)

    def get_mode(self) -> bool:
        answer = self.client.rest_api.get_current_multi_assets_mode().data()
        assert answer.additional_properties == {}
        return _mode({"multiAssetsMargin": answer.multi_assets_margin})

    def set_mode(self, on: bool) -> None:
        # The SDK takes the documented string, "true" or "false".
        answer = self.client.rest_api.change_multi_assets_mode(str(on).lower()).data()
        assert (answer.code, answer.msg, answer.additional_properties) == (200, "success", {})

    def refusal(self, error: BaseException) -> Refusal:
        # The HTTP status is in the class only; the attribute named status_code holds Binance's
        # code (send_request: BadRequestError(error_message=msg, status_code=code)).
        assert isinstance(error, _SDK_ERRORS)
        assert error.status_code is not None
        return Refusal(
            type(error).__name__, _SDK_STATUS[type(error)], error.status_code, error.error_message
        )

    def close(self) -> None:
        self.client.rest_api._session.close()


#: client family -> (distribution, the adapter's maker)
FAMILIES: dict[str, tuple[str, Callable[[str, Key], Adapter]]] = {
    "python-binance-sync": ("python-binance", PythonBinanceSync),
    "python-binance-async": ("python-binance", PythonBinanceAsync),
    "futures-connector": ("binance-futures-connector", FuturesConnector),
    "ccxt-sync": ("ccxt", CcxtSync),
    "ccxt-async": ("ccxt", CcxtAsync),
    "binance-sdk": ("binance-sdk-derivatives-trading-usds-futures", BinanceSdk),
}
