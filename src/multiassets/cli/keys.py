"""``multiassets keys``: API keys."""

from __future__ import annotations

import json
from typing import IO

import click

from ..protocol.keys import PERMISSIONS
from ..protocol.signing import (
    KeyFormatError,
    generate_private_key,
    load_private_key,
    read_public_key,
)
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
    default=",".join(PERMISSIONS),
    show_default=True,
    help="USER_DATA (read) and/or TRADE (change), comma-separated.",
)
@click.option("--ip", "ips", multiple=True, help="Allow only this client IP (repeatable).")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["hmac", "rsa", "ed25519"], case_sensitive=False),
    default="hmac",
    show_default=True,
)
@click.option(
    "--public-key",
    type=click.File("r"),
    help="RSA or Ed25519: the PEM public key to register (only it is stored).",
)
@click.option(
    "--generate",
    is_flag=True,
    help="RSA or Ed25519: make a key pair here, register its public half, print the private "
    "key once.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the new key as JSON.")
def create(
    db_url: str,
    server_url: str | None,
    token: str | None,
    account: str,
    permissions: str,
    ips: tuple[str, ...],
    kind: str,
    public_key: IO[str] | None,
    generate: bool,
    as_json: bool,
) -> None:
    """Create a key (and its account if needed). A secret or private key is shown only now."""
    granted = [name.strip().upper() for name in permissions.split(",") if name.strip()]
    if not set(granted) <= set(PERMISSIONS):
        raise click.BadParameter(
            f"choose from {', '.join(PERMISSIONS)}", param_hint="--permissions"
        )
    public_pem, private_pem = _key_pair(kind.upper(), public_key, generate)
    with control_plane(db_url, server_url, token) as plane:
        new = plane.create_key(account, granted, list(ips) if ips else None, public_pem)
    shown = {"account": new["account"], "apiKey": new["apiKey"]}
    if "secretKey" in new:
        shown["secretKey"] = new["secretKey"]
    else:
        shown["type"] = new["type"]
    if private_pem is not None:
        shown["privateKey"] = private_pem
    if as_json:
        click.echo(json.dumps(shown))
        return
    click.echo(f"account:     {new['account']}")
    click.echo(f"type:        {new['type']}")
    click.echo(f"API key:     {new['apiKey']}")
    if "secretKey" in shown:
        click.echo(f"secret key:  {shown['secretKey']}")
    click.echo(f"permissions: {', '.join(new['permissions'])}")
    if new["ipAllowlist"] is not None:
        click.echo(f"IPs:         {', '.join(new['ipAllowlist'])}")
    if private_pem is not None:
        click.echo(private_pem, nl=False)
    if "secretKey" in shown or private_pem is not None:
        click.echo("This is the only time it is shown: keep it now.")


def _key_pair(
    kind: str, public_key: IO[str] | None, generate: bool
) -> tuple[str | None, str | None]:
    """(public PEM, private PEM made here) for a key of ``kind``; (None, None) for HMAC.
    Checked before anything is created."""
    public_pem = public_key.read() if public_key is not None else None
    if kind == "HMAC":
        if public_pem is not None or generate:
            raise click.UsageError("--public-key and --generate are for --type rsa or ed25519")
        return None, None
    if (public_pem is None) == (not generate):
        raise click.UsageError(f"--type {kind.lower()} needs --public-key FILE or --generate")
    private_pem = None
    if generate:
        private_pem = generate_private_key("RSA" if kind == "RSA" else "ED25519")
        public_pem = load_private_key(private_pem)[2]
    assert public_pem is not None
    try:
        actual, _ = read_public_key(public_pem)
    except KeyFormatError as error:
        raise click.BadParameter(str(error), param_hint="--public-key") from error
    if actual != kind:
        raise click.BadParameter(
            f"the public key is {actual}, not {kind}", param_hint="--public-key"
        )
    return public_pem, private_pem


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
