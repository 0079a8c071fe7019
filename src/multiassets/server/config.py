"""Server settings: one dataclass, passed to worker processes as JSON."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..defaults import HEAD_TIMEOUT_S
from ..protocol.limits import (
    BAN_LONGEST_S,
    BAN_SHORTEST_S,
    ORDERS_1M,
    ORDERS_10S,
    REQUEST_WEIGHT_1M,
    WS_PING_INTERVAL_S,
    WS_PONG_TIMEOUT_S,
)

__all__ = ["CONFIG_ENV", "ServerConfig", "default_data_dir", "default_db_url"]

#: The environment variable through which `multiassets serve` hands its settings to workers.
CONFIG_ENV = "MULTIASSETS_SERVER_CONFIG"


def default_data_dir() -> Path:
    """``$MULTIASSETS_HOME``, else ``$XDG_DATA_HOME/multiassets``, else
    ``~/.local/share/multiassets``."""
    home = os.environ.get("MULTIASSETS_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "multiassets"


def default_db_url() -> str:
    return f"sqlite:///{default_data_dir() / 'multiassets.db'}"


@dataclass(frozen=True, slots=True)
class ServerConfig:
    db_url: str
    #: REQUEST_WEIGHT per IP per minute; by default, Binance's default tier.
    weight_limit: int = REQUEST_WEIGHT_1M
    #: Reported in exchangeInfo; no order endpoint is served yet.
    order_limit_1m: int = ORDERS_1M
    order_limit_10s: int = ORDERS_10S
    ban_shortest_s: int = BAN_SHORTEST_S
    ban_longest_s: int = BAN_LONGEST_S
    #: The control plane answers only loopback clients unless this is set.
    admin_allow_remote: bool = False
    #: How often to look for changes other processes committed (the CLI on --db), seconds.
    reload_interval_s: float = 0.25
    #: A JSON file of fault rules to start with: {"seed": n, "rules": [...]}.
    faults_file: str | None = None
    #: Proxies (IPs or networks) whose X-Forwarded-For names the client.
    trusted_proxies: tuple[str, ...] = ()
    #: How long a client may take to send a request's line and headers (then 408), seconds.
    head_timeout_s: float = HEAD_TIMEOUT_S
    #: Seconds between the server's pings on a WebSocket connection, and the most it waits
    #: for the pong.
    ws_ping_interval_s: float = WS_PING_INTERVAL_S
    ws_pong_timeout_s: float = WS_PONG_TIMEOUT_S
    #: Redis, for what several processes share: weight, bans, runtime settings, listenKeys.
    redis_url: str | None = None
    #: The Redis keys' prefix; by default one per database, so servers on one database share.
    redis_prefix: str | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServerConfig:
        fields = json.loads(text)
        fields["trusted_proxies"] = tuple(fields.get("trusted_proxies", ()))
        return cls(**fields)
