"""What Binance's edge answers before a request reaches the API: bytes that are not HTTP, a
request head that is too large, a client too slow to send its head or its body.

Binance's API sits behind a CDN and load balancers that answer such requests themselves, with
an HTML page, never with the API's JSON (as they do for an unknown path: ``http/responses.py``). We
do the same from uvicorn's HTTP protocol, in place of its plain-text ``Invalid HTTP request
received.``; PARITY.md records the choice.
"""

from __future__ import annotations

import asyncio
import os
import re
from email.utils import formatdate
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from ..._version import __version__
from ...defaults import HEAD_TIMEOUT_S
from ..config import CONFIG_ENV, ServerConfig

__all__ = ["MAX_HEAD_BYTES", "EdgeProtocol", "EdgeWebSocketProtocol", "edge_html", "edge_page"]

#: The request line and headers together; larger heads get 431.
MAX_HEAD_BYTES = 16 * 1024

#: How long a refused connection is still read (and its data dropped) before it is closed.
_LINGER_S = 2.0

_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}

#: A Host field value (RFC 9110 §7.2): uri-host [":" port], the host a reg-name, an IPv4
#: address or a bracketed IP literal; empty is valid (a target without an authority).
_VALID_HOSTS: set[bytes] = set()
_OWS = b" \t"
_HOST = re.compile(rb"(\[[0-9A-Za-z:.%_~-]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(:[0-9]*)?")


def edge_html(status: int) -> bytes:
    """The page the edge answers ``status`` with."""
    title = f"{status} {_REASONS[status]}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def edge_page(status: int) -> bytes:
    """The whole HTTP response the edge sends for ``status``, closing the connection."""
    title = f"{status} {_REASONS[status]}"
    body = edge_html(status)
    head = (
        f"HTTP/1.1 {title}\r\ndate: {formatdate(usegmt=True)}\r\ncontent-type: text/html\r\n"
        f"content-length: {len(body)}\r\nx-multiassets-version: {__version__}\r\n"
        "connection: close\r\n\r\n"
    ).encode()
    return head + body


class _Unreadable(Exception):
    """Raised in a parser callback: the parser stops, and uvicorn answers through
    ``send_400_response`` with the status in ``_refused``."""


def _head_timeout_s() -> float:
    raw = os.environ.get(CONFIG_ENV)
    return ServerConfig.from_json(raw).head_timeout_s if raw else HEAD_TIMEOUT_S


class EdgeProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering as Binance's edge where the request can't be
    read: HTTP 400 for what is not HTTP (a request without a valid ``Host``, or with two, is
    not, RFC 9112 §3.2), 431 for a head over :data:`MAX_HEAD_BYTES`, 408 for a head, or then a
    body, not complete within the configured time (a slow sender holds no connection for ever).
    Header values lose the whitespace around them, as RFC 9112 §5.5 has parsers do (httptools
    strips only what comes before).

    Slow heads are found by one sweep a second over the open connections rather than a timer
    per request: arming and cancelling a timer on every request cost ~3 µs, a tenth of the
    signed pipeline."""

    _head_timeout: float | None = None
    #: The open connections of this process, for the sweep.
    _open: ClassVar[set[EdgeProtocol]] = set()
    _sweeper: ClassVar[asyncio.Task[None] | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if EdgeProtocol._head_timeout is None:
            EdgeProtocol._head_timeout = _head_timeout_s()
        self._head_bytes = 0
        self._hosts = 0  # Host lines in this request's head, and the last one's value
        self._host = b""
        self._receiving = False  # a request has begun and its head is not complete yet
        self._began = 0.0  # when it began (or, before any request, when the client connected)
        self._refused: int | None = None
        self._discarding = False
        self._deferred: int | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._began = self.loop.time()
        EdgeProtocol._open.add(self)
        if EdgeProtocol._sweeper is None or EdgeProtocol._sweeper.done():
            EdgeProtocol._sweeper = self.loop.create_task(_sweep(self.loop))

    def connection_lost(self, exc: Exception | None) -> None:
        EdgeProtocol._open.discard(self)
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        _on_message_begin(self)
        self._head_bytes = 0
        self._hosts = 0
        self._receiving = True
        self._began = self.loop.time()

    def on_url(self, url: bytes) -> None:
        self._head_bytes += len(url)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._unreadable(431)
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_bytes += len(name) + len(value) + 4
        if self._head_bytes > MAX_HEAD_BYTES:
            self._unreadable(431)
        # uvicorn's own on_header, inline (once per header of every request).
        name = name.lower()
        if value and value[-1] in _OWS:  # httptools strips what comes before, not after
            value = value.rstrip(b" \t")
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        elif name == b"host":
            self._hosts += 1
            self._host = value
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        if self._hosts != 1 or self._host not in _VALID_HOSTS:
            self._check_host()
        self._receiving = False
        self._began = self.loop.time()  # now the body, if any, has the same time to arrive
        _on_headers_complete(self)

    def on_response_complete(self) -> None:
        _on_response_complete(self)
        if self._deferred is not None and not self.pipeline and self._answered_all():
            # A request pipelined after those just answered could not be read.
            self._answer(self._deferred)

    def _answered_all(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def handle_websocket_upgrade(self) -> None:
        # The connection becomes a WebSocket: no head to time out any more, and this protocol
        # will not hear of its end.
        EdgeProtocol._open.discard(self)
        _handle_websocket_upgrade(self)

    def send_400_response(self, msg: str) -> None:
        self._refuse(self._refused or 400)

    def _check_host(self) -> None:
        """One valid Host, or the edge's 400 (RFC 9112 §3.2)."""
        if self._hosts != 1:
            # HTTP/1.0 may omit Host; no version may send two.
            if self._hosts or self.parser.get_http_version() != "1.0":
                self._unreadable(400)
        elif _HOST.fullmatch(self._host) is None:
            self._unreadable(400)
        elif len(_VALID_HOSTS) < 256:  # clients send the same few: the regex once each
            _VALID_HOSTS.add(self._host)

    def _unreadable(self, status: int) -> None:
        self._refused = status
        raise _Unreadable

    def data_received(self, data: bytes) -> None:
        if not self._discarding:
            _data_received(self, data)

    def _refuse(self, status: int) -> None:
        """Answer, then read and drop what the client is still sending for a moment before
        closing (closing with unread data would reset the connection before the client could
        read the answer)."""
        if self.transport.is_closing() or self._discarding:
            return
        self._discarding = True
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if not cycle.more_body:
                self._deferred = status  # answer after the requests before it, in order
                return
            # This request's own body can't be read: the application's answer is dropped.
            cycle.disconnected = True
            cycle.message_event.set()
        self._answer(status)

    def _answer(self, status: int) -> None:
        self._deferred = None
        self.transport.write(edge_page(status))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_LINGER_S, self.transport.close)

    def _check_head_time(self, now: float, timeout: float) -> None:
        if now - self._began < timeout or self._discarding or self.transport.is_closing():
            return
        cycle = self.cycle
        if self._receiving or (
            cycle is not None and cycle.more_body and not cycle.response_started
        ):
            self._refuse(408)  # its head, or its body, did not arrive in time
        elif cycle is None:
            self.transport.close()  # connected, and sent nothing in all that time


class EdgeWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, answering a handshake it can't accept (no or a malformed
    ``Sec-WebSocket-Key``, an unknown version) with the edge's 400 page rather than the
    websockets library's plain text."""

    def handle_connect(self, event: Any) -> None:
        # accept() only builds the answer; the parent builds it again when it is a 101.
        if self.conn.accept(event).status_code == 101:
            super().handle_connect(event)
            return
        self.handshake_initiated = self.handshake_complete = self.close_sent = True
        self.transport.write(edge_page(400))
        self.transport.close()

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type != "text" or self.close_sent:
            super().send_receive_event_to_app()
            return
        # The parent's text path (uvicorn 0.54.0), but for a text frame that is not UTF-8:
        # RFC 6455 §8.1 fails the connection with 1007, as the parent does, without its
        # traceback in the log for what is the client's mistake.
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        try:
            text = data.decode()
        except UnicodeDecodeError:
            self.logger.info("closed a connection with 1007: a text frame that is not UTF-8")
            self.conn.send_close(1007)
            self.handle_parser_exception()
            return
        self.queue.put_nowait({"type": "websocket.receive", "text": text})
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    async def send(self, message: Any) -> None:
        await super().send(message)
        if message["type"] == "websocket.http.response.body" and not message.get("more_body"):
            # A refusal sent as an HTTP answer ends the handshake too; uvicorn does not mark
            # it, and would log an error and try a 500 when the application returns.
            self.handshake_complete = True


# The parent's callbacks, called directly: cheaper than super() on every request.
_on_message_begin = HttpToolsProtocol.on_message_begin
_on_headers_complete = HttpToolsProtocol.on_headers_complete
_on_response_complete = HttpToolsProtocol.on_response_complete
_handle_websocket_upgrade = HttpToolsProtocol.handle_websocket_upgrade
_data_received = HttpToolsProtocol.data_received


async def _sweep(loop: asyncio.AbstractEventLoop) -> None:
    """Once a second: refuse the heads and bodies not complete in time."""
    timeout = EdgeProtocol._head_timeout or HEAD_TIMEOUT_S
    while EdgeProtocol._open:
        await asyncio.sleep(min(1.0, timeout / 4))
        now = loop.time()
        for connection in list(EdgeProtocol._open):
            connection._check_head_time(now, timeout)
