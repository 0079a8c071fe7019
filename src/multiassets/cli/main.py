"""``multiassets``: the command group, and how errors become exit codes."""

from __future__ import annotations

from typing import Any

import click

from .._version import __version__
from .account import account, market
from .accounts import accounts
from .clock import clock
from .doctor import doctor
from .errors import Failure, failure
from .faults import faults
from .keys import keys
from .log import log
from .mode import mode
from .position_mode import position_mode
from .serve import serve
from .state import state
from .watch import watch

__all__ = ["cli", "main"]


class _Commands(click.Group):
    """The group, turning any failure of a command run with ``--json`` into JSON: a usage
    error, a conflict of options, a missing database, as well as a refusal."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["json"] = "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException as error:
            if not ctx.meta.get("json") or (isinstance(error, Failure) and error.document):
                raise
            message = error.format_message()
            raise failure(message, error.exit_code, {"error": message}) from error


@click.group(
    cls=_Commands,
    context_settings={
        "help_option_names": ["-h", "--help"],
        # An option without a variable of its own (see --help) can come from the environment
        # as MULTIASSETS_<COMMAND>_<OPTION>, e.g. MULTIASSETS_LOG_ACCOUNT.
        "auto_envvar_prefix": "MULTIASSETS",
    },
)
@click.version_option(__version__, prog_name="multiassets")
def cli() -> None:
    """A faithful local Binance USD-M Futures Multi-Assets Mode API.

    Start a server with `multiassets serve`; the other commands find it without flags.
    Exit codes: 0 done, 1 refused, 2 usage or configuration, 3 no answer, 4 rate limited.
    """


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
    cli()
