"""Raw HTTP on a socket, for the tests of what the edge answers (and of framing)."""

from __future__ import annotations

import contextlib
import socket
import time

from ...support import Server

__all__ = ["exchange", "page", "status_of"]


def exchange(srv: Server, data: bytes, *, pause: float = 0, timeout: float = 10) -> bytes:
    """Send ``data`` on a new connection (after ``pause`` s), then read what comes back until
    the server closes the connection or says nothing more for a moment."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=timeout) as sock:
        if pause:
            time.sleep(pause)
        # The server may answer and stop reading before all is sent: what it said is still there.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        chunks = []
        sock.settimeout(3)  # longer than the server's 1 s head and body timeouts
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                sock.settimeout(0.3)  # an answer came: wait only for the rest of it
        except TimeoutError:
            pass
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def page(status: int, reason: str) -> bytes:
    title = f"{status} {reason}".encode()
    return (
        b"<html>\r\n<head><title>"
        + title
        + b"</title></head>\r\n<body>\r\n<center><h1>"
        + (title + b"</h1></center>\r\n</body>\r\n</html>\r\n")
    )
