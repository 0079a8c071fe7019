"""``multiassets serve``: run the server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from ..admin import Admin, AdminError
from ..server.config import CONFIG_ENV, ServerConfig
from ..server.logs import LOGGING
from .options import db_option, open_db

__all__ = ["serve"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@db_option
@click.option(
    "--weight-limit",
    default=2400,
    show_default=True,
    type=click.IntRange(1),
    help="REQUEST_WEIGHT per client IP per minute.",
)
@click.option("--order-limit-1m", default=1200, show_default=True, type=click.IntRange(1))
@click.option("--order-limit-10s", default=300, show_default=True, type=click.IntRange(1))
@click.option(
    "--ban-shortest",
    default=120,
    show_default=True,
    type=click.IntRange(1),
    help="First IP ban, in seconds; each repeat doubles it.",
)
@click.option(
    "--ban-longest",
    default=3 * 24 * 3600,
    show_default=True,
    type=click.IntRange(1),
    help="Longest IP ban, in seconds.",
)
@click.option(
    "--admin-token",
    help="The control plane's bearer token. Without it, one is made on first start and shown once.",
)
@click.option(
    "--admin-allow-remote",
    is_flag=True,
    help="Answer control-plane requests from any address, not only loopback.",
)
@click.option(
    "--faults",
    "faults_file",
    type=click.Path(exists=True, dir_okay=False),
    help='Fault rules to start with, as JSON: {"seed": n, "rules": [...]}.',
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    help="A load balancer's IP or network (repeatable): only its X-Forwarded-For is believed.",
)
@click.option("--access-log", is_flag=True, help="Log every request.")
def serve(
    host: str,
    port: int,
    db_url: str,
    weight_limit: int,
    order_limit_1m: int,
    order_limit_10s: int,
    ban_shortest: int,
    ban_longest: int,
    admin_token: str | None,
    admin_allow_remote: bool,
    faults_file: str | None,
    trusted_proxies: tuple[str, ...],
    access_log: bool,
) -> None:
    """Run the Binance-compatible server."""
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
    )
    if faults_file:
        _check_faults(faults_file)
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
    click.echo(f"multiassets listening on http://{host}:{port} (database {db_url})", err=True)
    _run(config, host, port, access_log)


def _proxies(values: tuple[str, ...]) -> tuple[str, ...]:
    import ipaddress

    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--trusted-proxy") from error
    return values


def _check_faults(path: str) -> None:
    from ..server.faults import FaultInjector

    try:
        FaultInjector().load(json.loads(Path(path).read_text()))
    except (ValueError, AdminError) as error:
        raise click.BadParameter(str(error), param_hint="--faults") from error


def _run(config: ServerConfig, host: str, port: int, access_log: bool) -> None:
    # uvicorn + httptools + uvloop, chosen by measurement over granian: lower latency and
    # 1.2-1.4x the throughput at 1 and 16 connections (bench/stack-choice-2026-11-25.md).
    import uvicorn

    os.environ[CONFIG_ENV] = config.to_json()
    uvicorn.run(
        "multiassets.server.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        http="httptools",
        loop="uvloop",
        ws="websockets-sansio",
        lifespan="on",
        access_log=access_log,
        log_config=LOGGING,
        server_header=False,
        # The client IP is the peer's: X-Forwarded-For would let a caller pick its own IP
        # (rate limits, bans, allow-lists, the control plane's loopback check).
        proxy_headers=False,
    )
