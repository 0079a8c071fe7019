"""``multiassets serve``: run the server.

Every setting comes, in this order of precedence, from its flag, its environment variable
(``MULTIASSETS_…``, shown in ``--help``) or the ``[serve]`` table of the ``--config`` file
(TOML, keys spelt like the flags: ``weight-limit = 1200``).
"""

from __future__ import annotations

import json
import os
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

import click

from .._exceptions import AdminError
from ..admin import Admin
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
from ..server.config import CONFIG_ENV, ServerConfig
from ..server.logs import LEVELS, logging_config
from .options import db_option, open_db

__all__ = ["serve"]


def _read_config(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Load the ``[serve]`` table of the config file as the command's defaults."""
    if value is None:
        return None
    try:
        document = tomllib.loads(Path(value).read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise click.BadParameter(str(error), ctx, param) from error
    table = document.get("serve", {})
    if not isinstance(table, dict):
        raise click.BadParameter("[serve] must be a table", ctx, param)
    known = {option.name for option in ctx.command.params}
    defaults: dict[str, Any] = {}
    for key, setting in table.items():
        name = _CONFIG_NAMES.get(key, key.replace("-", "_"))
        if name not in known or name == "config":
            raise click.BadParameter(f"unknown setting {key!r} in [serve]", ctx, param)
        defaults[name] = setting
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


#: Config-file keys whose parameter name is not the flag's (the flag's own spelling works too).
_CONFIG_NAMES = {
    "db": "db_url",
    "redis": "redis_url",
    "faults": "faults_file",
    "trusted-proxy": "trusted_proxies",
    "trusted-proxies": "trusted_proxies",
}


#: Every option says its environment variable in --help.
_option = partial(click.option, show_envvar=True)


@click.command()
@_option(
    "--config",
    type=click.Path(exists=True, dir_okay=False),
    envvar="MULTIASSETS_SERVE_CONFIG",
    is_eager=True,
    expose_value=False,
    callback=_read_config,
    help="A TOML file whose [serve] table sets any of these options.",
)
@_option(
    "--host",
    default="127.0.0.1",
    envvar="MULTIASSETS_HOST",
    show_default=True,
    help="Address to listen on.",
)
@_option(
    "--port",
    default=8080,
    envvar="MULTIASSETS_PORT",
    show_default=True,
    type=click.IntRange(0, 65535),
)
@db_option
@_option(
    "--redis",
    "redis_url",
    envvar="MULTIASSETS_REDIS",
    help="Redis URL (redis://host:6379/0): weight, bans, clock and faults shared by every "
    "worker and node. Needed for --workers above 1.",
)
@_option(
    "--redis-prefix",
    envvar="MULTIASSETS_REDIS_PREFIX",
    help="Prefix of the Redis keys. Default: one per database URL.",
)
@_option(
    "--workers",
    default=1,
    envvar="MULTIASSETS_WORKERS",
    show_default=True,
    type=click.IntRange(1),
    help="Server processes on this port.",
)
@_option(
    "--weight-limit",
    default=REQUEST_WEIGHT_1M,
    envvar="MULTIASSETS_WEIGHT_LIMIT",
    show_default=True,
    type=click.IntRange(1),
    help="REQUEST_WEIGHT per client IP per minute.",
)
@_option(
    "--order-limit-1m",
    default=ORDERS_1M,
    envvar="MULTIASSETS_ORDER_LIMIT_1M",
    show_default=True,
    type=click.IntRange(1),
)
@_option(
    "--order-limit-10s",
    default=ORDERS_10S,
    envvar="MULTIASSETS_ORDER_LIMIT_10S",
    show_default=True,
    type=click.IntRange(1),
)
@_option(
    "--ban-shortest",
    default=BAN_SHORTEST_S,
    envvar="MULTIASSETS_BAN_SHORTEST",
    show_default=True,
    type=click.IntRange(1),
    help="First IP ban, in seconds; each repeat doubles it.",
)
@_option(
    "--ban-longest",
    default=BAN_LONGEST_S,
    envvar="MULTIASSETS_BAN_LONGEST",
    show_default=True,
    type=click.IntRange(1),
    help="Longest IP ban, in seconds.",
)
@_option(
    "--admin-token",
    envvar="MULTIASSETS_ADMIN_TOKEN",
    help="The control plane's bearer token. Without it, one is made on first start and shown once.",
)
@_option(
    "--admin-allow-remote",
    is_flag=True,
    envvar="MULTIASSETS_ADMIN_ALLOW_REMOTE",
    help="Answer control-plane requests from any address, not only loopback.",
)
@_option(
    "--faults",
    "faults_file",
    type=click.Path(exists=True, dir_okay=False),
    envvar="MULTIASSETS_FAULTS",
    help='Fault rules to start with, as JSON: {"seed": n, "rules": [...]}.',
)
@_option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    envvar="MULTIASSETS_TRUSTED_PROXIES",
    help="A load balancer's IP or network (repeatable; space-separated in the environment): "
    "only its X-Forwarded-For is believed.",
)
@_option(
    "--head-timeout",
    default=HEAD_TIMEOUT_S,
    envvar="MULTIASSETS_HEAD_TIMEOUT",
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds a client may take to send a request's head, and then its body (then 408).",
)
@_option(
    "--ws-ping-interval",
    default=WS_PING_INTERVAL_S,
    envvar="MULTIASSETS_WS_PING_INTERVAL",
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds between the server's pings on each WebSocket connection (Binance's: 3 min).",
)
@_option(
    "--ws-pong-timeout",
    default=WS_PONG_TIMEOUT_S,
    envvar="MULTIASSETS_WS_PONG_TIMEOUT",
    show_default=True,
    type=click.FloatRange(0.1),
    help="Seconds a WebSocket client has to answer a ping before it is disconnected "
    "(Binance's: 10 min).",
)
@_option(
    "--log-level",
    default="info",
    envvar="MULTIASSETS_LOG_LEVEL",
    show_default=True,
    type=click.Choice(LEVELS, case_sensitive=False),
    help="What the server logs on stderr. No level logs a secret, a signature or a token.",
)
@_option("--access-log", is_flag=True, envvar="MULTIASSETS_ACCESS_LOG", help="Log every request.")
def serve(
    host: str,
    port: int,
    db_url: str,
    redis_url: str | None,
    redis_prefix: str | None,
    workers: int,
    weight_limit: int,
    order_limit_1m: int,
    order_limit_10s: int,
    ban_shortest: int,
    ban_longest: int,
    admin_token: str | None,
    admin_allow_remote: bool,
    faults_file: str | None,
    trusted_proxies: tuple[str, ...],
    head_timeout: float,
    ws_ping_interval: float,
    ws_pong_timeout: float,
    log_level: str,
    access_log: bool,
) -> None:
    """Run the Binance-compatible server."""
    if workers > 1 and redis_url is None:
        raise click.UsageError(
            f"--workers {workers} needs --redis: without it each worker would count weight "
            "and bans on its own, and enforce a limit several times too high"
        )
    config = ServerConfig(
        db_url=db_url,
        weight_limit=weight_limit,
        order_limit_1m=order_limit_1m,
        order_limit_10s=order_limit_10s,
        ban_shortest_s=ban_shortest,
        ban_longest_s=max(ban_longest, ban_shortest),
        admin_allow_remote=admin_allow_remote,
        faults_file=os.path.abspath(faults_file) if faults_file else None,
        trusted_proxies=_proxies(trusted_proxies),
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        head_timeout_s=head_timeout,
    )
    if faults_file:
        _check_faults(faults_file)
    if redis_url is not None:
        _check_redis(redis_url)
    store = open_db(db_url)
    try:
        admin = Admin(store)
        demo = admin.create_demo_if_empty()
        token = admin.ensure_token(admin_token)
    except AdminError as error:
        raise click.ClickException(str(error)) from error
    finally:
        store.close()
    if demo is not None:
        click.echo("Created account 'demo' with an HMAC key (shown only this once):")
        click.echo(f"  API key:    {demo.key.api_key}")
        click.echo(f"  secret key: {demo.key.secret}")
    if token is not None:
        click.echo("Control plane token (shown only this once; --admin-token sets your own):")
        click.echo(f"  token:      {token}")
    shared = f", Redis {redis_url}" if redis_url else ""
    plural = "s" if workers > 1 else ""
    click.echo(
        f"multiassets listening on http://{host}:{port} ({workers} worker{plural}, "
        f"database {db_url}{shared})",
        err=True,
    )
    pings = (ws_ping_interval, ws_pong_timeout)
    _run(config, host, port, workers, pings, access_log, log_level.lower())


