"""Several server processes as one server (``shared.py``): two processes on one PostgreSQL
database and one Redis share the weight budget and bans exactly, the clock and fault rules,
the listenKeys, and every acknowledged change, at once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from multiassets.testing import serve_existing

from ...support import Server, on_new_account, postgres_database, redis_url, running_server
from ..wsapi.frames import SESSION_ENDED, call, ed25519_key, open_api, signed, weight

MODE = "/fapi/v1/multiAssetsMargin"
PROXY = ("--trusted-proxy", "127.0.0.1")


@contextmanager
def two_nodes(tmp_path: Path, *args: str) -> Iterator[tuple[Server, Server]]:
    """Two server processes on one new PostgreSQL database and the test Redis."""
    shared = ("--redis", redis_url(), *PROXY, *args)
    with (
        postgres_database() as db_url,
        running_server(tmp_path, *shared, db_url=db_url) as first,
        serve_existing(first.db_url, first.admin_token, args=shared) as (port, _),
    ):
        second = Server(port, first.db_url, first.demo, first.admin_token)
        try:
            yield first, second
        finally:
            second.close_connection()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    """Two nodes for the module's tests. Each test sends as IPs of its own (through the trusted
    proxy), so none meets another's weight or ban."""
    with two_nodes(tmp_path_factory.mktemp("shared"), "--weight-limit", "100") as both:
        yield both


@pytest.fixture
def nodes(pair: tuple[Server, Server]) -> Iterator[tuple[Server, Server]]:
    """The two nodes, their clock the wall clock and without fault rules, through an account
    of the test's own: new to both (each meets its key first in the database), so nothing
    another test did to its account, or its streams, reaches it."""
    first, second = pair
    first.control.reset_clock()  # the clock, rules and market are the nodes' shared runtime
    first.control.clear_faults()
    first.control.reset_market()
    one = on_new_account(first)
    other = Server(second.port, second.db_url, one.demo, second.admin_token, one.account)
    yield one, other
    one.close_connection()
    other.close_connection()


def signed_from(node: Server, ip: str, method: str, path: str, **params: Any) -> Any:
    """A signed request that the trusted proxy (loopback) says comes from ``ip``."""
    return node.signed(method, path, params, forwarded_for=ip)


def test_two_processes_share_one_weight_budget_exactly(nodes: tuple[Server, Server]) -> None:
    first, second = nodes
    replies = [
        signed_from(node, "10.1.0.1", "GET", MODE) for node in (first, second, first, second)
    ]
    # GET multiAssetsMargin weighs 30; the limit is 100: the 4th request is over it, wherever
    # it lands, and its answer counts the weight used through both processes.
    assert [(r.status, r.weight) for r in replies] == [(200, 30), (200, 60), (200, 90), (429, 120)]
    assert replies[3].json() == {
        "code": -1003,
        "msg": "Too many requests; current limit of IP(10.1.0.1) is 100 requests per minute. "
        "Please use the websocket for live updates to avoid polling the API.",
    }
    banned = signed_from(first, "10.1.0.1", "GET", MODE)
    assert banned.status == 418 and banned.json()["code"] == -1003
    again = signed_from(second, "10.1.0.1", "GET", MODE)
    assert again.status == 418 and again.json() == banned.json()
    assert abs(int(again.headers["retry-after"]) - int(banned.headers["retry-after"])) <= 1
    # Another IP has its own budget on both.
    assert signed_from(second, "10.1.0.2", "GET", MODE).weight == 30


def test_a_change_through_one_is_read_through_the_other_at_once(
    nodes: tuple[Server, Server],
) -> None:
    first, second = nodes
    for step in range(12):
        writer, reader = (first, second) if step % 2 == 0 else (second, first)
        target = "true" if step % 2 == 0 else "false"
        ip = f"10.2.0.{step}"
        changed = signed_from(writer, ip, "POST", MODE, multiAssetsMargin=target)
        assert (changed.status, changed.json()) == (200, {"code": 200, "msg": "success"})
        # No waiting: the acknowledged change is what the other process answers next.
        read = signed_from(reader, ip, "GET", MODE)
        assert read.json() == {"multiAssetsMargin": target == "true"}


def test_websocket_and_rest_requests_through_two_processes_share_one_budget(
    nodes: tuple[Server, Server],
) -> None:
    first, second = nodes
    ip = "10.9.0.1"
    with open_api(first, forwarded_for=ip) as ws:  # the handshake: 5
        status = call(ws, "account.status", signed(first))  # 5: 10
        rest = signed_from(second, ip, "GET", MODE)  # 30: 40
        balance = call(ws, "account.balance", signed(first))  # 5: 45
        more = [signed_from(second, ip, "GET", MODE) for _ in range(2)]  # 75, then 105: 429
        banned = call(ws, "account.balance", signed(first))
    assert (status["status"], status["rateLimits"]) == (200, weight(10, 100))
    assert (rest.status, rest.weight) == (200, 40)
    assert (balance["status"], balance["rateLimits"]) == (200, weight(45, 100))
    assert [(r.status, r.weight) for r in more] == [(200, 75), (429, 105)]
    # Over the limit through the other process: this one's WebSocket API is banned too.
    assert banned["status"] == 418 and banned["error"]["code"] == -1003
    assert banned["error"]["msg"].startswith(f"Way too many requests; IP({ip}) banned until ")


