"""``multiassets accounts``."""

from __future__ import annotations

import json

import click

from .options import control_plane, target_options

__all__ = ["accounts"]


@click.group()
def accounts() -> None:
    """Create, list and delete accounts."""


@accounts.command("list")
@target_options
def list_accounts(db_url: str, server_url: str | None, token: str | None) -> None:
    """Every account and its mode, as JSON lines."""
    with control_plane(db_url, server_url, token) as plane:
        for account in plane.list_accounts():
            click.echo(json.dumps(account))


@accounts.command("create")
@target_options
@click.argument("name")
def create(db_url: str, server_url: str | None, token: str | None, name: str) -> None:
    """Create an account (Single-Asset Mode, no balances); prints it as JSON."""
    with control_plane(db_url, server_url, token) as plane:
        click.echo(json.dumps(plane.create_account(name)))


@accounts.command("delete")
@target_options
@click.argument("name")
def delete(db_url: str, server_url: str | None, token: str | None, name: str) -> None:
    """Delete an account, its keys and its state."""
    with control_plane(db_url, server_url, token) as plane:
        plane.delete_account(name)
    click.echo(f"deleted account {name}")
