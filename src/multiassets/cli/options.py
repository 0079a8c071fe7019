"""Options shared by several commands, and where a command's changes go: a running server's
control plane or a database directly.

In this order: ``--server`` (or ``MULTIASSETS_SERVER``) with ``--token``; ``--db`` (or
``MULTIASSETS_DB``); the server the user started, found by its discovery file
(:mod:`.discovery`) — through its control plane when its token is known, else on its database;
last, the default database. A SQLite database that does not exist is refused: only ``serve``
makes one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from ..admin import Admin
from ..control_client import ControlClient
from ..server.config import default_db_url
from ..store import Store, StoreError, open_store
from .discovery import find_server
from .errors import EXIT_NETWORK, EXIT_USAGE, control_errors, failure
from .params import Option, option

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "ControlPlane",
    "control_plane",
    "db_option",
    "open_db",
    "running_control",
    "server_options",
    "target_options",
]

ControlPlane = Admin | ControlClient

_DB_HELP = (
    "Database URL: sqlite:///relative.db, sqlite:////absolute.db or "
    "postgresql://user@host:5432/name. Without it: the database of the server `serve` started "
    "(its discovery file), else the default."
)


class _DbOption(Option):
    """``--db``, whose default in --help is the one in force now ($MULTIASSETS_HOME,
    $XDG_DATA_HOME), not the one when the module was imported."""

    def get_help_extra(self, ctx: click.Context) -> Any:
        self.show_default = default_db_url()
        return super().get_help_extra(ctx)


def db_option(function: F) -> F:
    decorate: Callable[[F], F] = option(
        "--db",
        "db_url",
        cls=_DbOption,
        default=default_db_url,
        envvar="MULTIASSETS_DB",
        help=_DB_HELP,
    )
    return decorate(function)


def _server_flags(function: F, token_help: str) -> F:
    token: Callable[[F], F] = option("--token", envvar="MULTIASSETS_TOKEN", help=token_help)
    server: Callable[[F], F] = option(
        "--server",
        "server_url",
        envvar="MULTIASSETS_SERVER",
        help="A running server's base URL, e.g. http://127.0.0.1:8080. Without it: the server "
        "`multiassets serve` started on this machine (its discovery file).",
    )
    return server(token(function))


def target_options(function: F) -> F:
    """``--db``, or ``--server`` with ``--token`` for a running server."""
    function = _server_flags(function, "The control plane's bearer token (with --server).")
    return db_option(function)


def server_options(function: F) -> F:
    """``--server`` and ``--token``: commands that act on a running server only."""
    return _server_flags(function, "The control plane's bearer token.")


def _refuse_missing_sqlite(url: str) -> None:
    if not url.startswith("sqlite:///"):
        return
    path = url.removeprefix("sqlite:///")
    if not os.path.exists(path):
        raise failure(
            f"no database at {os.path.abspath(path)} (--db {url}): `multiassets serve --db "
            f"{url}` creates it; a relative path is from the current directory",
            EXIT_USAGE,
        )


def open_db(url: str, *, create: bool = False) -> Store:
    """The database at ``url``; one that does not exist yet only with ``create``."""
    if not create:
        _refuse_missing_sqlite(url)
    try:
        return open_store(url)
    except StoreError as error:
        # A PostgreSQL server that does not answer is "no answer"; the rest is configuration.
        unreachable = str(error).startswith("can't open PostgreSQL")
        raise failure(str(error), EXIT_NETWORK if unreachable else EXIT_USAGE) from error


def _given(name: str) -> bool:
    """Whether the command's option ``name`` was given (flag, environment, config file)."""
    source = click.get_current_context().get_parameter_source(name)
    return source not in (None, ParameterSource.DEFAULT)


def running_control(server_url: str | None, token: str | None) -> ControlClient:
    """A running server's control plane: the one named, else the one `serve` started here."""
    found = find_server()
    if server_url is None:
        if found is None:
            raise click.UsageError(
                "no running server: give --server URL (env var: 'MULTIASSETS_SERVER') and "
                "--token (env var: 'MULTIASSETS_TOKEN'), or start one with `multiassets serve`"
            )
        server_url, token = found.url, token or found.token
        if not token:
            raise click.UsageError(
                f"the server at {found.url} (found in {found.path}) did not make its token "
                "this time: give --token (env var: 'MULTIASSETS_TOKEN')"
            )
    elif not token:
        if found is not None and found.url == server_url.rstrip("/") and found.token:
            token = found.token
        else:
            raise click.UsageError("--server needs --token (env var: 'MULTIASSETS_TOKEN')")
    return ControlClient(server_url, token)


@contextmanager
def control_plane(
    db_url: str, server_url: str | None, token: str | None, as_json: bool = False
) -> Iterator[ControlPlane]:
    """The control plane named by the options (see the module's docstring); its refusals
    become one line and an exit code (errors.py)."""
    with control_errors(as_json):
        if server_url is not None or (not _given("db_url") and _found_with_token()):
            yield running_control(server_url, token)
            return
        if not _given("db_url"):
            found = find_server()
            db_url = found.db if found is not None else db_url
        store = open_db(db_url)
        try:
            yield Admin(store)
        finally:
            store.close()


def _found_with_token() -> bool:
    found = find_server()
    return found is not None and found.token is not None
