"""``multiassets log``: a running server's request log, and why each refusal happened."""

from __future__ import annotations

import json
import time
from typing import Any

import click

from .errors import control_errors
from .options import running_control, server_options
from .params import option

__all__ = ["log"]


def _line(entry: dict[str, Any]) -> str:
    stamp = time.strftime("%H:%M:%S", time.gmtime(entry["time"] / 1000))
    who = entry["account"] or "-"
    outcome = str(entry["status"]) + (f" {entry['code']}" if entry["code"] is not None else "")
    line = f"{stamp} {entry['ip']} {entry['method']} {entry['path']} [{who}] {outcome}"
    if entry["injected"]:
        line += f" (injected: {entry['injected']})"
    if entry["reason"]:
        line += f" — {entry['reason']}"
    return line


@click.command()
@option("--follow", "-f", is_flag=True, help="Keep printing new requests.")
@option("--account", help="Only this account's requests.")
@option("--refused", is_flag=True, help="Only refused requests (HTTP 4xx and 5xx).")
@option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@server_options
def log(
    follow: bool,
    account: str | None,
    refused: bool,
    as_json: bool,
    server_url: str | None,
    token: str | None,
) -> None:
    """Print the recent requests a running server answered, with the reason for each refusal."""
    since = 0
    try:
        with control_errors(as_json):
            control = running_control(server_url, token)
            while True:
                page = control.log(since, account, refused)
                for entry in page["entries"]:
                    click.echo(json.dumps(entry) if as_json else _line(entry))
                since = page["last"]
                if not follow:
                    return
                time.sleep(0.5)
    except KeyboardInterrupt:
        return
