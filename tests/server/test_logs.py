from __future__ import annotations

import logging
from pathlib import Path

from multiassets.server.logs import RedactSignature

from ..support import now_ms, running_server, sign


def test_redact_signature_blanks_signature_in_message_and_arguments() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s" %d',
        ("127.0.0.1", "GET", "/p?timestamp=1&signature=abc123", 200),
        None,
    )
    assert RedactSignature().filter(record)
    assert record.getMessage() == '127.0.0.1 - "GET /p?timestamp=1&signature=<redacted>" 200'


def test_access_log_never_carries_signature_or_secret(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with running_server(tmp_path, "--access-log", log=log) as server:
        payload = f"timestamp={now_ms()}"
        signature = sign(server.demo.secret, payload)
        reply = server.request(
            "GET",
            "/fapi/v1/multiAssetsMargin",
            f"{payload}&signature={signature}",
            headers={"X-MBX-APIKEY": server.demo.api_key},
        )
        assert reply.status == 200
        secret = server.demo.secret
    text = log.read_text()
    assert "GET /fapi/v1/multiAssetsMargin?timestamp=" in text
    assert "signature=<redacted>" in text
    assert signature not in text
    assert secret not in text


def test_redact_recognises_a_percent_encoded_signature_name() -> None:
    from multiassets.server.logs import redact

    assert redact("GET /p?a=1&%73ignature=abc&b=2 HTTP/1.1") == (
        "GET /p?a=1&%73ignature=<redacted>&b=2 HTTP/1.1"
    )
    assert redact("GET /p?signatures=abc") == "GET /p?signatures=abc"
