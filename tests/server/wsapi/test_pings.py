"""The server's pings (Binance: every 3 minutes; no pong within 10 minutes and the connection is
closed), on a server whose interval and deadline are set short.

Pings are the transport's, timed by the wall clock (not the server's clock, which only
requests read), so this is the one place these tests wait on it: fractions of a second. The
client is websockets' sans-I/O protocol over a plain socket, so the test decides whether a
ping is answered."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

from ...support import ONCE, Server, running_server

pytestmark = ONCE

INTERVAL_S, DEADLINE_S = 0.2, 0.6


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    flags = ("--ws-ping-interval", str(INTERVAL_S), "--ws-pong-timeout", str(DEADLINE_S))
    with running_server(tmp_path_factory.mktemp("pings"), *flags) as server:
        yield server


class RawClient:
    """A WebSocket client that answers pings only when told to."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.protocol = ClientProtocol(parse_uri(f"ws://127.0.0.1:{port}/ws-fapi/v1"))
        self.protocol.send_request(self.protocol.connect())
        self.flush()
        while self.protocol.handshake_exc is None and not self._accepted():
            self.protocol.receive_data(self.sock.recv(65536))
        self.protocol.events_received()  # the handshake's answer

    def _accepted(self) -> bool:
        return self.protocol.state.name == "OPEN"

    def flush(self) -> None:
        self.sock.sendall(b"".join(self.protocol.data_to_send()))

    def next_frame(self, answer_pings: bool) -> Frame:
        """The next frame the server sends; a ping answered (its pong sent) if asked."""
        while True:
            events = self.protocol.events_received()
            if events:
                frame = events[0]
                assert isinstance(frame, Frame)
                if answer_pings:
                    self.flush()  # the protocol queued the pong, the ping's payload copied
                else:
                    self.protocol.data_to_send()  # ... and it is never sent
                return frame
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("the server closed the connection")
            self.protocol.receive_data(data)

    def close(self) -> None:
        self.sock.close()


def test_the_server_pings_and_an_answered_ping_keeps_the_connection(srv: Server) -> None:
    client = RawClient(srv.port)
    try:
        first = client.next_frame(answer_pings=True)
        second = client.next_frame(answer_pings=True)
    finally:
        client.close()
    assert (first.opcode, second.opcode) == (Opcode.PING, Opcode.PING)
    assert len(first.data) == 4 and first.data != second.data  # each ping its own payload


def test_a_ping_not_answered_in_time_ends_the_connection(srv: Server) -> None:
    client = RawClient(srv.port)
    try:
        ping = client.next_frame(answer_pings=False)
        closing = client.next_frame(answer_pings=False)
    finally:
        client.close()
    assert ping.opcode is Opcode.PING
    assert closing.opcode is Opcode.CLOSE
    assert closing.data[:2] == (1011).to_bytes(2, "big")  # the server failed: no pong
