"""``multiassets clock``: move a running server's clock."""

from __future__ import annotations

import json
from typing import Any

import click

from .errors import control_errors
from .options import running_control, server_options
from .params import exclusive, option

__all__ = ["clock"]


@click.command()
@option("--offset", type=int, help="Shift the server's clock by this many ms (and let it run).")
@option("--freeze", is_flag=True, help="Hold the clock at the current server time.")
@option("--at", type=int, help="With --freeze: hold it at this time (ms since epoch).")
@option("--unfreeze", is_flag=True, help="Let a frozen clock run on from where it stands.")
@option("--reset", is_flag=True, help="Back to the real time.")
@server_options
def clock(
    offset: int | None,
    freeze: bool,
    at: int | None,
    unfreeze: bool,
    reset: bool,
    server_url: str | None,
    token: str | None,
) -> None:
    """Show or move a running server's clock: serverTime, recvWindow checks, weight windows
    and bans all follow it. Prints the clock as JSON."""
    _check(offset, freeze, at, unfreeze, reset)
    with control_errors():
        control = running_control(server_url, token)
        if reset:
            document = control.reset_clock()
        elif offset is not None or freeze or unfreeze:
            settings: dict[str, Any] = {}
            if offset is not None:
                settings["offsetMs"] = offset
            if freeze:
                settings["freeze"] = True
                if at is not None:
                    settings["at"] = at
            elif unfreeze:
                settings["freeze"] = False
            document = control.set_clock(**settings)
        else:
            document = control.clock()
    click.echo(json.dumps(document))


def _check(offset: int | None, freeze: bool, at: int | None, unfreeze: bool, reset: bool) -> None:
    if at is not None and not freeze:
        raise click.UsageError("--at goes with --freeze: --freeze --at MS")
    given = {
        "--offset": offset,
        "--freeze": freeze,
        "--at": at,
        "--unfreeze": unfreeze,
        "--reset": reset,
    }
    exclusive(
        given,
        ("--freeze", "--unfreeze", "give one"),
        ("--offset", "--at", "--at says the very time"),
        ("--offset", "--unfreeze", "--offset lets the clock run already"),
        ("--reset", "--offset", "--reset puts the clock back alone"),
        ("--reset", "--freeze", "--reset puts the clock back alone"),
        ("--reset", "--unfreeze", "--reset puts the clock back alone"),
    )
