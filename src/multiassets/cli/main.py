"""``multiassets``: the command group, and how errors become exit codes."""

from __future__ import annotations

import click

from .._version import __version__
from .account import account, market
from .accounts import accounts
from .clock import clock
from .doctor import doctor
from .faults import faults
from .keys import keys
from .log import log
from .mode import mode
from .position_mode import position_mode
from .serve import serve
from .state import state
from .watch import watch

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="multiassets")
def cli() -> None:
    """A faithful local Binance USD-M Futures Multi-Assets Mode API."""


cli.add_command(mode)
cli.add_command(position_mode)
cli.add_command(doctor)
cli.add_command(serve)
cli.add_command(account)
cli.add_command(accounts)
cli.add_command(market)
cli.add_command(clock)
cli.add_command(faults)
cli.add_command(keys)
cli.add_command(log)
cli.add_command(state)
cli.add_command(watch)


def main() -> None:
    # An option without a variable of its own (see --help) can come from the environment
    # as MULTIASSETS_<COMMAND>_<OPTION>, e.g. MULTIASSETS_MODE_RECV_WINDOW.
    cli(auto_envvar_prefix="MULTIASSETS")
