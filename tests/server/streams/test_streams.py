"""The user data stream: listenKeys, and ACCOUNT_CONFIG_UPDATE once per committed change."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from multiassets import AccountConfigUpdate, AsyncClient, ListenKeyExpired

from ...support import Server, now_ms, on_new_account, running_server

MODE = "/fapi/v1/multiAssetsMargin"
EXPIRED_KEY = {
    "code": -1125,
    "msg": "This listenKey does not exist. Please use POST /fapi/v1/listenKey to recreate listenKey",
}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("streams")
    with running_server(folder, "--weight-limit", "1000000") as server:
        yield server


@pytest.fixture
def srv(shared: Server) -> Iterator[Server]:
    """The module's server, its clock the wall clock, through an account of the test's own:
    new, so no other test's listenKey, stream or event reaches it."""
    shared.control.reset_clock()
    client = on_new_account(shared)
    yield client
    client.close_connection()


def listen_key(srv: Server, method: str = "POST") -> Any:
    return srv.request(method, "/fapi/v1/listenKey", headers={"X-MBX-APIKEY": srv.demo.api_key})


def stream(srv: Server, key: str) -> ClientConnection:
    return connect(f"ws://127.0.0.1:{srv.port}/ws/{key}", open_timeout=5)


def next_event(ws: ClientConnection, timeout: float = 3) -> dict[str, Any]:
    return dict(json.loads(ws.recv(timeout=timeout)))


def test_listen_key_post_put_delete_as_binance(srv: Server) -> None:
    first = listen_key(srv)
    key = first.json()["listenKey"]
    assert first.status == 200 and len(key) == 64 and first.weight >= 1
    assert listen_key(srv).json() == {"listenKey": key}  # one key per account
    assert listen_key(srv, "PUT").json() == {"listenKey": key}
    deleted = listen_key(srv, "DELETE")
    assert (deleted.status, deleted.body) == (200, b"{}")
    for method in ("PUT", "DELETE"):
        reply = listen_key(srv, method)
        assert (reply.status, reply.json()) == (400, EXPIRED_KEY)
    assert listen_key(srv).json()["listenKey"] != key  # a new one


def test_listen_key_needs_an_api_key_but_no_signature(srv: Server) -> None:
    reply = srv.request("POST", "/fapi/v1/listenKey")
    assert reply.json()["code"] == -2014


def test_each_change_arrives_once_in_order_and_refusals_send_nothing(srv: Server) -> None:
    key = listen_key(srv).json()["listenKey"]
    with stream(srv, key) as ws:
        before = now_ms()
        assert srv.signed("POST", MODE, {"multiAssetsMargin": "true"}).status == 200
        assert srv.signed("POST", MODE, {"multiAssetsMargin": "true"}).json()["code"] == -4171
        assert srv.signed("POST", MODE, {"multiAssetsMargin": "false"}).status == 200
        first, second = next_event(ws), next_event(ws)
        assert first["e"] == second["e"] == "ACCOUNT_CONFIG_UPDATE"
        assert (first["ai"], second["ai"]) == ({"j": True}, {"j": False})
        assert before <= first["T"] <= first["E"] <= second["E"] <= now_ms()
        # The refused change sent nothing: events come in order, so the next one is that of
        # the next change, made after everything above (one the refusal sent, late, would
        # come before it, and be older).
        marker = now_ms()
        srv.control.set_state(srv.account, {"multiAssetsMargin": True}, partial=True)
        third = next_event(ws)
        assert third["ai"] == {"j": True} and third["E"] >= marker


def test_every_open_stream_gets_the_event_and_control_plane_changes_count(srv: Server) -> None:
    key = listen_key(srv).json()["listenKey"]
    with stream(srv, key) as one, stream(srv, key) as two:
        srv.control.set_state(srv.account, {"multiAssetsMargin": True}, partial=True)
        assert next_event(one)["ai"] == next_event(two)["ai"] == {"j": True}


