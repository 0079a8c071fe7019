"""What the server never lets out: a session at the debug log level, with the access log on,
that carries credentials every way they travel (signed requests, listenKeys in REST calls and
in every WebSocket URL form and frame, API keys, control-plane tokens) leaves none of them whole
in the log, only the prefix that tells them apart; the control plane answers only with its
token, and only loopback clients by default."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from multiassets import Client
from multiassets.admin import new_token
from multiassets.protocol.signing import generate_private_key, load_private_key

from ..support import Credentials, Server, now_ms, running_server, sign

MODE = "/fapi/v1/multiAssetsMargin"
LISTEN_KEY = "/fapi/v1/listenKey"


def shown(credential: str) -> str:
    """What the log may keep of a credential."""
    return credential[:8] + "…"


def signed(
    srv: Server, credentials: Credentials, method: str, params: dict[str, str], in_body: bool
) -> str:
    """Send a signed request; its signature."""
    timestamp = now_ms()
    signature = sign(credentials.secret, urlencode({**params, "timestamp": timestamp}))
    reply = srv.signed(
        method, MODE, params, credentials=credentials, timestamp=timestamp, in_body=in_body
    )
    assert reply.status == 200, reply.body
    return signature


def socket(srv: Server, target: str, headers: dict[str, str] | None = None) -> ClientConnection:
    return connect(f"ws://127.0.0.1:{srv.port}{target}", open_timeout=5, additional_headers=headers)


def received(ws: ClientConnection) -> Any:
    return json.loads(ws.recv(timeout=5))


def session(srv: Server) -> tuple[list[str], list[str]]:
    """Requests of every kind; the credentials they carried, and what each one that reaches
    the log must leave there (its prefix, in the line that logged it)."""
    secrets = [srv.demo.api_key, srv.demo.secret, srv.admin_token]
    expected: list[str] = []
    created = srv.control.create_key("demo")  # the control plane returns a secret
    other = Credentials(created["apiKey"], created["secretKey"])
    secrets += [other.api_key, other.secret]
    for credentials in (srv.demo, other):
        for method, params, in_body in (
            ("GET", {}, False),
            ("POST", {"multiAssetsMargin": "true"}, True),
            ("POST", {"multiAssetsMargin": "false"}, False),
        ):
            secrets.append(signed(srv, credentials, method, params, in_body))
    # An Ed25519 key: its signature is base64, percent-encoded in the query.
    private_pem = generate_private_key("ED25519")
    _, signer, public_pem = load_private_key(private_pem)
    ed25519 = srv.control.create_key("demo", public_key=public_pem)["apiKey"]
    payload = f"timestamp={now_ms()}"
    signature = signer(payload.encode())
    reply = srv.request(
        "GET",
        MODE,
        f"{payload}&signature={quote(signature, safe='')}",
        headers={"X-MBX-APIKEY": ed25519},
    )
    assert reply.status == 200, reply.body
    secrets += [ed25519, signature, quote(signature, safe="")]
    # A wrong signature, in a percent-encoded name, and a bad token.
    bad, bad_token = sign(new_token(), "wrong"), new_token()
    secrets += [bad, bad_token]
    query = f"timestamp={now_ms()}&%73ignature={bad}"
    srv.request("GET", MODE, query, headers={"X-MBX-APIKEY": srv.demo.api_key})
    reply = srv.request(
        "GET", "/_multiassets/accounts", headers={"Authorization": "Bearer " + bad_token}
    )
    assert reply.status == 401
    # Our own client, which signs with its own code.
    with Client(srv.demo.api_key, srv.demo.secret, base_url=srv.base_url) as client:
        client.get_mode()
    secrets += streams(srv, expected)
    # A key revoked by the control plane: the key is in the request's path.
    revoked = srv.control.create_key("demo")
    secrets += [revoked["apiKey"], revoked["secretKey"]]
    srv.control.revoke_key(revoked["apiKey"])
    expected.append(f'"DELETE /_multiassets/keys/{shown(revoked["apiKey"])} HTTP/1.1" 200')
    srv.control.log()
    return secrets, expected


def streams(srv: Server, expected: list[str]) -> list[str]:
    """The listenKey's life and its streams in every URL form, and in frames (the debug log
    prints them); the credentials they carried."""
    demo = {"X-MBX-APIKEY": srv.demo.api_key}
    key = srv.request("POST", LISTEN_KEY, headers=demo).json()["listenKey"]
    assert srv.request("PUT", LISTEN_KEY, headers=demo).status == 200
    # Some clients send the key back as a parameter: then it is in the access log's target.
    assert srv.request("PUT", LISTEN_KEY, f"listenKey={key}", headers=demo).status == 200
    expected.append(f'"PUT {LISTEN_KEY}?listenKey={shown(key)} HTTP/1.1" 200')
    created = srv.control.create_key("second")
    second = Credentials(created["apiKey"], created["secretKey"])
    reply = srv.request("POST", LISTEN_KEY, headers={"X-MBX-APIKEY": second.api_key})
    key2 = reply.json()["listenKey"]
    for form in ("/ws/{}", "/private/ws/{}", "/private/ws?listenKey={}"):
        with socket(srv, form.format(key)):
            pass
        expected.append(f'"WebSocket {form.format(shown(key))}" [accepted]')
    wrong = new_token()
    with pytest.raises(InvalidStatus):
        socket(srv, f"/ws/{wrong}")
    expected.append(f'"WebSocket /ws/{shown(wrong)}" 403')
    with (
        socket(srv, f"/stream?streams={key}/{key2}") as combined,
        socket(srv, "/ws", headers=demo) as bare,  # an API key in a handshake's headers
    ):
        bare.send(json.dumps({"method": "SUBSCRIBE", "params": [key], "id": 1}))
        assert received(bare) == {"result": None, "id": 1}
        toggled = signed(srv, srv.demo, "POST", {"multiAssetsMargin": "true"}, False)
        assert received(combined)["stream"] == key
        assert received(bare)["e"] == "ACCOUNT_CONFIG_UPDATE"
        assert srv.request("DELETE", LISTEN_KEY, headers=demo).status == 200
        assert received(bare)["e"] == "listenKeyExpired"
    expected += [
        f'"WebSocket /stream?streams={shown(key)}/{shown(key2)}" [accepted]',
        f"< x-mbx-apikey: {shown(srv.demo.api_key)}",
        f'"params": ["{shown(key)}"]',
        f'{{"stream":"{shown(key)}"',
        f'"listenKey":"{shown(key)}"',
    ]
    return [key, key2, wrong, second.api_key, second.secret, toggled]


def test_debug_logs_hold_no_secret_signature_or_token(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server(tmp_path, "--log-level", "debug", "--access-log", log=log) as srv:
        secrets, expected = session(srv)
    text = log.read_text()
    assert "GET /fapi/v1/multiAssetsMargin?timestamp=" in text  # the access log was on
    assert "signature=<redacted>" in text
    # Neither whole nor any 12 characters of one: a credential cut short (the websockets
    # library elides long frames) would be no better than a whole one.
    leaked = [
        shown(secret)
        for secret in secrets
        if any(secret[at : at + 12] in text for at in range(len(secret) - 11))
    ]
    assert leaked == []
    # Each one logged left its prefix where it was logged: redacted, not silenced.
    missing = [line for line in expected if line not in text]
    assert missing == []


def test_the_control_plane_needs_its_token_for_everything_but_health(server: Server) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for path in ("accounts", "state", "log", "metrics", "clock", "faults"):
            connection.request("GET", "/_multiassets/" + path)
            response = connection.getresponse()
            body = json.loads(response.read())
            assert (response.status, body) == (
                401,
                {"error": "a valid 'Authorization: Bearer <token>' header is required"},
            ), path
    finally:
        connection.close()
