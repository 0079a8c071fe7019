"""What the server never lets out: a session of requests at the debug log level, with the
access log on, leaves no API secret, signature or control-plane token in the log; the control
plane answers only with its token, and only loopback clients by default."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import urlencode

from multiassets import Client

from ..support import Credentials, Server, now_ms, running_server, sign

MODE = "/fapi/v1/multiAssetsMargin"


def session(srv: Server) -> list[str]:
    """Requests of every kind; the secrets and signatures they carried."""
    secrets = [srv.demo.secret, srv.admin_token]
    created = srv.control.create_key("demo")
    other = Credentials(created["apiKey"], created["secretKey"])
    secrets.append(other.secret)
    for credentials in (srv.demo, other):
        for method, params, in_body in (
            ("GET", {}, False),
            ("POST", {"multiAssetsMargin": "true"}, True),
            ("POST", {"multiAssetsMargin": "false"}, False),
        ):
            fields = {**params, "timestamp": now_ms()}
            signature = sign(credentials.secret, urlencode(fields))
            secrets.append(signature)
            srv.signed(method, MODE, params, credentials=credentials, in_body=in_body)
    # A wrong signature, one in a percent-encoded name, and a bad token.
    bad = "0" * 64
    secrets.append(bad)
    query = f"timestamp={now_ms()}&%73ignature={bad}"
    srv.request("GET", MODE, query, headers={"X-MBX-APIKEY": srv.demo.api_key})
    srv.request("GET", "/_multiassets/accounts", headers={"Authorization": "Bearer " + "9" * 64})
    # Our own client, which signs with its own code.
    with Client(srv.demo.api_key, srv.demo.secret, base_url=srv.base_url) as client:
        client.get_mode()
    srv.control.log()
    return secrets


def test_debug_logs_hold_no_secret_signature_or_token(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server(tmp_path, "--log-level", "debug", "--access-log", log=log) as srv:
        secrets = session(srv)
    text = log.read_text()
    assert "GET /fapi/v1/multiAssetsMargin?timestamp=" in text  # the access log was on
    assert "signature=<redacted>" in text
    leaked = [secret[:8] for secret in secrets if secret in text]
    assert leaked == []


def test_the_control_plane_needs_its_token_for_everything_but_health(tmp_path: Path) -> None:
    with running_server(tmp_path) as srv:
        connection = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
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
