"""POST /fapi/v1/multiAssetsMargin over real HTTP: parameters, spellings, and every rule at its
boundary, with state seeded through the control plane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ...support import (
    Credentials,
    Renewable,
    Reply,
    Server,
    frozen_minute,
    now_ms,
    running_server,
    sign,
)

MODE = "/fapi/v1/multiAssetsMargin"
SUCCESS = {"code": 200, "msg": "success"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    folder = tmp_path_factory.mktemp("change-mode")
    with running_server(folder, "--weight-limit", "1000000") as server:
        yield Renewable(server)


@pytest.fixture
def srv(shared: Renewable) -> Server:
    """The module's server, as new: the demo account alone, in its first state."""
    return shared.renew()


def mode(server: Server) -> Any:
    return server.signed("GET", MODE).json()["multiAssetsMargin"]


def change(server: Server, value: str, **options: Any) -> Reply:
    return server.signed("POST", MODE, {"multiAssetsMargin": value}, **options)


def seed(server: Server, **state: Any) -> None:
    server.control.set_state("demo", state, partial=True)


def expect(reply: Reply, code: int, msg: str) -> None:
    assert (reply.status, reply.json()) == (400, {"code": code, "msg": msg})
    assert reply.headers["content-type"] == "application/json"


def test_change_answers_success_and_both_reads_follow(srv: Server) -> None:
    reply = change(srv, "true")
    assert (reply.status, reply.body) == (200, b'{"code":200,"msg":"success"}')
    assert mode(srv) is True
    assert srv.signed("GET", "/fapi/v1/accountConfig").json()["multiAssetsMargin"] is True
    assert change(srv, "false").json() == SUCCESS
    assert mode(srv) is False


def test_change_is_charged_weight_1(srv: Server) -> None:
    with frozen_minute(srv) as at:  # both requests in one weight window
        before = srv.request("GET", "/fapi/v1/ping").weight
        assert change(srv, "true", timestamp=at).weight == before + 1


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("application/x-www-form-urlencoded", id="form"),
        pytest.param("application/json;charset=utf-8", id="json"),
        pytest.param(None, id="none"),
    ],
)
def test_change_with_everything_in_the_query_and_an_empty_body(
    srv: Server, content_type: str | None
) -> None:
    payload = f"multiAssetsMargin=true&timestamp={now_ms()}"
    headers = {"X-MBX-APIKEY": srv.demo.api_key}
    if content_type is not None:
        headers["Content-Type"] = content_type
    reply = srv.request(
        "POST", MODE, f"{payload}&signature={sign(srv.demo.secret, payload)}", headers=headers
    )
    assert reply.json() == SUCCESS
    assert mode(srv) is True


def test_change_with_everything_in_a_form_body(srv: Server) -> None:
    assert change(srv, "true", in_body=True).json() == SUCCESS
    assert mode(srv) is True


def post_split(srv: Server, query: str, body: str) -> Reply:
    """A change with ``query`` in the URL and ``body`` (signed after both) as a form."""
    signature = sign(srv.demo.secret, query + body)
    headers = {
        "X-MBX-APIKEY": srv.demo.api_key,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return srv.request("POST", MODE, query, body=f"{body}&signature={signature}", headers=headers)


def test_change_with_parameters_split_between_query_and_body(srv: Server) -> None:
    reply = post_split(srv, "multiAssetsMargin=true", f"timestamp={now_ms()}&recvWindow=5000")
    assert reply.json() == SUCCESS
    assert mode(srv) is True


def test_query_wins_over_body_for_the_same_parameter(srv: Server) -> None:
    reply = post_split(
        srv, "multiAssetsMargin=true", f"multiAssetsMargin=false&timestamp={now_ms()}"
    )
    assert reply.json() == SUCCESS
    assert mode(srv) is True


def test_a_json_body_is_not_read(srv: Server) -> None:
    body = '{"multiAssetsMargin": "true", "timestamp": 1}'
    payload = f"timestamp={now_ms()}"
    reply = srv.request(
        "POST",
        MODE,
        f"{payload}&signature={sign(srv.demo.secret, payload)}",
        body=body,
        headers={"X-MBX-APIKEY": srv.demo.api_key, "Content-Type": "application/json"},
    )
    expect(
        reply,
        -1102,
        "Mandatory parameter 'multiAssetsMargin' was not sent, was empty/null, or malformed.",
    )


@pytest.mark.parametrize("value", ["TRUE", "True", "tRuE"])
def test_true_in_any_letter_case_turns_multi_assets_on(srv: Server, value: str) -> None:
    assert change(srv, value).json() == SUCCESS
    assert mode(srv) is True


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        pytest.param(
            {},
            -1102,
            "Mandatory parameter 'multiAssetsMargin' was not sent, was empty/null, or malformed.",
            id="missing",
        ),
        pytest.param(
            {"multiAssetsMargin": ""},
            -1102,
            "Mandatory parameter 'multiAssetsMargin' was not sent, was empty/null, or malformed.",
            id="empty",
        ),
        pytest.param(
            {"multiAssetsMargin": "1"},
            -1130,
            "Data sent for parameter 'multiAssetsMargin' is not valid.",
            id="one",
        ),
        pytest.param(
            {"multiAssetsMargin": "yes"},
            -1130,
            "Data sent for parameter 'multiAssetsMargin' is not valid.",
            id="yes",
        ),
        pytest.param(
            {"multiAssetsMargin": " true"},
            -1130,
            "Data sent for parameter 'multiAssetsMargin' is not valid.",
            id="leading-space",
        ),
    ],
)
def test_change_refuses_a_missing_or_unknown_value(
    srv: Server, params: dict[str, str], code: int, msg: str
) -> None:
    expect(srv.signed("POST", MODE, params), code, msg)
    assert mode(srv) is False


