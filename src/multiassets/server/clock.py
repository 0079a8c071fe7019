"""The server's clock: every time the server reads (serverTime, recvWindow, weight windows,
bans) comes from one :class:`Clock`, so it can be moved as a whole."""

from __future__ import annotations

import time

__all__ = ["Clock"]


class Clock:
    """Wall-clock milliseconds, shifted by ``offset_ms`` or held at ``frozen_ms``."""

    __slots__ = ("frozen_ms", "offset_ms")

    def __init__(self, offset_ms: int = 0, frozen_ms: int | None = None) -> None:
        self.offset_ms = offset_ms
        self.frozen_ms = frozen_ms

    def now_ms(self) -> int:
        if self.frozen_ms is not None:
            return self.frozen_ms
        return time.time_ns() // 1_000_000 + self.offset_ms
