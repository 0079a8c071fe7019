"""The commands find the server `multiassets serve` started, without flags, by its discovery
file; a stale file (its server gone) is ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from multiassets.cli.discovery import Discovered, discovery_path, write_discovery
from multiassets.cli.main import cli
from multiassets.cli.profiles import client_settings
from multiassets.store import open_store

from ..support import Credentials, Server


def discover(server: Server, *, token: bool = True, key: bool = True, pid: int = 0) -> None:
    """A discovery file for ``server``, as `serve` writes it (pid: this process, alive)."""
    write_discovery(
        Discovered(
            server.base_url,
            pid or os.getpid(),
            server.db_url,
            server.admin_token if token else None,
            server.demo.api_key if key else None,
            server.demo.secret if key else None,
            discovery_path(),
        )
    )


def dead_pid() -> int:
    """A process id no process has: past the kernel's largest."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1


def test_client_and_control_commands_need_no_flags(server: Server) -> None:
    discover(server)
    runner = CliRunner()
    assert runner.invoke(cli, ["mode"]).output == "Single-Asset Mode\n"
    clock = runner.invoke(cli, ["clock"])
    assert clock.exit_code == 0 and set(json.loads(clock.output)) == {
        "serverTime",
        "offsetMs",
        "frozen",
    }
    listed = runner.invoke(cli, ["accounts", "list"])
    assert listed.output == '{"name": "demo", "multiAssetsMargin": false}\n'


def test_a_new_key_for_demo_works_at_once(server: Server) -> None:
    discover(server, key=False)
    created = json.loads(
        CliRunner().invoke(cli, ["keys", "create", "--account", "demo", "--json"]).output
    )
    again = Credentials(created["apiKey"], created["secretKey"])
    reply = server.signed("GET", "/fapi/v1/multiAssetsMargin", credentials=again)
    assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})


def test_without_its_token_admin_commands_use_the_server_s_database(server: Server) -> None:
    discover(server, token=False)
    listed = CliRunner().invoke(cli, ["accounts", "list"])
    assert listed.output == '{"name": "demo", "multiAssetsMargin": false}\n'
    clock = CliRunner().invoke(cli, ["clock"])
    assert clock.exit_code == 2
    assert "give --token (env var: 'MULTIASSETS_TOKEN')" in clock.output


def test_a_key_given_without_a_url_still_goes_to_binance(server: Server) -> None:
    """A key alone is taken for a Binance key: it must not go to a local server."""
    discover(server)
    settings = client_settings({"api_key": "k" * 64, "api_secret": "s"})
    assert (settings["base_url"], settings["api_key"]) == ("https://fapi.binance.com", "k" * 64)
    found = client_settings({})
    assert (found["base_url"], found["api_key"], found["api_secret"]) == (
        server.base_url,
        server.demo.api_key,
        server.demo.secret,
    )


def test_a_stale_discovery_file_is_ignored(server: Server, tmp_path: Path) -> None:
    discover(server, pid=dead_pid())
    result = CliRunner().invoke(cli, ["clock"])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: no running server: give --server URL (env var: 'MULTIASSETS_SERVER') and "
        "--token (env var: 'MULTIASSETS_TOKEN'), or start one with `multiassets serve`\n"
    )
    # --db's default then: the data directory's database, which nothing made.
    listed = CliRunner().invoke(cli, ["accounts", "list"])
    assert listed.exit_code == 2 and "no database at" in listed.output


def test_a_file_whose_pid_now_names_another_process_is_ignored(server: Server) -> None:
    discover(server)  # this process's pid, and its start time
    path = discovery_path()
    document = json.loads(path.read_text())
    assert document["started"] == Path(f"/proc/{os.getpid()}/stat").read_text().split()[21]
    assert CliRunner().invoke(cli, ["clock"]).exit_code == 0
    # The server died and its pid went to a process started later.
    path.write_text(json.dumps({**document, "started": "1"}))
    assert CliRunner().invoke(cli, ["clock"]).exit_code == 2


def test_an_explicit_db_wins_over_the_discovered_server(server: Server, tmp_path: Path) -> None:
    discover(server)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    open_store(other).close()
    listed = CliRunner().invoke(cli, ["accounts", "list", "--db", other])
    assert (listed.exit_code, listed.output) == (0, "")
