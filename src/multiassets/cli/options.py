"""Options shared by several commands, and where a command's changes go: a running server's
control plane (``--server``) or a database directly (``--db``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from .._exceptions import AdminError
from ..admin import Admin
from ..control_client import ControlClient
from ..server.config import default_db_url
from ..store import Store, StoreError, open_store

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["ControlPlane", "control_plane", "db_option", "open_db", "target_options"]

ControlPlane = Admin | ControlClient


def db_option(function: F) -> F:
    return click.option(
        "--db",
        "db_url",
        default=default_db_url,
        envvar="MULTIASSETS_DB",
        show_envvar=True,
        show_default="sqlite:///~/.local/share/multiassets/multiassets.db",
        help="Database URL: sqlite:///relative.db, sqlite:////absolute.db or "
        "postgresql://user@host:5432/name.",
    )(function)


def target_options(function: F) -> F:
    """``--db``, or ``--server`` with ``--token`` for a running server."""
    function = click.option(
        "--token",
        envvar="MULTIASSETS_TOKEN",
        help="The control plane's bearer token (with --server).",
    )(function)
    function = click.option(
        "--server",
        "server_url",
        envvar="MULTIASSETS_SERVER",
        help="A running server's base URL, e.g. http://127.0.0.1:8080; else --db is used.",
    )(function)
    return db_option(function)


def open_db(url: str) -> Store:
    try:
        return open_store(url)
    except StoreError as error:
        raise click.ClickException(str(error)) from error


@contextmanager
def control_plane(db_url: str, server_url: str | None, token: str | None) -> Iterator[ControlPlane]:
    """The control plane named by the options; AdminError becomes a one-line CLI error."""
    try:
        if server_url is not None:
            if not token:
                raise click.UsageError("--server needs --token (or MULTIASSETS_TOKEN)")
            yield ControlClient(server_url, token)
            return
        store = open_db(db_url)
        try:
            yield Admin(store)
        finally:
            store.close()
    except AdminError as error:
        raise click.ClickException(str(error)) from error
