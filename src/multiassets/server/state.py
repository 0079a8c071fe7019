"""Everything one server process holds: store, registry, clock, limiter."""

from __future__ import annotations

from ..store import Store, open_store
from .clock import Clock
from .config import ServerConfig
from .exchange_info import ExchangeInfo
from .ratelimit import BanPolicy, WeightLimiter
from .registry import Registry

__all__ = ["ServerState"]


class ServerState:
    def __init__(self, config: ServerConfig, store: Store | None = None) -> None:
        self.config = config
        self.store = store if store is not None else open_store(config.db_url)
        self.clock = Clock()
        self.registry = Registry(self.store)
        self.limiter = WeightLimiter(
            config.weight_limit,
            BanPolicy(config.ban_shortest_s, config.ban_longest_s),
            self.clock,
        )
        self.exchange_info = ExchangeInfo(
            config.weight_limit, config.order_limit_1m, config.order_limit_10s
        )

    def close(self) -> None:
        self.store.close()
