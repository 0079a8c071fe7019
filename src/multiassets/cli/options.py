"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..server.config import default_db_url
from ..store import Store, StoreError, open_store

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["db_option", "open_db"]


def db_option(function: F) -> F:
    return click.option(
        "--db",
        "db_url",
        default=default_db_url,
        show_default="sqlite:///~/.local/share/multiassets/multiassets.db",
        help="Database URL: sqlite:///relative.db or sqlite:////absolute.db.",
    )(function)


def open_db(url: str) -> Store:
    try:
        return open_store(url)
    except StoreError as error:
        raise click.ClickException(str(error)) from error
