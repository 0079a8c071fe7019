"""What the WebSocket API's tests share: a connection, a request, a signed request, the
answers they expect."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from websockets.sync.client import ClientConnection, connect

from multiassets.protocol.signing import generate_private_key, load_private_key

from ...support import Credentials, Server, now_ms, sign
from ..api.test_account_views import SEEDED as REST_SEEDED

LIMIT = 1_000_000
Signer = Callable[[bytes], str]
#: The REST views' account (1000 USDT, 0.1 BTC, a BTCUSDT long, an ETHUSDT order): the
#: WebSocket API answers what they answer.
SEEDED = REST_SEEDED

#: Binance's event ending a session whose key no longer passes (§8.2).
SESSION_ENDED = {
    "id": None,
    "status": 401,
    "error": {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."},
}


def open_api(srv: Server, query: str = "", forwarded_for: str | None = None) -> ClientConnection:
    """A connection to the WebSocket API; from ``forwarded_for`` as a trusted proxy says."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    url = f"ws://127.0.0.1:{srv.port}/ws-fapi/v1{query}"
    return connect(url, open_timeout=5, additional_headers=headers)


def ask(ws: ClientConnection, frame: Any) -> Any:
    ws.send(frame if isinstance(frame, str) else json.dumps(frame))
    return json.loads(ws.recv(timeout=5))


def call(ws: ClientConnection, method: str, params: dict[str, Any] | None = None) -> Any:
    return ask(ws, {"id": "r", "method": method, "params": params or {}})


def hmac_signer(credentials: Credentials) -> Signer:
    return lambda payload: sign(credentials.secret, payload)


def signed(
    srv: Server,
    params: dict[str, Any] | None = None,
    timestamp: int | None = None,
    api_key: str | None = None,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """``params`` with apiKey, timestamp and the signature of them all, sorted by name."""
    fields = {"apiKey": api_key or srv.demo.api_key, **(params or {})}
    fields["timestamp"] = timestamp if timestamp is not None else now_ms()
    texts = {
        k: ("true" if v else "false") if isinstance(v, bool) else str(v) for k, v in fields.items()
    }
    payload = "&".join(f"{name}={texts[name]}" for name in sorted(texts))
    fields["signature"] = (signer or hmac_signer(srv.demo))(payload.encode())
    return fields


def weight(count: int, limit: int = LIMIT) -> list[dict[str, Any]]:
    return [
        {
            "rateLimitType": "REQUEST_WEIGHT",
            "interval": "MINUTE",
            "intervalNum": 1,
            "limit": limit,
            "count": count,
        }
    ]


def refusal(status: int, code: int, msg: str, ident: Any = "r") -> dict[str, Any]:
    return {"id": ident, "status": status, "error": {"code": code, "msg": msg}}


def without_limits(answer: dict[str, Any]) -> dict[str, Any]:
    assert "rateLimits" in answer
    return {name: value for name, value in answer.items() if name != "rateLimits"}


def ed25519_key(srv: Server) -> tuple[str, Signer]:
    _, signer, public_pem = load_private_key(generate_private_key("ED25519"))
    return srv.control.create_key("demo", public_key=public_pem)["apiKey"], signer
