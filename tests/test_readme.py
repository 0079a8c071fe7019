"""The README's promises, kept: its two opening commands, the block the server prints, the links
of every page, and each recipe run exactly as printed, against a real server.

A recipe is the code blocks that follow a ``<!-- recipe: NAME -->`` line, in order, in the
README and in docs/reference.md. A ``sh``
block runs in bash (stderr merged into stdout; a failing command adds ``[exit N]``, so exit
codes are checked where they show); a ``python`` block runs with this interpreter, except one
whose first line is ``# FILE.py``, which is written to that file. A ``sh`` block whose last
line is ``multiassets serve …`` starts a server, left running for the rest of its recipe.
Every recipe runs in a directory of its own, with ``multiassets`` and ``python`` on the PATH
and, as a reader would have pasted it, the block a real ``multiassets serve`` printed: the
recipes share that one server, put back as it started before each.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pytest

from multiassets.account import AccountState, Market
from multiassets.control_client import ControlClient

from .readme_recipes import EXPECTED, NO_PASTE, matches
from .support import Credentials, Server, free_port, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the checkout's .venv/bin: multiassets, python, pytest
README = ROOT / "README.md"
PAGES = [README, ROOT / "README.zh-CN.md", *sorted((ROOT / "docs").glob("*.md"))]
RECIPE_PAGES = [README, ROOT / "docs" / "reference.md"]
RECIPE = re.compile(r"<!-- recipe: ([\w-]+) -->\n```(\w+)\n(.*?)```", re.DOTALL)
TIMEOUT_S = 90


def readme_commands(page: Path = README) -> list[str]:
    block = re.search(r"```(?:sh|bash|shell)?\n(.*?)```", page.read_text(), re.DOTALL)
    assert block is not None, "the README must open with a code block of commands"
    lines = (line.split("#")[0].strip() for line in block.group(1).splitlines())
    return [line for line in lines if line]


def test_readme_opens_with_the_serve_and_test_commands() -> None:
    assert readme_commands() == ["./scripts/serve", "./scripts/test"]
    assert readme_commands(ROOT / "README.zh-CN.md") == ["./scripts/serve", "./scripts/test"]


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


def reference_json_blocks() -> list[Any]:
    reference = (ROOT / "docs" / "reference.md").read_text()
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", reference, re.DOTALL)]


def test_the_references_state_and_market_documents_are_taken_as_printed() -> None:
    blocks = reference_json_blocks()
    states = [block for block in blocks if "balances" in block]
    markets = [block for block in blocks if "markPrices" in block]
    assert len(states) == 1 and len(markets) == 1
    state = AccountState.from_json(states[0])
    assert state.to_json() == states[0]  # every field as the server gives it back
    assert Market().patched(markets[0]).mark_prices["BTCUSDT"] == Decimal("95000")


# --- links ---------------------------------------------------------------------------------


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[|\]\([^)]*\)", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.DOTALL)
    return {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page: Path) -> None:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.DOTALL)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or (anchor and anchor not in anchors(linked)):
            broken.append(target)
    assert broken == []


# --- the block the server prints ------------------------------------------------------------


@dataclass
class Started:
    """A ``multiassets serve`` this module started: its process and what it printed."""

    process: subprocess.Popen[str]
    printed: list[str]

    @property
    def pasted(self) -> dict[str, str]:
        """The block's ``export`` lines, as a shell that pasted them has them."""
        exports = (line.removeprefix("export ") for line in self.printed)
        return dict(line.split("=", 1) for line in exports if line.startswith("MULTIASSETS_"))

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        assert self.process.stdout is not None
        self.process.stdout.close()


def started(process: subprocess.Popen[str]) -> Started:
    """Read what the server prints up to the last client line; stop it if that goes wrong."""
    printed: list[str] = []
    stdout: IO[str] | None = process.stdout
    assert stdout is not None
    try:
        while not printed or not printed[-1].startswith("  binance-sdk-"):
            line = stdout.readline()
            assert line, f"the server stopped after printing {printed}"
            printed.append(line.rstrip("\n"))
    except BaseException:
        Started(process, printed).stop()
        raise
    return Started(process, printed)


