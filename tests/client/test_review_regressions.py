"""Regressions from review: each test names what used to go wrong."""

from __future__ import annotations

import asyncio
import json
import pickle
import stat
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

from multiassets import (
    DEMO_URL,
    AsyncClient,
    Client,
    ConfigurationError,
    RateLimitError,
    TransportError,
    UnknownStatus,
)
from multiassets._core import Answer, Prepared
from multiassets._exceptions import AccountRuleError, exception_for
from multiassets.cli.main import cli
from multiassets.control_client import ControlClient
from multiassets.protocol.signing import generate_private_key, load_private_key
from multiassets.store import open_store

from ..support import Server, free_port


def test_a_change_after_the_server_closed_the_idle_connection_goes_through(server: Server) -> None:
    with Client(
        server.demo.api_key, server.demo.secret, base_url=server.base_url, retries=0
    ) as client:
        assert client.get_mode() is False
        time.sleep(6)  # uvicorn closes keep-alive connections idle for 5 s
        client.set_mode(True)
        assert client.get_mode() is True


def test_demo_beats_the_base_url_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULTIASSETS_BASE_URL", "https://fapi.binance.com")
    assert Client("k", "s", demo=True).base_url == DEMO_URL


class Gateway502(Client):
    injected = False

    def _send(self, prepared: Prepared) -> Answer:
        answer = super()._send(prepared)
        if prepared.method == "POST" and not self.injected:
            self.injected = True
            return Answer(
                502, answer.headers, b"<html>Bad Gateway</html>", answer.sent_ms, answer.received_ms
            )
        return answer


def test_a_gateway_5xx_on_a_change_is_reconciled_not_taken_as_failure(server: Server) -> None:
    with Gateway502(server.demo.api_key, server.demo.secret, base_url=server.base_url) as client:
        client.set_mode(True)  # applied behind the 502: reading back finds it
        assert client.injected and client.get_mode() is True


@pytest.mark.parametrize(
    ("code", "msg", "status", "cls"),
    [
        pytest.param(0, "HTTP 504: <html>", 504, UnknownStatus, id="gateway-504"),
        pytest.param(0, "HTTP 408", 408, UnknownStatus, id="empty-408"),
        pytest.param(0, "HTTP 429: slow down", 429, RateLimitError, id="429-without-1003"),
    ],
)
def test_status_decides_when_the_body_is_not_binance(
    code: int, msg: str, status: int, cls: type[Exception]
) -> None:
    assert type(exception_for(code, msg, status)) is cls


def test_errors_pickle_with_their_fields() -> None:
    error = exception_for(-4171, "Adjusted asset mode…", 400)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, AccountRuleError)
    assert (copy.code, copy.msg, copy.status) == (-4171, "Adjusted asset mode…", 400)


def test_private_key_material_is_never_echoed() -> None:
    material = "MC4CAQAwBQYDK2VwBCIEIFakeKeyMaterialThatMustNotBeEchoed\nAAAA"
    with pytest.raises(ConfigurationError) as caught:
        Client("k", private_key=material)
    assert "FakeKeyMaterial" not in str(caught.value)
    with pytest.raises(ConfigurationError):
        Client("k", private_key="bad\0path")


