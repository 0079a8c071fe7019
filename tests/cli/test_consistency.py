"""What every command does alike: exit codes as the table in docs/reference.md, conflicting flags
refused, --help that explains each option and names its environment variable, failures as
JSON with --json, one style of success message."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from multiassets.cli.main import cli
from multiassets.store import open_store

from ..support import Server, free_port


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def remote(server: Server) -> list[str]:
    return ["--server", server.base_url, "--token", server.admin_token]


@pytest.fixture(autouse=True)
def single_asset(server: Server) -> Iterator[None]:
    server.control.set_state("demo", {})
    yield
    server.control.clear_faults()


# -- exit codes -----------------------------------------------------------------------------


def test_exit_0_when_done(server: Server) -> None:
    assert invoke("mode", *server.cli_options).exit_code == 0


def test_exit_1_when_refused(server: Server) -> None:
    order = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "price": "1", "origQty": "1"}
    server.control.set_state("demo", {"openOrders": [order]})
    assert invoke("mode", "on", *server.cli_options).exit_code == 1
    assert invoke("accounts", "delete", "nobody", *remote(server)).exit_code == 1


def test_exit_2_for_usage_and_configuration(server: Server, tmp_path: Path) -> None:
    assert invoke("accounts", "list", "--server", server.base_url, "--token", "x").exit_code == 2
    assert invoke("clock", "--at", "5", *remote(server)).exit_code == 2
    assert invoke("accounts", "list", "--db", f"sqlite:///{tmp_path / 'no.db'}").exit_code == 2
    assert invoke("mode", "--base-url", server.base_url).exit_code == 2  # no key


def test_exit_3_when_nothing_answers() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    assert invoke("clock", "--server", nowhere, "--token", "t").exit_code == 3
    assert invoke("accounts", "list", "--server", nowhere, "--token", "t").exit_code == 3
    assert (
        invoke("mode", "--base-url", nowhere, "--api-key", "k", "--api-secret", "s").exit_code == 3
    )


def test_exit_4_when_rate_limited(server: Server) -> None:
    server.control.add_fault(kind="rate_limited", times=1)
    result = invoke("mode", "--json", *server.cli_options)
    assert result.exit_code == 4
    assert json.loads(result.stdout)["code"] == -1003


# -- conflicting flags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["clock", "--at", "5"], "--at goes with --freeze"),
        (["clock", "--freeze", "--unfreeze"], "--freeze and --unfreeze don't go together"),
        (["clock", "--offset", "5", "--reset"], "--reset and --offset don't go together"),
        (["clock", "--freeze", "--reset"], "--reset and --freeze don't go together"),
        (["clock", "--offset", "5", "--freeze", "--at", "9"], "--offset and --at don't go"),
        (["clock", "--offset", "5", "--unfreeze"], "--offset and --unfreeze don't go"),
        (["market", "--reset", "--index", "BTC=1"], "--reset moves nothing else"),
        (["faults", "add", "--kind", "latency", "--applied"], "--applied is for --kind"),
        (
            ["faults", "add", "--kind", "latency", "--latency-ms", "9", "--latency-max-ms", "1"],
            "--latency-max-ms is no smaller than --latency-ms",
        ),
        (["state", "load", "--merge"], "--merge goes with --account"),
        (["keys", "create", "--account", "a", "-o", "k.pem"], "-o/--output is where --generate"),
        (["mode", "--base-url", "http://x", "--demo"], "--base-url and --demo don't go together"),
        (
            ["mode", "--api-secret", "s", "--private-key", "k.pem"],
            "--api-secret and --private-key don't go together",
        ),
    ],
)
def test_conflicting_flags_are_a_usage_error(server: Server, args: list[str], message: str) -> None:
    result = invoke(*args, *remote(server)) if args[0] != "mode" else invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert server.control.faults()["rules"] == []


# -- help, environment variables --------------------------------------------------------------


def every_command(
    group: click.Group = cli, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name)


@pytest.mark.parametrize("path", list(every_command()), ids=" ".join)
def test_every_option_has_help_and_names_its_environment_variable(path: tuple[str, ...]) -> None:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help, path
    context = click.Context(command, info_name=path[-1], auto_envvar_prefix="MULTIASSETS_X")
    for param in command.params:
        if not isinstance(param, click.Option) or param.name == "help":
            continue
        record = param.get_help_record(context)
        assert record is not None and record[1], (path, param.name)
        assert "env var: MULTIASSETS_" in record[1], (path, param.name, record[1])


def test_a_missing_option_names_its_environment_variable() -> None:
    result = invoke("keys", "list")
    assert result.exit_code == 2
    assert "Missing option '--account' (env var: 'MULTIASSETS_KEYS_LIST_ACCOUNT')" in result.output


def test_the_db_default_in_help_follows_the_data_directory(tmp_path: Path) -> None:
    def shown(**env: str) -> str:
        result = CliRunner().invoke(
            cli, ["accounts", "list", "--help"], env=env, terminal_width=500
        )
        return result.output

    home = f"sqlite:///{tmp_path / 'h' / 'multiassets.db'}"
    assert f"[env var: MULTIASSETS_DB; default: ({home})]" in shown(
        MULTIASSETS_HOME=str(tmp_path / "h")
    )
    xdg = f"sqlite:///{tmp_path / 'x' / 'multiassets' / 'multiassets.db'}"
    assert f"[env var: MULTIASSETS_DB; default: ({xdg})]" in shown(
        MULTIASSETS_HOME="", XDG_DATA_HOME=str(tmp_path / "x")
    )


# -- databases ------------------------------------------------------------------------------


def test_a_relative_db_that_does_not_exist_is_refused_and_not_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("accounts", "create", "alice", "--db", "sqlite:///elsewhere.db")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: no database at {tmp_path / 'elsewhere.db'} (--db sqlite:///elsewhere.db): "
        "`multiassets serve --db sqlite:///elsewhere.db` creates it; a relative path is from "
        "the current directory\n"
    )
    assert list(tmp_path.iterdir()) == []


# -- --json, success messages -----------------------------------------------------------------


def test_a_refusal_with_json_is_binance_s_object_on_stdout(server: Server) -> None:
    order = {"orderId": 1, "symbol": "BTCUSDT", "side": "BUY", "price": "1", "origQty": "1"}
    server.control.set_state("demo", {"openOrders": [order]})
    result = invoke("mode", "on", "--json", *server.cli_options)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "code": -4170,
        "msg": "Unable to adjust Multi-Assets Mode with open orders in USDⓈ-M Futures.",
    }
    refused = invoke("keys", "create", "--account", "bad name", "--json", *remote(server))
    assert refused.exit_code == 1
    assert list(json.loads(refused.stdout)) == ["error"]


def test_a_usage_error_with_json_is_an_error_object_on_stdout(tmp_path: Path) -> None:
    conflict = invoke("mode", "--json", "--base-url", "http://127.0.0.1:1", "--demo")
    assert (conflict.exit_code, json.loads(conflict.stdout)) == (
        2,
        {"error": "--base-url and --demo don't go together: --demo is a base URL"},
    )
    missing = tmp_path / "none.db"
    no_db = invoke("account", "demo", "--json", "--db", f"sqlite:///{missing}")
    assert no_db.exit_code == 2
    assert json.loads(no_db.stdout)["error"].startswith(f"no database at {missing} ")
    assert no_db.stderr == "" and not missing.exists()


def test_removals_say_what_they_did(server: Server) -> None:
    rule = json.loads(invoke("faults", "add", "--kind", "latency", *remote(server)).output)
    assert invoke("faults", "remove", str(rule["id"]), *remote(server)).output == (
        f"removed fault rule {rule['id']}\n"
    )
    assert invoke("faults", "clear", *remote(server)).output == "cleared the fault rules\n"
    key = server.control.create_key("bob")["apiKey"]
    assert invoke("keys", "revoke", key, *remote(server)).output == f"revoked key {key[:8]}…\n"
    assert invoke("accounts", "delete", "bob", *remote(server)).output == "deleted account bob\n"


def test_a_generated_private_key_goes_to_its_file_only(server: Server, tmp_path: Path) -> None:
    pem = tmp_path / "ed.pem"
    generate = ("keys", "create", "--account", "demo", "--type", "ed25519", "--generate")
    result = invoke(*generate, "-o", str(pem), *remote(server))
    assert result.exit_code == 0, result.output
    assert "PRIVATE KEY" not in result.output
    assert f"private key: {pem} (readable by you only)" in result.output
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert pem.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    api_key = result.output.split("API key:")[1].split()[0]
    env = {"MULTIASSETS_PRIVATE_KEY": str(pem), "MULTIASSETS_API_KEY": api_key}
    assert invoke("mode", "--base-url", server.base_url, env=env).output == "Single-Asset Mode\n"
    again = invoke(*generate, "-o", str(pem), *remote(server))
    assert (again.exit_code, again.output) == (
        2,
        f"Error: {pem} exists: -o writes a new file only\n",
    )


def test_without_click_the_command_says_what_to_install(tmp_path: Path) -> None:
    code = "import sys; sys.modules['click'] = None; from multiassets.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=os.environ
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "multiassets: the command line needs the 'cli' extra: pip install 'multiassets[cli]' "
        "(or 'multiassets[server]' to run the server too)\n"
    )


def test_an_empty_database_made_by_serve_is_used(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'made.db'}"
    open_store(url).close()
    assert invoke("accounts", "create", "zoe", "--db", url).output == (
        '{"name": "zoe", "multiAssetsMargin": false}\n'
    )
