"""``multiassets keys``: API keys."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from ..protocol.keys import PERMISSIONS
from ..protocol.signing import (
    KeyFormatError,
    generate_private_key,
    load_private_key,
    read_public_key,
)
from .errors import EXIT_USAGE, failure
from .options import control_plane, target_options
from .params import option

__all__ = ["keys"]


@click.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command("create")
@target_options
@option("--account", required=True, help="Account name; created if it does not exist.")
@option(
    "--permissions",
    default=",".join(PERMISSIONS),
    show_default=True,
    help="USER_DATA (read) and/or TRADE (change), comma-separated.",
)
@option("--ip", "ips", multiple=True, help="Allow only this client IP (repeatable).")
@option(
    "--type",
    "kind",
    type=click.Choice(["hmac", "rsa", "ed25519"], case_sensitive=False),
    default="hmac",
    show_default=True,
    help="HMAC (a secret made here), or RSA or Ed25519 (a public key registered).",
)
@option(
    "--public-key",
    type=click.File("r"),
    help="RSA or Ed25519: the PEM public key to register (only it is stored).",
)
@option(
    "--generate",
    is_flag=True,
    help="RSA or Ed25519: make a key pair here, register its public half, print the private "
    "key once (or write it to -o FILE).",
)
@option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="With --generate: write the private key (PEM) to this new file, readable by you "
    "only, and print only the public facts.",
)
@option("--json", "as_json", is_flag=True, help="Print the new key as JSON.")
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
    output: str | None,
    as_json: bool,
) -> None:
    """Create a key (and its account if needed): also how to get a working key again, e.g.
    `multiassets keys create --account demo`. A secret or private key is shown only now."""
    granted = [name.strip().upper() for name in permissions.split(",") if name.strip()]
    if not set(granted) <= set(PERMISSIONS):
        raise click.BadParameter(
            f"choose from {', '.join(PERMISSIONS)}", param_hint="--permissions"
        )
    if output is not None and not generate:
        raise click.UsageError("-o/--output is where --generate writes the private key")
    public_pem, private_pem = _key_pair(kind.upper(), public_key, generate)
    with (
        _private_file(output) as write_private,
        control_plane(db_url, server_url, token, as_json) as plane,
    ):
        new = plane.create_key(account, granted, list(ips) if ips else None, public_pem)
        if private_pem is not None and output is not None:
            write_private(private_pem)
            private_pem = None
    _show(new, private_pem, output, as_json)


@contextmanager
def _private_file(path: str | None) -> Iterator[Any]:
    """A writer for the new file ``path`` (only its owner may read it), made before the key
    is, so that a key is never created whose private half can't be kept; removed again if
    the key is not created."""
    if path is None:
        yield lambda text: None
        return
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise failure(f"{path} exists: -o writes a new file only", EXIT_USAGE) from None
    except OSError as error:
        raise failure(f"can't write {path}: {error.strerror}", EXIT_USAGE) from None
    written = False
    with os.fdopen(descriptor, "w") as file:

        def write(text: str) -> None:
            nonlocal written
            file.write(text)
            written = True

        try:
            yield write
        finally:
            if not written:
                os.unlink(path)


def _show(new: dict[str, Any], private_pem: str | None, output: str | None, as_json: bool) -> None:
    shown = {"account": new["account"], "apiKey": new["apiKey"]}
    if "secretKey" in new:
        shown["secretKey"] = new["secretKey"]
    else:
        shown["type"] = new["type"]
    if private_pem is not None:
        shown["privateKey"] = private_pem
    if output is not None:
        shown["privateKeyFile"] = output
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
    if output is not None:
        click.echo(f"private key: {output} (readable by you only)")
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
@option("--account", required=True, help="The account whose keys to list.")
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
    click.echo(f"revoked key {api_key[:8]}…")
