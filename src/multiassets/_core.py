"""What Client and AsyncClient share, without any I/O: building and signing requests, reading
answers into results or exceptions, clock offset, request weight, retries.

Each operation is a *flow*: a generator that yields :class:`Prepared` requests (and
:class:`Sleep` pauses) and receives :class:`Answer` objects, so the same logic drives the
blocking and the asyncio transport (the way httpx's ``Auth.auth_flow`` does).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from ._config import Settings
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
from .defaults import RETRIES
from .protocol.endpoints import (
    CHANGE_MODE,
    CHANGE_POSITION_MODE,
    GET_MODE,
    GET_POSITION_MODE,
    Endpoint,
    lookup,
)
from .protocol.errors import (
    NO_NEED_TO_CHANGE_JOINT_MARGIN,
    NO_NEED_TO_CHANGE_POSITION_SIDE,
    ErrorSpec,
)
from .protocol.limits import RECV_WINDOW_MS, REQUEST_WEIGHT_1M, WEIGHT_WINDOW_MS

__all__ = ["ASSET_MODE", "POSITION_MODE", "Answer", "Core", "Flow", "Prepared", "Setting", "Sleep"]

RECONCILE_DELAY_S = 0.5
#: Values made only of RFC 3986 unreserved characters go into the request as they are.
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def _encoded(text: str) -> str:
    """``text`` percent-encoded for a query or form, as sent and as signed (names too: a name
    may hold ``&`` or ``=``)."""
    return text if _PLAIN(text) else quote(text, safe="")


@dataclass(frozen=True, slots=True)
class Prepared:
    method: str
    target: str  # path and query string
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    #: Looked up with Binance's spelling; transports pass their case-insensitive headers.
    headers: _Headers
    body: bytes
    sent_ms: int  # local clock, when the request went out
    received_ms: int


Flow = Generator["Prepared | Sleep", "Answer | None", Any]


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


#: Multi-Assets Mode (true) or Single-Asset Mode (false).
ASSET_MODE = Setting("set_mode", GET_MODE, CHANGE_MODE, NO_NEED_TO_CHANGE_JOINT_MARGIN)
#: Hedge Mode (true) or One-way Mode (false).
POSITION_MODE = Setting(
    "set_position_mode", GET_POSITION_MODE, CHANGE_POSITION_MODE, NO_NEED_TO_CHANGE_POSITION_SIDE
)


class _Headers(Protocol):
    def get(self, name: str, /) -> str | None: ...


def local_ms() -> int:
    return time.time_ns() // 1_000_000


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

    # -- building ------------------------------------------------------------------------------

    def now_ms(self) -> int:
        return local_ms() + self.offset_ms

    @staticmethod
    def stamp() -> int:
        """The local clock, for a transport to stamp when it sent and received."""
        return local_ms()

    def prepare(self, endpoint: Endpoint, params: Mapping[str, str] | None = None) -> Prepared:
        fields = dict(params or {})
        headers: dict[str, str] = {}
        if endpoint.security.needs_key:
            if not self.settings.api_key:
                raise ConfigurationError("this call needs an API key")
            headers["X-MBX-APIKEY"] = self.settings.api_key
        if endpoint.security.signed:
            if self.settings.signer is None:
                raise ConfigurationError("this call needs api_secret or private_key to sign")
            if self.recv_window != RECV_WINDOW_MS:  # Binance's default needs no sending
                fields["recvWindow"] = str(self.recv_window)
            fields["timestamp"] = str(self.now_ms())
        payload = "&".join(f"{_encoded(name)}={_encoded(value)}" for name, value in fields.items())
        if endpoint.security.signed:
            assert self.settings.signer is not None
            signature = self.settings.signer(payload.encode())
            payload += "&signature=" + quote(signature, safe="")
        path = self.prefix + endpoint.path
        if endpoint.method == "GET":
            return Prepared("GET", f"{path}?{payload}" if payload else path, headers, b"")
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return Prepared(endpoint.method, path, headers, payload.encode())

    # -- reading -------------------------------------------------------------------------------

    def observe(self, answer: Answer) -> None:
        used = answer.headers.get("X-MBX-USED-WEIGHT-1M")
        if used is not None and used.isdigit():
            self.weight_used = int(used)
            self._weight_window = (answer.received_ms + self.offset_ms) // WEIGHT_WINDOW_MS

    def weight_wait(self, weight: int) -> float:
        """Seconds to wait so that a request of ``weight`` does not cross the limit."""
        now = self.now_ms()
        if (
            now // WEIGHT_WINDOW_MS != self._weight_window
            or self.weight_used + weight <= self.weight_limit
        ):
            return 0.0
        return ((self._weight_window + 1) * WEIGHT_WINDOW_MS - now) / 1000 + 0.05

    def result(self, answer: Answer) -> Any:
        if 200 <= answer.status < 300:
            try:
                return json.loads(answer.body)
            except ValueError:
                raise ServerError(0, "the answer was not JSON", answer.status) from None
        retry_after = answer.headers.get("Retry-After")
        seconds = int(retry_after) if retry_after and retry_after.isdigit() else None
        try:
            document = json.loads(answer.body)
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
        endpoint = lookup(method, path)
        weight = endpoint.weight_for(params or {})
        if endpoint.security.signed and self.time_sync and not self.synced:
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
                answer = yield self.prepare(endpoint, params)
                assert answer is not None
                self.observe(answer)
                return self.result(answer)
            except TimestampError:
                if resynced or not endpoint.security.signed:
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
        answer = yield self.prepare(lookup("GET", "/fapi/v1/time"))
        assert answer is not None
        server_time = int(self.result(answer)["serverTime"])
        self.offset_ms = server_time - (answer.sent_ms + answer.received_ms) // 2
        self.synced = True
        self.observe(answer)  # after the offset: the weight window is the server's minute
        return self.offset_ms

    def get_setting(self, setting: Setting) -> Flow:
        """Read an on/off setting (a GET: retried on transport errors and 5xx)."""
        document = yield from self.call(setting.read.method, setting.read.path)
        return bool(document[setting.field])

    def set_setting(self, setting: Setting, value: bool) -> Flow:
        """Change a setting; sent once. After an unknown outcome (UnknownStatus, or no
        answer), read the setting to learn the truth: return if the change was applied, else
        raise the error with ``applied = False`` (or as it was, if the read fails too)."""
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
                current = yield from self.get_setting(setting)
            except MultiassetsError:
                raise error from None
            if current == value:
                return  # it was applied
            error.applied = False
            raise

    def ensure_setting(self, setting: Setting, value: bool) -> Flow:
        """Like :meth:`set_setting`, but being so already (``setting.already_set``) is
        success; returns whether the setting changed."""
        try:
            yield from self.set_setting(setting, value)
        except AccountRuleError as error:
            if error.code == setting.already_set.code:
                return False
            raise
        return True
