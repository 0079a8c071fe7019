"""``Client``: the blocking client, on the standard library's ``http.client``.

A bare keep-alive GET costs 252 µs here with http.client against 392 µs with urllib3, 690 µs
with httpx and 936 µs with requests (``../shared/reference/perf-limits.md``); it needs no
dependency either.
"""

from __future__ import annotations

import select
import time

from ._base import BaseClient
from ._exceptions import Timeout, TransportError
from ._messages import Answer, Sleep

# Not typing's TYPE_CHECKING: importing typing costs ~15 ms. Type checkers take it as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import http.client
    from types import TracebackType
    from typing import Any, Self

    from ._messages import Flow, Prepared

__all__ = ["Client"]


class _Headers:
    """An answer's headers, looked up case-insensitively over ``raw_items()``: http.client's
    ``HTTPMessage.get`` runs each value through the email package's policy, ~3 µs a lookup
    on every call for the weight header."""

    __slots__ = ("_message",)

    def __init__(self, message: http.client.HTTPMessage) -> None:
        self._message = message

    def get(self, name: str, /) -> str | None:
        name = name.lower()
        for key, value in self._message.raw_items():
            if key.lower() == name:
                return value
        return None


def _http_exception() -> type[Exception]:
    """http.client's base exception, for an except clause: evaluated only when something was
    raised, by which time the first call has imported http.client."""
    import http.client

    return http.client.HTTPException


_HAS_POLL = hasattr(select, "poll")


class _Watch:
    """Whether a kept-alive connection can take a request: a socket the server closed reads
    as ready (EOF), and sending on it would fail, or worse, half-send a change. One poll
    object per socket, registered once: half the cost of a select() on every call."""

    __slots__ = ("_poller", "_sock")

    def __init__(self) -> None:
        self._sock: object = None
        self._poller = select.poll() if _HAS_POLL else None

    def still_open(self, connection: http.client.HTTPConnection) -> bool:
        sock = connection.sock
        if sock is None:
            return True  # not connected yet: connect() will open it
        if self._poller is None:  # Windows has no poll(): select() works on its sockets
            try:
                return not select.select([sock], [], [], 0)[0]
            except (OSError, ValueError):
                return False
        if sock is not self._sock:
            self._poller = select.poll()
            try:
                self._poller.register(sock, select.POLLIN)
            except (OSError, ValueError):  # a closed socket (no file descriptor)
                return False
            self._sock = sock
        # Any event (readable, hang-up, error, invalid descriptor) means: not usable as is.
        return not self._poller.poll(0)


class Client(BaseClient):
    """A Binance USDⓈ-M Futures client for Multi-Assets Mode, blocking.

        with Client(api_key=..., api_secret=...) as client:      # Binance itself
            client.ensure_mode(True)

        Client(base_url="http://127.0.0.1:8080", ...)            # a multiassets server

    Parameters: see :class:`~multiassets._base.BaseClient`. Not safe to share between
    threads: it holds one keep-alive connection.
    """

    _connection: http.client.HTTPConnection | None = None
    _watch: _Watch  # made with each connection

    # -- the API -------------------------------------------------------------------------------

    def ping(self) -> None:
        self._run(self._core.call("GET", "/fapi/v1/ping"))

    def server_time(self) -> int:
        return int(self._run(self._core.call("GET", "/fapi/v1/time"))["serverTime"])

    def sync_time(self) -> int:
        """Measure the server's clock; returns the offset in ms (server minus local)."""
        return int(self._run(self._core.sync_clock()))

    def get_mode(self) -> bool:
        """True in Multi-Assets Mode, False in Single-Asset Mode."""
        return bool(self._run(self._core.get_setting("asset_mode")))

    def set_mode(self, multi_assets: bool) -> None:
        """Change the mode. ``multi_assets`` must be a bool (a TypeError otherwise). When the
        answer leaves the outcome unknown (503 "Unknown error", -1007, no answer), reads the
        mode back: returns if the change was applied, else raises with ``applied=False``."""
        self._run(self._core.set_setting("asset_mode", multi_assets))

    def ensure_mode(self, multi_assets: bool) -> bool:
        """Make sure of the mode; returns whether it changed (-4171 counts as success)."""
        return bool(self._run(self._core.ensure_setting("asset_mode", multi_assets)))

    def get_position_mode(self) -> bool:
        """True in Hedge Mode (LONG and SHORT positions), False in One-way Mode."""
        return bool(self._run(self._core.get_setting("position_mode")))

    def set_position_mode(self, dual: bool) -> None:
        """Change the position mode, as :meth:`set_mode` changes the asset mode: ``dual``
        must be a bool, and an unknown outcome is settled by reading the position mode back.
        -4059 if it is so already, -4067 with open orders, -4068 with a position."""
        self._run(self._core.set_setting("position_mode", dual))

    def ensure_position_mode(self, dual: bool) -> bool:
        """Make sure of the position mode; returns whether it changed (-4059 counts as
        success)."""
        return bool(self._run(self._core.ensure_setting("position_mode", dual)))

    def account_config(self) -> dict[str, Any]:
        return dict(self._run(self._core.call("GET", "/fapi/v1/accountConfig")))

    def account(self) -> dict[str, Any]:
        """The account document (``GET /fapi/v3/account``): balances, margins, assets and
        positions."""
        return dict(self._run(self._core.call("GET", "/fapi/v3/account")))

    # -- plumbing ------------------------------------------------------------------------------

    def _run(self, flow: Flow) -> Any:
        try:
            step = next(flow)
            while True:
                if isinstance(step, Sleep):
                    time.sleep(step.seconds)
                    step = flow.send(None)
                    continue
                try:
                    answer = self._send(step)
                except TransportError as error:
                    step = flow.throw(error)
                    continue
                step = flow.send(answer)
        except StopIteration as stop:
            return stop.value

    def _send(self, prepared: Prepared) -> Answer:
        core = self._core
        if self._connection is not None and not self._watch.still_open(self._connection):
            self.close()  # the server closed the idle keep-alive connection: a new one
        if self._connection is None:
            import http.client  # on the first call: it costs ~30 ms (email, ssl) to import

            cls = (
                http.client.HTTPSConnection
                if core.scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = cls(core.host, core.port, timeout=self.timeout)
            self._watch = _Watch()
        try:
            if self._connection.sock is None:
                self._connection.connect()  # before the stamp: clock sync measures the request
        except TimeoutError as error:
            self.close()
            raise Timeout(f"no connection to {self.base_url} in {self.timeout} s") from error
        except OSError as error:
            self.close()
            raise TransportError(f"{self.base_url}: {error!r}") from error
        sent = core.stamp()
        try:
            self._connection.request(
                prepared.method,
                prepared.target,
                body=prepared.body or None,
                headers=prepared.headers,
            )
            response = self._connection.getresponse()
            body = response.read()
        except TimeoutError as error:
            self.close()
            raise Timeout(f"no answer from {self.base_url} in {self.timeout} s") from error
        except (OSError, _http_exception()) as error:
            self.close()
            raise TransportError(f"{self.base_url}: {error!r}") from error
        if response.will_close:
            self.close()
        return Answer(response.status, _Headers(response.msg), body, sent, core.stamp())

    def close(self) -> None:
        """Close the connection (the next call opens a new one)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