def test_delete_ends_the_stream_with_listen_key_expired(srv: Server) -> None:
    key = listen_key(srv).json()["listenKey"]
    with stream(srv, key) as ws:
        listen_key(srv, "DELETE")
        event = next_event(ws)
        assert (event["e"], event["listenKey"]) == ("listenKeyExpired", key)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=3)


def test_a_key_not_kept_alive_expires_after_60_minutes_of_server_time(srv: Server) -> None:
    key = listen_key(srv).json()["listenKey"]
    with stream(srv, key) as ws:
        srv.control.set_clock(offsetMs=59 * 60 * 1000)
        listen_key(srv, "PUT")  # kept alive: another 60 minutes from now
        srv.control.set_clock(offsetMs=(59 + 59) * 60 * 1000)
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.6)
        srv.control.set_clock(offsetMs=(59 + 61) * 60 * 1000)
        assert next_event(ws)["e"] == "listenKeyExpired"
    assert listen_key(srv, "PUT").json() == EXPIRED_KEY


def test_unknown_listen_key_is_refused(srv: Server) -> None:
    with pytest.raises((InvalidStatus, ConnectionClosed)), stream(srv, "x" * 64) as ws:
        ws.recv(timeout=2)


def test_async_client_user_stream_and_the_watch_command(srv: Server) -> None:
    async def scenario() -> list[Any]:
        events = []
        async with AsyncClient(srv.demo.api_key, srv.demo.secret, base_url=srv.base_url) as client:
            stream_ = client.user_stream()
            reader = asyncio.ensure_future(stream_.__anext__())
            await asyncio.sleep(0.5)
            await client.set_mode(True)
            events.append(await asyncio.wait_for(reader, 5))
            srv.control.set_state(srv.account, {"multiAssetsMargin": False}, partial=True)
            events.append(await asyncio.wait_for(stream_.__anext__(), 5))
            await stream_.aclose()
        return events

    first, second = asyncio.run(scenario())
    assert isinstance(first, AccountConfigUpdate) and first.multi_assets_margin is True
    assert isinstance(second, AccountConfigUpdate) and second.multi_assets_margin is False
    assert not isinstance(first, ListenKeyExpired)


def test_watch_prints_mode_changes(srv: Server) -> None:
    import subprocess
    import sys
    import time

    watcher = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "multiassets",
            "watch",
            "--count",
            "1",
            "--json",
            "--base-url",
            srv.base_url,
            "--api-key",
            srv.demo.api_key,
            "--api-secret",
            srv.demo.secret,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        # Change the mode once the watcher's stream is open (it opens a listenKey first).
        shown_key = srv.demo.api_key[:8] + "…"  # as the request log shows it
        while time.monotonic() < deadline:
            log = srv.control.log(0, limit=2000)["entries"]
            if any(e["path"] == "/fapi/v1/listenKey" and e["key"] == shown_key for e in log):
                break
            time.sleep(0.05)
        time.sleep(0.5)
        srv.signed("POST", MODE, {"multiAssetsMargin": "true"})
        out, err = watcher.communicate(timeout=10)
    finally:
        watcher.kill()
    event = json.loads(out.strip())
    assert (watcher.returncode, event["e"], event["ai"]) == (
        0,
        "ACCOUNT_CONFIG_UPDATE",
        {"j": True},
    ), err


def test_a_connection_lives_at_most_24_hours(srv: Server) -> None:
    key = listen_key(srv).json()["listenKey"]
    with stream(srv, key) as ws:
        minute = 60 * 1000
        for minutes in range(50, 24 * 60, 50):  # kept alive every 50 minutes, as clients do
            srv.control.set_clock(offsetMs=minutes * minute)
            assert listen_key(srv, "PUT").json() == {"listenKey": key}
        srv.control.set_clock(offsetMs=24 * 60 * minute + 1000)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=3)  # closed with no listenKeyExpired: the key is still valid
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1000
    assert listen_key(srv, "PUT").json() == {"listenKey": key}


