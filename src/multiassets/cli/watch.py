"""``multiassets watch``: the account's user data stream, as it happens."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import click

from .errors import client_errors
from .params import option
from .profiles import client_options, client_settings

__all__ = ["watch"]


@click.command()
@option("--count", type=click.IntRange(1), help="Stop after this many events.")
@client_options
def watch(count: int | None, as_json: bool, **options: Any) -> None:
    """Print each event of the account's user data stream (a mode change is an
    ACCOUNT_CONFIG_UPDATE) until the stream ends or Ctrl-C."""

    # Here, not at the top: the other commands need neither asyncio's client nor aiohttp.
    from .._async_client import AsyncClient
    from .._events import AccountConfigUpdate, ListenKeyExpired

    async def run() -> None:
        seen = 0
        async with AsyncClient(**client_settings(options)) as client:
            async for event in client.user_stream():
                if as_json:
                    click.echo(json.dumps(event.raw))
                else:
                    stamp = time.strftime("%H:%M:%S", time.gmtime(event.event_time / 1000))
                    if isinstance(event, AccountConfigUpdate):
                        mode = "Multi-Assets" if event.multi_assets_margin else "Single-Asset"
                        click.echo(f"{stamp} mode changed: {mode} Mode")
                    elif isinstance(event, ListenKeyExpired):
                        click.echo(f"{stamp} the stream ended (listenKey expired)")
                    else:
                        click.echo(f"{stamp} {event.type}: {json.dumps(event.raw)}")
                seen += 1
                if count is not None and seen >= count:
                    return

    with client_errors(as_json), contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