@pytest.mark.parametrize("key", ["abc\n", "clé", "a b"], ids=["newline", "non-ascii", "space"])
def test_a_malformed_key_is_a_configuration_error(key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Client(key, "secret")
    assert key not in str(caught.value)


def test_async_client_on_a_second_event_loop_is_a_clean_error_until_closed(
    server: Server,
) -> None:
    client = AsyncClient(server.demo.api_key, server.demo.secret, base_url=server.base_url)
    first, second = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        assert first.run_until_complete(client.get_mode()) is False
        with pytest.raises(ConfigurationError, match="another event loop"):
            second.run_until_complete(client.get_mode())
        first.run_until_complete(client.close())
        assert second.run_until_complete(_closing(client)) is False  # closed: free to move
    finally:
        first.close()
        second.close()


async def _closing(client: AsyncClient) -> bool:
    async with client:
        return await client.get_mode()


def test_ipv6_base_url_keeps_its_brackets() -> None:
    client = AsyncClient("k", "s", base_url="http://[::1]:8080")
    assert client._core.origin == "http://[::1]:8080"


def test_control_client_ignores_proxy_settings(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert ControlClient(server.base_url, server.admin_token).list_accounts()


def test_keys_create_with_a_public_key_of_the_wrong_type_creates_nothing(
    server: Server, tmp_path: Path
) -> None:
    public = tmp_path / "ed.pub"
    public.write_text(load_private_key(generate_private_key("ED25519"))[2])
    before = len(server.control.list_keys("demo"))
    result = CliRunner().invoke(
        cli,
        [
            "keys",
            "create",
            "--account",
            "demo",
            "--type",
            "rsa",
            "--public-key",
            str(public),
            "--server",
            server.base_url,
            "--token",
            server.admin_token,
        ],
    )
    assert result.exit_code == 2 and "the public key is ED25519, not RSA" in result.output
    assert len(server.control.list_keys("demo")) == before


def test_environment_secret_beats_a_profile_private_key(server: Server, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.p]\nbase_url = "{server.base_url}"\n'
        f'api_key = "{server.demo.api_key}"\nprivate_key = "/nonexistent.pem"\n'
    )
    result = CliRunner().invoke(
        cli,
        ["mode", "--profile", "p"],
        env={"MULTIASSETS_CONFIG": str(config), "MULTIASSETS_API_SECRET": server.demo.secret},
    )
    assert (result.exit_code, result.output) == (0, "Single-Asset Mode\n")


def test_doctor_reports_a_missing_key_and_exits_3_when_unreachable(server: Server) -> None:
    result = CliRunner().invoke(
        cli,
        ["doctor", "--json", "--base-url", server.base_url],
        env={"MULTIASSETS_API_KEY": "", "MULTIASSETS_API_SECRET": ""},
    )
    report: dict[str, Any] = json.loads(result.output)
    failed = [c["name"] for c in report["checks"] if not c["ok"]]
    assert result.exit_code == 1 and failed == ["key and signature"]
    result = CliRunner().invoke(
        cli,
        [
            "doctor",
            "--base-url",
            f"http://127.0.0.1:{free_port()}",
            "--api-key",
            "k",
            "--api-secret",
            "s",
        ],
    )
    assert result.exit_code == 3


def test_whole_state_dump_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    open_store(db).close()  # as `serve` makes it: the other commands take existing ones only
    created = CliRunner().invoke(cli, ["keys", "create", "--account", "a", "--db", db])
    assert created.exit_code == 0
    out = tmp_path / "fixture.json"
    result = CliRunner().invoke(cli, ["state", "dump", "-o", str(out), "--db", db])
    assert result.exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_transport_error_keeps_applied_unknown_for_reads(server: Server) -> None:
    base_url = f"http://127.0.0.1:{free_port()}"
    with (
        Client("k" * 64, "s" * 64, base_url=base_url, retries=0) as c,
        pytest.raises(TransportError) as caught,
    ):
        c.get_mode()
    assert caught.value.applied is None


@pytest.mark.parametrize("has_poll", [True, False], ids=["poll", "select (Windows)"])
def test_a_connection_the_server_closed_is_seen_closed_with_poll_or_select(
    monkeypatch: pytest.MonkeyPatch, has_poll: bool
) -> None:
    import socket

    from multiassets import _client

    monkeypatch.setattr(_client, "_HAS_POLL", has_poll)
    ours, servers = socket.socketpair()
    connection = SimpleNamespace(sock=ours)
    watch = _client._Watch()
    try:
        assert watch.still_open(connection) is True  # type: ignore[arg-type]
        servers.close()  # the server's end closed: EOF is readable
        assert watch.still_open(connection) is False  # type: ignore[arg-type]
    finally:
        ours.close()