def test_change_still_passes_every_signed_check(srv: Server) -> None:
    wrong = Credentials(srv.demo.api_key, "x" * 64)
    expect(
        change(srv, "true", credentials=wrong), -1022, "Signature for this request is not valid."
    )
    expect(
        change(srv, "true", timestamp=now_ms() - 10_000),
        -1021,
        "Timestamp for this request is outside of the recvWindow.",
    )
    assert mode(srv) is False


# -- the account rules, at their boundaries --------------------------------------------------

ORDER = {"orderId": 7, "symbol": "BTCUSDT", "side": "BUY", "price": "80000", "origQty": "0.01"}


def test_4171_when_already_in_the_requested_mode(srv: Server) -> None:
    expect(
        change(srv, "false"),
        -4171,
        "Adjusted asset mode is currently set and does not need to be adjusted repeatedly.",
    )
    change(srv, "true")
    expect(
        change(srv, "true"),
        -4171,
        "Adjusted asset mode is currently set and does not need to be adjusted repeatedly.",
    )


def test_4170_with_an_open_order_and_success_once_it_is_gone(srv: Server) -> None:
    seed(srv, openOrders=[ORDER])
    expect(
        change(srv, "true"),
        -4170,
        "Unable to adjust Multi-Assets Mode with open orders in USDⓈ-M Futures.",
    )
    seed(srv, openOrders=[])
    assert change(srv, "true").json() == SUCCESS


def test_4167_with_a_symbol_in_isolated_margin(srv: Server) -> None:
    seed(srv, marginTypes={"ETHUSDC": "ISOLATED"})
    expect(
        change(srv, "true"),
        -4167,
        "Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under isolated-margin mode.",
    )
    seed(srv, marginTypes={"ETHUSDC": "CROSSED"})
    assert change(srv, "true").json() == SUCCESS


def test_4172_with_a_negative_margin_asset_balance(srv: Server) -> None:
    seed(srv, balances={"USDT": "100", "ETH": "-0.00000001"})
    expect(
        change(srv, "true"),
        -4172,
        "Unable to adjust Multi-Assets Mode with a negative wallet balance of margin available asset in USDⓈ-M Futures account.",
    )
    seed(srv, balances={"USDT": "100", "ETH": "0"})
    assert change(srv, "true").json() == SUCCESS


# 0.1 BTCUSDT from 90000 at the default mark price 90000 and leverage 20x: no PnL, and
# 9000 / 20 = 450 USDT of initial margin that USDT alone must cover in Single-Asset Mode.
@pytest.mark.parametrize(("usdt", "accepted"), [("449.99999999", False), ("450", True)])
def test_4169_switching_to_single_asset_at_the_margin_boundary(
    srv: Server, usdt: str, accepted: bool
) -> None:
    seed(
        srv,
        multiAssetsMargin=True,
        balances={"USDT": usdt, "BTC": "1"},
        positions=[
            {
                "symbol": "BTCUSDT",
                "positionAmt": "0.1",
                "entryPrice": "90000",
            },
        ],
    )
    reply = change(srv, "false")
    if accepted:
        assert reply.json() == SUCCESS
        assert mode(srv) is False
    else:
        expect(
            reply,
            -4169,
            "Unable to adjust Multi-Assets Mode with insufficient margin balance in USDⓈ-M Futures.",
        )
        assert mode(srv) is True


