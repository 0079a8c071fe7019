"""`multiassets serve`'s start: the port first, then the database; what it prints once it
answers; --seed."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from multiassets.cli import serving
from multiassets.cli.main import cli
from multiassets.cli.ready import Made, ready_lines
from multiassets.cli.serving import Listening, Startup

from ..support import Credentials, Server, free_port, wait_until_serving

MODE = "/fapi/v1/multiAssetsMargin"


def serve_command(port: int, db: Path, *args: str) -> list[str]:
    command = [sys.executable, "-m", "multiassets", "serve", "--port", str(port)]
    return [*command, "--db", f"sqlite:///{db}", *args]


@contextmanager
def serving_process(port: int, db: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """`multiassets serve` answering on ``port``; stopped (SIGTERM) afterwards."""
    process = subprocess.Popen(
        serve_command(port, db, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_until_serving(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def read_until_ready(process: subprocess.Popen[str]) -> list[str]:
    """stdout up to the line after the paste block's exports (the server prints the rest)."""
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Other clients"):
        line = process.stdout.readline()
        assert line, lines
        lines.append(line.rstrip("\n"))
    return lines


def test_a_port_in_use_exits_2_in_one_line_before_making_anything(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            serve_command(port, tmp_path / "new.db"), capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 2
    assert result.stdout == ""  # no credentials that nobody will see again
    assert result.stderr == (
        f"Error: port {port} on 127.0.0.1 is in use: choose another with --port; nothing was "
        "created\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_first_start_prints_its_credentials_then_the_paste_block_once_it_answers(
    tmp_path: Path,
) -> None:
    port = free_port()
    with serving_process(port, tmp_path / "s.db") as process:
        lines = read_until_ready(process)
        url = f"http://127.0.0.1:{port}"
        # The three lines multiassets.testing reads: its format must stay.
        assert lines[0] == "Created account 'demo' with an HMAC key (shown only this once):"
        api_key, secret, token = lines[1].split()[-1], lines[2].split()[-1], lines[4].split()[-1]
        assert lines[5:] == [
            "",
            f"Ready on {url}. To point the multiassets CLI and client here, paste:",
            "",
            f"export MULTIASSETS_SERVER={url}",
            f"export MULTIASSETS_TOKEN={token}",
            f"export MULTIASSETS_BASE_URL={url}",
            f"export MULTIASSETS_API_KEY={api_key}",
            f"export MULTIASSETS_API_SECRET={secret}",
            "",
            "Other clients, pointed here (key, secret: the API key's):",
        ]
        # Pasted, the block is what the client and the CLI read.
        env = {
            "MULTIASSETS_BASE_URL": url,
            "MULTIASSETS_API_KEY": api_key,
            "MULTIASSETS_API_SECRET": secret,
        }
        result = CliRunner().invoke(cli, ["mode", "--json"], env=env)
        assert (result.exit_code, json.loads(result.output)) == (0, {"multiAssetsMargin": False})
        env = {"MULTIASSETS_SERVER": url, "MULTIASSETS_TOKEN": token}
        result = CliRunner().invoke(cli, ["accounts", "list"], env=env)
        assert result.output == '{"name": "demo", "multiAssetsMargin": false}\n'


def test_a_restart_shows_no_secret_and_says_how_to_get_a_key() -> None:
    lines = ready_lines("http://127.0.0.1:8080", Made(), given_token=False)
    assert lines[:5] == [
        "Ready on http://127.0.0.1:8080. To point the multiassets CLI and client here, paste:",
        "",
        "export MULTIASSETS_SERVER=http://127.0.0.1:8080",
        "export MULTIASSETS_BASE_URL=http://127.0.0.1:8080",
        "# MULTIASSETS_TOKEN, MULTIASSETS_API_KEY, MULTIASSETS_API_SECRET: shown on the first "
        "start; a new key: multiassets keys create --account demo",
    ]
    given = ready_lines("http://127.0.0.1:8080", Made(), given_token=True)
    assert given[4] == (
        "# MULTIASSETS_API_KEY, MULTIASSETS_API_SECRET: shown on the first start; "
        "MULTIASSETS_TOKEN: the --admin-token given; a new key: multiassets keys create "
        "--account demo"
    )


def client_line(lines: list[str], name: str) -> str:
    [line] = [line for line in lines if line.startswith(f"  {name} ")]
    return line.removeprefix(f"  {name} ").strip()


def test_each_printed_client_line_points_its_client_here(server: Server) -> None:
    """Each line as printed, run with the library it names, reads the mode from the server."""
    import ccxt  # type: ignore[import-untyped]
    from binance import Client as PythonBinance
    from binance.um_futures import UMFutures
    from binance_common.configuration import ConfigurationRestAPI
    from binance_sdk_derivatives_trading_usds_futures import DerivativesTradingUsdsFutures

    lines = ready_lines(server.base_url, Made(), given_token=False)
    key, secret = server.demo.api_key, server.demo.secret
    namespace: dict[str, Any] = {"key": key, "secret": secret}
    # python-binance keeps its hosts on the class: a subclass takes the line, not the library.
    local = type("Local", (PythonBinance,), {})
    exec(client_line(lines, "python-binance").replace("Client.", "Local."), {"Local": local})
    client = local(key, secret)
    assert client.futures_get_multi_assets_mode() == {"multiAssetsMargin": False}
    client.close_connection()
    client.loop.close()  # the sync client makes an event loop of its own and leaves it open

    connector = eval(
        client_line(lines, "binance-futures-connector"), {"UMFutures": UMFutures, **namespace}
    )
    assert connector.get_multi_asset_mode() == {"multiAssetsMargin": False}

    exchange = ccxt.binanceusdm({"apiKey": key, "secret": secret, "enableRateLimit": False})
    exec(client_line(lines, "ccxt (binanceusdm)"), {"exchange": exchange})
    assert exchange.fapiPrivateGetMultiAssetsMargin() == {"multiAssetsMargin": False}

    sdk_line = client_line(lines, "binance-sdk-derivatives-trading-usds-futures")
    config = eval(sdk_line, {"ConfigurationRestAPI": ConfigurationRestAPI, **namespace})
    sdk = DerivativesTradingUsdsFutures(config_rest_api=config)
    assert sdk.rest_api.get_current_multi_assets_mode().data().multi_assets_margin is False


def test_seed_starts_a_new_database_s_demo_account_in_that_state(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"multiAssetsMargin": True, "balances": {"USDT": "1000"}}))
    port = free_port()
    db = tmp_path / "seeded.db"
    with serving_process(port, db, "--seed", str(seed)) as process:
        lines = read_until_ready(process)
        server = Server(
            port, f"sqlite:///{db}", Credentials(lines[1].split()[-1], lines[2].split()[-1])
        )
        reply = server.signed("GET", MODE)
        server.close_connection()
        assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": True})
        balance = server.signed("GET", "/fapi/v2/balance").json()
        server.close_connection()
        assert [row["balance"] for row in balance if row["asset"] == "USDT"] == ["1000.00000000"]


