"""What ``multiassets serve`` prints on standard output once it answers: what this start
made, shown only now (the demo account's key, the control plane's token), then a block to
paste into a shell and a line per Binance client that points it here.

The first three lines of a new database's output are read by programs
(``multiassets.testing``): "Created account 'demo'…", then the API key and the secret, each
the last word of its line.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Made", "client_lines", "made_lines", "ready_lines"]


@dataclass(frozen=True)
class Made:
    """What a start made, shown once."""

    api_key: str | None = None
    secret_key: str | None = None
    token: str | None = None

    @property
    def anything(self) -> bool:
        return self.api_key is not None or self.token is not None


def made_lines(made: Made) -> list[str]:
    lines = []
    if made.api_key is not None:
        lines += [
            "Created account 'demo' with an HMAC key (shown only this once):",
            f"  API key:    {made.api_key}",
            f"  secret key: {made.secret_key}",
        ]
    if made.token is not None:
        lines += [
            "Control plane token (shown only this once; --admin-token sets your own):",
            f"  token:      {made.token}",
        ]
    return lines


def client_lines(url: str) -> list[str]:
    """One line per client: what points it at ``url`` instead of Binance."""
    ccxt = (
        f'exchange.urls["api"] = {{k: v.replace("https://fapi.binance.com", "{url}") '
        'for k, v in exchange.urls["api"].items()}'
    )
    return [
        f'  python-binance             Client.API_URL, Client.FUTURES_URL = "{url}/api", '
        f'"{url}/fapi"',
        f'  binance-futures-connector  UMFutures(key, secret, base_url="{url}")',
        f"  ccxt (binanceusdm)         {ccxt}",
        "  binance-sdk-derivatives-trading-usds-futures  "
        f'ConfigurationRestAPI(api_key=key, api_secret=secret, base_path="{url}")',
    ]


def ready_lines(url: str, made: Made, given_token: bool) -> list[str]:
    """The whole text: what this start made, then the block to paste, then the clients."""
    lines = made_lines(made)
    if lines:
        lines.append("")
    lines += [
        f"Ready on {url}. To point the multiassets CLI and client here, paste:",
        "",
        f"export MULTIASSETS_SERVER={url}",
    ]
    if made.token is not None:
        lines.append(f"export MULTIASSETS_TOKEN={made.token}")
    lines.append(f"export MULTIASSETS_BASE_URL={url}")
    if made.api_key is not None:
        lines.append(f"export MULTIASSETS_API_KEY={made.api_key}")
        lines.append(f"export MULTIASSETS_API_SECRET={made.secret_key}")
    unshown = _unshown(made, given_token)
    if unshown:
        lines.append(unshown)
    lines += ["", "Other clients, pointed here (key, secret: the API key's):", *client_lines(url)]
    return lines


def _unshown(made: Made, given_token: bool) -> str:
    """A shell comment for what a restart does not show again, and how to get it."""
    names = []
    if made.token is None and not given_token:
        names.append("MULTIASSETS_TOKEN")
    if made.api_key is None:
        names += ["MULTIASSETS_API_KEY", "MULTIASSETS_API_SECRET"]
    notes = [f"{', '.join(names)}: shown on the first start"] if names else []
    if made.token is None and given_token:
        notes.append("MULTIASSETS_TOKEN: the --admin-token given")
    if made.api_key is None:
        notes.append("a new key: multiassets keys create --account demo")
    return f"# {'; '.join(notes)}" if notes else ""
