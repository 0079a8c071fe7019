"""``multiassets mode``: read or set the account's mode."""

from __future__ import annotations

import json
from typing import Any

import click

from .errors import client_errors
from .profiles import client_options, make_client

__all__ = ["mode"]

_NAMES = {True: "Multi-Assets Mode", False: "Single-Asset Mode"}


@click.command()
@click.argument("switch", required=False, type=click.Choice(["on", "off"], case_sensitive=False))
@client_options
def mode(switch: str | None, as_json: bool, **options: Any) -> None:
    """Print the mode; with ON or OFF, make sure of it (nothing happens if it already is).

    ON is Multi-Assets Mode, OFF Single-Asset Mode.
    """
    with client_errors(as_json), make_client(options, time_sync=True) as client:
        if switch is None:
            current = client.get_mode()
            click.echo(json.dumps({"multiAssetsMargin": current}) if as_json else _NAMES[current])
            return
        target = switch.lower() == "on"
        changed = client.ensure_mode(target)
    if as_json:
        click.echo(json.dumps({"multiAssetsMargin": target, "changed": changed}))
    else:
        click.echo(f"{_NAMES[target]} ({'changed' if changed else 'already set'})")