def test_an_eu_credits_account_stays_in_multi_assets_mode(srv: Server) -> None:
    # Binance's answer is not known: ours is -4408, the code Binance ties to credits mode
    # (PARITY.md, confidence low).
    seed(srv, multiAssetsMargin=True, creditsMode=True, balances={"BNFCR": "1000"})
    expect(
        change(srv, "false"),
        -4408,
        "This symbol is in reduce only mode due to regulation requirements. Please upgrade to "
        "Binance Credits Trading Mode.",
    )
    assert mode(srv) is True
    expect(
        change(srv, "true"),
        -4171,
        "Adjusted asset mode is currently set and does not need to be adjusted repeatedly.",
    )


def test_a_price_move_turns_a_passing_switch_into_4169(srv: Server) -> None:
    # 0.1 BTCUSDT at 90000, 20x: 450 USDT of margin; 0.006 BTC at the default bid rate
    # 90000 × 0.95 = 85500 brings 513 USD, with 0 USDT: covered in Multi-Assets Mode. At
    # BTC 78000 (bid 74100) it brings 444.6 < 450 × USDT's ask rate 0.99999999.
    seed(
        srv,
        balances={"BTC": "0.006"},
        positions=[{"symbol": "BTCUSDT", "positionAmt": "0.1", "entryPrice": "90000"}],
    )
    srv.control.move_market({"assetIndex": {"BTC": {"index": "78000"}}})
    expect(
        change(srv, "true"),
        -4169,
        "Unable to adjust Multi-Assets Mode with insufficient margin balance in USDⓈ-M Futures.",
    )
    srv.control.reset_market()
    assert change(srv, "true").json() == SUCCESS


# -- real clients ----------------------------------------------------------------------------


def test_python_binance_changes_the_mode(srv: Server) -> None:
    from binance import Client
    from binance.exceptions import BinanceAPIException

    local = type(
        "Local",
        (Client,),
        {"API_URL": f"{srv.base_url}/api", "FUTURES_URL": f"{srv.base_url}/fapi"},
    )
    client = local(srv.demo.api_key, srv.demo.secret, ping=False)
    try:
        assert client.futures_change_multi_assets_mode(True) == SUCCESS
        assert client.futures_get_multi_assets_mode() == {"multiAssetsMargin": True}
        with pytest.raises(BinanceAPIException) as caught:
            client.futures_change_multi_assets_mode(True)
        assert (caught.value.status_code, caught.value.code) == (400, -4171)
    finally:
        client.close_connection()
        client.loop.close()


def test_futures_connector_changes_the_mode(srv: Server) -> None:
    from binance.error import ClientError
    from binance.um_futures import UMFutures

    client = UMFutures(key=srv.demo.api_key, secret=srv.demo.secret, base_url=srv.base_url)
    assert client.change_multi_asset_mode(multiAssetsMargin="true") == SUCCESS
    assert client.get_multi_asset_mode() == {"multiAssetsMargin": True}
    seed(srv, openOrders=[ORDER])
    with pytest.raises(ClientError) as caught:
        client.change_multi_asset_mode(multiAssetsMargin="false")
    assert (caught.value.status_code, caught.value.error_code) == (400, -4170)


def test_a_change_to_an_account_deleted_meanwhile_is_2015(tmp_path: Path) -> None:
    """The account went from the database between the checks and the commit (another
    process deleted it): the key no longer works, as Binance says of a deleted key."""
    import asyncio

    from multiassets.admin import Admin
    from multiassets.protocol.errors import ApiError
    from multiassets.server.api.handlers import change_multi_assets_margin
    from multiassets.server.api.request import Call
    from multiassets.server.config import ServerConfig
    from multiassets.server.state import ServerState
    from multiassets.store import DeleteAccount

    state = ServerState(ServerConfig(db_url=f"sqlite:///{tmp_path / 'x.db'}"))
    try:
        key = Admin(state.store).create_key("alice")
        api_key = state.registry.key(key["apiKey"])
        assert api_key is not None
        account = state.registry.account(api_key.account_id)
        state.store.apply([DeleteAccount(account.id)])  # by another process: not seen here yet
        mode = {"multiAssetsMargin": "true"}
        call = Call(0, 1, mode, "10.0.0.1", api_key, account, {**mode})
        with pytest.raises(ApiError) as refused:
            asyncio.run(change_multi_assets_margin(state, call))
        assert (refused.value.code, refused.value.status, refused.value.msg) == (
            -2015,
            401,
            "Invalid API-key, IP, or permissions for action, request ip: 10.0.0.1",
        )
    finally:
        state.close()
