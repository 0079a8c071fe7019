"""`multiassets position-mode`, through click's runner, against the server: the twin of
`multiassets mode` for Hedge and One-way Mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from multiassets.cli.main import cli

from ..support import ONCE, Server, free_port

#: What a client makes of the server's answers does not depend on its database.
pytestmark = ONCE

ONE_ORDER = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "price": "1", "origQty": "1"}


def invoke(server: Server, *args: str) -> Result:
    return CliRunner().invoke(cli, ["position-mode", *args, *server.cli_options])


@pytest.fixture(autouse=True)
def one_way(server: Server) -> None:
    server.control.set_state("demo", {})


def test_it_is_a_command_of_the_group() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "position-mode" in result.output
    result = CliRunner().invoke(cli, ["position-mode", "--help"])
    assert result.exit_code == 0 and "Hedge Mode" in result.output


def test_it_prints_the_position_mode(server: Server) -> None:
    result = invoke(server)
    assert (result.exit_code, result.output) == (0, "One-way Mode\n")
    result = invoke(server, "--json")
    assert (result.exit_code, json.loads(result.output)) == (0, {"dualSidePosition": False})
    server.control.set_state("demo", {"dualSidePosition": True})
    assert invoke(server).output == "Hedge Mode\n"


def test_on_off_has_ensure_semantics(server: Server) -> None:
    assert invoke(server, "on").output == "Hedge Mode (changed)\n"
    assert invoke(server, "ON").output == "Hedge Mode (already set)\n"
    assert server.control.state("demo")["dualSidePosition"] is True
    result = invoke(server, "off", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output) == {"dualSidePosition": False, "changed": True}
    result = invoke(server, "off", "--json")
    assert json.loads(result.output) == {"dualSidePosition": False, "changed": False}


def test_a_refusal_exits_1_with_binance_code(server: Server) -> None:
    server.control.set_state("demo", {"openOrders": [ONE_ORDER]})
    result = invoke(server, "on")
    assert result.exit_code == 1
    assert (
        "-4067 Position side cannot be changed if there exists open orders. (HTTP 400)"
        in result.output
    )


def test_a_bad_switch_is_a_usage_error(server: Server) -> None:
    assert invoke(server, "hedge").exit_code == 2


def test_exit_codes_for_network_and_configuration(server: Server) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "position-mode",
            "--base-url",
            f"http://127.0.0.1:{free_port()}",
            "--api-key",
            "k" * 64,
            "--api-secret",
            "s",
        ],
    )
    assert result.exit_code == 3
    result = CliRunner().invoke(
        cli,
        ["position-mode", "--base-url", server.base_url],
        env={"MULTIASSETS_API_KEY": "", "MULTIASSETS_API_SECRET": ""},
    )
    assert result.exit_code == 2


def test_it_reads_a_profile(server: Server, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.local]\nbase_url = "{server.base_url}"\napi_key = "{server.demo.api_key}"\n'
        f'api_secret = "{server.demo.secret}"\n'
    )
    env = {"MULTIASSETS_CONFIG": str(config)}
    result = CliRunner().invoke(cli, ["position-mode", "on", "--profile", "local"], env=env)
    assert (result.exit_code, result.output) == (0, "Hedge Mode (changed)\n")
