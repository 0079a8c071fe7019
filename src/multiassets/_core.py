"""What Client and AsyncClient share, without any I/O: building and signing requests, reading
answers into results or exceptions, clock offset, request weight, retries.

Each operation is a *flow*: a generator that yields :class:`Prepared` requests (and
:class:`Sleep` pauses) and receives :class:`Answer` objects, so the same logic drives the
blocking and the asyncio transport (the way httpx's ``Auth.auth_flow`` does).

The clients import this module on their first call, not when they are made: it brings the
endpoint and error catalogues, json and urllib with it.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, urlsplit

from ._exceptions import (
    AccountRuleError,
    ConfigurationError,
    MultiassetsError,
    ServerError,
    TimestampError,
    TransportError,
    UnknownStatus,
    exception_for,
)
from ._messages import Answer, Prepared, Sleep
from .defaults import RETRIES
from .protocol.endpoints import (
    CHANGE_MODE,
    CHANGE_POSITION_MODE,
    GET_MODE,
    GET_POSITION_MODE,
    TIME,
    Endpoint,
    lookup,
)
from .protocol.errors import (
    NO_NEED_TO_CHANGE_JOINT_MARGIN,
    NO_NEED_TO_CHANGE_POSITION_SIDE,
    ErrorSpec,
)
from .protocol.limits import RECV_WINDOW_MS, REQUEST_WEIGHT_1M, WEIGHT_WINDOW_MS

if TYPE_CHECKING:
    from ._config import Settings
    from ._messages import Flow

__all__ = [
    "SETTINGS",
    "Answer",
    "Core",
    "Prepared",
    "Setting",
    "SettingName",
    "Sleep",
    "local_ms",
]

RECONCILE_DELAY_S = 0.5
#: RFC 3986's unreserved characters: values made only of them go into the request as they are.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~-")


def _encoded(text: str) -> str:
    """``text`` percent-encoded for a query or form, as sent and as signed (names too: a name
    may hold ``&`` or ``=``). ``quote`` would give the same for plain text; skipping it saves
    a few µs a call on the timestamp, the flags and a hex signature."""
    if (text.isalnum() and text.isascii()) or _UNRESERVED.issuperset(text):
        return text
    return quote(text, safe="")


def _joined(fields: Mapping[str, str]) -> str:
    return "&".join([f"{_encoded(name)}={_encoded(value)}" for name, value in fields.items()])


def _stamped(params: Mapping[str, str], recv_window: int, now_ms: int) -> dict[str, str]:
    """The parameters with recvWindow and timestamp set where a dict puts them: in the
    place of the caller's own, if it sent them (it is our value that is sent)."""
    fields = dict(params)
    if recv_window != RECV_WINDOW_MS:
        fields["recvWindow"] = str(recv_window)
    fields["timestamp"] = str(now_ms)
    return fields


#: The scanner json.loads' default decoder runs, called without its set-up: decode() and
#: raw_decode() around it, and two regular-expression matches for surrounding whitespace.
#: (Typeshed leaves the attribute out; it is json.scanner.make_scanner's, C or Python.)
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _json(body: bytes) -> Any:
    """``json.loads(body)``, ~2 µs sooner for an answer that is one JSON object or array in
    UTF-8, with nothing after it (json.loads would work that encoding out again, and look for
    whitespace around the value, on every call); any other body goes to json.loads itself,
    for the same result or the same error."""
    if body[:1] in (b"{", b"[") and body[1:2] != b"\0":
        text = body.decode("utf-8", "surrogatepass")
        try:
            document, end = _SCAN(text, 0)  # a JSONDecodeError (a ValueError), as json.loads'
        except StopIteration:  # no value where one must be ("[x]"): json.loads says where
            end = -1
        if end == len(text):
            return document
    return json.loads(body)


@dataclass(frozen=True, slots=True)
class Setting:
    """An account's on/off setting: the endpoint that reads it, the one that changes it (its
    one parameter names the field of both the read's answer and the change's request), and
    the refusal that means it is so already."""

    #: The client method that sets it, for the TypeError a non-bool earns.
    setter: str
    read: Endpoint
    change: Endpoint
    already_set: ErrorSpec

    @property
    def field(self) -> str:
        return self.change.params[0].name


#: What the clients name a setting by (they import this module only when first used).
SettingName = Literal["asset_mode", "position_mode"]
SETTINGS: dict[str, Setting] = {
    # Multi-Assets Mode (true) or Single-Asset Mode (false).
    "asset_mode": Setting("set_mode", GET_MODE, CHANGE_MODE, NO_NEED_TO_CHANGE_JOINT_MARGIN),
    # Hedge Mode (true) or One-way Mode (false).
    "position_mode": Setting(
        "set_position_mode",
        GET_POSITION_MODE,
        CHANGE_POSITION_MODE,
        NO_NEED_TO_CHANGE_POSITION_SIDE,
    ),
}