def test_a_websocket_session_reads_a_change_through_the_other_at_once(
    nodes: tuple[Server, Server],
) -> None:
    first, second = nodes
    with open_api(first, forwarded_for="10.9.0.2") as ws:
        for step in range(6):
            target = "true" if step % 2 == 0 else "false"
            ip = f"10.9.1.{step}"
            changed = signed_from(second, ip, "POST", MODE, multiAssetsMargin=target)
            assert changed.status == 200, changed.body
            # No waiting: the next frame answers with the change the other process committed.
            read = call(ws, "account.status", signed(first))
            assert read["result"]["multiAssetsMargin"] is (target == "true")


def test_a_key_revoked_through_the_other_ends_a_session_at_its_next_request(
    nodes: tuple[Server, Server],
) -> None:
    first, second = nodes
    api_key, signer = ed25519_key(first)
    with open_api(first, forwarded_for="10.9.0.3") as ws:
        logon = call(ws, "session.logon", signed(first, api_key=api_key, signer=signer))
        second.control.revoke_key(api_key)
        # No waiting: the next request meets the revocation the other process committed.
        answer = call(ws, "account.balance")
        event = json.loads(ws.recv(timeout=5))
    assert logon["status"] == 200
    assert (answer["status"], answer["error"]["code"]) == (401, -2015)
    assert event == SESSION_ENDED


def test_a_changes_time_is_read_through_the_other_at_once(
    nodes: tuple[Server, Server],
) -> None:
    # The accounts' assets are dated by their last change, on the shared (frozen) clock.
    first, second = nodes
    first.control.set_state(first.account, {"balances": {"USDT": "10"}})
    try:
        for step, at in enumerate((1_900_000_000_000, 1_900_000_060_000)):
            first.control.set_clock(freeze=True, at=at)
            writer, reader = (first, second) if step == 0 else (second, first)
            target = {"multiAssetsMargin": "true" if step == 0 else "false"}
            ip = f"10.6.0.{step}"
            changed = writer.signed("POST", MODE, target, timestamp=at, forwarded_for=ip)
            assert changed.status == 200, changed.body
            read = reader.signed("GET", "/fapi/v3/balance", timestamp=at, forwarded_for=ip)
            usdt = next(row for row in read.json() if row["asset"] == "USDT")
            assert usdt["updateTime"] == at
    finally:
        first.control.reset_clock()


