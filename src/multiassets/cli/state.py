"""``multiassets state``: account state and whole-server fixtures."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

import click

from .options import control_plane, target_options
from .params import option

__all__ = ["state"]


@click.group()
def state() -> None:
    """Read, set, dump, load and reset account state."""


@state.command("dump")
@target_options
@option("--account", help="One account's state; without it, everything (a fixture).")
@option(
    "-o",
    "--output",
    type=click.File("w"),
    default="-",
    show_default=True,
    help="The file to write (- for standard output).",
)
def dump(
    db_url: str, server_url: str | None, token: str | None, account: str | None, output: IO[str]
) -> None:
    """Write state as JSON. The whole-server form includes HMAC secrets: guard the file."""
    with control_plane(db_url, server_url, token) as plane:
        document = plane.state(account) if account else plane.export()
    if not account and output.name != "<stdout>":
        # The whole-server form holds HMAC secrets: only the owner may read the file.
        Path(output.name).touch(mode=0o600)
        os.chmod(output.name, 0o600)
    json.dump(document, output, indent=2)
    output.write("\n")


@state.command("load")
@target_options
@option("--account", help="Set one account's state; without it, replace everything.")
@option("--merge", is_flag=True, help="With --account: set only the fields given.")
@click.argument("source", type=click.File("r"), default="-")
def load(
    db_url: str,
    server_url: str | None,
    token: str | None,
    account: str | None,
    merge: bool,
    source: IO[str],
) -> None:
    """Load state from JSON (a file, or - for standard input). With --account, prints the
    account's state as JSON."""
    if merge and not account:
        raise click.UsageError("--merge goes with --account: the whole server is replaced whole")
    try:
        document = json.load(source)
    except ValueError as error:
        raise click.UsageError(f"{source.name} is not JSON: {error}") from error
    with control_plane(db_url, server_url, token) as plane:
        if account:
            click.echo(json.dumps(plane.set_state(account, document, partial=merge)))
        else:
            plane.import_(document)
            click.echo(f"loaded {len(document.get('accounts', []))} account(s)")


@state.command("reset")
@target_options
@option("--yes", is_flag=True, help="Do not ask.")
def reset(db_url: str, server_url: str | None, token: str | None, yes: bool) -> None:
    """Delete every account, key and state."""
    if not yes:
        click.confirm("Delete every account, key and state?", abort=True)
    with control_plane(db_url, server_url, token) as plane:
        plane.reset()
    click.echo("deleted every account, key and state")