@contextmanager
def two_servers(tmp_path: Any) -> Iterator[tuple[Server, Server]]:
    """Two server processes on one database (a new one, on the suite's backend)."""
    from multiassets.testing import serve_existing

    from ...support import backend_database

    with (
        backend_database() as db_url,
        running_server(tmp_path, db_url=db_url) as first,
        serve_existing(first.db_url, first.admin_token) as (port, _),
    ):
        second = Server(port, first.db_url, first.demo, first.admin_token)
        try:
            yield first, second
        finally:
            second.close_connection()


def test_a_change_through_one_server_reaches_a_stream_held_by_another(tmp_path: Any) -> None:
    with two_servers(tmp_path) as (first, second):
        key = listen_key(second).json()["listenKey"]
        with stream(second, key) as ws:
            assert first.signed("POST", MODE, {"multiAssetsMargin": "true"}).status == 200
            event = next_event(ws, timeout=5)
            assert (event["e"], event["ai"]) == ("ACCOUNT_CONFIG_UPDATE", {"j": True})
            # and the other server answers the new mode too
            assert second.signed("GET", MODE).json() == {"multiAssetsMargin": True}


def test_changes_that_undo_each_other_reach_another_server_each_once(tmp_path: Any) -> None:
    from ...support import BACKEND

    if BACKEND != "postgresql":
        pytest.skip("SQLite tells another process that something changed, not what")
    with two_servers(tmp_path) as (first, second):
        key = listen_key(second).json()["listenKey"]
        with stream(second, key) as ws:
            for value in ("true", "false", "true"):  # well inside one 0.25 s look
                assert first.signed("POST", MODE, {"multiAssetsMargin": value}).status == 200
            events = [next_event(ws, timeout=5)["ai"]["j"] for _ in range(3)]
            assert events == [True, False, True]
            with pytest.raises(TimeoutError):
                ws.recv(timeout=0.6)


@pytest.mark.parametrize("through", ["api", "control plane"])
def test_a_stream_opened_right_after_a_change_hears_only_later_ones(
    srv: Server, through: str
) -> None:
    """Found by the compatibility matrix on PostgreSQL: a process announces its own commits
    from the database's notification, up to ~50 ms after the commit, and a stream opened in
    between heard a change made before it existed."""
    key = listen_key(srv).json()["listenKey"]
    for _ in range(3):
        if through == "api":
            assert srv.signed("POST", MODE, {"multiAssetsMargin": "true"}).status == 200
        else:
            srv.control.set_state(srv.account, {"multiAssetsMargin": True}, partial=True)
        with stream(srv, key) as ws:  # at once: the announcement may still be on its way
            assert srv.signed("POST", MODE, {"multiAssetsMargin": "false"}).status == 200
            event = next_event(ws)
            assert (event["e"], event["ai"]) == ("ACCOUNT_CONFIG_UPDATE", {"j": False})


@pytest.mark.parametrize("ending", ["delete the account", "reset", "import"])
def test_an_account_that_ends_ends_its_listen_key_and_streams(srv: Server, ending: str) -> None:
    """Found in review: listenKeys outlived the accounts they belonged to, and ids are given
    again after a reset or an import, so an old key streamed a new account's changes."""
    key = listen_key(srv).json()["listenKey"]
    exported = srv.control.export()
    with stream(srv, key) as ws:
        if ending == "delete the account":
            srv.control.delete_account(srv.account)
        elif ending == "reset":
            srv.control.reset()
        else:
            srv.control.import_(exported)
        event = next_event(ws)
        assert (event["e"], event["listenKey"]) == ("listenKeyExpired", key)
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=3)
    with pytest.raises(InvalidStatus) as refused:
        stream(srv, key)
    assert refused.value.response.status_code == 403
