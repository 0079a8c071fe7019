"""``multiassets serve``: run the server (its start: serving.py; what it prints: ready.py).

Every setting comes, in this order of precedence, from its flag, its environment variable
(``MULTIASSETS_…``, shown in ``--help``) or the ``[serve]`` table of the ``--config`` file
(TOML, keys spelt like the flags: ``weight-limit = 1200``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import click

from .._exceptions import AdminError
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
from ..server.config import ServerConfig
from ..server.logs import LEVELS
from .errors import EXIT_NETWORK, EXIT_USAGE, failure
from .options import db_option
from .params import option
from .serving import SERVER_EXTRA_HINT, Listening, bind, prepare, run, uvicorn_config

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


_option = option  # every option says its environment variable in --help (params.py)


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
    help="Port to listen on (0: any free one). In use: exit 2, nothing created.",
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
    help="Orders per minute, as exchangeInfo reports it.",
)
@_option(
    "--order-limit-10s",
    default=ORDERS_10S,
    envvar="MULTIASSETS_ORDER_LIMIT_10S",
    show_default=True,
    type=click.IntRange(1),
    help="Orders per 10 seconds, as exchangeInfo reports it.",
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
    "--seed",
    "seed_file",
    type=click.Path(exists=True, dir_okay=False),
    envvar="MULTIASSETS_SEED",
    help="A new database's demo account starts in this state: JSON as PUT "
    '/_multiassets/accounts/NAME/state takes it, e.g. {"multiAssetsMargin": true, '
    '"balances": {"USDT": "1000"}}. An existing database is left as it is.',
)
@_option(
    "--discovery/--no-discovery",
    default=True,
    envvar="MULTIASSETS_DISCOVERY",
    show_default=True,
    help="Write the discovery file (server.json in the data directory) that the other "
    "commands find this server by; removed when it stops.",
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
@_option(
    "--access-log",
    is_flag=True,
    envvar="MULTIASSETS_ACCESS_LOG",
    help="Log every request on stderr (secrets cut short).",
)
def serve(
    host: str,
    port: int,
    db_url: str,
    redis_url: str | None,
    redis_prefix: str | None,
    workers: int,
    admin_token: str | None,
    faults_file: str | None,
    seed_file: str | None,
    discovery: bool,
    ws_ping_interval: float,
    ws_pong_timeout: float,
    log_level: str,
    access_log: bool,
    **limits: Any,
) -> None:
    """Run the Binance-compatible server. Once it answers, it prints what to paste to point
    the CLI and clients at it (and, on a new database, the demo account's key and the control
    plane's token, shown only then)."""
    if workers > 1 and redis_url is None:
        raise click.UsageError(
            f"--workers {workers} needs --redis: without it each worker would count weight "
            "and bans on its own, and enforce a limit several times too high"
        )
    if importlib.util.find_spec("uvicorn") is None:  # before anything is made, not after
        raise failure(SERVER_EXTRA_HINT, EXIT_USAGE)
    limits |= {"ws_ping_interval": ws_ping_interval, "ws_pong_timeout": ws_pong_timeout}
    config = _server_config(db_url, redis_url, redis_prefix, faults_file, limits)
    seed = _read_seed(seed_file) if seed_file else None
    if faults_file:
        _check_faults(faults_file)
    if redis_url is not None:
        _check_redis(redis_url)
    listening = _bind(host, port)
    try:
        startup = prepare(db_url, admin_token, seed, remember=discovery)
    except BaseException:
        if listening.sock is not None:
            listening.sock.close()
        raise
    shared = f", Redis {redis_url}" if redis_url else ""
    plural = "s" if workers > 1 else ""
    click.echo(
        f"multiassets listening on http://{host}:{listening.port} ({workers} worker{plural}, "
        f"database {db_url}{shared})",
        err=True,
    )
    _run(config, listening, startup, workers, access_log, log_level.lower(), discovery)


def _bind(host: str, port: int) -> Listening:
    return bind(host, port)


def _run(
    config: ServerConfig,
    listening: Listening,
    startup: Any,
    workers: int,
    access_log: bool,
    log_level: str,
    discovery: bool,
) -> None:
    settings = uvicorn_config(config, listening, workers, access_log, log_level)
    run(settings, listening, startup, discovery)


def _server_config(
    db_url: str,
    redis_url: str | None,
    redis_prefix: str | None,
    faults_file: str | None,
    limits: dict[str, Any],
) -> ServerConfig:
    return ServerConfig(
        db_url=db_url,
        weight_limit=limits["weight_limit"],
        order_limit_1m=limits["order_limit_1m"],
        order_limit_10s=limits["order_limit_10s"],
        ban_shortest_s=limits["ban_shortest"],
        ban_longest_s=max(limits["ban_longest"], limits["ban_shortest"]),
        admin_allow_remote=limits["admin_allow_remote"],
        faults_file=os.path.abspath(faults_file) if faults_file else None,
        trusted_proxies=_proxies(limits["trusted_proxies"]),
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        head_timeout_s=limits["head_timeout"],
        ws_ping_interval_s=limits["ws_ping_interval"],
        ws_pong_timeout_s=limits["ws_pong_timeout"],
    )


def _read_seed(path: str) -> dict[str, Any]:
    """The --seed document, checked now: a bad one fails before anything is made."""
    from ..account.model import AccountState, StateError

    try:
        document = json.loads(Path(path).read_text())
        AccountState.from_json(document)
    except (OSError, ValueError, StateError) as error:
        raise click.BadParameter(str(error), param_hint="--seed") from error
    if not isinstance(document, dict):
        raise click.BadParameter("an account's state is a JSON object", param_hint="--seed")
    return document


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
        raise click.UsageError("--redis needs redis-py: pip install 'multiassets[redis]'") from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except (redis.RedisError, ValueError) as error:
        raise failure(f"can't reach Redis at {url}: {error}", EXIT_NETWORK) from error
