"""What server processes share through Redis (``--redis``), so that N workers on M nodes answer
as one server: each client IP's weight and bans, the runtime settings (clock, fault rules), a
counter of committed changes, and the listenKeys.

Every request pays one Redis round trip, but not alone: the charges that arrive while one is in
flight go together in the next (:class:`SharedLimiter`), one script call for the whole batch, so
under load redis-py's ~100 µs per call is spread over many requests. The same reply carries the
runtime settings' version and the change counter, so a process learns in the same trip that
another one moved the clock or committed a change, and catches up (``node.py``) before it
answers.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import orjson

from ...protocol.errors import DISCONNECTED, ApiError
from ...protocol.limits import WEIGHT_WINDOW_MS as WINDOW_MS
from ..api.ratelimit import FORGIVE_AFTER_MS, BanPolicy, banned, too_many

if TYPE_CHECKING:
    from .node import RedisCluster

__all__ = [
    "CHANGES_KEPT",
    "Changes",
    "Shared",
    "SharedLimiter",
    "SharedUnavailable",
    "default_prefix",
]

# KEYS: runtime version, change counter, then one hash per IP.
# ARGV: the caller's runtime version, now, limit, shortest ban, longest ban, forgive-after,
# window, the change counter as the caller last saw it, then one weight per IP. The same rules
# as WeightLimiter (api/ratelimit.py), per IP in turn.
# Returns {runtime version, change counter} alone when the caller's runtime is stale (nothing
# charged), else those, then the count of change entries that follow (the ones the caller has
# not seen, when there are few; -1 when there are too many), the entries, then (outcome, used,
# banned until, offences) per IP, where outcome is 0 within the limit, 1 for a 429 and 2 for a
# 418.
_CHARGE = """
local runtime = tonumber(redis.call('GET', KEYS[1]) or '0')
local changes = tonumber(redis.call('GET', KEYS[2]) or '0')
if runtime ~= tonumber(ARGV[1]) then return {runtime, changes} end
local now, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local shortest, longest = tonumber(ARGV[4]), tonumber(ARGV[5])
local forgive, window = tonumber(ARGV[6]), tonumber(ARGV[7])
local minute = math.floor(now / window)
local seen = tonumber(ARGV[8])
local out = {runtime, changes}
if changes == seen then
  table.insert(out, 0)
elseif changes > seen and changes - seen <= 32 then
  table.insert(out, changes - seen)
  for n = seen + 1, changes do
    table.insert(out, redis.call('GET', KEYS[2] .. ':' .. n) or '')
  end
else
  table.insert(out, -1)
end
for i = 3, #KEYS do
  local s = redis.call('HMGET', KEYS[i], 'm', 'u', 'w', 'b', 'o')
  local m, used = tonumber(s[1] or '-1'), tonumber(s[2] or '0')
  local warned, bans, offences = s[3] == '1', tonumber(s[4] or '0'), tonumber(s[5] or '0')
  local outcome = 0
  if offences > 0 and bans > now then
    outcome = 2
    if m ~= minute then used = 0 end
  else
    if m ~= minute then m, used, warned = minute, 0, false end
    used = used + tonumber(ARGV[i + 6])
    if used > limit then
      if warned then
        if now - bans > forgive then offences = 0 end
        bans = now + math.min(shortest * 2 ^ math.min(offences, 32), longest)
        offences = offences + 1
        outcome = 2
      else
        warned = true
        outcome = 1
      end
    end
    redis.call('HSET', KEYS[i], 'm', m, 'u', used, 'w', warned and '1' or '0', 'b', bans,
      'o', offences)
    -- Redis keeps time in real milliseconds, the server's clock may be moved or frozen: keep
    -- the state long enough for any window or ban the server's clock can still be in.
    redis.call('PEXPIRE', KEYS[i], 2 * forgive)
  end
  table.insert(out, outcome)
  table.insert(out, used)
  table.insert(out, bans)
  table.insert(out, offences)
