"""The weight limiter against a clock the test moves: minutes and bans without waiting."""

from __future__ import annotations

import pytest

from multiassets.protocol.errors import ApiError
from multiassets.server.api.ratelimit import BanPolicy, WeightLimiter
from multiassets.server.clock import Clock

START = 1_800_000_000_000  # a minute boundary
IP = "10.1.2.3"


def limiter(limit: int = 60, clock: Clock | None = None) -> WeightLimiter:
    return WeightLimiter(limit, BanPolicy(), clock or Clock(frozen_ms=START))


def refusal(limit: WeightLimiter, weight: int = 30) -> ApiError:
    with pytest.raises(ApiError) as caught:
        limit.charge_now(IP, weight)
    return caught.value


def test_charge_adds_weight_within_the_minute() -> None:
    weights = limiter(limit=2400)
    assert [weights.charge_now(IP, 30) for _ in range(3)] == [30, 60, 90]
    assert weights.used_now(IP) == 90
    assert weights.used_now("10.9.9.9") == 0


def test_window_resets_at_the_minute_boundary() -> None:
    clock = Clock(frozen_ms=START + 59_999)
    weights = limiter(clock=clock)
    assert weights.charge_now(IP, 30) == 30
    clock.frozen_ms = START + 60_000
    assert weights.used_now(IP) == 0
    assert weights.charge_now(IP, 30) == 30


def test_over_limit_answers_429_with_retry_after_until_next_minute() -> None:
    clock = Clock(frozen_ms=START + 15_500)
    weights = limiter(clock=clock)
    weights.charge_now(IP, 30)
    weights.charge_now(IP, 30)
    error = refusal(weights)
    assert (error.code, error.status) == (-1003, 429)
    assert error.msg == (
        "Too many requests; current limit of IP(10.1.2.3) is 60 requests per minute. "
        "Please use the websocket for live updates to avoid polling the API."
    )
    assert error.headers == (("Retry-After", "45"),)
    assert weights.used_now(IP) == 90


def test_request_after_429_earns_a_two_minute_ban() -> None:
    clock = Clock(frozen_ms=START + 1_000)
    weights = limiter(clock=clock)
    weights.charge_now(IP, 60)
    assert refusal(weights).status == 429
    ban = refusal(weights)
    until = START + 1_000 + 120_000
    assert (ban.code, ban.status) == (-1003, 418)
    assert ban.msg == (
        f"Way too many requests; IP(10.1.2.3) banned until {until}. "
        "Please use the websocket for live updates to avoid bans."
    )
    assert ban.headers == (("Retry-After", "120"),)
    # Still banned in later minutes, with the time left counted down.
    clock.frozen_ms = until - 500
    assert refusal(weights, weight=1).headers == (("Retry-After", "1"),)
    clock.frozen_ms = until
    assert weights.charge_now(IP, 1) == 1


def test_ban_length_doubles_for_repeat_offenders_up_to_three_days() -> None:
    clock = Clock(frozen_ms=START)
    weights = limiter(clock=clock)
    lengths = []
    for _ in range(14):
        weights.charge_now(IP, 60)
        refusal(weights)
        ban = refusal(weights)
        lengths.append(int(dict(ban.headers)["Retry-After"]))
        now = clock.now_ms() + lengths[-1] * 1000
        clock.frozen_ms = now + 60_000 - now % 60_000  # the start of a fresh minute
    assert lengths == [120 << n for n in range(12)] + [259_200] * 2


def test_offences_are_forgotten_after_a_day_without_a_ban() -> None:
    clock = Clock(frozen_ms=START)
    weights = limiter(clock=clock)
    for expected in (120, 240):
        weights.charge_now(IP, 60)
        refusal(weights)
        assert refusal(weights).headers == (("Retry-After", str(expected)),)
        clock.frozen_ms = clock.now_ms() + 10 * 60_000
    clock.frozen_ms = clock.now_ms() + 25 * 3600 * 1000
    weights.charge_now(IP, 60)
    refusal(weights)
    assert refusal(weights).headers == (("Retry-After", "120"),)


def test_other_ips_are_not_affected_by_a_ban() -> None:
    weights = limiter()
    weights.charge_now(IP, 60)
    refusal(weights)
    refusal(weights)
    assert weights.charge_now("10.9.9.9", 30) == 30


def test_idle_ips_are_forgotten_at_the_next_minute() -> None:
    clock = Clock(frozen_ms=START)
    weights = limiter(clock=clock)
    for n in range(100):
        weights.charge_now(f"10.0.0.{n}", 1)
    clock.frozen_ms = START + 60_000
    weights.charge_now(IP, 1)
    assert weights.used_now("10.0.0.1") == 0
    assert len(weights._ips) == 1
