"""Exit codes, in one place: what each kind of failure ends the command with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from .._exceptions import (
    BinanceError,
    ConfigurationError,
    MultiassetsError,
    RateLimitError,
    TransportError,
)

__all__ = ["EXIT_API", "EXIT_NETWORK", "EXIT_RATE_LIMITED", "EXIT_USAGE", "client_errors"]

EXIT_API = 1  # Binance (or the server) refused: the code and message are printed
EXIT_USAGE = 2  # click's own: a bad option, a missing key, an unreadable config
EXIT_NETWORK = 3  # no answer
EXIT_RATE_LIMITED = 4  # 429 or 418: wait Retry-After


class ApiFailure(click.ClickException):
    exit_code = EXIT_API


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


class NetworkFailure(click.ClickException):
    exit_code = EXIT_NETWORK


class RateLimited(click.ClickException):
    exit_code = EXIT_RATE_LIMITED


@contextmanager
def client_errors() -> Iterator[None]:
    """Turn the client's exceptions into one line on stderr and the exit code above."""
    try:
        yield
    except RateLimitError as error:
        wait = f"; retry in {error.retry_after} s" if error.retry_after is not None else ""
        raise RateLimited(f"{error.code} {error.msg}{wait}") from error
    except BinanceError as error:
        raise ApiFailure(f"{error.code} {error.msg} (HTTP {error.status})") from error
    except TransportError as error:
        raise NetworkFailure(str(error)) from error
    except ConfigurationError as error:
        raise UsageFailure(str(error)) from error
    except MultiassetsError as error:
        raise ApiFailure(str(error)) from error