def local_ms() -> int:
    return time.time_ns() // 1_000_000


class _Route:
    """What a call needs of an endpoint, worked out once per endpoint: every call would
    otherwise look it up, read its security's properties and join the path again."""

    __slots__ = ("endpoint", "form", "method", "needs_key", "path", "signed", "weight")

    def __init__(self, endpoint: Endpoint, prefix: str) -> None:
        self.endpoint = endpoint  # held: a cache is keyed by its id
        self.method = endpoint.method
        self.path = prefix + endpoint.path
        self.needs_key = endpoint.security.needs_key
        self.signed = endpoint.security.signed
        self.form = endpoint.method != "GET"
        #: None when the weight depends on the parameters sent.
        self.weight = endpoint.weight if isinstance(endpoint.weight, int) else None


class Core:
    def __init__(
        self,
        settings: Settings,
        *,
        recv_window: int = RECV_WINDOW_MS,
        time_sync: bool = False,
        weight_limit: int = REQUEST_WEIGHT_1M,
        retries: int = RETRIES,
    ) -> None:
        self.settings = settings
        self.recv_window = recv_window
        self.time_sync = time_sync
        self.retries = retries
        split = urlsplit(settings.base_url)
        self.scheme = split.scheme
        #: scheme://host[:port], IPv6 hosts in brackets, as a URL needs them.
        self.origin = f"{split.scheme}://{split.netloc}"
        self.host = split.hostname or ""
        self.port = split.port or (443 if split.scheme == "https" else 80)
        self.prefix = split.path.rstrip("/")
        #: Server time minus local time, in ms, as last measured.
        self.offset_ms = 0
        self.synced = False
        self.weight_limit = weight_limit
        self.weight_used = 0
        self._weight_window = -1
        self._routes: dict[int, _Route] = {}
        self._routes_at: dict[tuple[str, str], _Route] = {}

    # -- building ------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return local_ms() + self.offset_ms

    @staticmethod
    def stamp() -> int:
        """The local clock, for a transport to stamp when it sent and received."""
        return local_ms()

    def _route(self, endpoint: Endpoint) -> _Route:
        route = self._routes.get(id(endpoint))
        if route is None:
            route = self._routes[id(endpoint)] = _Route(endpoint, self.prefix)
        return route

    def _route_at(self, method: str, path: str) -> _Route:
        route = self._routes_at.get((method, path))
        if route is None:
            route = self._routes_at[method, path] = self._route(lookup(method, path))
        return route

    def prepare(self, endpoint: Endpoint, params: Mapping[str, str] | None = None) -> Prepared:
        return self._prepare(self._route(endpoint), params)

    def _prepare(self, route: _Route, params: Mapping[str, str] | None) -> Prepared:
        settings = self.settings
        headers: dict[str, str] = {}
        if route.needs_key:
            if not settings.api_key:
                raise ConfigurationError("this call needs an API key")
            headers["X-MBX-APIKEY"] = settings.api_key
        if route.signed:
            signer = settings.signer
            if signer is None:
                raise ConfigurationError("this call needs api_secret or private_key to sign")
            # recvWindow (unless Binance's default, which needs no sending), then timestamp,
            # after the endpoint's parameters: plain digits, so not run through _encoded.
            stamp = f"timestamp={self.now_ms()}"
            if self.recv_window != RECV_WINDOW_MS:
                stamp = f"recvWindow={self.recv_window}&{stamp}"
            if not params:
                payload = stamp
            elif "recvWindow" in params or "timestamp" in params:
                payload = _joined(_stamped(params, self.recv_window, self.now_ms()))
            else:
                payload = f"{_joined(params)}&{stamp}"
            payload += "&signature=" + _encoded(signer(payload.encode()))
        else:
            payload = _joined(params) if params else ""
        if route.form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return Prepared(route.method, route.path, headers, payload.encode())
        return Prepared("GET", f"{route.path}?{payload}" if payload else route.path, headers, b"")

    # -- reading -------------------------------------------------------------------------------

    def observe(self, answer: Answer) -> None:
        used = answer.headers.get("X-MBX-USED-WEIGHT-1M")
        if used is not None and used.isdigit():
            self.weight_used = int(used)
            self._weight_window = (answer.received_ms + self.offset_ms) // WEIGHT_WINDOW_MS

    def weight_wait(self, weight: int) -> float:
        """Seconds to wait so that a request of ``weight`` does not cross the limit."""
        if self.weight_used + weight <= self.weight_limit:
            return 0.0  # the common case, told without reading the clock
        now = self.now_ms()
        if now // WEIGHT_WINDOW_MS != self._weight_window:
            return 0.0
        return ((self._weight_window + 1) * WEIGHT_WINDOW_MS - now) / 1000 + 0.05

    def result(self, answer: Answer) -> Any:
        if 200 <= answer.status < 300:
            try:
                return _json(answer.body)
            except ValueError:
                raise ServerError(0, "the answer was not JSON", answer.status) from None
        retry_after = answer.headers.get("Retry-After")
        seconds = int(retry_after) if retry_after and retry_after.isdigit() else None
        try:
            document = _json(answer.body)
            code, msg = int(document["code"]), str(document["msg"])
        except (ValueError, KeyError, TypeError):
            code, msg = 0, f"HTTP {answer.status}: {answer.body[:200].decode('utf-8', 'replace')}"
        raise exception_for(code, msg, answer.status, seconds)

    def backoff(self, attempt: int) -> float:
        """Capped exponential backoff with full jitter."""
        return random.uniform(0, min(2.0, 0.1 * 2**attempt))

    # -- flows ---------------------------------------------------------------------------------

    def call(self, method: str, path: str, params: Mapping[str, str] | None = None) -> Flow:
        """One endpoint call: waits for weight, re-syncs the clock once on -1021, retries GETs
        on transport errors and 5xx. A POST is never sent twice, except after -1021 (which
        Binance answers before executing anything)."""
        return self._call(self._route_at(method, path), params)

    def _call(self, route: _Route, params: Mapping[str, str] | None) -> Flow:
        """:meth:`call`, for a route at hand (get_setting's: no look-up by method and path)."""
        method = route.method
        weight = route.weight
        if weight is None:
            weight = route.endpoint.weight_for(params or ())
        signed = route.signed
        if signed and self.time_sync and not self.synced:
            yield from self.sync_clock()
        resynced = False
        attempt = 0
        while True:
            wait = self.weight_wait(weight)
            if wait > 0 and not self.synced:
                # The wait is for the server's minute: measure its clock before trusting ours.
                yield from self.sync_clock()
                wait = self.weight_wait(weight)
            if wait > 0:
                yield Sleep(wait)
            try:
                answer = yield self._prepare(route, params)
                assert answer is not None
                self.observe(answer)
                return self.result(answer)
            except TimestampError:
                if resynced or not signed:
                    raise
                resynced = True
                yield from self.sync_clock()
            except (TransportError, ServerError):
                if method != "GET" or attempt >= self.retries:
                    raise
                attempt += 1
                yield Sleep(self.backoff(attempt))

    def sync_clock(self) -> Flow:
        """Measure the server's clock against ours (``GET /fapi/v1/time``)."""
        answer = yield self.prepare(TIME)
        assert answer is not None
        server_time = int(self.result(answer)["serverTime"])
        self.offset_ms = server_time - (answer.sent_ms + answer.received_ms) // 2
        self.synced = True
        self.observe(answer)  # after the offset: the weight window is the server's minute
        return self.offset_ms

    def get_setting(self, name: SettingName) -> Flow:
        """Read an on/off setting (a GET: retried on transport errors and 5xx)."""
        setting = SETTINGS[name]
        document = yield from self._call(self._route(setting.read), None)
        return bool(document[setting.field])

    def set_setting(self, name: SettingName, value: bool) -> Flow:
        """Change a setting; sent once. After an unknown outcome (UnknownStatus, or no
        answer), read the setting to learn the truth: return if the change was applied, else
        raise the error with ``applied = False`` (or as it was, if the read fails too)."""
        setting = SETTINGS[name]
        if not isinstance(value, bool):
            raise TypeError(
                f"{setting.setter} takes True or False, not {value!r}: the string 'false' "
                "would be a truthy value"
            )
        change = setting.change
        try:
            yield from self.call(
                change.method, change.path, {setting.field: "true" if value else "false"}
            )
        except (UnknownStatus, TransportError) as error:
            # Give a backend still working on the change a moment before reading it back.
            yield Sleep(RECONCILE_DELAY_S)
            try:
                current = yield from self.get_setting(name)
            except MultiassetsError:
                raise error from None
            if current == value:
                return  # it was applied
            error.applied = False
            raise

    def ensure_setting(self, name: SettingName, value: bool) -> Flow:
        """Like :meth:`set_setting`, but being so already (``setting.already_set``) is
        success; returns whether the setting changed."""
        try:
            yield from self.set_setting(name, value)
        except AccountRuleError as error:
            if error.code == SETTINGS[name].already_set.code:
                return False
            raise
        return True
