"""``multiassets doctor``: is this key, this clock and this URL good for Multi-Assets Mode?"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Any

import click

from .._client import Client
from .._core import local_ms
from .._exceptions import BinanceError, ConfigurationError, MultiassetsError, TransportError
from ..protocol.errors import (
    BAD_API_KEY_FMT,
    INVALID_SIGNATURE,
    NO_NEED_TO_CHANGE_JOINT_MARGIN,
    REJECTED_MBX_KEY,
    TIMESTAMP_AHEAD,
)
from ..protocol.keys import KEY_LENGTH
from ..protocol.limits import FUTURE_TOLERANCE_MS, RECV_WINDOW_MS
from .errors import EXIT_API, EXIT_NETWORK, client_errors
from .profiles import client_options, make_client

__all__ = ["doctor"]

_TIMESTAMP = TIMESTAMP_AHEAD.code
#: What the trade probe gets when the key may trade: the account is in that mode already.
_PROBE_ANSWER = NO_NEED_TO_CHANGE_JOINT_MARGIN.code


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _connectivity(client: Client) -> Check:
    started = time.perf_counter()
    try:
        client.ping()
    except MultiassetsError as error:
        return Check(
            "connectivity",
            False,
            f"{client.base_url}: {error}",
            "check the URL (--base-url, --demo, the profile) and the network",
        )
    elapsed = (time.perf_counter() - started) * 1000
    return Check("connectivity", True, f"{client.base_url} answered in {elapsed:.0f} ms")


def _clock(client: Client) -> Check:
    sent = local_ms()
    server = client.server_time()
    received = local_ms()
    ahead = (sent + received) // 2 - server  # > 0: this machine is ahead of the server
    if ahead >= FUTURE_TOLERANCE_MS:
        return Check(
            "clock",
            False,
            f"your clock is {ahead / 1000:.1f} s ahead of the server",
            f"signed requests get {_TIMESTAMP} ('{FUTURE_TOLERANCE_MS}ms ahead'): sync the "
            "clock (NTP), or let the client sync (Client(time_sync=True))",
        )
    if -ahead > RECV_WINDOW_MS:
        return Check(
            "clock",
            False,
            f"your clock is {-ahead / 1000:.1f} s behind the server",
            f"signed requests fall outside recvWindow ({_TIMESTAMP}): sync the clock (NTP), or "
            "let the client sync (Client(time_sync=True))",
        )
    where = "ahead of" if ahead >= 0 else "behind"
    return Check(
        "clock",
        True,
        f"{abs(ahead)} ms {where} the server, inside recvWindow ({RECV_WINDOW_MS} ms)",
    )


_KEY_FIXES = {
    BAD_API_KEY_FMT.code: f"the API key is not {KEY_LENGTH} letters and digits: check for a "
    "stray space or a cut",
    REJECTED_MBX_KEY.code: "the key is unknown, not allowed from this IP, or lacks reading "
    "permission: check the key, its IP allow-list and 'Enable Reading'",
    INVALID_SIGNATURE.code: "the signature does not verify: the secret (or private key) does "
    "not belong to this API key",
    _TIMESTAMP: "the clock is off: see the clock check",
}


def _key(client: Client) -> tuple[Check, bool | None]:
    try:
        current = client.get_mode()
    except ConfigurationError as error:
        return Check(
            "key and signature",
            False,
            str(error),
            "give --api-key with --api-secret or --private-key, set MULTIASSETS_API_KEY "
            "and MULTIASSETS_API_SECRET, or use --profile",
        ), None
    except BinanceError as error:
        return Check(
            "key and signature", False, f"{error.code} {error.msg}", _KEY_FIXES.get(error.code, "")
        ), None
    mode = "Multi-Assets Mode" if current else "Single-Asset Mode"
    return Check(
        "key and signature", True, f"a signed read verifies; the account is in {mode}"
    ), current


def _trade(client: Client, current: bool) -> Check:
    # Asking for the mode the account is already in changes nothing: -4171 proves that the
    # key may trade and that a signed POST verifies.
    try:
        client.set_mode(current)
    except BinanceError as error:
        if error.code == _PROBE_ANSWER:
            return Check(
                "permission to change the mode",
                True,
                f"TRADE allowed (probe answered {_PROBE_ANSWER})",
            )
        fix = (
            "enable futures trading ('Enable Futures') for this key"
            if error.code == REJECTED_MBX_KEY.code
            else _KEY_FIXES.get(error.code, "")
        )
        return Check("permission to change the mode", False, f"{error.code} {error.msg}", fix)
    return Check("permission to change the mode", True, "TRADE allowed")


@click.command()
@client_options
def doctor(as_json: bool, **options: Any) -> None:
    """Check connectivity, the clock, the key, its permissions and a signed request, and say
    what to fix."""
    checks: list[Check] = []
    with client_errors(as_json), make_client(options, retries=0) as client:
        checks.append(_connectivity(client))
        if checks[-1].ok:
            try:
                checks.append(_clock(client))
                key_check, current = _key(client)
                checks.append(key_check)
                if current is not None:
                    checks.append(_trade(client, current))
            except TransportError as error:
                checks.append(
                    Check("connectivity", False, str(error), "the server stopped answering")
                )
    if as_json:
        click.echo(
            json.dumps(
                {"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]}, indent=2
            )
        )
    else:
        for check in checks:
            click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
            if check.fix:
                click.echo(f"      fix: {check.fix}")
    if not checks[0].ok or any(c.name == "connectivity" and not c.ok for c in checks):
        raise SystemExit(EXIT_NETWORK)
    if not all(check.ok for check in checks):
        raise SystemExit(EXIT_API)