end
return out
"""

# KEYS: runtime version, runtime document. ARGV: expected version, new document.
_PUBLISH_RUNTIME = """
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then return -1 end
redis.call('SET', KEYS[2], ARGV[2])
return redis.call('INCR', KEYS[1])
"""


# KEYS: the change counter. ARGV: what changed ("*" or account ids), how long to keep it.
_COUNT_CHANGE = """
local n = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[1] .. ':' .. n, ARGV[1], 'PX', ARGV[2])
return n
"""

#: How far behind a process may fall and still learn which accounts changed (else it reads
#: everything again).
CHANGES_KEPT = 512


#: What committed changes did, by account: (its new version, its new mode, its updated_ms if
#: known) for a change of mode alone, None for anything else (read the account again).
Changes = dict[int, tuple[int, bool, int | None] | None]


def read_changes(entries: list[bytes | None]) -> Changes | None:
    """What change entries say, by account; None if one is missing or changed anything."""
    changed: Changes = {}
    for entry in entries:
        if not entry or entry == b"*":
            return None
        for part in entry.decode().split(","):
            account, *mode = part.split(":")
            if not account:
                continue
            known = changed.get(int(account), ())
            if mode and known is not None:
                # A later mode change of an account supersedes an earlier one.
                at = int(mode[2]) if len(mode) > 2 and mode[2] else None
                changed[int(account)] = (int(mode[0]), mode[1] == "1", at)
            else:
                changed[int(account)] = None
    return changed


class SharedUnavailable(Exception):
    """Redis could not be reached or did not answer in time."""


def default_prefix(database_identity: str) -> str:
    """Servers on one database share one set of Redis keys, whatever URL each reaches it by;
    servers on different databases, none (one Redis can serve many test runs)."""
    return "multiassets:" + hashlib.sha256(database_identity.encode()).hexdigest()[:12] + ":"


class Shared:
    """One process's link to Redis, and the operations the server needs of it."""

    def __init__(self, url: str, prefix: str) -> None:
        try:
            import redis.asyncio as aioredis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
        except ImportError:
            raise SharedUnavailable(
                "Redis needs redis-py: pip install 'multiassets[redis]'"
            ) from None
        from redis.exceptions import RedisError

        self.url = url
        self.prefix = prefix
        self.errors: tuple[type[Exception], ...] = (RedisError, OSError, asyncio.TimeoutError)
        # Fail fast: a request waits on Redis at most this long, then gets -1001 (503).
        self.redis = aioredis.Redis.from_url(
            url,
            socket_timeout=2.0,
            socket_connect_timeout=1.0,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=0,
        )
        self.runtime_version_key = prefix + "runtime:version"
        self.runtime_key = prefix + "runtime"
        self.changes_key = prefix + "changes"
        self._charge = self.redis.register_script(_CHARGE)
        self._count_change = self.redis.register_script(_COUNT_CHANGE)
        self._publish = self.redis.register_script(_PUBLISH_RUNTIME)

    def ip_key(self, ip: str) -> str:
        return self.prefix + "weight:" + ip

    async def call(self, operation: Awaitable[Any]) -> Any:
        """Await one Redis operation; its failures become :class:`SharedUnavailable`."""
        try:
            return await operation
        except self.errors as error:
            raise SharedUnavailable(f"Redis at {self.url} did not answer: {error}") from error

    async def healthy(self) -> bool:
        try:
            return bool(await self.call(self.redis.ping()))
        except SharedUnavailable:
            return False

    async def charge(self, runtime_version: int, now: int, args: list[Any], ips: list[str]) -> Any:
        keys = [self.runtime_version_key, self.changes_key, *(self.ip_key(ip) for ip in ips)]
        return await self.call(self._charge(keys=keys, args=[runtime_version, now, *args]))

    async def used(self, ip: str, now: int) -> int:
        minute, used = await self.call(self.redis.hmget(self.ip_key(ip), "m", "u"))
        return int(used) if minute is not None and int(minute) == now // WINDOW_MS else 0

    async def runtime(self) -> tuple[int, dict[str, Any] | None]:
        """The runtime settings' version and document (None: never published)."""
        version, document = await self.call(
            self.redis.mget(self.runtime_version_key, self.runtime_key)
        )
        return int(version or 0), orjson.loads(document) if document else None

    async def publish_runtime(self, expected: int, document: dict[str, Any]) -> int | None:
        """Replace the runtime settings if they are still at ``expected``: the new version,
        or None if another process changed them first."""
        keys = [self.runtime_version_key, self.runtime_key]
        version = await self.call(self._publish(keys=keys, args=[expected, orjson.dumps(document)]))
        return None if int(version) < 0 else int(version)

    async def count_change(self, changes: Changes | None) -> int:
        """Count a committed change (None: to anything, keys included); every process learns
        of it on its next request."""
        if changes is None:
            what = "*"
        else:
            what = ",".join(
                f"{account}"
                if mode is None
                else f"{account}:{mode[0]}:{int(mode[1])}:{'' if mode[2] is None else mode[2]}"
                for account, mode in changes.items()
            )
        keys = [self.changes_key]
        return int(await self.call(self._count_change(keys=keys, args=[what, 600_000])))

    async def changed_accounts(self, after: int, upto: int) -> Changes | None:
        """What changes ``after`` (exclusive) to ``upto`` changed, by account (None: the whole
        account must be read again); None when that is not known (too far behind, entries
        gone, a change to anything)."""
        if not 0 <= upto - after <= CHANGES_KEPT:
            return None
        names = [f"{self.changes_key}:{n}" for n in range(after + 1, upto + 1)]
        return read_changes(await self.call(self.redis.mget(names)) if names else [])

    async def claim_fault(self, rule_id: int, times: int) -> bool:
        """Whether a rule that fires ``times`` times in all may fire once more."""
        key = f"{self.prefix}fault:{rule_id}"
        fired = int(await self.call(self.redis.incr(key)))
        await self.call(self.redis.expire(key, 86_400))
        return fired <= times

    async def close(self) -> None:
        await self.redis.aclose()


