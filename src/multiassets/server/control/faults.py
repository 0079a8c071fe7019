"""Faults on cue: rules that make matching requests fail the ways Binance fails.

A rule matches by method, path, account and/or API key, fires with a probability (from a
seeded generator, so runs repeat) and/or for the next N matching requests, and does one of
the following. A WebSocket API request's method is ``WS`` and its path the method's name
(``account.status``); its answer frame carries the error with the same status.

- ``latency``: wait ``latencyMs`` (or a random time up to ``latencyMaxMs``), then answer;
- ``unknown_error``: HTTP 503 "Unknown error, please check your request or try again later."
  — execution status unknown: with ``applied`` the request is executed first;
- ``service_unavailable``: HTTP 503 "Service Unavailable." (not executed);
- ``internal_error``: HTTP 503 ``-1001`` (not executed);
- ``timeout``: HTTP 408 ``-1007`` (status unknown: ``applied`` as above);
- ``throttled``: HTTP 503 ``-1008``;
- ``rate_limited`` / ``banned``: HTTP 429 / 418 ``-1003``, as if over the weight limit;
- ``close``: the connection is closed with no answer (``applied`` as above); a WebSocket API
  connection with close code 1011.

Rules are checked after the request passed every check (so its account is known), first
match wins.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from ...admin import AdminError
from ...protocol.errors import (
    DISCONNECTED,
    IP_BANNED,
    SERVICE_UNAVAILABLE,
    THROTTLED,
    TIMEOUT,
    TOO_MANY_REQUESTS,
    UNKNOWN_STATUS,
    ApiError,
    ErrorSpec,
)
from ...protocol.limits import BAN_SHORTEST_S, WEIGHT_WINDOW_MS

__all__ = ["KINDS", "FaultInjector", "FaultRule"]

#: kind -> the error it answers with (None: latency and close answer no error of their own)
KINDS: dict[str, ErrorSpec | None] = {
    "latency": None,
    "unknown_error": UNKNOWN_STATUS,
    "service_unavailable": SERVICE_UNAVAILABLE,
    "internal_error": DISCONNECTED,
    "timeout": TIMEOUT,
    "throttled": THROTTLED,
    "rate_limited": TOO_MANY_REQUESTS,
    "banned": IP_BANNED,
    "close": None,
}
#: Kinds whose outcome is unknown to the client, so the request may have been executed.
MAYBE_APPLIED = ("unknown_error", "timeout", "close")


@dataclass
class FaultRule:
    kind: str
    method: str | None = None
    path: str | None = None
    account: str | None = None
    apiKey: str | None = None
    probability: float = 1.0
    times: int | None = None
    latencyMs: int = 0
    latencyMaxMs: int | None = None
    applied: bool = False
    id: int = 0
    fired: int = field(default=0)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, method: str, path: str, account: str | None, api_key: str | None) -> bool:
        return (
            (self.method is None or self.method == method)
            and (self.path is None or self.path == path)
            and (self.account is None or self.account == account)
            and (self.apiKey is None or self.apiKey == api_key)
        )

    def error(self, ip: str, limit: int, now_ms: int) -> ApiError:
        spec = KINDS[self.kind]
        assert spec is not None
        if self.kind == "rate_limited":
            # As if the minute had just begun, and the shortest ban.
            minute = str(WEIGHT_WINDOW_MS // 1000)
            return ApiError(spec, headers=(("Retry-After", minute),), ip=ip, limit=limit)
        if self.kind == "banned":
            until = now_ms + BAN_SHORTEST_S * 1000
            retry_after = (("Retry-After", str(BAN_SHORTEST_S)),)
            return ApiError(spec, headers=retry_after, ip=ip, until=until)
        return ApiError(spec)


def parse_rule(document: Any) -> FaultRule:
    if not isinstance(document, dict):
        raise AdminError("a fault rule is an object")
    try:
        rule = FaultRule(**document)
    except TypeError as error:
        raise AdminError(f"invalid fault rule: {error}") from None
    if rule.kind not in KINDS:
        raise AdminError(f"kind is one of {', '.join(KINDS)}")
    if not (isinstance(rule.probability, int | float) and 0 < rule.probability <= 1):
        raise AdminError("probability is in (0, 1]")
    if rule.times is not None and (not isinstance(rule.times, int) or rule.times < 1):
        raise AdminError("times is a positive integer")
    if not isinstance(rule.latencyMs, int) or rule.latencyMs < 0:
        raise AdminError("latencyMs is a non-negative integer")
    if rule.latencyMaxMs is not None and (
        not isinstance(rule.latencyMaxMs, int) or rule.latencyMaxMs < rule.latencyMs
    ):
        raise AdminError("latencyMaxMs is an integer no smaller than latencyMs")
    if rule.applied and rule.kind not in MAYBE_APPLIED:
        raise AdminError(f"applied is for {', '.join(MAYBE_APPLIED)}: the others execute nothing")
    if rule.method is not None:
        rule.method = str(rule.method).upper()
    return rule


class FaultInjector:
    def __init__(self, seed: int | None = None) -> None:
        self.rules: list[FaultRule] = []
        self.seed = seed
        self.random = random.Random(seed)
        self._next_id = 1
        #: How many faults fired, by kind (for metrics).
        self.fired: dict[str, int] = {}

    def add(self, rule: FaultRule) -> FaultRule:
        rule.id = self._next_id
        self._next_id += 1
        rule.fired = 0
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> None:
        before = len(self.rules)
        self.rules = [rule for rule in self.rules if rule.id != rule_id]
        if len(self.rules) == before:
            raise AdminError(f"no fault rule {rule_id}", 404)

    def load(self, document: Any) -> None:
        """Replace every rule: ``{"seed": n, "rules": [...]}`` (a config file's content)."""
        if not isinstance(document, dict) or not isinstance(document.get("rules", []), list):
            raise AdminError('faults are {"seed": n, "rules": [...]}')
        rules = [parse_rule(rule) for rule in document.get("rules", [])]
        self.clear(document.get("seed"))
        for rule in rules:
            self.add(rule)

    def clear(self, seed: int | None = None) -> None:
        self.rules = []
        self.seed = seed
        self.random = random.Random(seed)

    def snapshot(self) -> dict[str, Any]:
        """Everything another process needs to run the same rules (shared through Redis)."""
        return {"seed": self.seed, "nextId": self._next_id, "rules": self.to_json()["rules"]}

    def restore(self, document: dict[str, Any]) -> None:
        """Run the rules of a :meth:`snapshot`, ids and all."""
        self.rules = [FaultRule(**rule) for rule in document["rules"]]
        self.seed = document["seed"]
        self.random = random.Random(self.seed)
        self._next_id = document["nextId"]

    def pick(
        self, method: str, path: str, account: str | None, api_key: str | None
    ) -> FaultRule | None:
        for rule in self.rules:
            if not rule.matches(method, path, account, api_key):
                continue
            if rule.probability < 1 and self.random.random() >= rule.probability:
                continue
            rule.fired += 1
            self.fired[rule.kind] = self.fired.get(rule.kind, 0) + 1
            if rule.times is not None and rule.fired >= rule.times:
                self.rules.remove(rule)
            return rule
        return None

    def latency_s(self, rule: FaultRule) -> float:
        if rule.latencyMaxMs is None:
            return rule.latencyMs / 1000
        return self.random.uniform(rule.latencyMs, rule.latencyMaxMs) / 1000

    def to_json(self) -> dict[str, Any]:
        return {"rules": [rule.to_json() for rule in self.rules]}
