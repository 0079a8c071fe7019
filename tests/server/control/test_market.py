"""The market a server values accounts at, moved through the control plane: its prices are
what the views show and what the rules decide on, at once; and the account's two asset
modes side by side, with the switch's verdict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from multiassets.admin import AdminError
from multiassets.cli.main import cli

from ...support import Renewable, Server, running_server

MODE = "/fapi/v1/multiAssetsMargin"
REFUSED_4169 = {
    "code": -4169,
    "msg": "Unable to adjust Multi-Assets Mode with insufficient margin balance in USDⓈ-M Futures.",
}
#: Stablecoins at 1 without haircut: BTC's 5 % is the only one.
FLAT_STABLES = {
    "assetIndex": {
        "USDT": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
        "USDC": {"index": "1", "bidBuffer": "0", "askBuffer": "0"},
    }
}
#: 100 USDT and 0.00935673 BTC behind 0.2 BTCUSDT at 90000 and 20x, 900 USDT of margin:
#: pooled, 100 + 0.00935673 × 85500 (BTC's bid rate) = 900.000415 covers it; USDT alone not.
STATE = {
    "balances": {"USDT": "100", "BTC": "0.00935673"},
    "positions": [{"symbol": "BTCUSDT", "positionAmt": "0.2", "entryPrice": "90000"}],
}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    with running_server(tmp_path_factory.mktemp("market"), "--weight-limit", "1000000") as server:
        yield Renewable(server)


@pytest.fixture
def srv(shared: Renewable) -> Server:
    return shared.renew()


def patch(srv: Server, document: Any) -> dict[str, Any]:
    return srv.control.move_market(document)


def test_the_default_market_is_the_catalogues(srv: Server) -> None:
    market = srv.control.market()
    assert market["markPrices"]["BTCUSDT"] == "90000"
    assert market["assetIndex"]["USDT"] == {
        "index": "0.99990000",
        "bidBuffer": "0.00010000",
        "askBuffer": "0.00010000",
        "autoExchangeBidBuffer": "0.00010000",
        "autoExchangeAskBuffer": "0.00010000",
    }
    assert market["assetIndex"]["BTC"]["bidBuffer"] == "0.05"


def test_a_patch_moves_only_what_it_names_and_a_delete_puts_it_back(srv: Server) -> None:
    moved = patch(srv, {"markPrices": {"ETHUSDT": "3100.5"}, "assetIndex": {"BTC": {"index": "1"}}})
    assert moved["markPrices"]["ETHUSDT"] == "3100.5"
    assert moved["markPrices"]["BTCUSDT"] == "90000"
    assert moved["assetIndex"]["BTC"]["index"] == "1"
    assert moved["assetIndex"]["BTC"]["bidBuffer"] == "0.05"
    assert srv.control.market() == moved
    assert srv.control.reset_market()["assetIndex"]["BTC"]["index"] == "90000"


def test_a_reset_of_the_server_resets_its_market(srv: Server) -> None:
    patch(srv, {"markPrices": {"ETHUSDT": "1"}})
    srv.control.reset()
    assert srv.control.market()["markPrices"]["ETHUSDT"] == "3000"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(
            {"markPrices": {"BTCUSD": "1"}}, "markPrices: unknown symbol 'BTCUSD'", id="symbol"
        ),
        pytest.param(
            {"assetIndex": {"DOGE": {"index": "1"}}}, "assetIndex: unknown asset 'DOGE'", id="asset"
        ),
        pytest.param(
            {"markPrices": {"BTCUSDT": "0"}}, "the mark price of BTCUSDT must be above 0", id="zero"
        ),
        pytest.param(
            {"assetIndex": {"BTC": {"bidBuffer": "1"}}}, "BTC's bidBuffer must be below 1", id="buf"
        ),
        pytest.param(
            {"markPrices": {"BTCUSDT": 90000}},
            'the mark price of BTCUSDT must be a decimal string such as "1.5" (at most 12 digits'
            " before the point and 8 after it), got '90000'",
            id="number",
        ),
        pytest.param({"prices": {}}, "unknown fields in the market: prices", id="field"),
        pytest.param(
            {"assetIndex": {"BTC": {"rate": "1"}}}, "unknown fields in BTC: rate", id="index-field"
        ),
    ],
)
def test_a_market_document_out_of_its_schema_is_refused_and_changes_nothing(
    srv: Server, document: Any, message: str
) -> None:
    before = srv.control.market()
    with pytest.raises(AdminError) as caught:
        patch(srv, document)
    assert (caught.value.status, str(caught.value)) == (400, message)
    assert srv.control.market() == before


def test_a_price_move_makes_a_switch_that_passed_a_moment_ago_refuse(srv: Server) -> None:
    patch(srv, FLAT_STABLES)
    srv.control.set_state("demo", STATE)
    to_multi = {"multiAssetsMargin": "true"}
    # BTC's index 1 lower: 0.00935673 × 89999 × 0.95 = 799.99910… short of the 800 needed.
    patch(srv, {"assetIndex": {"BTC": {"index": "89999"}}})
    reply = srv.signed("POST", MODE, to_multi, in_body=True)
    assert (reply.status, reply.json()) == (400, REFUSED_4169)
    patch(srv, {"assetIndex": {"BTC": {"index": "90000"}}})
    reply = srv.signed("POST", MODE, to_multi, in_body=True)
    assert (reply.status, reply.json()) == (200, {"code": 200, "msg": "success"})


def test_modes_shows_both_asset_modes_and_why_a_switch_would_be_refused(srv: Server) -> None:
    patch(srv, FLAT_STABLES)
    srv.control.set_state("demo", STATE)
    document = srv.control.modes("demo")
    single, multi = document["modes"]["singleAsset"], document["modes"]["multiAssets"]
    # Single-Asset: USDT only, 100 of wallet against 900 of margin: −800 available.
    assert single["totals"]["totalWalletBalance"] == "100.00000000"
    assert single["totals"]["availableBalance"] == "-800.00000000"
    assert single["uncovered"] is True
    # Multi-Assets: 100 + 0.00935673 × 85500 = 900.000415 of wallet, 0.000415 left over.
    assert multi["totals"]["totalWalletBalance"] == "900.00041500"
    assert multi["totals"]["availableBalance"] == "0.00041500"
    assert multi["uncovered"] is False
    assert [a["asset"] for a in multi["assets"]] == ["USDT", "BTC"]
    assert document["multiAssetsMargin"] is False
    assert document["switch"] == {"multiAssetsMargin": True, "refused": None}
    patch(srv, {"assetIndex": {"BTC": {"index": "89999"}}})
    assert srv.control.modes("demo")["switch"] == {
        "multiAssetsMargin": True,
        "refused": REFUSED_4169,
    }


def test_modes_of_an_unknown_account_is_a_404(srv: Server) -> None:
    with pytest.raises(AdminError) as caught:
        srv.control.modes("nobody")
    assert caught.value.status == 404


def test_the_cli_prints_the_modes_side_by_side_and_moves_the_market(srv: Server) -> None:
    runner = CliRunner()
    server = ["--server", srv.base_url, "--token", srv.admin_token]
    moved = runner.invoke(cli, ["market", "--index", "USDT=1", "--mark", "ETHUSDT=2000", *server])
    assert moved.exit_code == 0, moved.output
    market = json.loads(moved.output)
    assert (market["assetIndex"]["USDT"]["index"], market["markPrices"]["ETHUSDT"]) == (
        "1",
        "2000",
    )
    patch(srv, FLAT_STABLES)
    srv.control.set_state("demo", STATE)
    shown = runner.invoke(cli, ["account", "demo", *server])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == "demo: Single-Asset Mode"
    wallet = next(line for line in lines if line.startswith("totalWalletBalance"))
    assert wallet.split() == ["totalWalletBalance", "100.00000000", "900.00041500"]
    assert lines[-1] == "Switching to Multi-Assets Mode: allowed."
    as_json = runner.invoke(cli, ["account", "demo", "--json", *server])
    assert json.loads(as_json.output) == srv.control.modes("demo")
    refused = runner.invoke(cli, ["market", "--reset", "--mark", "BTCUSDT=1", *server])
    assert refused.exit_code == 2
    assert "--reset moves nothing else" in refused.output


def test_the_reference_docs_account_example_is_what_the_command_prints(srv: Server) -> None:
    readme = (Path(__file__).resolve().parents[3] / "docs" / "reference.md").read_text()
    block = readme.split("```\ndemo: Single-Asset Mode\n", 1)[1].split("```", 1)[0]
    shown = ["demo: Single-Asset Mode", *block.splitlines()]
    # The README's account: the module's STATE, with USDT at 1 and no buffer.
    usdt = {"USDT": {"index": "1", "bidBuffer": "0", "askBuffer": "0"}}
    srv.control.move_market({"assetIndex": usdt})
    srv.control.set_state("demo", STATE)
    server = ["--server", srv.base_url, "--token", srv.admin_token]
    printed = CliRunner().invoke(cli, ["account", "demo", *server]).output.splitlines()
    assert printed == shown