class SharedLimiter:
    """Weight and bans counted in Redis: exactly one budget per client IP for every process.

    Each charge names the runtime settings ``cluster`` runs on; when Redis has newer ones, the
    cluster takes them (the charge is retried on the new clock). After each batch, the cluster
    catches up with the change counter the reply brought, before any request of the batch goes
    on: a change acknowledged anywhere is seen by every request that starts after it.
    """

    def __init__(self, cluster: RedisCluster, limit: int, bans: BanPolicy) -> None:
        self.cluster = cluster
        self.shared = cluster.shared
        self.clock = cluster.clock
        self.limit = limit
        self._args = [limit, bans.shortest_s * 1000, bans.longest_s * 1000, FORGIVE_AFTER_MS]
        self._args.append(WINDOW_MS)
        self._pending: list[tuple[str, int, asyncio.Future[tuple[int, ...]]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def used(self, ip: str) -> int:
        try:
            return await self.shared.used(ip, self.clock.now_ms())
        except SharedUnavailable:
            raise ApiError(DISCONNECTED, reason="Redis did not answer") from None

    async def charge(self, ip: str, weight: int) -> int:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[int, ...]] = loop.create_future()
        self._pending.append((ip, weight, future))
        if self._flushing is None:
            self._flushing = loop.create_task(self._flush())
        outcome, used, until, offences, now = await future
        if outcome == 0:
            return used
        if outcome == 1:
            raise too_many(ip, used, self.limit, now)
        raise banned(ip, used, until, offences, now)

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    outcomes = await self._charge(batch)
                except Exception as error:
                    # Redis, or the database while catching up, did not answer: -1001.
                    if not isinstance(error, ApiError):
                        error = ApiError(DISCONNECTED, reason=f"a service is down: {error}")
                    for *_, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (*_, future), outcome in zip(batch, outcomes, strict=True):
                    if not future.done():
                        future.set_result(outcome)
        finally:
            self._flushing = None

    async def _charge(self, batch: list[Any]) -> list[tuple[int, ...]]:
        ips = [ip for ip, _, _ in batch]
        weights = [weight for _, weight, _ in batch]
        cluster = self.cluster
        while True:
            now = self.clock.now_ms()
            args = [*self._args, cluster.changes_seen, *weights]
            reply = await self.shared.charge(cluster.runtime_version, now, args, ips)
            if len(reply) == 2:  # another process changed the clock or faults: take them first
                await cluster.catch_up_runtime()
                continue
            count = int(reply[2])
            start = 3 + max(count, 0)
            # The changes the reply carries, unless there were too many to carry.
            changes = read_changes(reply[3:start]) if count >= 0 else None
            await cluster.catch_up_changes(int(reply[1]), changes)
            return [
                (int(reply[i]), int(reply[i + 1]), int(reply[i + 2]), int(reply[i + 3]), now)
                for i in range(start, len(reply), 4)
            ]
