"""multiassets.testing: the context manager and the pytest fixture users get."""

from __future__ import annotations

import http.client
import json
from pathlib import Path

import pytest

from multiassets.testing import TestServer, serve

from .support import now_ms, sign


def get_mode(server: TestServer) -> object:
    payload = f"timestamp={now_ms()}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(
            "GET",
            f"/fapi/v1/multiAssetsMargin?{payload}&signature={sign(server.secret_key, payload)}",
            headers={"X-MBX-APIKEY": server.api_key},
        )
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def test_fixture_gives_a_running_server_with_a_key_and_control_plane(
    multiassets_server: TestServer,
) -> None:
    assert multiassets_server.base_url == f"http://127.0.0.1:{multiassets_server.port}"
    assert get_mode(multiassets_server) == {"multiAssetsMargin": False}
    multiassets_server.control.set_state("demo", {"multiAssetsMargin": True}, partial=True)
    assert get_mode(multiassets_server) == {"multiAssetsMargin": True}


def test_serve_without_a_directory_cleans_up_after_itself() -> None:
    with serve() as server:
        folder = Path(server.db_url.removeprefix("sqlite:///")).parent
        assert folder.is_dir()
        assert get_mode(server) == {"multiAssetsMargin": False}
    assert not folder.exists()
    assert server.process.returncode is not None


def test_serve_passes_server_options(tmp_path: Path) -> None:
    with serve(tmp_path, args=["--weight-limit", "77"]) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/fapi/v1/exchangeInfo")
        limits = json.loads(connection.getresponse().read())["rateLimits"]
        connection.close()
    assert limits[0]["limit"] == 77


def test_serve_retries_on_a_port_taken_between_choosing_and_binding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    from multiassets import testing

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    ports = iter([busy.getsockname()[1]])
    real = testing._free_port
    monkeypatch.setattr(testing, "_free_port", lambda: next(ports, None) or real())
    try:
        with serve(tmp_path / "retry", startup_timeout=10) as server:
            assert server.port != busy.getsockname()[1]
            assert get_mode(server) == {"multiAssetsMargin": False}
    finally:
        busy.close()
