"""The README's first two commands are the project's promise: keep them true."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from multiassets.account import AccountState, Market

from .support import Credentials, Server, free_port, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```(?:sh|bash|shell)?\n(.*?)```", readme, re.DOTALL)
    assert block is not None, "the README must open with a code block of commands"
    lines = (line.split("#")[0].strip() for line in block.group(1).splitlines())
    return [line for line in lines if line]


def test_readme_opens_with_the_serve_and_test_commands() -> None:
    assert readme_commands() == ["./scripts/serve", "./scripts/test"]


def test_ci_runs_the_readme_test_command() -> None:
    run = (ROOT / ".ci" / "run").read_text()
    assert "\nscripts/test" in run


def test_readme_serve_command_works_from_a_clean_clone(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=60)
    port = free_port()
    env = {
        **os.environ,
        "MULTIASSETS_HOME": str(tmp_path / "data"),  # the README's default data directory
        "MULTIASSETS_PORT": str(port),
    }
    # Reuse the uv this checkout bootstrapped, rather than installing it again.
    tools = ROOT / ".tools" / "bin"
    if tools.is_dir():
        env["PATH"] = f"{tools}{os.pathsep}{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    command = readme_commands()[0]
    process = subprocess.Popen(
        command,
        shell=True,
        start_new_session=True,  # so the whole process group can be stopped
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    try:
        lines = [process.stdout.readline() for _ in range(3)]
        assert lines[0].startswith("Created account 'demo'"), lines
        demo = Credentials(lines[1].split()[-1], lines[2].split()[-1])
        wait_until_serving(port, process, timeout=120)
        server = Server(port, f"sqlite:///{tmp_path / 'data' / 'multiassets.db'}", demo)
        reply = server.signed("GET", "/fapi/v1/multiAssetsMargin")
        server.close_connection()
        assert (reply.status, reply.json()) == (200, {"multiAssetsMargin": False})
        assert (tmp_path / "data" / "multiassets.db").is_file()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        process.stdout.close()


def readme_json_blocks() -> list[Any]:
    readme = (ROOT / "README.md").read_text()
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", readme, re.DOTALL)]


def test_the_readmes_state_and_market_documents_are_taken_as_printed() -> None:
    blocks = readme_json_blocks()
    states = [block for block in blocks if "balances" in block]
    markets = [block for block in blocks if "markPrices" in block]
    assert len(states) == 1 and len(markets) == 1
    state = AccountState.from_json(states[0])
    assert state.to_json() == states[0]  # every field as the server gives it back
    assert Market().patched(markets[0]).mark_prices["BTCUSDT"] == Decimal("95000")