def test_a_bad_seed_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"balances": {"USDT": "lots"}}))
    db = tmp_path / "never.db"
    result = CliRunner().invoke(
        cli, ["serve", "--port", "0", "--db", f"sqlite:///{db}", "--seed", str(seed)]
    )
    assert result.exit_code == 2
    assert "Invalid value for --seed" in result.output
    assert not db.exists()


def test_credentials_made_for_a_server_that_never_answers_are_shown_when_it_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(config: Any, listening: Listening) -> None:
        raise SystemExit(3)  # uvicorn's exit when the application fails to start

    monkeypatch.setattr(serving, "_serve", broken)
    startup = Startup("sqlite:///x.db", Made("K" * 64, "S" * 64, "T" * 64), None, None, False)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        with pytest.raises(SystemExit):
            serving.run(None, Listening("127.0.0.1", free_port()), startup, discovery=False)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    assert capsys.readouterr().out.splitlines() == [
        "Created account 'demo' with an HMAC key (shown only this once):",
        f"  API key:    {'K' * 64}",
        f"  secret key: {'S' * 64}",
        "Control plane token (shown only this once; --admin-token sets your own):",
        f"  token:      {'T' * 64}",
        "(the server did not start; the database keeps these)",
    ]


def test_the_discovery_file_is_its_owner_s_only_and_goes_when_the_server_stops(
    tmp_path: Path, data_home: Path
) -> None:
    port = free_port()
    db = tmp_path / "d.db"
    with serving_process(port, db) as process:
        lines = read_until_ready(process)
        path = data_home / "server.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert json.loads(path.read_text()) == {
            "url": f"http://127.0.0.1:{port}",
            "pid": process.pid,
            # When that process started (/proc/PID/stat's 22nd field): a reused pid is stale.
            "started": Path(f"/proc/{process.pid}/stat").read_text().split()[21],
            "db": f"sqlite:///{db}",
            "token": lines[4].split()[-1],
            "account": "demo",
            "apiKey": lines[1].split()[-1],
            "secretKey": lines[2].split()[-1],
        }
    assert process.returncode == -signal.SIGTERM
    assert not path.exists()
    assert os.stat(data_home / "tokens.json").st_mode & 0o077 == 0
