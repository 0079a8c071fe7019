"""Control-plane operations on the running process rather than the database: its clock, its
fault rules and its request log."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from ...account.prices import Market, MarketError
from ...admin import AdminError
from ..api.ratelimit import WeightLimiter
from ..clock import MAX_TIME_MS
from .faults import parse_rule

if TYPE_CHECKING:
    from ..state import ServerState

__all__ = [
    "add_fault",
    "clear_faults",
    "clock_document",
    "faults_document",
    "load_faults",
    "log_document",
    "market_document",
    "patch_market",
    "reset_market",
    "remove_fault",
    "reset_clock",
    "reset_runtime",
    "set_clock",
    "shared",
]


async def shared(
    state: ServerState,
    operation: Callable[[ServerState, Any], Any],
    document: Any,
    changes: bool,
) -> Any:
    """Run a runtime operation on the settings every process shares (through Redis, when the
    server has it): on the latest ones, and, for a change, publish the result; if another
    process published first, redo it on theirs."""
    cluster = state.cluster
    while True:
        await cluster.catch_up_runtime()
        if not changes:
            return operation(state, document)
        before = cluster.runtime_document()
        try:
            result = operation(state, document)
            published = await cluster.publish_runtime()
        except BaseException:
            # Refused half-way, or not published: this process stays as all the others are.
            cluster.apply_runtime(before)
            raise
        if published:
            return result


def clock_document(state: ServerState) -> dict[str, Any]:
    clock = state.clock
    return {
        "serverTime": clock.now_ms(),
        "offsetMs": clock.offset_ms,
        "frozen": clock.frozen_ms is not None,
    }


def set_clock(state: ServerState, document: Any) -> dict[str, Any]:
    """``{"offsetMs": n}`` shifts the clock (and lets it run); ``{"freeze": true}`` holds it at
    the current server time, or at ``"at"`` (ms); ``{"freeze": false}`` lets it run again from
    where it stands."""
    if not isinstance(document, dict) or not document.keys() <= {"offsetMs", "freeze", "at"}:
        raise AdminError('the clock takes {"offsetMs": ms} or {"freeze": true|false, "at": ms}')
    clock = state.clock
    if "offsetMs" in document:
        offset = document["offsetMs"]
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise AdminError("offsetMs must be an integer number of milliseconds")
        clock.frozen_ms = None
        clock.offset_ms = offset
    freeze = document.get("freeze")
    if freeze is True:
        at = document.get("at", clock.now_ms())
        if isinstance(at, bool) or not isinstance(at, int):
            raise AdminError("at must be a time in milliseconds")
        clock.frozen_ms = at
    elif freeze is False and clock.frozen_ms is not None:
        # Run on from the frozen moment: the offset makes now equal to it.
        frozen, clock.frozen_ms = clock.frozen_ms, None
        clock.offset_ms += frozen - clock.now_ms()
    elif freeze is not None and freeze is not False:
        raise AdminError("freeze must be true or false")
    now = clock.now_ms()
    if not 0 <= now <= MAX_TIME_MS:
        # Refused: shared() puts the clock back as it was.
        raise AdminError(
            f"server time would be {now} ms: it must be from 0 (1970-01-01T00:00:00Z) to "
            f"{MAX_TIME_MS} (9999-12-31T23:59:59.999Z)"
        )
    return clock_document(state)


def reset_clock(state: ServerState, document: Any) -> dict[str, Any]:
    state.clock.offset_ms = 0
    state.clock.frozen_ms = None
    return clock_document(state)


def log_document(state: ServerState, query: bytes) -> dict[str, Any]:
    """``GET /_multiassets/log?since=SEQ&account=NAME&refused=1&limit=N``: the request log."""
    fields = parse_qs(query.decode("latin-1"))

    def one(name: str) -> str | None:
        values = fields.get(name)
        return values[-1] if values else None

    try:
        since = int(one("since") or 0)
        limit = int(one("limit") or 200)
    except ValueError:
        raise AdminError("since and limit are integers") from None
    entries, last = state.inspector.entries(
        since, one("account"), one("refused") in ("1", "true"), max(1, min(limit, 2000))
    )
    return {"entries": [entry.to_json() for entry in entries], "last": last}


def faults_document(state: ServerState, document: Any = None) -> dict[str, Any]:
    return state.faults.to_json()


def add_fault(state: ServerState, document: Any) -> dict[str, Any]:
    return state.faults.add(parse_rule(document)).to_json()


def load_faults(state: ServerState, document: Any) -> dict[str, Any]:
    state.faults.load(document)
    return state.faults.to_json()


def remove_fault(state: ServerState, document: Any, *, rule_id: int) -> dict[str, Any]:
    state.faults.remove(rule_id)
    return state.faults.to_json()


def clear_faults(state: ServerState, document: Any = None) -> dict[str, Any]:
    state.faults.clear()
    return state.faults.to_json()


def market_document(state: ServerState, document: Any = None) -> dict[str, Any]:
    return state.market.to_json()


def patch_market(state: ServerState, document: Any) -> dict[str, Any]:
    """Move the prices ``document`` names (``{"markPrices": {symbol: price}, "assetIndex":
    {asset: {field: value}}}``); the others stay."""
    try:
        market = state.market.patched(document)
    except MarketError as error:
        raise AdminError(str(error)) from None
    state.market.mark_prices, state.market.asset_index = market.mark_prices, market.asset_index
    return market_document(state)


def reset_market(state: ServerState, document: Any = None) -> dict[str, Any]:
    market = Market()
    state.market.mark_prices, state.market.asset_index = market.mark_prices, market.asset_index
    return market_document(state)


def reset_runtime(state: ServerState, document: Any = None) -> None:
    """What ``POST /_multiassets/reset`` clears besides the database, as a new process would
    start: only the fault rules of ``--faults FILE`` (numbered from 1 again, but with Redis,
    whose count of a rule's firings is kept by its id, where they go on), the clock and
    prices back to their defaults, an empty request log (its numbering goes on, so a
    follower's ``since`` still works), and every IP's weight, 429 and ban forgotten. The
    weight counted in Redis (a server with ``--redis``) stays, and so do the metrics:
    Prometheus counters only ever grow."""
    next_id = 1 if state.shared is None else state.faults.snapshot()["nextId"]
    state.faults.restore({"seed": None, "nextId": next_id, "rules": []})
    if state.started_faults is not None:
        state.faults.load(state.started_faults)
    reset_clock(state, None)
    reset_market(state)
    state.inspector.clear()
    limiter = state.limiter
    if isinstance(limiter, WeightLimiter):
        # A new limiter rather than one emptied: requests in flight finish on the old one.
        state.limiter = WeightLimiter(limiter.limit, limiter.bans, limiter.clock)
