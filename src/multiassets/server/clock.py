"""The server's clock: every time the server reads (serverTime, recvWindow, weight windows,
bans) comes from one :class:`Clock`, so it can be moved as a whole."""

from __future__ import annotations

import time

__all__ = ["MAX_TIME_MS", "Clock"]

#: The latest server time the clock may be set to: 9999-12-31T23:59:59.999Z. Binance's times
#: are Java longs, but clients turn them into dates (four-digit years end there) and Redis's
#: Lua into doubles (exact up to 2**53 ms, year 287396): within this bound both hold.
MAX_TIME_MS = 253_402_300_799_999


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
