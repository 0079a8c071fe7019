"""The ``multiassets`` command line."""

from __future__ import annotations

import sys

__all__ = ["main"]

#: What the command says, in one line, when it was installed without its extra.
INSTALL_HINT = (
    "multiassets: the command line needs the 'cli' extra: pip install 'multiassets[cli]' "
    "(or 'multiassets[server]' to run the server too)"
)


def main() -> None:
    try:
        import click  # noqa: F401  (only whether it is there)
    except ImportError:
        # Exit 2, usage or configuration (cli/errors.py): an installation without the extra.
        print(INSTALL_HINT, file=sys.stderr)
        raise SystemExit(2) from None
    from .main import main as run

    run()
