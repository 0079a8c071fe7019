"""``multiassets keys``: API keys."""

from __future__ import annotations

import json

import click

from ..server.provisioning import create_hmac_key
from .options import db_option, open_db

__all__ = ["keys"]


@click.group()
def keys() -> None:
    """Manage API keys."""


@keys.command("create")
@db_option
@click.option("--account", required=True, help="Account name; created if it does not exist.")
@click.option("--json", "as_json", is_flag=True, help="Print the new key as JSON.")
def create(db_url: str, account: str, as_json: bool) -> None:
    """Create an HMAC key (and its account if needed). The secret is shown only now."""
    store = open_db(db_url)
    try:
        new = create_hmac_key(store, account)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(new.as_json()))
    else:
        click.echo(f"account:    {new.account.name}")
        click.echo(f"API key:    {new.api_key}")
        click.echo(f"secret key: {new.secret_key}")
        click.echo("The secret is not stored anywhere you can read it back: keep it now.")
