"""What each endpoint answers, over real HTTP, and the weight it charges."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from multiassets import __version__

from ...support import Reply, Server, frozen_minute, now_ms


def test_ping_answers_empty_object(server: Server) -> None:
    reply = server.request("GET", "/fapi/v1/ping")
    assert (reply.status, reply.body) == (200, b"{}")
    assert reply.headers["content-type"] == "application/json"


def test_time_answers_server_time_in_milliseconds(server: Server) -> None:
    before = now_ms()
    reply = server.request("GET", "/fapi/v1/time")
    after = now_ms()
    assert reply.status == 200
    assert list(reply.json()) == ["serverTime"]
    assert before <= reply.json()["serverTime"] <= after


@pytest.mark.parametrize("path", ["/api/v3/ping", "/api/v3/time"])
def test_spot_twins_answer_on_the_same_host(server: Server, path: str) -> None:
    reply = server.request("GET", path)
    assert reply.status == 200
    assert reply.body == b"{}" if path.endswith("ping") else "serverTime" in reply.json()


def test_multi_assets_margin_is_false_for_a_new_account(server: Server) -> None:
    reply = server.signed("GET", "/fapi/v1/multiAssetsMargin")
    assert (reply.status, reply.body) == (200, b'{"multiAssetsMargin":false}')
    assert reply.json()["multiAssetsMargin"] is False


def test_account_config_reports_the_same_mode_and_binance_fields(server: Server) -> None:
    reply = server.signed("GET", "/fapi/v1/accountConfig")
    assert reply.status == 200
    assert reply.json() == {
        "feeTier": 0,
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "dualSidePosition": False,
        "updateTime": 0,
        "multiAssetsMargin": False,
        "tradeGroupId": -1,
    }


def test_exchange_info_lists_binance_rate_limits_assets_and_symbols(server: Server) -> None:
    reply = server.request("GET", "/fapi/v1/exchangeInfo")
    info = reply.json()
    assert reply.status == 200
    assert info["timezone"] == "UTC"
    assert abs(info["serverTime"] - now_ms()) < 5000
    assert info["rateLimits"] == [
        {
            "rateLimitType": "REQUEST_WEIGHT",
            "interval": "MINUTE",
            "intervalNum": 1,
            "limit": 1000000,
        },  # the module's server raises the weight limit
        {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 300},
    ]
    assets = {asset["asset"]: asset for asset in info["assets"]}
    assert assets["USDT"] == {
        "asset": "USDT",
        "marginAvailable": True,
        "autoAssetExchange": "-10000",
    }
    margin_assets = {symbol["marginAsset"] for symbol in info["symbols"]}
    assert margin_assets == {"USDT", "USDC"}
    btc = next(symbol for symbol in info["symbols"] if symbol["symbol"] == "BTCUSDT")
    assert (btc["contractType"], btc["status"], btc["quoteAsset"]) == (
        "PERPETUAL",
        "TRADING",
        "USDT",
    )


def test_every_response_names_multiassets_and_its_version(server: Server) -> None:
    for path in ("/fapi/v1/ping", "/fapi/v1/multiAssetsMargin", "/fapi/v9/nothing"):
        assert server.request("GET", path).headers["x-multiassets-version"] == __version__


def test_weight_header_counts_each_endpoint_weight(server: Server) -> None:
    # The server's clock stands still in a minute of the test's own: one weight window for
    # the whole sequence, however long it takes.
    with frozen_minute(server) as at:
        before = server.request("GET", "/fapi/v1/ping").weight
        assert before == 1  # the window is new
        steps: list[tuple[Callable[[], Reply], int]] = [
            (lambda: server.request("GET", "/fapi/v1/ping"), 1),
            (lambda: server.request("GET", "/fapi/v1/time"), 1),
            (lambda: server.request("GET", "/fapi/v1/exchangeInfo"), 1),
            (lambda: server.signed("GET", "/fapi/v1/multiAssetsMargin", timestamp=at), 30),
            (lambda: server.signed("GET", "/fapi/v1/accountConfig", timestamp=at), 5),
            # Refused requests are charged too.
            (lambda: server.request("GET", "/fapi/v1/multiAssetsMargin"), 30),
            (lambda: server.request("GET", "/api/v3/ping"), 1),
            # An unknown path charges nothing but still reports the window's weight.
            (lambda: server.request("GET", "/fapi/v1/unknown"), 0),
        ]
        charged = []
        for send, _ in steps:
            after = send().weight
            charged.append(after - before)
            before = after
        assert charged == [weight for _, weight in steps]
