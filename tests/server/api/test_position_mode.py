"""GET and POST /fapi/v1/positionSide/dual over real HTTP: the answer, the rules in their
order, the parameter's spellings, the weights, and every view agreeing after a change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ...support import Credentials, Renewable, Reply, Server, frozen_minute, running_server

DUAL = "/fapi/v1/positionSide/dual"
SUCCESS = {"code": 200, "msg": "success"}
ORDER = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "price": "80000", "origQty": "0.1"}
POSITION = {"symbol": "ETHUSDT", "positionAmt": "1", "entryPrice": "3000"}
SAME = "No need to change position side."
WITH_ORDERS = "Position side cannot be changed if there exists open orders."
WITH_POSITION = "Position side cannot be changed if there exists position."
MISSING = "Mandatory parameter 'dualSidePosition' was not sent, was empty/null, or malformed."
INVALID = "Data sent for parameter 'dualSidePosition' is not valid."


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    with running_server(tmp_path_factory.mktemp("dual"), "--weight-limit", "1000000") as server:
        yield Renewable(server)


@pytest.fixture
def srv(shared: Renewable) -> Server:
    return shared.renew()


def dual(server: Server) -> Any:
    reply = server.signed("GET", DUAL)
    assert reply.status == 200
    return reply.json()["dualSidePosition"]


def change(server: Server, value: str, **options: Any) -> Reply:
    return server.signed("POST", DUAL, {"dualSidePosition": value}, **options)


def seed(server: Server, **state: Any) -> None:
    server.control.set_state("demo", state)


def expect(reply: Reply, code: int, msg: str) -> None:
    assert (reply.status, reply.json()) == (400, {"code": code, "msg": msg})


def test_a_new_account_is_in_one_way_mode(srv: Server) -> None:
    reply = srv.signed("GET", DUAL)
    assert (reply.status, reply.body) == (200, b'{"dualSidePosition":false}')


def test_a_change_answers_success_and_every_view_follows(srv: Server) -> None:
    reply = change(srv, "true")
    assert (reply.status, reply.body) == (200, b'{"code":200,"msg":"success"}')
    assert dual(srv) is True
    assert srv.signed("GET", "/fapi/v1/accountConfig").json()["dualSidePosition"] is True
    assert srv.control.state("demo")["dualSidePosition"] is True  # committed
    sides = [row["positionSide"] for row in srv.signed("GET", "/fapi/v2/positionRisk").json()]
    assert sides[:2] == ["LONG", "SHORT"]
    assert change(srv, "false").json() == SUCCESS
    assert dual(srv) is False
    assert srv.signed("GET", "/fapi/v1/accountConfig").json()["dualSidePosition"] is False
    sides = [row["positionSide"] for row in srv.signed("GET", "/fapi/v2/positionRisk").json()]
    assert set(sides) == {"BOTH"}


def test_the_parameter_may_come_in_the_body_in_any_letter_case(srv: Server) -> None:
    assert change(srv, "TRUE", in_body=True).json() == SUCCESS
    assert dual(srv) is True
    assert change(srv, "False").json() == SUCCESS
    assert dual(srv) is False


@pytest.mark.parametrize(
    ("value", "code", "msg"),
    [
        (None, -1102, MISSING),
        ("", -1102, MISSING),
        ("maybe", -1130, INVALID),
        ("1", -1130, INVALID),
        (" true", -1130, INVALID),
    ],
)
def test_a_value_that_is_not_true_or_false(
    srv: Server, value: str | None, code: int, msg: str
) -> None:
    params = {} if value is None else {"dualSidePosition": value}
    expect(srv.signed("POST", DUAL, params), code, msg)
    assert dual(srv) is False


def test_the_same_mode_is_4059(srv: Server) -> None:
    expect(change(srv, "false"), -4059, SAME)
    assert change(srv, "true").json() == SUCCESS
    expect(change(srv, "true"), -4059, SAME)


def test_an_open_order_is_4067(srv: Server) -> None:
    seed(srv, balances={"USDT": "10000"}, openOrders=[ORDER])
    expect(change(srv, "true"), -4067, WITH_ORDERS)
    assert dual(srv) is False


def test_a_position_is_4068(srv: Server) -> None:
    seed(srv, balances={"USDT": "10000"}, positions=[POSITION])
    expect(change(srv, "true"), -4068, WITH_POSITION)
    assert dual(srv) is False


def test_a_flat_position_does_not_count(srv: Server) -> None:
    flat = {"symbol": "ETHUSDT", "positionAmt": "0"}
    seed(srv, balances={"USDT": "10000"}, positions=[flat])
    assert change(srv, "true").json() == SUCCESS


def test_a_flat_position_of_the_old_side_goes_with_it_and_the_state_stays_editable(
    srv: Server,
) -> None:
    seed(srv, positions=[{"symbol": "ETHUSDT", "positionAmt": "0"}])  # BOTH, flat
    assert change(srv, "true").json() == SUCCESS
    state = srv.control.state("demo")
    assert (state["dualSidePosition"], state["positions"]) == (True, [])
    # What the server holds is a state it takes: edited, exported and imported again.
    srv.control.set_state("demo", {"balances": {"USDT": "200"}}, partial=True)
    exported = srv.control.export()
    srv.control.import_(exported)
    assert srv.control.export() == exported
    assert change(srv, "false").json() == SUCCESS
    assert srv.control.state("demo")["positions"] == []


def test_the_rules_refuse_in_their_order(srv: Server) -> None:
    """-4059 before -4067 before -4068 (Binance gives no order: PARITY.md)."""
    seed(srv, balances={"USDT": "10000"}, positions=[POSITION], openOrders=[ORDER])
    expect(change(srv, "false"), -4059, SAME)
    expect(change(srv, "true"), -4067, WITH_ORDERS)
    seed(srv, balances={"USDT": "10000"}, positions=[POSITION])
    expect(change(srv, "true"), -4068, WITH_POSITION)


def test_the_weights(srv: Server) -> None:
    with frozen_minute(srv) as at:
        before = srv.request("GET", "/fapi/v1/ping").weight
        assert srv.signed("GET", DUAL, timestamp=at).weight == before + 30
        assert change(srv, "true", timestamp=at).weight == before + 31
        # Refused, and charged all the same.
        assert change(srv, "true", timestamp=at).weight == before + 32


def test_a_key_that_may_not_trade_can_read_but_not_change(srv: Server) -> None:
    created = srv.control.create_key("demo", permissions=["USER_DATA"])
    reader = Credentials(created["apiKey"], created["secretKey"])
    assert srv.signed("GET", DUAL, credentials=reader).json() == {"dualSidePosition": False}
    refused = change(srv, "true", credentials=reader)
    assert (refused.status, refused.json()["code"]) == (401, -2015)
    assert dual(srv) is False
