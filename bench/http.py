"""Signed GET and POST /fapi/v1/multiAssetsMargin against hello world on the same server stack.

    .venv/bin/python -m bench.http [--reps 5] [--seconds 4] [--stacks uvicorn,granian]

Both servers run pinned to CPU 0, wrk to CPU 1. Runs are interleaved (every repetition goes
through every target and connection count), each cell is the median over repetitions, and a
run during which the host stole more than 5 % of the CPU is done again (at most twice).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from .load import Run, run_wrk
from .scripts import asymmetric_keys, change_script, fixture, load_fixture, signed_get_script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONNECTIONS = (1, 16, 64)
MODE_PATH = "/fapi/v1/multiAssetsMargin"
TOKEN = "bench" * 8
LABELS = {
    "hello": "hello world",
    "signed": "signed GET multiAssetsMargin",
    "signed-rsa": "signed GET, RSA-2048 key",
    "signed-ed25519": "signed GET, Ed25519 key",
    "change": "POST multiAssetsMargin (a change)",
}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int) -> None:
    import http.client

    for _ in range(400):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("GET", "/fapi/v1/ping")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.05)
        finally:
            connection.close()
    raise RuntimeError(f"nothing answers on port {port}")


@contextmanager
def _server(command: list[str], port: int) -> Iterator[int]:
    process = subprocess.Popen(
        ["taskset", "-c", "0", *command],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port)
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def _commands(stack: str, db_url: str, hello_port: int, app_port: int) -> list[list[str]]:
    """The hello-world app and multiassets, on one stack, with the same server settings."""
    serve = f"-m multiassets serve --port {app_port} --db {db_url} --admin-token {TOKEN}"
    serve += " --weight-limit 2000000000"
    if stack == "uvicorn":
        uvicorn = "-m uvicorn --http httptools --loop uvloop --ws none --no-access-log"
        uvicorn += " --no-server-header --log-level warning --host 127.0.0.1"
        return [
            [PYTHON, *f"{uvicorn} --port {hello_port} bench.hello:app".split()],
            [PYTHON, *serve.split()],
        ]
    # granian (Rust HTTP, raw ASGI), the other stack perf-limits.md found fastest.
    granian = "-m granian --interface asgi --loop uvloop --workers 1 --no-ws"
    granian += " --log-level warning --host 127.0.0.1"
    factory = "--factory multiassets.server.app:app_from_environment"
    return [
        [PYTHON, *f"{granian} --port {hello_port} bench.hello:app".split()],
        [PYTHON, *f"{granian} --port {app_port} {factory}".split()],
    ]


def _load_fixture(base_url: str, document: dict[str, Any]) -> None:
    """Put every account back in Single-Asset Mode, so a change run never meets -4171."""
    request = urllib.request.Request(
        f"{base_url}/_multiassets/state",
        data=json.dumps(document).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    urllib.request.urlopen(request, timeout=30).read()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--stacks", default="uvicorn", help="uvicorn and/or granian")
    parser.add_argument("--accounts", type=int, default=2000, help="accounts the changes cycle")
    parser.add_argument("--json", type=Path, help="also write the raw runs here")
    parser.add_argument(
        "--key-types", action="store_true", help="also the signed GET with RSA and Ed25519 keys"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="multiassets-bench-"))
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    asymmetric = asymmetric_keys()
    document, keys = fixture(args.accounts, asymmetric)
    (workdir / "fixture.json").write_text(json.dumps(document))
    load_fixture(workdir / "fixture.json", db_url)
    env_config = json.dumps({"db_url": db_url, "weight_limit": 2_000_000_000})
    import os

    os.environ["MULTIASSETS_SERVER_CONFIG"] = env_config
    os.environ["PYTHONPATH"] = str(ROOT)
    runs: dict[tuple[str, str, int], list[Run]] = defaultdict(list)
    with ExitStack() as stack:
        targets: list[tuple[str, str, int, int]] = []
        for stack_name in args.stacks.split(","):
            hello_port, app_port = _free_port(), _free_port()
            hello, app = _commands(stack_name, db_url, hello_port, app_port)
            targets.append(
                (stack_name, "hello", hello_port, stack.enter_context(_server(hello, hello_port)))
            )
            app_pid = stack.enter_context(_server(app, app_port))
            targets.append((stack_name, "signed", app_port, app_pid))
            if stack_name == "uvicorn":  # the control plane resets state between change runs
                targets.append((stack_name, "change", app_port, app_pid))
                if args.key_types:
                    targets.append((stack_name, "signed-rsa", app_port, app_pid))
                    targets.append((stack_name, "signed-ed25519", app_port, app_pid))
        for rep in range(args.reps):
            for connections in CONNECTIONS:
                for stack_name, target, port, pid in targets:
                    for _attempt in range(3):
                        base = f"http://127.0.0.1:{port}"
                        script = None
                        if target == "signed":
                            script = signed_get_script(keys[0])
                        elif target.startswith("signed-"):
                            api_key, private, _ = asymmetric[target.removeprefix("signed-").upper()]
                            script = signed_get_script((api_key, ""), private)
                        elif target == "change":
                            _load_fixture(base, document)
                            script = change_script(keys[1:])
                        path = MODE_PATH if script else "/"
                        run = run_wrk(base + path, connections, args.seconds, pid, script, cpu="1")
                        if run.steal_pct <= 5:
                            break
                    runs[(stack_name, target, connections)].append(run)
            print(f"repetition {rep + 1}/{args.reps} done", file=sys.stderr)
    shutil.rmtree(workdir, ignore_errors=True)
    _report(runs, args)
    if args.json:
        args.json.write_text(
            json.dumps(
                {f"{s}/{t}/c{c}": [run.__dict__ for run in rs] for (s, t, c), rs in runs.items()},
                indent=1,
            )
        )


def _median(runs: list[Run], field: str) -> float:
    return float(statistics.median(float(getattr(run, field)) for run in runs))


def _report(runs: dict[tuple[str, str, int], list[Run]], args: argparse.Namespace) -> None:
    print(
        f"\n`{' '.join(sys.argv)}` — medians of {args.reps} interleaved runs of "
        f"{args.seconds:g} s; server on CPU 0, wrk on CPU 1\n"
    )
    print(
        "| stack | request | conns | req/s | ratio to hello | p50 ms | p99 ms "
        "| server CPU µs/req | steal % |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    order = {"hello": 0, "signed": 1, "signed-rsa": 2, "signed-ed25519": 3, "change": 4}
    for (stack_name, target, connections), cell in sorted(
        runs.items(), key=lambda item: (item[0][0], item[0][2], order[item[0][1]])
    ):
        hello = runs[(stack_name, "hello", connections)]
        ratio = _median(cell, "requests_per_s") / _median(hello, "requests_per_s")
        print(
            f"| {stack_name} | {LABELS[target]} | {connections} "
            f"| {_median(cell, 'requests_per_s'):,.0f} | {ratio:.2f} "
            f"| {_median(cell, 'p50_ms'):.3f} | {_median(cell, 'p99_ms'):.3f} "
            f"| {_median(cell, 'server_cpu_us'):.1f} | {_median(cell, 'steal_pct'):.1f} |"
        )


if __name__ == "__main__":
    main()
