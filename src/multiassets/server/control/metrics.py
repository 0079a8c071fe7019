"""Prometheus metrics for the control plane's ``/_multiassets/metrics``.

The hot path only adds to plain counters (a dict increment and a bucket index per request);
prometheus_client renders them, in its text format, when scraped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from ...protocol.errors import IP_BANNED, TOO_MANY_REQUESTS

if TYPE_CHECKING:
    from .faults import FaultInjector

__all__ = ["Metrics"]

#: Latency buckets, seconds.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics(Collector):
    def __init__(self, faults: FaultInjector) -> None:
        self.faults = faults
        self.requests: dict[tuple[str, str, int, int], int] = {}
        self.buckets = [0] * (len(BUCKETS) + 1)
        self.latency_sum = 0.0
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)

    def observe(self, method: str, path: str, status: int, code: int, seconds: float) -> None:
        key = (method, path, status, code)
        self.requests[key] = self.requests.get(key, 0) + 1
        self.buckets[bisect_left(BUCKETS, seconds)] += 1
        self.latency_sum += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "multiassets_requests",
            "Requests answered, by endpoint, HTTP status and Binance code (0 for none).",
            labels=["method", "path", "status", "code"],
        )
        refusals = CounterMetricFamily(
            "multiassets_weight_refusals",
            "Requests refused for request weight: 429, 418 (bans).",
            labels=["status"],
        )
        # Both statuses always shown, at 0 before any refusal.
        by_status = {TOO_MANY_REQUESTS.status: 0, IP_BANNED.status: 0}
        for (method, path, status, code), count in self.requests.items():
            requests.add_metric([method, path, str(status), str(code)], count)
            if code == TOO_MANY_REQUESTS.code:
                by_status[status] = by_status.get(status, 0) + count
        for status, count in by_status.items():
            refusals.add_metric([str(status)], count)
        yield requests
        yield refusals
        cumulative, running = [], 0
        for bound, count in zip((*map(str, BUCKETS), "+Inf"), self.buckets, strict=True):
            running += count
            cumulative.append((bound, running))
        yield HistogramMetricFamily(
            "multiassets_request_seconds",
            "Time to answer a request, in the server.",
            buckets=cumulative,
            sum_value=self.latency_sum,
        )
        faults = CounterMetricFamily(
            "multiassets_injected_faults", "Faults injected, by kind.", labels=["kind"]
        )
        for kind, count in self.faults.fired.items():
            faults.add_metric([kind], count)
        yield faults

    def render(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)