def _proxies(values: tuple[str, ...]) -> tuple[str, ...]:
    import ipaddress

    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--trusted-proxy") from error
    return values


def _check_faults(path: str) -> None:
    from ..server.control.faults import FaultInjector

    try:
        FaultInjector().load(json.loads(Path(path).read_text()))
    except (ValueError, AdminError) as error:
        raise click.BadParameter(str(error), param_hint="--faults") from error


def _check_redis(url: str) -> None:
    """A clear error now rather than -1001 on every request later."""
    try:
        import redis
    except ImportError:
        raise click.ClickException(
            "--redis needs redis-py: pip install 'multiassets[redis]'"
        ) from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError) as error:
        raise click.ClickException(f"can't reach Redis at {url}: {error}") from error


def _run(
    config: ServerConfig,
    host: str,
    port: int,
    workers: int,
    pings: tuple[float, float],
    access_log: bool,
    log_level: str = "info",
) -> None:
    # uvicorn + httptools + uvloop, chosen by measurement over granian: lower latency and
    # 1.2-1.4x the throughput at 1 and 16 connections (bench/stack-choice-2026-11-25.md).
    import uvicorn

    from ..server.http.edge import EdgeProtocol, EdgeWebSocketProtocol

    os.environ[CONFIG_ENV] = config.to_json()
    uvicorn.run(
        "multiassets.server.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # httptools, answering what is not readable HTTP as Binance's edge does (http/edge.py).
        http=EdgeProtocol,
        loop="uvloop",
        ws=EdgeWebSocketProtocol,
        # Binance's pings: every 3 minutes, a pong (the ping's payload) due within 10.
        ws_ping_interval=pings[0],
        ws_ping_timeout=pings[1],
        lifespan="on",
        access_log=access_log,
        log_config=logging_config(log_level),
        log_level=log_level,
        server_header=False,
        # The client IP is the peer's: X-Forwarded-For would let a caller pick its own IP
        # (rate limits, bans, allow-lists, the control plane's loopback check).
        proxy_headers=False,
    )
