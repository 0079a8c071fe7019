"""Every example in examples/ runs as it is, against a real server, and says what it should."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .support import Renewable, Server, running_server

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renewable]:
    with running_server(tmp_path_factory.mktemp("examples")) as server:
        yield Renewable(server)


@pytest.fixture
def srv(shared: Renewable) -> Server:
    """The module's server, as new: each example starts from the demo account alone."""
    return shared.renew()


def run_example(srv: Server, *args: str) -> str:
    env = {
        **os.environ,
        "MULTIASSETS_BASE_URL": srv.base_url,
        "MULTIASSETS_API_KEY": srv.demo.api_key,
        "MULTIASSETS_API_SECRET": srv.demo.secret,
        "MULTIASSETS_TOKEN": srv.admin_token,
    }
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=60, cwd=EXAMPLES
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_read_and_set_mode(srv: Server) -> None:
    assert run_example(srv, "read_and_set_mode.py").splitlines() == [
        "multi-assets mode: False",
        "after the switch: True",
        "refused: -4171 Adjusted asset mode is currently set and does not need to be adjusted "
        "repeatedly.",
        "ensure_mode(False) changed it: True",
    ]


def test_python_binance(srv: Server) -> None:
    assert run_example(srv, "python_binance.py").splitlines() == [
        "{'multiAssetsMargin': False}",
        "{'multiAssetsMargin': True}",
    ]


def test_faults_and_clock(srv: Server) -> None:
    lines = run_example(srv, "faults_and_clock.py").splitlines()
    assert lines[:2] == [
        "mode after the 503: True",
        "mode read across the clock jump: False",
    ]
    assert len(lines) == 4, lines
    assert lines[2].startswith("503 -1000: ")
    assert lines[3].startswith("400 -1021: timestamp ") and "behind server time" in lines[3]


def test_user_stream(srv: Server) -> None:
    assert run_example(srv, "user_stream.py").splitlines() == [
        "ACCOUNT_CONFIG_UPDATE, multi-assets mode: True"
    ]


def test_pytest_bot() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "pytest_bot"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=EXAMPLES,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
