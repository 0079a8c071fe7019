"""``multiassets account``: an account in both asset modes, side by side, and whether a switch
would be refused; ``multiassets market``: the prices a running server values accounts at."""

from __future__ import annotations

import json
from typing import Any

import click

from ..account.preview import MODE_NAMES
from .errors import control_errors
from .options import control_plane, running_control, server_options, target_options
from .params import option

__all__ = ["account", "market"]

_TITLES = {"singleAsset": "Single-Asset (USDT)", "multiAssets": "Multi-Assets (USD)"}


def _table(document: dict[str, Any]) -> list[str]:
    single, multi = (document["modes"][MODE_NAMES[mode]] for mode in (False, True))
    rows = [("", _TITLES["singleAsset"], _TITLES["multiAssets"])]
    rows += [(name, value, multi["totals"][name]) for name, value in single["totals"].items()]
    assets = {a["asset"]: a for a in single["assets"]}
    for shared in multi["assets"]:
        own = assets.get(shared["asset"], {})
        for name in ("availableBalance", "maxWithdrawAmount"):
            rows.append((f"{shared['asset']} {name}", own.get(name, "-"), shared[name]))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}" for row in rows]


def _verdict(document: dict[str, Any]) -> str:
    switch = document["switch"]
    target = "Multi-Assets Mode" if switch["multiAssetsMargin"] else "Single-Asset Mode"
    refused = switch["refused"]
    if refused is None:
        return f"Switching to {target}: allowed."
    return f"Switching to {target}: refused, {refused['code']} {refused['msg']}"


@click.command()
@click.argument("name")
@option("--json", "as_json", is_flag=True, help="Print the document the server answers.")
@target_options
def account(
    name: str, as_json: bool, db_url: str, server_url: str | None, token: str | None
) -> None:
    """Show account NAME in both asset modes side by side (totals in USDT in Single-Asset
    Mode, in USD in Multi-Assets Mode), and whether switching its mode would be refused, and
    why. With --server, at the server's prices; with --db, at the default ones."""
    with control_plane(db_url, server_url, token, as_json) as plane:
        document = plane.modes(name)
    if as_json:
        click.echo(json.dumps(document))
        return
    now = "Multi-Assets Mode" if document["multiAssetsMargin"] else "Single-Asset Mode"
    click.echo(f"{name}: {now}")
    for line in _table(document):
        click.echo(line)
    click.echo(_verdict(document))


@click.command()
@option(
    "--mark",
    "marks",
    multiple=True,
    metavar="SYMBOL=PRICE",
    help="Move a mark price (repeatable).",
)
@option(
    "--index",
    "indexes",
    multiple=True,
    metavar="ASSET=PRICE",
    help="Move an asset's USD index price, its buffers kept (repeatable).",
)
@option("--reset", is_flag=True, help="Back to the default prices.")
@server_options
def market(
    marks: tuple[str, ...],
    indexes: tuple[str, ...],
    reset: bool,
    server_url: str | None,
    token: str | None,
) -> None:
    """Show or move the prices a running server values accounts at: mark prices and the
    asset index, as JSON. Moving one can make a switch that passed a moment ago refuse."""
    if reset and (marks or indexes):
        raise click.UsageError("--reset moves nothing else: give it alone")
    with control_errors():
        control = running_control(server_url, token)
        if reset:
            document = control.reset_market()
        elif marks or indexes:
            change: dict[str, Any] = {
                "markPrices": dict(_pair(mark, "--mark") for mark in marks),
                "assetIndex": {
                    asset: {"index": price} for asset, price in map(_index_pair, indexes)
                },
            }
            document = control.move_market(change)
        else:
            document = control.market()
    click.echo(json.dumps(document))


def _pair(text: str, flag: str) -> tuple[str, str]:
    name, separator, price = text.partition("=")
    if not separator or not name or not price:
        raise click.UsageError(f"{flag} takes NAME=PRICE, got {text!r}")
    return name, price


def _index_pair(text: str) -> tuple[str, str]:
    return _pair(text, "--index")
