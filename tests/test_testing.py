"""multiassets.testing: the context manager and the pytest fixture users get."""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from multiassets import testing
from multiassets.testing import ServerSession, TestServer, serve

from .support import Credentials, Reply, Server, now_ms, sign

#: A new account's state: Single-Asset Mode, one-way positions, nothing held or open.
NEW_STATE = {
    "multiAssetsMargin": False,
    "dualSidePosition": False,
    "creditsMode": False,
    "marginTypes": {},
    "leverage": {},
    "balances": {},
    "positions": [],
    "openOrders": [],
}
HINT = (
    "starting a multiassets server needs the 'server' extra (uvicorn is not installed): "
    "pip install 'multiassets[server]'"
)


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


def call(
    server: TestServer,
    method: str,
    path: str,
    *,
    key: tuple[str, str] | None = None,
    signed: bool = False,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request to ``server`` on a connection of its own, as the demo key (or ``key``)."""
    api_key, secret = key if key is not None else (server.api_key, server.secret_key)
    client = Server(server.port, server.db_url, Credentials(api_key, secret))
    try:
        return (
            client.signed(method, path) if signed else client.request(method, path, headers=headers)
        )
    finally:
        client.close_connection()


def run_pytest(folder: Path, code: str, block: str = "") -> subprocess.CompletedProcess[str]:
    """pytest on ``code`` (a test module) in a process of its own, with only our plugin, and
    ``block`` (Python) run before pytest starts."""
    (folder / "test_inner.py").write_text(textwrap.dedent(code))
    program = f"{block}\nimport sys, pytest\nsys.exit(pytest.main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", program, "-q", "-p", "multiassets.pytest_plugin", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
    )


def test_fixture_gives_a_running_server_with_a_key_and_control_plane(
    multiassets_server: TestServer,
) -> None:
    assert multiassets_server.base_url == f"http://127.0.0.1:{multiassets_server.port}"
    assert get_mode(multiassets_server) == {"multiAssetsMargin": False}
    multiassets_server.control.set_state("demo", {"multiAssetsMargin": True}, partial=True)
    assert get_mode(multiassets_server) == {"multiAssetsMargin": True}


def test_the_next_test_sees_the_same_process_as_new(
    multiassets_server: TestServer, multiassets_session: ServerSession
) -> None:
    """Everything a test can leave behind, left behind; then the server the next test gets."""
    control = multiassets_server.control
    old_key = (multiassets_server.api_key, multiassets_server.secret_key)
    pid = multiassets_server.process.pid
    for _ in range(4):  # on the real clock: this minute's weight, which the reset forgets
        call(multiassets_server, "GET", "/fapi/v1/ping")
    control.set_state("demo", {"multiAssetsMargin": True, "balances": {"USDT": "5"}})
    control.create_key("bob")
    control.add_fault(kind="unknown_error", method="DELETE", times=3)
    control.set_clock(freeze=True, at=5_000)
    control.move_market({"markPrices": {"BTCUSDT": "12345"}})
    opened = call(
        multiassets_server, "POST", "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": old_key[0]}
    )
    listen_key = opened.json()["listenKey"]
    with connect(f"ws://127.0.0.1:{multiassets_server.port}/ws/{listen_key}") as stream:
        after = multiassets_session.fresh()
        # The stream ends at the moment the test's clock stood at.
        expired = {"e": "listenKeyExpired", "E": 5_000, "listenKey": listen_key}
        assert json.loads(stream.recv(timeout=5)) == expired
        with pytest.raises(ConnectionClosed):
            stream.recv(timeout=5)
    assert after is multiassets_server and after.process.pid == pid
    assert control.log()["entries"] == []
    assert control.list_accounts() == [{"name": "demo", "multiAssetsMargin": False}]
    assert control.state("demo") == NEW_STATE
    assert [key["apiKey"] for key in control.list_keys("demo")] == [after.api_key]
    assert after.api_key != old_key[0] and after.secret_key != old_key[1]
    assert control.faults() == {"rules": []}
    assert control.clock()["offsetMs"] == 0 and control.clock()["frozen"] is False
    assert control.market()["markPrices"]["BTCUSDT"] == "90000"
    assert call(after, "GET", "/fapi/v1/ping").weight == 1
    assert get_mode(after) == {"multiAssetsMargin": False}
    refused = call(after, "GET", "/fapi/v1/multiAssetsMargin", key=old_key, signed=True)
    assert (refused.status, refused.json()["code"]) == (401, -2015)
    with pytest.raises(InvalidStatus) as gone:
        connect(f"ws://127.0.0.1:{after.port}/ws/{listen_key}", open_timeout=5)
    assert gone.value.response.status_code == 403
    assert control.add_fault(kind="latency", latencyMs=1)["id"] == 1


def test_a_reset_forgets_the_weight_used_and_the_bans(tmp_path: Path) -> None:
    with ServerSession(tmp_path, args=["--weight-limit", "5"]) as session:
        server = session.fresh()
        # A minute of its own (the pings that waited for the server used the real one's), far
        # ahead: a ban earned then would outlast the reset by decades, if the reset kept it.
        server.control.set_clock(freeze=True, at=4_102_444_800_000)  # 2100-01-01
        statuses = [call(server, "GET", "/fapi/v1/ping").status for _ in range(7)]
        assert statuses == [200, 200, 200, 200, 200, 429, 418]
        again = call(session.fresh(), "GET", "/fapi/v1/ping")
        assert (again.status, again.weight, session.starts) == (200, 1, 1)


def test_the_first_test_sees_what_every_later_one_does(tmp_path: Path) -> None:
    # Waiting for the server asks its health page: no weight, no request log entry.
    with ServerSession(tmp_path) as session:
        first = session.fresh()
        ping = call(first, "GET", "/fapi/v1/ping")
        assert (ping.status, ping.weight) == (200, 1)
        assert [entry["path"] for entry in first.control.log()["entries"]] == ["/fapi/v1/ping"]


def test_a_reset_keeps_the_fault_rules_the_server_started_with(tmp_path: Path) -> None:
    rules = tmp_path / "faults.json"
    rule = {"kind": "internal_error", "path": "/fapi/v1/time"}
    rules.write_text(json.dumps({"seed": 7, "rules": [rule]}))
    with ServerSession(tmp_path / "session", args=["--faults", str(rules)]) as session:
        for _ in range(2):  # the first test, then one after a reset
            server = session.fresh()
            server.control.add_fault(kind="unknown_error", path="/fapi/v1/ping")
            assert call(server, "GET", "/fapi/v1/time").status == 503  # internal_error: -1001
        faults = server.control.faults()
        assert [(r["id"], r["kind"]) for r in faults["rules"]] == [
            (1, "internal_error"),
            (2, "unknown_error"),
        ]


def test_a_test_that_ends_the_process_leaves_a_new_one_to_the_next(tmp_path: Path) -> None:
    with ServerSession(tmp_path) as session:
        first = session.fresh()
        first.process.kill()
        first.process.wait()
        second = session.fresh()
        assert (session.starts, get_mode(second)) == (2, {"multiAssetsMargin": False})
        assert second.process.pid != first.process.pid
    assert second.process.returncode is not None
    assert sorted(path.name for path in tmp_path.iterdir()) == ["server-1", "server-2"]


def test_the_fixture_resets_between_tests_of_one_session_on_one_process(
    tmp_path: Path,
) -> None:
    result = run_pytest(
        tmp_path,
        """
        seen = []

        def test_leaves_debris(multiassets_server):
            seen.append((multiassets_server.process.pid, multiassets_server.api_key))
            multiassets_server.control.create_key("bob")
            multiassets_server.control.add_fault(kind="unknown_error")
            multiassets_server.control.set_clock(offsetMs=60_000)

        def test_sees_none_of_it(multiassets_server, multiassets_session):
            pid, key = seen[0]
            assert (multiassets_server.process.pid, multiassets_session.starts) == (pid, 1)
            assert multiassets_server.api_key != key
            control = multiassets_server.control
            assert [a["name"] for a in control.list_accounts()] == ["demo"]
            assert control.faults() == {"rules": []}
            assert control.clock()["offsetMs"] == 0
        """,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_serve_says_what_to_install_without_the_server_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "uvicorn" else find_spec(name)
    )
    assert testing.missing_server_module() == "uvicorn"
    with pytest.raises(ModuleNotFoundError) as caught, serve():
        pass
    assert str(caught.value) == HINT


def test_without_the_server_extra_only_a_test_using_the_fixture_fails(tmp_path: Path) -> None:
    """The plugin comes with every installation: pytest runs as before without the extra."""
    extra = ["uvicorn", "httptools", "uvloop", "orjson", "click", "cryptography", "nacl"]
    extra += ["prometheus_client", "websockets"]
    result = run_pytest(
        tmp_path,
        """
        def test_plain():
            assert 1 + 1 == 2

        def test_with_the_fixture(multiassets_server):
            pass
        """,
        block=f"import sys; sys.modules.update(dict.fromkeys({extra!r}))",
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed, 1 error" in result.stdout
    errors = [line.removeprefix("E").strip() for line in result.stdout.splitlines()]
    assert f"ModuleNotFoundError: {HINT}" in errors


def test_serve_without_a_directory_cleans_up_after_itself() -> None:
    with serve() as server:
        folder = Path(server.db_url.removeprefix("sqlite:///")).parent
        assert folder.is_dir()
        assert get_mode(server) == {"multiAssetsMargin": False}
    assert not folder.exists()
    assert server.process.returncode is not None


def test_serve_refuses_a_directory_holding_a_database_and_leaves_it(tmp_path: Path) -> None:
    (tmp_path / "multiassets.db").write_bytes(b"someone's")
    with pytest.raises(RuntimeError) as caught, serve(tmp_path):
        pass
    assert str(caught.value) == f"expected a new database in {tmp_path}: it holds multiassets.db"
    assert (tmp_path / "multiassets.db").read_bytes() == b"someone's"


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
