"""wrk Lua scripts with correctly signed requests, and the accounts they use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["asymmetric_keys", "change_script", "fixture", "load_fixture", "signed_get_script"]

MODE_PATH = "/fapi/v1/multiAssetsMargin"
_ALPHABET = string.ascii_letters + string.digits

Key = tuple[str, str]  # api key, secret


def _token() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(64))


def asymmetric_keys() -> dict[str, tuple[str, str, str]]:
    """kind -> (api key, private key PEM, public key PEM), for RSA and Ed25519."""
    from multiassets.protocol.signing import generate_private_key, load_private_key

    keys = {}
    for kind in ("RSA", "ED25519"):
        private = generate_private_key(kind)
        keys[kind] = (_token(), private, load_private_key(private)[2])
    return keys


def fixture(
    accounts: int, asymmetric: dict[str, tuple[str, str, str]] | None = None
) -> tuple[dict[str, Any], list[Key]]:
    """A state document with ``accounts + 1`` accounts, each with one HMAC key, all
    Single-Asset; the ``asymmetric`` keys go to the first account."""
    keys = [(_token(), _token()) for _ in range(accounts + 1)]
    document: dict[str, Any] = {
        "format": "multiassets/state@1",
        "accounts": [
            {
                "name": f"bench{n}",
                "state": {},
                "keys": [
                    {
                        "apiKey": key,
                        "secretKey": secret,
                        "type": "HMAC",
                        "permissions": ["USER_DATA", "TRADE"],
                        "ipAllowlist": None,
                    }
                ],
            }
            for n, (key, secret) in enumerate(keys)
        ],
    }
    for kind, (api_key, _, public) in (asymmetric or {}).items():
        document["accounts"][0]["keys"].append(
            {
                "apiKey": api_key,
                "type": kind,
                "publicKey": public,
                "permissions": ["USER_DATA", "TRADE"],
                "ipAllowlist": None,
            }
        )
    return document, keys


def load_fixture(path: Path, db_url: str) -> None:
    """Load a :func:`fixture` saved at ``path`` into the database at ``db_url`` (through the
    CLI, as a user would), before the server starts. The database is made first, as ``serve``
    would make it: the other commands take an existing one only."""
    from multiassets.store import open_store

    open_store(db_url).close()
    load = [sys.executable, "-m", "multiassets", "state", "load", str(path), "--db", db_url]
    subprocess.run(load, check=True, capture_output=True, cwd=Path(__file__).parent.parent)


def _signed(secret: str, params: str) -> str:
    # A fresh timestamp per run, inside the (maximal) recvWindow for the run's few seconds.
    payload = f"{params}recvWindow=60000&timestamp={time.time_ns() // 1_000_000}"
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{MODE_PATH}?{payload}&signature={signature}"


def signed_get_script(key: Key, private_pem: str | None = None) -> str:
    """A signed GET of the mode: HMAC with ``key``'s secret, or RSA/Ed25519 with
    ``private_pem`` (the server verifies the same signature again on every request)."""
    if private_pem is None:
        path = _signed(key[1], "")
    else:
        from urllib.parse import quote

        from multiassets.protocol.signing import load_private_key

        payload = f"recvWindow=60000&timestamp={time.time_ns() // 1_000_000}"
        signature = quote(load_private_key(private_pem)[1](payload.encode()), safe="")
        path = f"{MODE_PATH}?{payload}&signature={signature}"
    return f'wrk.path = "{path}"\nwrk.headers["X-MBX-APIKEY"] = "{key[0]}"\n'


def change_script(keys: list[Key]) -> str:
    """Request j changes account j mod N, to true on even rounds and false on odd ones, so
    every change is accepted; N is far above the connection count, so no two requests for
    one account are ever in flight together."""
    paths = [
        _signed(secret, f"multiAssetsMargin={target}&")
        for target in ("true", "false")
        for _, secret in keys
    ]
    lines = ["local paths = {"] + [f'  "{path}",' for path in paths] + ["}", "local keys = {"]
    lines += [f'  "{key}",' for key, _ in keys] + ["}"]
    lines += [
        f"local n = {len(keys)}",
        # wrk builds one request it never sends before the run: let it be a harmless ping,
        # so the counter below counts only requests that go out.
        "local counter = -1",
        "request = function()",
        "  local j = counter",
        '  if j < 0 then counter = 0; return wrk.format("GET", "/fapi/v1/ping") end',
        "  counter = counter + 1",
        "  local k = j % n",
        "  local round = math.floor(j / n) % 2",
        '  return wrk.format("POST", paths[round * n + k + 1], {["X-MBX-APIKEY"] = keys[k + 1]})',
        "end",
    ]
    return "\n".join(lines) + "\n"
