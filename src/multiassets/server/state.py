"""Everything one server process holds: store, registry, commit queue, clock, limiter, and its
place among the other processes (:mod:`.cluster`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..account.prices import Market
from ..admin import Admin
from ..store import Store, StoreError, open_store
from .api.exchange_info import ExchangeInfo
from .api.ratelimit import BanPolicy, Limiter, WeightLimiter
from .clock import Clock
from .cluster.node import Cluster, RedisCluster
from .cluster.shared import Shared, SharedLimiter, SharedUnavailable, default_prefix
from .config import ServerConfig
from .control.faults import FaultInjector
from .control.inspector import Inspector
from .control.metrics import Metrics
from .registry import Registry
from .streams.hub import StreamHub
from .streams.listen_keys import LocalListenKeys, RedisListenKeys
from .writer import CommitQueue

__all__ = ["ServerState"]


class ServerState:
    def __init__(self, config: ServerConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store if store is not None else open_store(config.db_url)
        self.clock = Clock()
        #: The prices accounts are valued at: a runtime setting, like the clock.
        self.market = Market()
        self.registry = Registry(self.store)
        self.writer = CommitQueue(self.store)
        self.admin = Admin(self.store, self.clock.now_ms)
        self.inspector = Inspector()
        self.faults = FaultInjector()
        self.metrics = Metrics(self.faults)
        #: The fault rules it started with (``--faults FILE``), which a reset brings back.
        self.started_faults: Any = None
        if config.faults_file is not None:
            self.started_faults = json.loads(Path(config.faults_file).read_text())
            self.faults.load(self.started_faults)
        #: What a request meets when the database or Redis is down (answered with -1001).
        self.unavailable: tuple[type[Exception], ...] = (
            SharedUnavailable,
            StoreError,
            *getattr(self.store, "errors", ()),
        )
        self.shared: Shared | None = None
        self.cluster: Cluster
        self.limiter: Limiter
        bans = BanPolicy(config.ban_shortest_s, config.ban_longest_s)
        if config.redis_url is None:
            self.streams = StreamHub(LocalListenKeys())
            self.cluster = Cluster(*self._cluster_parts())
            self.limiter = WeightLimiter(config.weight_limit, bans, self.clock)
        else:
            prefix = config.redis_prefix or default_prefix(self.store.identity())
            self.shared = Shared(config.redis_url, prefix)
            self.streams = StreamHub(RedisListenKeys(self.shared))
            cluster = RedisCluster(self.shared, *self._cluster_parts())
            self.cluster = cluster
            self.limiter = SharedLimiter(cluster, config.weight_limit, bans)
        # Each commit is counted for the other processes before any of it is acknowledged.
        self.writer.after_commit = self.cluster.count_writes
        self.exchange_info = ExchangeInfo(
            config.weight_limit, config.order_limit_1m, config.order_limit_10s
        )

    def _cluster_parts(
        self,
    ) -> tuple[Store, CommitQueue, Registry, StreamHub, Clock, FaultInjector, Market]:
        parts = self.store, self.writer, self.registry, self.streams, self.clock, self.faults
        return (*parts, self.market)

    async def join(self) -> None:
        """At start: run on the runtime settings the other processes share."""
        await self.cluster.join(self.config.faults_file)

    async def aclose(self) -> None:
        if self.shared is not None:
            await self.shared.close()
        self.close()

    def close(self) -> None:
        self.writer.close()
        self.store.close()
