"""Exit codes, in one place: what each kind of failure ends the command with.

====  ===========================================================================
0     done
1     refused: Binance or the server said no (the code and message are printed), or a
      doctor check failed
2     usage or configuration: a bad or missing option, conflicting options, no key, a
      wrong control-plane token, no such database, a port already in use
3     no answer: nothing listens at the URL, or the connection broke
4     rate limited (429) or banned (418): wait Retry-After
====  ===========================================================================

With ``--json`` a failure is a JSON object on standard output instead of a line on standard
error: Binance's ``{"code": …, "msg": …}`` for a refusal Binance's way, else
``{"error": "…"}`` (any failure: ``main.py`` turns the others, usage errors too, into it).
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from .._exceptions import (
    AdminError,
    BinanceError,
    ConfigurationError,
    MultiassetsError,
    RateLimitError,
    TransportError,
)

__all__ = [
    "EXIT_API",
    "EXIT_NETWORK",
    "EXIT_RATE_LIMITED",
    "EXIT_USAGE",
    "Failure",
    "client_errors",
    "failure",
    "control_errors",
]

EXIT_API = 1
EXIT_USAGE = 2  # click's own code for a usage error
EXIT_NETWORK = 3
EXIT_RATE_LIMITED = 4


class Failure(click.ClickException):
    """A failure; with ``document``, shown as JSON on standard output. Made by
    :func:`failure`, whose subclass carries the exit code (click reads it off the class)."""

    def __init__(self, message: str, document: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.document = document

    def show(self, file: IO[Any] | None = None) -> None:
        if self.document is None:
            super().show(file)
        else:
            click.echo(json.dumps(self.document))


class _Refused(Failure):
    exit_code = EXIT_API


class _Misused(Failure):
    exit_code = EXIT_USAGE


class _Unanswered(Failure):
    exit_code = EXIT_NETWORK


class _Throttled(Failure):
    exit_code = EXIT_RATE_LIMITED


_BY_CODE: dict[int, type[Failure]] = {
    EXIT_API: _Refused,
    EXIT_USAGE: _Misused,
    EXIT_NETWORK: _Unanswered,
    EXIT_RATE_LIMITED: _Throttled,
}


def failure(message: str, exit_code: int, document: dict[str, Any] | None = None) -> Failure:
    """The failure that ends the command with ``exit_code``."""
    return _BY_CODE[exit_code](message, document)


def _failure(message: str, code: int, as_json: bool, document: dict[str, Any] | None) -> Failure:
    return failure(message, code, (document or {"error": message}) if as_json else None)


@contextmanager
def client_errors(as_json: bool = False) -> Iterator[None]:
    """Turn the client's exceptions into one line on stderr (or JSON) and the code above."""
    try:
        yield
    except RateLimitError as error:
        wait = f"; retry in {error.retry_after} s" if error.retry_after is not None else ""
        document = {"code": error.code, "msg": error.msg, "retryAfter": error.retry_after}
        message = f"{error.code} {error.msg}{wait}"
        raise _failure(message, EXIT_RATE_LIMITED, as_json, document) from error
    except BinanceError as error:
        document = {"code": error.code, "msg": error.msg}
        message = f"{error.code} {error.msg} (HTTP {error.status})"
        raise _failure(message, EXIT_API, as_json, document) from error
    except TransportError as error:
        raise _failure(str(error), EXIT_NETWORK, as_json, None) from error
    except ConfigurationError as error:
        raise _failure(str(error), EXIT_USAGE, as_json, None) from error
    except MultiassetsError as error:
        raise _failure(str(error), EXIT_API, as_json, None) from error


def _admin_exit_code(error: AdminError) -> int:
    context = error.__context__
    if isinstance(context, OSError | urllib.error.URLError) and not isinstance(
        context, urllib.error.HTTPError
    ):
        return EXIT_NETWORK  # ControlClient: nothing answered
    if error.status in (401, 403):
        return EXIT_USAGE  # the token is wrong: configuration, not a refusal
    if error.status == 502:
        return EXIT_USAGE  # something answered, but not a multiassets server: a wrong URL
    if error.status in (418, 429):
        return EXIT_RATE_LIMITED
    return EXIT_API


@contextmanager
def control_errors(as_json: bool = False) -> Iterator[None]:
    """The control plane's (or the database's) refusals as one line and the code above."""
    try:
        yield
    except AdminError as error:
        raise _failure(str(error), _admin_exit_code(error), as_json, None) from error
