"""``multiassets faults``: make a running server fail on cue."""

from __future__ import annotations

import json
from typing import IO, Any

import click

from .._exceptions import AdminError
from ..control_client import ControlClient
from .clock import server_options

__all__ = ["faults"]

_KINDS = [
    "latency",
    "unknown_error",
    "service_unavailable",
    "internal_error",
    "timeout",
    "throttled",
    "rate_limited",
    "banned",
    "close",
]


def _control(server_url: str, token: str) -> ControlClient:
    return ControlClient(server_url, token)


def _run(action: Any) -> None:
    try:
        result = action()
    except AdminError as error:
        raise click.ClickException(str(error)) from error
    if result is not None:
        click.echo(json.dumps(result))


@click.group()
def faults() -> None:
    """Add, list, remove and clear fault rules on a running server."""


@faults.command("list")
@server_options
def list_faults(server_url: str, token: str) -> None:
    """The rules in force, as JSON."""
    _run(lambda: _control(server_url, token).faults())


@faults.command("add")
@click.option("--kind", required=True, type=click.Choice(_KINDS))
@click.option("--method", help="Only this HTTP method; WS for the WebSocket API's requests.")
@click.option(
    "--path",
    help="Only this path, e.g. /fapi/v1/multiAssetsMargin, or WebSocket API method, e.g. "
    "account.status.",
)
@click.option("--account", help="Only this account's requests.")
@click.option("--api-key", help="Only this key's requests.")
@click.option("--probability", type=click.FloatRange(0, 1, min_open=True), default=1.0)
@click.option("--times", type=click.IntRange(1), help="Only the next N matching requests.")
@click.option("--latency-ms", type=click.IntRange(0), default=0)
@click.option("--latency-max-ms", type=click.IntRange(0), help="With --latency-ms: a range.")
@click.option(
    "--applied",
    is_flag=True,
    help="unknown_error, timeout, close: execute the request before failing.",
)
@server_options
def add(
    kind: str,
    method: str | None,
    path: str | None,
    account: str | None,
    api_key: str | None,
    probability: float,
    times: int | None,
    latency_ms: int,
    latency_max_ms: int | None,
    applied: bool,
    server_url: str,
    token: str,
) -> None:
    """Add a rule; prints it with its id."""
    rule: dict[str, Any] = {
        "kind": kind,
        "probability": probability,
        "applied": applied,
        "latencyMs": latency_ms,
    }
    for name, value in (
        ("method", method),
        ("path", path),
        ("account", account),
        ("apiKey", api_key),
        ("times", times),
        ("latencyMaxMs", latency_max_ms),
    ):
        if value is not None:
            rule[name] = value
    _run(lambda: _control(server_url, token).add_fault(**rule))


@faults.command("remove")
@click.argument("rule_id", type=int)
@server_options
def remove(rule_id: int, server_url: str, token: str) -> None:
    """Remove one rule by id."""
    _run(lambda: _control(server_url, token).remove_fault(rule_id))


@faults.command("clear")
@server_options
def clear(server_url: str, token: str) -> None:
    """Remove every rule."""
    _run(lambda: _control(server_url, token).clear_faults())


@faults.command("load")
@click.argument("source", type=click.File("r"))
@server_options
def load(source: IO[str], server_url: str, token: str) -> None:
    """Replace every rule with a file's: {"seed": n, "rules": [...]}."""
    try:
        document = json.load(source)
    except ValueError as error:
        raise click.ClickException(f"not JSON: {error}") from error
    _run(lambda: _control(server_url, token).load_faults(document))
