"""Everything one server process holds: store, registry, commit queue, clock, limiter."""

from __future__ import annotations

import json
from pathlib import Path

from ..admin import Admin
from ..store import Store, open_store
from .clock import Clock
from .config import ServerConfig
from .exchange_info import ExchangeInfo
from .faults import FaultInjector
from .inspector import Inspector
from .metrics import Metrics
from .ratelimit import BanPolicy, WeightLimiter
from .registry import Registry
from .streams import StreamHub, config_update
from .writer import CommitQueue

__all__ = ["ServerState"]


class ServerState:
    def __init__(self, config: ServerConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store if store is not None else open_store(config.db_url)
        self.clock = Clock()
        self.registry = Registry(self.store)
        self.writer = CommitQueue(self.store)
        self.admin = Admin(self.store)
        self.inspector = Inspector()
        self.faults = FaultInjector()
        self.metrics = Metrics(self.faults)
        self.streams = StreamHub()
        if config.faults_file is not None:
            self.faults.load(json.loads(Path(config.faults_file).read_text()))
        self.limiter = WeightLimiter(
            config.weight_limit,
            BanPolicy(config.ban_shortest_s, config.ban_longest_s),
            self.clock,
        )
        self.exchange_info = ExchangeInfo(
            config.weight_limit, config.order_limit_1m, config.order_limit_10s
        )

    def reload(self, modes: list[tuple[int, bool]] | None = None) -> None:
        """Read accounts and keys again; the mode changes committed meanwhile (a control-plane
        write, another process) are announced on the accounts' streams like any committed
        change: those in ``modes``, each once and in order, when the database told them;
        else those seen by comparing before and after. Call it holding every account's lock."""
        before = {a.id: a.state.multi_assets_margin for a in self.registry.accounts()}
        self.registry.reload()
        if modes is not None:
            for account_id, mode in modes:
                self.streams.publish(account_id, config_update(mode, self.clock.now_ms()))
            return
        for account in self.registry.accounts():
            mode = account.state.multi_assets_margin
            if account.id in before and before[account.id] != mode:
                self.streams.publish(account.id, config_update(mode, self.clock.now_ms()))

    def close(self) -> None:
        self.writer.close()
        self.store.close()
