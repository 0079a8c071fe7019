"""The server's clock, moved through the control plane: serverTime, the recvWindow check and
weight windows follow it; clients re-sync."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from multiassets import Client
from multiassets.admin import AdminError
from multiassets.cli.main import cli

from ...support import Renewable, Server, now_ms, running_server


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    with running_server(tmp_path_factory.mktemp("clock"), "--weight-limit", "1000000") as server:
        yield Renewable(server)


@pytest.fixture
def srv(shared: Renewable) -> Server:
    """The module's server, as new: its clock the wall clock, the demo account alone."""
    return shared.renew()


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


# -- the clock's bounds: from the epoch to the end of year 9999 --------------------------------

#: 9999-12-31T23:59:59.999Z in ms since the epoch, worked out by hand: 253402300800 s is
#: 10000-01-01T00:00:00Z (2932897 days of 86400 s since 1970-01-01).
LAST_MS = 2_932_897 * 86_400 * 1000 - 1
BOUNDS = (
    "server time would be {} ms: it must be from 0 (1970-01-01T00:00:00Z) to "
    "253402300799999 (9999-12-31T23:59:59.999Z)"
)


def test_an_offset_before_the_epoch_is_refused_and_earns_no_phantom_ban(srv: Server) -> None:
    """Found by an outside probe: the clock went below 0 and every request got 418 "banned
    until 0" though no 429 was ever sent."""
    before = srv.control.clock()
    with pytest.raises(AdminError) as caught:
        srv.control.set_clock(offsetMs=-(now_ms() + 3_600_000))
    assert caught.value.status == 400
    said = re.fullmatch(re.escape(BOUNDS).replace(r"\{\}", r"(-?\d+)"), str(caught.value))
    assert said is not None and abs(int(said.group(1)) + 3_600_000) < 2_000, caught.value
    assert srv.control.clock()["offsetMs"] == before["offsetMs"] == 0
    reply = srv.request("GET", "/fapi/v1/time")
    assert reply.status == 200 and abs(reply.json()["serverTime"] - now_ms()) < 2_000


@pytest.mark.parametrize(
    "settings",
    [
        {"offsetMs": 9_223_372_036_854_775_807},
        {"freeze": True, "at": LAST_MS + 1},
        {"freeze": True, "at": -1},
        {"freeze": True, "at": 9_223_372_036_854_775_807},
    ],
    ids=["long-max-offset", "year-10000", "before-the-epoch", "long-max"],
)
def test_a_clock_outside_the_epoch_to_year_9999_is_refused_and_changes_nothing(
    srv: Server, settings: dict[str, object]
) -> None:
    srv.control.set_clock(offsetMs=1_000)
    with pytest.raises(AdminError) as caught:
        srv.control.set_clock(**settings)
    at = settings.get("at")
    assert caught.value.status == 400
    if isinstance(at, int):
        assert str(caught.value) == BOUNDS.format(at)
    clock = srv.control.clock()
    assert (clock["offsetMs"], clock["frozen"]) == (1_000, False)


@pytest.mark.parametrize("at", [0, 1, LAST_MS])
def test_the_clock_can_stand_at_either_bound_and_requests_are_answered(
    srv: Server, at: int
) -> None:
    assert srv.control.set_clock(freeze=True, at=at)["serverTime"] == at
    assert srv.request("GET", "/fapi/v1/time").json() == {"serverTime": at}
    reply = srv.signed("GET", "/fapi/v1/multiAssetsMargin", timestamp=at)
    assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})
    for _ in range(3):  # weight counts, and no ban comes of it
        assert srv.request("GET", "/fapi/v1/ping").status == 200


_MILLIS = st.one_of(
    st.integers(-(2**64), 2**64),
    st.integers(-10_000, 10_000),
    st.integers(LAST_MS - 10_000, LAST_MS + 10_000),
    st.sampled_from([-(2**63), 2**63 - 1]),
)
_SETTINGS = st.one_of(
    st.fixed_dictionaries({"offsetMs": _MILLIS}),
    st.fixed_dictionaries({"freeze": st.just(True), "at": _MILLIS}),
    st.fixed_dictionaries({"offsetMs": _MILLIS, "freeze": st.just(True)}),
    st.just({"freeze": False}),
)


def test_any_clock_setting_keeps_the_server_answering_within_the_bounds(srv: Server) -> None:
    """Accepted exactly when it leaves server time in [0, LAST_MS]; whatever it was, the
    server then answers with a time in bounds and without a ban (there was no 429)."""

    @settings(max_examples=60, deadline=None, database=None)
    @given(_SETTINGS)
    def run(clock: dict[str, int]) -> None:
        srv.control.reset_clock()
        wall = now_ms()
        target = clock.get("at", wall + clock.get("offsetMs", 0))
        try:
            srv.control.set_clock(**clock)
            accepted = True
        except AdminError as error:
            assert error.status == 400, error
            accepted = False
        if "at" in clock or not (-5_000 < target < 5_000 or abs(target - LAST_MS) < 5_000):
            assert accepted == (0 <= target <= LAST_MS), (clock, target)
        reply = srv.request("GET", "/fapi/v1/time")
        assert reply.status == 200
        assert 0 <= reply.json()["serverTime"] <= LAST_MS + 60_000
        assert srv.request("GET", "/fapi/v1/ping").status == 200

    run()
