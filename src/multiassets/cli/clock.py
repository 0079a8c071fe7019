"""``multiassets clock``: move a running server's clock."""

from __future__ import annotations

import json
from typing import Any

import click

from .._exceptions import AdminError
from ..control_client import ControlClient

__all__ = ["clock", "server_options"]


def server_options(function: Any) -> Any:
    """``--server`` and ``--token``: commands that act on a running server only."""
    function = click.option(
        "--token",
        envvar="MULTIASSETS_TOKEN",
        required=True,
        help="The control plane's bearer token.",
    )(function)
    return click.option(
        "--server",
        "server_url",
        envvar="MULTIASSETS_SERVER",
        required=True,
        help="The running server's base URL.",
    )(function)


@click.command()
@click.option("--offset", type=int, help="Shift the server's clock by this many ms (and run).")
@click.option("--freeze", is_flag=True, help="Hold the clock at the current server time.")
@click.option("--at", type=int, help="With --freeze: hold it at this time (ms since epoch).")
@click.option("--unfreeze", is_flag=True, help="Let a frozen clock run on.")
@click.option("--reset", is_flag=True, help="Back to the real time.")
@server_options
def clock(
    offset: int | None,
    freeze: bool,
    at: int | None,
    unfreeze: bool,
    reset: bool,
    server_url: str,
    token: str,
) -> None:
    """Show or move a running server's clock: serverTime, recvWindow checks, weight windows
    and bans all follow it."""
    control = ControlClient(server_url, token)
    try:
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
    except AdminError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(document))
