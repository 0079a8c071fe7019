"""The option every command uses: its environment variable shown in ``--help`` and named in
its errors (``Missing option '--account' (env var: 'MULTIASSETS_KEYS_CREATE_ACCOUNT')``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import click

__all__ = ["Option", "exclusive", "option"]


class Option(click.Option):
    """A click option that names its environment variable wherever it names itself.

    ``shown_envvar`` is for options whose variable the command reads itself, in layers of
    its own (the client's ``MULTIASSETS_API_KEY``): shown and named, never read by click.
    """

    def __init__(self, *args: Any, shown_envvar: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("show_envvar", True)
        if shown_envvar is not None:
            kwargs["allow_from_autoenv"] = False
        super().__init__(*args, **kwargs)
        self.shown_envvar = shown_envvar

    def _envvar_name(self, ctx: click.Context | None) -> str | None:
        if self.shown_envvar is not None:
            return self.shown_envvar
        if isinstance(self.envvar, str):
            return self.envvar
        if self.envvar:
            return str(self.envvar[0])
        prefix = ctx.auto_envvar_prefix if ctx is not None else None
        if self.allow_from_autoenv and prefix and self.name:
            return f"{prefix}_{self.name.upper()}"
        return None

    def get_help_extra(self, ctx: click.Context) -> Any:
        extra = super().get_help_extra(ctx)
        if self.shown_envvar is not None:
            extra["envvars"] = (self.shown_envvar,)
        return extra

    def get_error_hint(self, ctx: click.Context | None) -> str:
        # click names only a variable given explicitly; this names the automatic ones too.
        hint = click.Parameter.get_error_hint(self, ctx)
        name = self._envvar_name(ctx)
        return f"{hint} (env var: '{name}')" if name else hint


#: ``@option(...)``: click.option with :class:`Option`.
option: Callable[..., Callable[[Any], Any]] = partial(click.option, cls=Option)


def exclusive(given: dict[str, Any], *rules: tuple[str, str, str]) -> None:
    """Refuse, as a usage error, each pair of options given together: ``(first, second,
    why)``; ``given`` maps the options (``--at``, or a parameter's name, ``base_url``) to
    their values (None, False or empty: not given)."""
    for first, second, why in rules:
        if given.get(first) not in (None, False, ()) and given.get(second) not in (
            None,
            False,
            (),
        ):
            raise click.UsageError(f"{_flag(first)} and {_flag(second)} don't go together: {why}")


def _flag(name: str) -> str:
    return name if name.startswith("-") else "--" + name.replace("_", "-")
