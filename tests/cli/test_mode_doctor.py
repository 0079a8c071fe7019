"""`multiassets mode` and `multiassets doctor`, through click's runner, against the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import multiassets._core
from multiassets.cli.main import cli

from ..support import Server, free_port


def invoke(server: Server | None, *args: str, **env: str) -> Result:
    base = server.cli_options if server is not None else []
    return CliRunner().invoke(cli, [*args, *base], env=env or None)


@pytest.fixture(autouse=True)
def single_asset(server: Server) -> None:
    server.control.set_state("demo", {})


def test_mode_prints_the_mode(server: Server) -> None:
    result = invoke(server, "mode")
    assert (result.exit_code, result.output) == (0, "Single-Asset Mode\n")
    result = invoke(server, "mode", "--json")
    assert json.loads(result.output) == {"multiAssetsMargin": False}


def test_mode_on_off_has_ensure_semantics(server: Server) -> None:
    assert invoke(server, "mode", "on").output == "Multi-Assets Mode (changed)\n"
    assert invoke(server, "mode", "on").output == "Multi-Assets Mode (already set)\n"
    result = invoke(server, "mode", "off", "--json")
    assert json.loads(result.output) == {"multiAssetsMargin": False, "changed": True}


def test_mode_refused_by_a_rule_exits_1_with_binance_code(server: Server) -> None:
    server.control.set_state(
        "demo",
        {
            "openOrders": [
                {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "price": "1", "origQty": "1"}
            ]
        },
    )
    result = invoke(server, "mode", "on")
    assert result.exit_code == 1
    assert "-4170 Unable to adjust Multi-Assets Mode with open orders" in result.output


def test_mode_exit_codes_for_network_and_configuration(server: Server) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "mode",
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
        ["mode", "--base-url", server.base_url],
        env={"MULTIASSETS_API_KEY": "", "MULTIASSETS_API_SECRET": ""},
    )
    assert result.exit_code == 2


def test_mode_reads_a_profile(server: Server, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[profiles.local]\nbase_url = "{server.base_url}"\napi_key = "{server.demo.api_key}"\n'
        f'api_secret = "{server.demo.secret}"\n'
    )
    result = CliRunner().invoke(
        cli, ["mode", "--profile", "local"], env={"MULTIASSETS_CONFIG": str(config)}
    )
    assert (result.exit_code, result.output) == (0, "Single-Asset Mode\n")
    result = CliRunner().invoke(
        cli, ["mode", "--profile", "nope"], env={"MULTIASSETS_CONFIG": str(config)}
    )
    assert result.exit_code == 2 and "no profile 'nope'" in result.output


def doctor(server: Server, **overrides: str) -> tuple[int, dict[str, Any]]:
    args = {
        "--base-url": server.base_url,
        "--api-key": server.demo.api_key,
        "--api-secret": server.demo.secret,
        **overrides,
    }
    flat = [item for pair in args.items() for item in pair]
    result = CliRunner().invoke(cli, ["doctor", "--json", *flat])
    return result.exit_code, json.loads(result.output)


def test_doctor_on_a_healthy_setup(server: Server) -> None:
    code, report = doctor(server)
    assert code == 0 and report["ok"] is True
    assert [c["name"] for c in report["checks"]] == [
        "connectivity",
        "clock",
        "key and signature",
        "permission to change the mode",
    ]
    text = CliRunner().invoke(
        cli,
        [
            "doctor",
            "--base-url",
            server.base_url,
            "--api-key",
            server.demo.api_key,
            "--api-secret",
            server.demo.secret,
        ],
    )
    assert text.exit_code == 0 and text.output.startswith("ok    connectivity: ")


def test_doctor_finds_a_bad_secret(server: Server) -> None:
    code, report = doctor(server, **{"--api-secret": "x" * 64})
    failed = [c for c in report["checks"] if not c["ok"]]
    assert code == 1 and [c["name"] for c in failed] == ["key and signature"]
    assert "does not belong to this API key" in failed[0]["fix"]


def test_doctor_finds_a_skewed_clock(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    real = multiassets._core.local_ms
    monkeypatch.setattr(multiassets._core, "local_ms", lambda: real() + 2300)
    monkeypatch.setattr("multiassets.cli.doctor.local_ms", lambda: real() + 2300)
    code, report = doctor(server)
    clock = next(c for c in report["checks"] if c["name"] == "clock")
    assert code == 1 and not clock["ok"]
    assert clock["detail"].startswith("your clock is 2.3 s ahead of the server")


def test_doctor_finds_a_revoked_key(server: Server) -> None:
    created = server.control.create_key("demo")
    server.control.revoke_key(created["apiKey"])
    code, report = doctor(
        server, **{"--api-key": created["apiKey"], "--api-secret": created["secretKey"]}
    )
    failed = [c for c in report["checks"] if not c["ok"]]
    assert code == 1 and failed[0]["detail"].startswith("-2015 ")


def test_doctor_finds_a_key_without_trade_permission(server: Server) -> None:
    reader = server.control.create_key("demo", ["USER_DATA"])
    code, report = doctor(
        server, **{"--api-key": reader["apiKey"], "--api-secret": reader["secretKey"]}
    )
    failed = [c for c in report["checks"] if not c["ok"]]
    assert code == 1 and [c["name"] for c in failed] == ["permission to change the mode"]
    assert "Enable Futures" in failed[0]["fix"]
