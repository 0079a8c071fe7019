"""``multiassets position-mode``: read or set the account's position mode."""

from __future__ import annotations

import json
from typing import Any

import click

from .errors import client_errors
from .profiles import client_options, make_client

__all__ = ["position_mode"]

_NAMES = {True: "Hedge Mode", False: "One-way Mode"}


@click.command("position-mode")
@click.argument("switch", required=False, type=click.Choice(["on", "off"], case_sensitive=False))
@client_options
def position_mode(switch: str | None, as_json: bool, **options: Any) -> None:
    """Print the position mode; with ON or OFF, make sure of it (nothing happens if it
    already is).

    ON is Hedge Mode (LONG and SHORT positions), OFF One-way Mode.
    """
    with client_errors(as_json), make_client(options, time_sync=True) as client:
        if switch is None:
            current = client.get_position_mode()
            click.echo(json.dumps({"dualSidePosition": current}) if as_json else _NAMES[current])
            return
        target = switch.lower() == "on"
        changed = client.ensure_position_mode(target)
    if as_json:
        click.echo(json.dumps({"dualSidePosition": target, "changed": changed}))
    else:
        click.echo(f"{_NAMES[target]} ({'changed' if changed else 'already set'})")
