"""What a transport and the core hand each other: a request to send, a pause, an answer.

Plain classes with ``__slots__``: made on every call, where a frozen dataclass costs ~1 µs
more, and importable without dataclasses, typing or re (``import multiassets`` stays light).
"""

from __future__ import annotations

# Not typing's TYPE_CHECKING: importing typing costs ~15 ms. Type checkers take it as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Generator
    from typing import Any, Protocol, TypeAlias

    class Headers(Protocol):
        """Looked up with Binance's spelling; transports pass their case-insensitive headers."""

        def get(self, name: str, /) -> str | None: ...

    #: An operation: yields requests (and pauses), receives answers, returns its result.
    Flow: TypeAlias = Generator["Prepared | Sleep", "Answer | None", Any]

__all__ = ["Answer", "Prepared", "Sleep"]


def _repr(obj: object, fields: tuple[str, ...]) -> str:
    inner = ", ".join(f"{name}={getattr(obj, name)!r}" for name in fields)
    return f"{obj.__class__.__name__}({inner})"


class Prepared:
    """A request ready to send: ``target`` is the path and query string, as signed."""

    __slots__ = ("body", "headers", "method", "target")

    def __init__(self, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return _repr(self, ("method", "target", "headers", "body"))


class Sleep:
    """A pause the transport takes before resuming the flow."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __repr__(self) -> str:
        return _repr(self, ("seconds",))


class Answer:
    """An answer, with the local clock when the request went out and when the answer came."""

    __slots__ = ("body", "headers", "received_ms", "sent_ms", "status")

    def __init__(
        self, status: int, headers: Headers, body: bytes, sent_ms: int, received_ms: int
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.sent_ms = sent_ms
        self.received_ms = received_ms

    def __repr__(self) -> str:
        return _repr(self, ("status", "headers", "body", "sent_ms", "received_ms"))