def base_environment(home: Path) -> dict[str, str]:
    """A reader's shell: multiassets, python and pytest on the PATH, and nothing of ours set
    but the data directory (where the discovery file is)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MULTIASSETS_", "PYTEST_"))}
    env.pop("VIRTUAL_ENV", None)
    return {**env, "PATH": f"{BIN}{os.pathsep}{env['PATH']}", "MULTIASSETS_HOME": str(home)}


def start_server(command: str, cwd: Path, env: dict[str, str]) -> Started:
    """``command`` in bash, on a free port (the server's own default is 8080, maybe taken)."""
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env={**env, "MULTIASSETS_PORT": str(free_port())},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    return started(process)


@dataclass
class Shared:
    """The server the README's first screen starts, its data directory, and its accounts as
    it started (an export, keys and secrets included)."""

    server: Started
    home: Path
    initial: dict[str, Any]

    @property
    def control(self) -> ControlClient:
        pasted = self.server.pasted
        return ControlClient(pasted["MULTIASSETS_SERVER"], pasted["MULTIASSETS_TOKEN"])

    def put_back(self) -> None:
        """The server as it started: reset, then its accounts and keys as they were."""
        self.control.reset()
        self.control.import_(self.initial)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    home = tmp_path_factory.mktemp("home")
    server = start_server("multiassets serve", home, base_environment(home))
    try:
        pasted = server.pasted
        control = ControlClient(pasted["MULTIASSETS_SERVER"], pasted["MULTIASSETS_TOKEN"])
        yield Shared(server, home, control.export())
    finally:
        server.stop()


def shortened(lines: list[str]) -> list[str]:
    """Printed lines with each key and token as the README shows it, and the port as 8080."""
    unsecret = (re.sub(r"\b([A-Za-z0-9]{8})[A-Za-z0-9]{56}\b", r"\1…", line) for line in lines)
    return [re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:8080", line) for line in unsecret]


def test_the_block_in_the_readme_is_what_a_first_start_prints(shared: Shared) -> None:
    server = shared.server
    readme = README.read_text()
    block = readme.split("```\nCreated account 'demo'", 1)[1].split("```", 1)[0]
    shown = ["Created account 'demo'" + block.splitlines()[0], *block.splitlines()[1:]]
    secrets = re.compile(r"\b[A-Za-z0-9]{8}…")
    # The README's keys are another start's: compare their shape, then the rest as printed.
    assert [secrets.sub("…", line) for line in shown] == [
        secrets.sub("…", line) for line in shortened(server.printed)
    ]
    assert f"```\nCreated account 'demo'{block}```" in (ROOT / "README.zh-CN.md").read_text()


# --- the recipes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    language: str
    code: str


def recipes(*pages: Path) -> dict[str, list[Block]]:
    """The recipes of ``pages`` (the README's, then the reference's), by name."""
    found: dict[str, list[Block]] = {}
    for page in pages or RECIPE_PAGES:
        for name, language, code in RECIPE.findall(page.read_text()):
            found.setdefault(name, []).append(Block(language, code))
    return found


@pytest.mark.parametrize("page", RECIPE_PAGES, ids=lambda page: page.name)
def test_the_chinese_page_prints_the_same_recipes(page: Path) -> None:
    assert recipes(page.with_name(page.name.replace(".md", ".zh-CN.md"))) == recipes(page)


def test_every_recipe_is_run() -> None:
    assert list(recipes()) == list(EXPECTED)
    # A marker not followed at once by a code block would silently run nothing.
    markers = sum(page.read_text().count("<!-- recipe: ") for page in RECIPE_PAGES)
    assert markers == sum(len(blocks) for blocks in recipes().values())


def run_block(block: Block, number: int, cwd: Path, env: dict[str, str]) -> str | None:
    """Run one block; its output (None for a file written)."""
    if block.language == "python":
        first = block.code.splitlines()[0]
        if re.fullmatch(r"# [\w.]+\.py", first):
            (cwd / first.removeprefix("# ")).write_text(block.code)
            return None
        script = cwd / f"recipe_block_{number}.py"
        script.write_text(block.code)
        done = subprocess.run(
            [str(BIN / "python"), script.name],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout
    assert block.language == "sh", block.language
    done = subprocess.run(
        ["bash", "-c", f"trap 'echo \"[exit $?]\"' ERR\n{block.code}"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
    )
    return done.stdout


def run_recipe(name: str, cwd: Path, env: dict[str, str]) -> list[str]:
    """Each block's output in turn; a block that starts a server gives the recipe's later
    blocks that server's block, pasted."""
    outputs: list[str] = []
    servers: list[Started] = []
    try:
        for number, block in enumerate(recipes()[name]):
            if block.language == "sh" and block.code.splitlines()[-1].startswith(
                "multiassets serve"
            ):
                servers.append(start_server(block.code, cwd, env))
                env = {**env, **servers[-1].pasted}
                continue
            output = run_block(block, number, cwd, env)
            if output is not None:
                outputs.append(output)
    finally:
        for server in servers:
            server.stop()
    return outputs


SHARED = [name for name in EXPECTED if name != "seed"]


@pytest.mark.parametrize("name", SHARED)
def test_the_recipe_runs_as_printed_on_the_shared_server(
    name: str, shared: Shared, tmp_path: Path
) -> None:
    shared.put_back()
    env = base_environment(shared.home)
    if name not in NO_PASTE:
        env.update(shared.server.pasted)
    outputs = run_recipe(name, tmp_path, env)
    assert len(outputs) == len(EXPECTED[name]), outputs
    for output, expected in zip(outputs, EXPECTED[name], strict=True):
        assert matches(expected, output), output


def test_the_seed_recipe_starts_a_server_of_its_own_in_that_state(tmp_path: Path) -> None:
    outputs = run_recipe("seed", tmp_path, base_environment(tmp_path / "home"))
    assert len(outputs) == len(EXPECTED["seed"]), outputs
    for output, expected in zip(outputs, EXPECTED["seed"], strict=True):
        assert matches(expected, output), output
