"""``multiassets faults``: make a running server fail on cue."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

import click

from ..control_client import ControlClient
from .errors import control_errors
from .options import running_control, server_options
from .params import option

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
#: The kinds whose outcome is unknown to the client, so the request may have been executed.
_MAYBE_APPLIED = ("unknown_error", "timeout", "close")


def _run(server_url: str | None, token: str | None, action: Callable[[ControlClient], Any]) -> Any:
    with control_errors():
        return action(running_control(server_url, token))


@click.group()
def faults() -> None:
    """Add, list, remove and clear fault rules on a running server."""


@faults.command("list")
@server_options
def list_faults(server_url: str | None, token: str | None) -> None:
    """The rules in force, as JSON."""
    click.echo(json.dumps(_run(server_url, token, lambda control: control.faults())))


@faults.command("add")
@option("--kind", required=True, type=click.Choice(_KINDS), help="What the server does.")
@option("--method", help="Only this HTTP method; WS for the WebSocket API's requests.")
@option(
    "--path",
    help="Only this path, e.g. /fapi/v1/multiAssetsMargin, or WebSocket API method, e.g. "
    "account.status.",
)
@option("--account", help="Only this account's requests.")
@option("--api-key", help="Only this key's requests.")
@option(
    "--probability",
    type=click.FloatRange(0, 1, min_open=True),
    default=1.0,
    show_default=True,
    help="The chance a matching request meets the fault (seeded: runs repeat).",
)
@option("--times", type=click.IntRange(1), help="Only the next N matching requests.")
@option(
    "--latency-ms",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Wait this long before answering.",
)
@option("--latency-max-ms", type=click.IntRange(0), help="With --latency-ms: wait up to this.")
@option(
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
    server_url: str | None,
    token: str | None,
) -> None:
    """Add a rule; prints it, with its id, as JSON."""
    if applied and kind not in _MAYBE_APPLIED:
        raise click.UsageError(f"--applied is for --kind {', '.join(_MAYBE_APPLIED)}")
    if latency_max_ms is not None and latency_max_ms < latency_ms:
        raise click.UsageError("--latency-max-ms is no smaller than --latency-ms")
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
    click.echo(json.dumps(_run(server_url, token, lambda control: control.add_fault(**rule))))


@faults.command("remove")
@click.argument("rule_id", type=int)
@server_options
def remove(rule_id: int, server_url: str | None, token: str | None) -> None:
    """Remove one rule by id."""
    _run(server_url, token, lambda control: control.remove_fault(rule_id))
    click.echo(f"removed fault rule {rule_id}")


@faults.command("clear")
@server_options
def clear(server_url: str | None, token: str | None) -> None:
    """Remove every rule."""
    _run(server_url, token, lambda control: control.clear_faults())
    click.echo("cleared the fault rules")


@faults.command("load")
@click.argument("source", type=click.File("r"))
@server_options
def load(source: IO[str], server_url: str | None, token: str | None) -> None:
    """Replace every rule with a file's: {"seed": n, "rules": [...]}."""
    try:
        document = json.load(source)
    except ValueError as error:
        raise click.UsageError(f"{source.name} is not JSON: {error}") from error
    _run(server_url, token, lambda control: control.load_faults(document))
    rules = document.get("rules", []) if isinstance(document, dict) else []
    click.echo(f"loaded {len(rules)} fault rule(s)")
