"""``multiassets keys``: API keys."""

from __future__ import annotations

import json

import click

from ..admin import PERMISSIONS
from .options import control_plane, target_options

__all__ = ["keys"]


@click.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command("create")
@target_options
@click.option("--account", required=True, help="Account name; created if it does not exist.")
@click.option(
    "--permissions",
    default="USER_DATA,TRADE",
    show_default=True,
    help="USER_DATA (read) and/or TRADE (change), comma-separated.",
)
@click.option("--ip", "ips", multiple=True, help="Allow only this client IP (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the new key as JSON.")
def create(
    db_url: str,
    server_url: str | None,
    token: str | None,
    account: str,
    permissions: str,
    ips: tuple[str, ...],
    as_json: bool,
) -> None:
    """Create an HMAC key (and its account if needed). The secret is shown only now."""
    granted = [name.strip().upper() for name in permissions.split(",") if name.strip()]
    if not set(granted) <= set(PERMISSIONS):
        raise click.BadParameter(
            f"choose from {', '.join(PERMISSIONS)}", param_hint="--permissions"
        )
    with control_plane(db_url, server_url, token) as plane:
        new = plane.create_key(account, granted, list(ips) if ips else None)
    if as_json:
        click.echo(
            json.dumps(
                {"account": new["account"], "apiKey": new["apiKey"], "secretKey": new["secretKey"]}
            )
        )
    else:
        click.echo(f"account:     {new['account']}")
        click.echo(f"API key:     {new['apiKey']}")
        click.echo(f"secret key:  {new['secretKey']}")
        click.echo(f"permissions: {', '.join(new['permissions'])}")
        if new["ipAllowlist"] is not None:
            click.echo(f"IPs:         {', '.join(new['ipAllowlist'])}")
        click.echo("The secret is not shown again: keep it now.")


@keys.command("list")
@target_options
@click.option("--account", required=True)
def list_keys(db_url: str, server_url: str | None, token: str | None, account: str) -> None:
    """List an account's keys (never their secrets), as JSON lines."""
    with control_plane(db_url, server_url, token) as plane:
        for key in plane.list_keys(account):
            click.echo(json.dumps(key))


@keys.command("revoke")
@target_options
@click.argument("api_key")
def revoke(db_url: str, server_url: str | None, token: str | None, api_key: str) -> None:
    """Revoke a key: from the next request on, it gets -2015."""
    with control_plane(db_url, server_url, token) as plane:
        plane.revoke_key(api_key)
    click.echo(f"revoked {api_key[:8]}…")
