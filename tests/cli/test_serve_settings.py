"""Where ``multiassets serve`` takes its settings from: flags, then ``MULTIASSETS_…``
environment variables, then the ``[serve]`` table of a ``--config`` file; and what it refuses."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from multiassets.cli import serve as serve_module
from multiassets.cli.main import cli
from multiassets.cli.serving import Listening
from multiassets.server.config import ServerConfig

from ..support import redis_url, running_server

MODE = "/fapi/v1/multiAssetsMargin"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[ServerConfig, str, int, int]]:
    """What `serve` would run, instead of running it."""
    calls: list[tuple[ServerConfig, str, int, int]] = []

    def run(
        config: ServerConfig,
        listening: Listening,
        startup: Any,
        workers: int,
        access_log: bool,
        level: str,
        discovery: bool,
    ) -> None:
        calls.append((config, listening.host, listening.port, workers))

    monkeypatch.setattr(serve_module, "_run", run)
    # Nor is the port bound: a test must not take 8080 or 9001 from anyone.
    monkeypatch.setattr(serve_module, "_bind", lambda host, port: Listening(host, port))
    return calls


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["serve", *args], env=env)


def test_serve_reads_the_serve_table_of_a_config_file(tmp_path: Path, started: list[Any]) -> None:
    config = tmp_path / "multiassets.toml"
    config.write_text(
        "[serve]\n"
        'host = "0.0.0.0"\n'
        "port = 9001\n"
        f'db = "sqlite:///{tmp_path / "from-file.db"}"\n'
        "weight-limit = 1200\n"
        'trusted-proxy = ["10.0.0.0/8", "192.168.1.1"]\n'
    )
    result = invoke("--config", str(config))
    assert result.exit_code == 0, result.output
    [(settings, host, port, workers)] = started
    assert (host, port, workers) == ("0.0.0.0", 9001, 1)
    assert settings.db_url == f"sqlite:///{tmp_path / 'from-file.db'}"
    assert settings.weight_limit == 1200
    assert settings.trusted_proxies == ("10.0.0.0/8", "192.168.1.1")


def test_flags_beat_environment_which_beats_the_config_file(
    tmp_path: Path, started: list[Any]
) -> None:
    config = tmp_path / "multiassets.toml"
    config.write_text(
        f'[serve]\nport = 9001\nweight-limit = 1200\ndb = "sqlite:///{tmp_path}/a.db"\n'
    )
    env = {"MULTIASSETS_WEIGHT_LIMIT": "600", "MULTIASSETS_PORT": "9002"}
    result = invoke("--config", str(config), "--port", "9003", env=env)
    assert result.exit_code == 0, result.output
    [(settings, _, port, _)] = started
    assert (port, settings.weight_limit) == (9003, 600)


def test_config_file_can_come_from_the_environment(tmp_path: Path, started: list[Any]) -> None:
    config = tmp_path / "multiassets.toml"
    config.write_text(f'[serve]\nban-shortest = 30\ndb = "sqlite:///{tmp_path}/a.db"\n')
    result = invoke(env={"MULTIASSETS_SERVE_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    assert started[0][0].ban_shortest_s == 30


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            "[serve]\nport = 1\nnonsense = 2\n", "unknown setting 'nonsense'", id="unknown-key"
        ),
        pytest.param("[serve\n", "Invalid value for '--config'", id="not-toml"),
        pytest.param('serve = "x"\n', "[serve] must be a table", id="not-a-table"),
    ],
)
def test_a_bad_config_file_is_a_usage_error(
    tmp_path: Path, started: list[Any], content: str, message: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    result = invoke("--config", str(config))
    assert result.exit_code == 2
    assert message in result.output
    assert started == []


def test_several_workers_without_redis_are_refused(tmp_path: Path, started: list[Any]) -> None:
    result = invoke("--workers", "2", "--db", f"sqlite:///{tmp_path}/a.db")
    assert result.exit_code == 2
    assert "--workers 2 needs --redis" in result.output
    assert started == []


def test_an_unreachable_redis_is_a_clear_error_at_start(tmp_path: Path, started: list[Any]) -> None:
    result = invoke("--redis", "redis://127.0.0.1:1/0", "--db", f"sqlite:///{tmp_path}/a.db")
    assert result.exit_code == 3  # no answer
    assert "Error: can't reach Redis at redis://127.0.0.1:1/0" in result.output
    assert started == []


def test_an_unreachable_database_is_a_clear_error_at_start(started: list[Any]) -> None:
    result = invoke("--db", "postgresql://postgres@127.0.0.1:1/none")
    assert result.exit_code == 3  # no answer
    assert "Error: can't open PostgreSQL database 'postgresql://postgres@127.0.0.1:1/none'" in (
        result.output
    )
    assert started == []


def test_two_workers_on_one_port_enforce_one_weight_budget(tmp_path: Path) -> None:
    """uvicorn spreads connections over the workers; with Redis they count as one server."""
    args = ("--workers", "2", "--redis", redis_url(), "--trusted-proxy", "127.0.0.1")
    with running_server(tmp_path, *args, "--weight-limit", "300") as srv:
        replies = []
        for _ in range(11):
            srv.close_connection()  # a new connection each time: either worker may take it
            replies.append(srv.signed("GET", MODE, forwarded_for="10.9.0.1"))
        assert [r.weight for r in replies] == [30 * n for n in range(1, 12)]
        assert [r.status for r in replies] == [200] * 10 + [429]


def test_changes_through_two_workers_are_read_back_at_once(tmp_path: Path) -> None:
    with running_server(tmp_path, "--workers", "2", "--redis", redis_url()) as srv:
        for step in range(8):
            target = "true" if step % 2 == 0 else "false"
            srv.close_connection()
            assert srv.signed("POST", MODE, {"multiAssetsMargin": target}).status == 200
            srv.close_connection()
            read = srv.signed("GET", MODE)
            assert read.json() == {"multiAssetsMargin": target == "true"}


def test_serve_help_names_the_environment_variables() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"], terminal_width=200)
    for variable in (
        "MULTIASSETS_DB",
        "MULTIASSETS_REDIS",
        "MULTIASSETS_WORKERS",
        "MULTIASSETS_SERVE_CONFIG",
    ):
        assert variable in result.output


def test_serve_without_settings_runs_with_binance_s_limits(
    tmp_path: Path, started: list[Any]
) -> None:
    result = invoke("--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.exit_code == 0, result.output
    [(settings, _, _, _)] = started
    # Binance's default tier and ban lengths (2 minutes to 3 days), our head timeout; and
    # the same as a ServerConfig made without them.
    assert (
        settings.weight_limit,
        settings.order_limit_1m,
        settings.order_limit_10s,
        settings.ban_shortest_s,
        settings.ban_longest_s,
        settings.head_timeout_s,
    ) == (2400, 1200, 300, 120, 259200, 10.0)
    assert settings == ServerConfig(settings.db_url)


def test_serve_help_shows_the_defaults() -> None:
    output = CliRunner().invoke(cli, ["serve", "--help"], terminal_width=200).output
    shown = dict(re.findall(r"\n  (--[a-z0-9-]+)\b[^\[]*\[[^\]]*?default: ([^;\]]+)", output))
    assert {flag: shown[flag] for flag in shown if "limit" in flag or "ban" in flag} == {
        "--weight-limit": "2400",
        "--order-limit-1m": "1200",
        "--order-limit-10s": "300",
        "--ban-shortest": "120",
        "--ban-longest": "259200",
    }
    assert shown["--head-timeout"] == "10.0"


def test_websocket_pings_default_to_binances_and_can_be_set(
    tmp_path: Path, started: list[Any]
) -> None:
    db = f"sqlite:///{tmp_path / 'pings.db'}"
    assert invoke("--db", db).exit_code == 0
    env = {"MULTIASSETS_WS_PONG_TIMEOUT": "30"}
    assert invoke("--db", db, "--ws-ping-interval", "5", env=env).exit_code == 0
    # Every 3 minutes, a pong due within 10 (binance-account.md §8.1).
    pings = [(config.ws_ping_interval_s, config.ws_pong_timeout_s) for config, *_ in started]
    assert pings == [(180, 600), (5, 30)]
