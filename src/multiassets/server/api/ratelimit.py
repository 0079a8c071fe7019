"""Request weight per client IP, in fixed one-minute windows, and the bans that follow.

Binance's rule (General Info, "IP Limits"): over the limit, HTTP 429; an IP that keeps sending
after a 429 is banned (HTTP 418) for a time that grows for repeat offenders, from 2 minutes to
3 days. Our choices where Binance is silent are in PARITY.md: a request that arrives after a 429
in the same window and is again over the limit earns the ban; ban lengths double from the
shortest to the longest; an IP's offence count is forgotten a day after its last ban ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ...protocol.errors import IP_BANNED, TOO_MANY_REQUESTS, ApiError
from ...protocol.limits import BAN_LONGEST_S, BAN_SHORTEST_S
from ...protocol.limits import WEIGHT_WINDOW_MS as WINDOW_MS
from ..clock import Clock

__all__ = ["BanPolicy", "Limiter", "WeightLimiter", "WeightRefused", "banned", "too_many"]

FORGIVE_AFTER_MS = 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class BanPolicy:
    """Ban lengths: the first is ``shortest_s``; each repeat doubles it, up to ``longest_s``."""

    shortest_s: int = BAN_SHORTEST_S
    longest_s: int = BAN_LONGEST_S

    def length_ms(self, offences: int) -> int:
        seconds = min(self.shortest_s << min(offences, 32), self.longest_s)
        return seconds * 1000


class WeightRefused(ApiError):
    """A 429 or 418 from the weight limit, with the weight the IP has used this minute."""

    used_weight: int = 0


def too_many(ip: str, used: int, limit: int, now: int) -> WeightRefused:
    """The 429 for ``ip``, which used ``used`` of ``limit`` in the minute holding ``now``."""
    window_end = (now // WINDOW_MS + 1) * WINDOW_MS
    error = WeightRefused(
        TOO_MANY_REQUESTS,
        headers=(("Retry-After", str(-(-(window_end - now) // 1000))),),
        reason=f"this IP used {used} of {limit} weight this minute; another request before "
        "the minute ends earns a ban",
        ip=ip,
        limit=limit,
    )
    error.used_weight = used
    return error


def banned(ip: str, used: int, until: int, offences: int, now: int) -> WeightRefused:
    """The 418 for ``ip``, banned until ``until`` (ms) for its ``offences``-th offence."""
    retry_after = -(-(until - now) // 1000)
    error = WeightRefused(
        IP_BANNED,
        headers=(("Retry-After", str(retry_after)),),
        reason=f"this IP kept sending after a 429: banned for {retry_after} s more "
        f"(offence {offences})",
        ip=ip,
        until=until,
    )
    error.used_weight = used
    return error


class Limiter(Protocol):
    """Where the weight is counted: in this process, or shared through Redis."""

    async def charge(self, ip: str, weight: int) -> int:
        """Add ``weight`` to ``ip``'s minute and return its total; raises
        :class:`WeightRefused` (429 or 418)."""
        ...

    async def used(self, ip: str) -> int:
        """The weight ``ip`` has used this minute."""
        ...


class _IpState:
    __slots__ = ("banned_until", "minute", "offences", "used", "warned")

    def __init__(self, minute: int) -> None:
        self.minute = minute
        self.used = 0
        self.warned = False
        self.banned_until = 0
        self.offences = 0


class WeightLimiter:
    """The weight counted in this process: charges each request's weight to its IP and
    refuses with -1003 when over the limit."""

    def __init__(self, limit: int, bans: BanPolicy, clock: Clock) -> None:
        self.limit = limit
        self.bans = bans
        self.clock = clock
        self._ips: dict[str, _IpState] = {}
        self._swept_minute = 0

    async def used(self, ip: str) -> int:
        return self.used_now(ip)

    async def charge(self, ip: str, weight: int) -> int:
        return self.charge_now(ip, weight)

    def used_now(self, ip: str) -> int:
        """The weight ``ip`` has used in the current window."""
        state = self._ips.get(ip)
        if state is None or state.minute != self.clock.now_ms() // WINDOW_MS:
            return 0
        return state.used

    def charge_now(self, ip: str, weight: int) -> int:
        """Add ``weight`` to ``ip``'s window and return the window's total.

        Raises the 418 ban or the 429 refusal as :class:`WeightRefused`, with ``Retry-After``.
        """
        now = self.clock.now_ms()
        minute = now // WINDOW_MS
        state = self._ips.get(ip)
        if state is None:
            if minute != self._swept_minute:
                self._sweep(minute, now)
            state = self._ips[ip] = _IpState(minute)
        if state.offences and state.banned_until > now:  # only a 429 ignored earns a ban
            raise self._banned(ip, state, now)
        if state.minute != minute:
            state.minute = minute
            state.used = 0
            state.warned = False
        state.used += weight
        if state.used <= self.limit:
            return state.used
        if state.warned:
            if now - state.banned_until > FORGIVE_AFTER_MS:
                state.offences = 0
            state.banned_until = now + self.bans.length_ms(state.offences)
            state.offences += 1
            raise self._banned(ip, state, now)
        state.warned = True
        raise too_many(ip, state.used, self.limit, now)

    def _banned(self, ip: str, state: _IpState, now: int) -> WeightRefused:
        used = state.used if state.minute == now // WINDOW_MS else 0
        return banned(ip, used, state.banned_until, state.offences, now)

    def _sweep(self, minute: int, now: int) -> None:
        """Forget IPs with nothing left to remember (idle window, no ban, no offences)."""
        self._swept_minute = minute
        stale = [
            ip
            for ip, state in self._ips.items()
            if state.minute != minute
            and state.banned_until <= now
            and (state.offences == 0 or now - state.banned_until > FORGIVE_AFTER_MS)
        ]
        for ip in stale:
            del self._ips[ip]