def test_concurrent_changes_through_two_processes_keep_one_serial_order(
    nodes: tuple[Server, Server],
) -> None:
    first, second = nodes
    outcomes: list[tuple[str, int]] = []
    lock = threading.Lock()

    def toggle(node: Server, worker: int) -> None:
        client = Server(node.port, node.db_url, node.demo, node.admin_token)
        for attempt in range(10):
            target = "true" if (worker + attempt) % 2 == 0 else "false"
            ip = f"10.3.{worker}.{attempt}"
            reply = signed_from(client, ip, "POST", MODE, multiAssetsMargin=target)
            with lock:
                outcomes.append((target, reply.json()["code"]))
        client.close_connection()

    threads = [
        threading.Thread(target=toggle, args=(node, worker))
        for worker, node in enumerate((first, second, first, second, first, second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each change succeeds only from the other mode (else -4171), so in one serial order the
    # successes alternate false->true->false...: the count of each differs by at most one,
    # and the final mode says which came last.
    assert {code for _, code in outcomes} <= {200, -4171}
    to_true = sum(1 for target, code in outcomes if code == 200 and target == "true")
    to_false = sum(1 for target, code in outcomes if code == 200 and target == "false")
    final = signed_from(first, "10.3.9.9", "GET", MODE).json()["multiAssetsMargin"]
    assert to_true - to_false == (1 if final else 0)
    assert to_true >= 1


def test_clock_and_faults_set_through_one_apply_to_the_other(
    nodes: tuple[Server, Server],
) -> None:
    first, second = nodes
    first.control.set_clock(offsetMs=3_600_000)
    before = second.request("GET", "/fapi/v1/time").json()["serverTime"]
    assert abs(before - first.control.clock()["serverTime"]) < 2_000
    assert second.control.clock()["offsetMs"] == 3_600_000
    second.control.reset_clock()
    assert first.control.clock()["offsetMs"] == 0
    # "The next 3 requests" fail 3 times in all, whichever process they reach.
    first.control.add_fault(kind="service_unavailable", path=MODE, times=3)
    statuses = [
        signed_from(node, f"10.4.0.{n}", "GET", MODE).status
        for n, node in enumerate((first, second) * 4)
    ]
    assert statuses == [503, 503, 503, 200, 200, 200, 200, 200]
    assert first.control.faults() == second.control.faults() == {"rules": []}


def test_a_price_moved_through_one_decides_a_switch_through_the_other(
    nodes: tuple[Server, Server],
) -> None:
    first, second = nodes
    # 0.1 BTCUSDT at 90000, 20x: 450 of margin, which 0.006 BTC (513 USD at the default bid
    # rate 85500) covers pooled; at an index of 78000 (bid 74100) it brings 444.6: short.
    first.control.set_state(
        first.account,
        {
            "balances": {"BTC": "0.006"},
            "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "90000"}],
        },
    )
    first.control.move_market({"assetIndex": {"BTC": {"index": "78000"}}})
    assert second.control.market()["assetIndex"]["BTC"]["index"] == "78000"
    to_multi = {"multiAssetsMargin": "true"}
    reply = second.signed("POST", MODE, to_multi, in_body=True, forwarded_for="10.5.0.1")
    assert (reply.status, reply.json()["code"]) == (400, -4169)
    second.control.reset_market()
    reply = first.signed("POST", MODE, to_multi, in_body=True, forwarded_for="10.5.0.2")
    assert (reply.status, reply.json()) == (200, {"code": 200, "msg": "success"})


def test_a_listen_key_made_through_one_streams_from_the_other(
    nodes: tuple[Server, Server],
) -> None:
    first, second = nodes
    opened = signed_from(first, "10.5.0.1", "POST", "/fapi/v1/listenKey")
    key = opened.json()["listenKey"]
    with connect(f"ws://127.0.0.1:{second.port}/ws/{key}", open_timeout=5) as ws:
        kept = signed_from(second, "10.5.0.2", "PUT", "/fapi/v1/listenKey")
        assert kept.json() == {"listenKey": key}
        signed_from(first, "10.5.0.3", "POST", MODE, multiAssetsMargin="true")
        event = json.loads(ws.recv(timeout=5))
        assert (event["e"], event["ai"]) == ("ACCOUNT_CONFIG_UPDATE", {"j": True})
        # Deleted through the first: the second's stream ends with listenKeyExpired.
        closed = signed_from(first, "10.5.0.4", "DELETE", "/fapi/v1/listenKey")
        assert (closed.status, closed.json()) == (200, {})
        assert json.loads(ws.recv(timeout=5))["e"] == "listenKeyExpired"
    assert signed_from(second, "10.5.0.5", "PUT", "/fapi/v1/listenKey").json()["code"] == -1125


def test_streams_hear_changes_through_both_processes_in_commit_order(
    nodes: tuple[Server, Server],
) -> None:
    """Found in review: a process announced its own changes at once and the other's a moment
    later, so a stream could hear true-after-false while the mode was false."""
    first, second = nodes
    key = signed_from(second, "10.6.0.1", "POST", "/fapi/v1/listenKey").json()["listenKey"]
    with connect(f"ws://127.0.0.1:{second.port}/ws/{key}", open_timeout=5) as ws:
        for step in range(6):
            node = first if step % 2 == 0 else second
            target = "true" if step % 2 == 0 else "false"
            reply = signed_from(node, f"10.6.1.{step}", "POST", MODE, multiAssetsMargin=target)
            assert reply.status == 200
        heard = [json.loads(ws.recv(timeout=5))["ai"]["j"] for _ in range(6)]
    assert heard == [True, False, True, False, True, False]


def test_a_frozen_clock_keeps_the_shared_minute(nodes: tuple[Server, Server]) -> None:
    """Found in review: Redis expired the minute's weight in real time while the server's
    clock stood still."""
    first, second = nodes
    now = first.control.clock()["serverTime"]
    first.control.set_clock(freeze=True, at=now // 60_000 * 60_000 + 59_999)
    weights = []
    for n in range(3):
        weights.append(signed_from(second if n % 2 else first, "10.7.0.1", "GET", MODE).weight)
        time.sleep(0.3)
    assert weights == [30, 60, 90]
    first.control.reset_clock()


def test_a_refused_clock_change_changes_nothing_anywhere(nodes: tuple[Server, Server]) -> None:
    first, second = nodes
    with pytest.raises(Exception, match="freeze must be true or false"):
        first.control.set_clock(offsetMs=3_600_000, freeze="yes")
    assert first.control.clock()["offsetMs"] == second.control.clock()["offsetMs"] == 0
