"""The server's pings (Binance: every 3 minutes; no pong within 10 minutes and the connection is
closed), on a server whose interval and deadline are set short.

Pings are the transport's, timed by the wall clock (not the server's clock, which only
requests read), so this is the one place these tests wait on it: fractions of a second. The
client is websockets' sans-I/O protocol over a plain socket, so the test decides whether a
ping is answered."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

from ...support import ONCE, Server, running_server

pytestmark = ONCE

INTERVAL_S, DEADLINE_S = 0.2, 0.6


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pings")


@pytest.fixture(scope="module")
def srv(folder: Path) -> Iterator[Server]:
    flags = ("--ws-ping-interval", str(INTERVAL_S), "--ws-pong-timeout", str(DEADLINE_S))
    with running_server(folder, *flags, log=folder / "server.log") as server:
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
    frames = []
    try:
        opened = time.monotonic()
        # Past the deadline twice over: answered, the connection stays open all along.
        while time.monotonic() - opened < 2 * DEADLINE_S:
            frames.append((client.next_frame(answer_pings=True), time.monotonic()))
    finally:
        client.close()
    assert {frame.opcode for frame, _ in frames} == {Opcode.PING}
    payloads = [bytes(frame.data) for frame, _ in frames]
    assert all(len(data) == 4 for data in payloads) and len(set(payloads)) == len(payloads)
    # One every INTERVAL_S (not every DEADLINE_S): 6 in 1.2 s when nothing is late.
    gaps = [later - earlier for (_, earlier), (_, later) in zip(frames, frames[1:], strict=False)]
    assert len(frames) >= 3
    assert all(gap >= INTERVAL_S - 0.05 for gap in gaps), gaps


def test_a_ping_not_answered_in_time_ends_the_connection(srv: Server) -> None:
    client = RawClient(srv.port)
    try:
        ping = client.next_frame(answer_pings=False)
        pinged = time.monotonic()
        closing = client.next_frame(answer_pings=False)
        waited = time.monotonic() - pinged
    finally:
        client.close()
    assert ping.opcode is Opcode.PING
    assert closing.opcode is Opcode.CLOSE
    assert closing.data[:2] == (1011).to_bytes(2, "big")  # the server failed: no pong
    # Closed DEADLINE_S after the ping, not sooner (nor one interval later).
    assert DEADLINE_S - 0.05 <= waited < DEADLINE_S + 1.5, waited


def test_a_text_frame_that_is_not_utf8_closes_with_1007_and_no_traceback(
    srv: Server, folder: Path
) -> None:
    client = RawClient(srv.port)
    try:
        client.protocol.send_text(b'{"id":1,"method":"\xff"}')
        client.flush()
        closing = client.next_frame(answer_pings=False)
        while closing.opcode is Opcode.PING:
            closing = client.next_frame(answer_pings=False)
    finally:
        client.close()
    # RFC 6455 §8.1: invalid UTF-8 in a text frame fails the connection with 1007.
    assert closing.opcode is Opcode.CLOSE
    assert closing.data[:2] == (1007).to_bytes(2, "big")
    log = (folder / "server.log").read_text()
    assert "Traceback" not in log and "UnicodeDecodeError" not in log
