"""The server's clock, moved through the control plane: serverTime, the recvWindow check and
weight windows follow it; clients re-sync."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from multiassets import Client
from multiassets.admin import AdminError
from multiassets.cli.main import cli

from ..support import Server, now_ms, running_server


@pytest.fixture
def srv(tmp_path: Path) -> Iterator[Server]:
    with running_server(tmp_path, "--weight-limit", "1000000") as server:
        yield server


def server_time(server: Server) -> int:
    return int(server.request("GET", "/fapi/v1/time").json()["serverTime"])


def test_offset_moves_server_time_and_the_recv_window_check(srv: Server) -> None:
    srv.control.set_clock(offsetMs=60_000)
    assert 59_000 < server_time(srv) - now_ms() < 61_000
    reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin")  # our timestamp is now 60 s old
    assert reply.json() == {
        "code": -1021,
        "msg": "Timestamp for this request is outside of the recvWindow.",
    }
    srv.control.set_clock(offsetMs=-5_000)
    reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin")  # now 5 s ahead
    assert (
        reply.json()["msg"] == "Timestamp for this request was 1000ms ahead of the server's time."
    )
    srv.control.reset_clock()
    assert srv.signed("GET", "/fapi/v1/multiAssetsMargin").status == 200


def test_frozen_clock_stands_still_and_runs_on_from_where_it_stood(srv: Server) -> None:
    frozen = srv.control.set_clock(freeze=True, at=1_800_000_000_000)
    assert frozen == {"serverTime": 1_800_000_000_000, "offsetMs": 0, "frozen": True}
    assert server_time(srv) == server_time(srv) == 1_800_000_000_000
    running = srv.control.set_clock(freeze=False)
    assert running["frozen"] is False
    assert 0 <= server_time(srv) - 1_800_000_000_000 < 2_000


def test_client_resyncs_after_a_server_side_clock_jump(srv: Server) -> None:
    with Client(srv.demo.api_key, srv.demo.secret, base_url=srv.base_url) as client:
        assert client.get_mode() is False
        srv.control.set_clock(offsetMs=30_000)
        assert client.get_mode() is False  # -1021, re-sync, retry
        assert 29_000 < client.time_offset_ms < 31_000
        srv.control.set_clock(offsetMs=-30_000)
        client.set_mode(True)  # a change re-syncs and retries too: -1021 executes nothing
        assert client.get_mode() is True


def test_weight_window_follows_the_server_clock(tmp_path: Path) -> None:
    with running_server(tmp_path, "--weight-limit", "3") as srv:
        srv.control.set_clock(freeze=True, at=1_800_000_030_000)  # mid-minute, frozen
        assert [srv.request("GET", "/fapi/v1/ping").status for _ in range(4)] == [
            200,
            200,
            200,
            429,
        ]
        srv.control.set_clock(freeze=True, at=1_800_000_060_000)  # the next minute
        # A fresh window, not a ban: the 429 belonged to the window that ended.
        reply = srv.request("GET", "/fapi/v1/ping")
        assert (reply.status, reply.weight) == (200, 1)


@pytest.mark.parametrize(
    "document",
    [
        {"offsetMs": "5"},
        {"offsetMs": True},
        {"freeze": "yes"},
        {"freeze": True, "at": -1},
        {"speed": 2},
    ],
    ids=["string-offset", "bool-offset", "string-freeze", "negative-at", "unknown-field"],
)
def test_bad_clock_settings_are_refused(srv: Server, document: dict[str, object]) -> None:
    with pytest.raises(AdminError) as caught:
        srv.control.set_clock(**document)
    assert caught.value.status == 400


def test_clock_command(srv: Server) -> None:
    remote = ["--server", srv.base_url, "--token", srv.admin_token]
    result = CliRunner().invoke(cli, ["clock", "--offset", "2500", *remote])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["offsetMs"] == 2500
    result = CliRunner().invoke(cli, ["clock", "--freeze", "--at", "1800000000000", *remote])
    assert json.loads(result.output)["serverTime"] == 1_800_000_000_000
    result = CliRunner().invoke(cli, ["clock", "--reset", *remote])
    assert json.loads(result.output) | {"serverTime": 0} == {
        "serverTime": 0,
        "offsetMs": 0,
        "frozen": False,
    }
