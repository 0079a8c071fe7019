"""What the log keeps of a credential (``logs.py``): a signature nothing, a URL's password
nothing, any credential-shaped token (64 or more letters and digits) its first 8 characters,
wherever it is in a record: message, arguments of any type, WebSocket frames, tracebacks."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from websockets.frames import Frame, Opcode

from multiassets.server.logs import RedactCredentials, redact

from ..support import now_ms, running_server, sign

#: Credential-shaped: 64 letters and digits, as listenKeys, API keys, secrets and tokens are.
KEY = "abcdefgh" + "0123456789" * 5 + "ABCDEF"
OTHER = "ZYXWVUTS" + "9" * 56
HEX = "0123456789abcdef" * 4  # an HMAC signature's shape


def record(msg: object, *args: object, exc_info: bool = False) -> logging.LogRecord:
    """A record as a logger makes it (``exc_info``: of the exception being handled)."""
    return logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, msg, args, sys.exc_info() if exc_info else None
    )


def filtered(entry: logging.LogRecord) -> str:
    """The line the console handler prints for ``entry``."""
    assert RedactCredentials().filter(entry)
    return logging.Formatter("%(message)s").format(entry)


def test_the_shapes_are_right() -> None:
    assert (len(KEY), len(OTHER), len(HEX)) == (64, 64, 64)


def test_a_listen_key_in_each_websocket_url_form_keeps_its_prefix() -> None:
    assert redact("/ws/" + KEY) == "/ws/abcdefgh…"
    assert redact("/private/ws/" + KEY) == "/private/ws/abcdefgh…"
    assert redact("/private/ws?listenKey=" + KEY) == "/private/ws?listenKey=abcdefgh…"
    assert redact(f"/stream?streams={KEY}/{OTHER}") == "/stream?streams=abcdefgh…/ZYXWVUTS…"


def test_uvicorns_websocket_lines_are_redacted_in_their_arguments() -> None:
    accepted = record('%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/ws/" + KEY)
    assert filtered(accepted) == '127.0.0.1:5000 - "WebSocket /ws/abcdefgh…" [accepted]'
    refused = record('%s - "WebSocket %s" %d', "127.0.0.1:5000", "/ws/" + KEY, 403)
    assert filtered(refused) == '127.0.0.1:5000 - "WebSocket /ws/abcdefgh…" 403'


def test_only_credential_shaped_runs_are_shortened() -> None:
    assert redact(KEY[:63]) == KEY[:63]  # one short: not a credential's shape
    assert redact(KEY + "G") == "abcdefgh…"  # longer: still one
    # Glued to an escape's "2F", the run is 66 long: caught all the same, shown from the "2".
    assert redact("%2F" + KEY) == "%2Fabcdef…"
    assert redact(f"key_{KEY}.") == "key_abcdefgh….", "an underscore or dot ends a run"
    assert redact("Authorization: Bearer " + KEY) == "Authorization: Bearer abcdefgh…"
    assert redact(f'{{"params":["{KEY}"],"id":1}}') == '{"params":["abcdefgh…"],"id":1}'


def test_a_signature_is_blanked_not_shortened() -> None:
    record_ = record('%s - "%s %s" %d', "127.0.0.1", "GET", f"/p?timestamp=1&signature={HEX}", 200)
    assert filtered(record_) == '127.0.0.1 - "GET /p?timestamp=1&signature=<redacted>" 200'
    assert redact("GET /p?signature=abc123&b=2") == "GET /p?signature=<redacted>&b=2"


def test_redact_recognises_a_percent_encoded_signature_name() -> None:
    assert redact("GET /p?a=1&%73ignature=abc&b=2 HTTP/1.1") == (
        "GET /p?a=1&%73ignature=<redacted>&b=2 HTTP/1.1"
    )
    assert redact("GET /p?signatures=abc") == "GET /p?signatures=abc"


def test_a_urls_password_is_blanked() -> None:
    assert redact("Redis at redis://:hunter2@127.0.0.1:6379/0 did not answer") == (
        "Redis at redis://:<redacted>@127.0.0.1:6379/0 did not answer"
    )
    assert redact("postgresql://me:pw@db/x") == "postgresql://me:<redacted>@db/x"
    assert redact("http://127.0.0.1:8080/x and me@host") == "http://127.0.0.1:8080/x and me@host"


def test_redacting_twice_changes_nothing_more() -> None:
    text = f"/stream?streams={KEY}&signature={HEX} redis://:pw@h"
    once = redact(text)
    assert once == "/stream?streams=abcdefgh…&signature=<redacted> redis://:<redacted>@h"
    assert redact(once) == once


def test_an_argument_of_any_type_is_redacted() -> None:
    error = ConnectionError(f"Redis at redis://:pw@h/0 did not answer for {KEY}")
    assert filtered(record("could not check the listenKeys: %s", error)) == (
        "could not check the listenKeys: Redis at redis://:<redacted>@h/0 did not answer for "
        "abcdefgh…"
    )
    assert filtered(record("keys %s", [KEY, OTHER])) == "keys ['abcdefgh…', 'ZYXWVUTS…']"
    assert filtered(record("%(key)s", {"key": KEY})) == "abcdefgh…"


def test_a_traceback_is_redacted() -> None:
    keys: dict[str, int] = {}
    try:
        keys[KEY]
    except KeyError:
        entry = record("unexpected error on %s %s", "GET", "/ws", exc_info=True)
    line = filtered(entry)
    assert line.startswith("unexpected error on GET /ws\nTraceback (most recent call last):\n")
    assert line.endswith("\nKeyError: 'abcdefgh…'")
    assert KEY not in line


def test_a_websocket_frame_is_redacted_before_the_library_elides_it() -> None:
    short = Frame(Opcode.TEXT, f'{{"stream":"{KEY}"}}'.encode())
    assert filtered(record("> %s", short)) == """> TEXT '{"stream":"abcdefgh…"}' [24 bytes]"""
    # Elided to its first 48 and last 24 characters, a whole key's first 37 would be printed.
    long = Frame(Opcode.TEXT, f'{{"stream":"{KEY}","data":"{"x" * 60}"}}'.encode())
    assert filtered(record("> %s", long)) == (
        """> TEXT '{"stream":"abcdefgh…","data":\""""
        + "x" * 17
        + "..."
        + "x" * 21
        + """"}' [94 bytes]"""
    )
    untouched = Frame(Opcode.TEXT, b'{"result":null,"id":1}')
    assert filtered(record("> %s", untouched)) == """> TEXT '{"result":null,"id":1}' [22 bytes]"""


def test_a_malformed_record_is_left_to_fail_but_redacted() -> None:
    entry = record("%d", KEY)
    assert RedactCredentials().filter(entry)
    assert (entry.msg, entry.args) == ("%d", ("abcdefgh…",))
    named = record("%(key)d", {"key": KEY})
    assert RedactCredentials().filter(named)
    assert (named.msg, named.args) == ("%(key)d", {"key": "abcdefgh…"})


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
