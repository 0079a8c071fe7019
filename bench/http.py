"""Signed GET /fapi/v1/multiAssetsMargin against a hello-world app on the same server stack.

    .venv/bin/python -m bench.http [--reps 5] [--seconds 4] [--stacks granian,uvicorn]

Both servers run pinned to CPU 0, wrk to CPU 1. Runs are interleaved (every repetition goes
through every target and connection count), each cell is the median over repetitions, and a
run during which the host stole more than 5 % of the CPU is done again (at most twice).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from .load import Run, run_wrk

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CONNECTIONS = (1, 16, 64)
MODE_PATH = "/fapi/v1/multiAssetsMargin"


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
def _server(command: list[str], port: int, env: dict[str, str]) -> Iterator[int]:
    process = subprocess.Popen(
        ["taskset", "-c", "0", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port)
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def _servers(
    stack: str, db_url: str, port_hello: int, port_app: int
) -> list[tuple[str, list[str], int]]:
    """(target, command, port) for the hello-world app and multiassets on one stack."""
    if stack == "granian":
        # The hello app on the same settings as `multiassets serve` gives granian.
        granian = [
            PYTHON,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--loop",
            "uvloop",
            "--workers",
            "1",
            "--no-ws",
            "--log-level",
            "warning",
            "--host",
            "127.0.0.1",
        ]
        return [
            ("hello", [*granian, "--port", str(port_hello), "bench.hello:app"], port_hello),
            (
                "signed",
                [
                    PYTHON,
                    "-m",
                    "multiassets",
                    "serve",
                    "--port",
                    str(port_app),
                    "--db",
                    db_url,
                    "--weight-limit",
                    "2000000000",
                ],
                port_app,
            ),
        ]
    # uvicorn + httptools + uvloop, the other stack perf-limits.md found fastest: for comparison.
    uvicorn = [
        PYTHON,
        "-m",
        "uvicorn",
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--no-access-log",
        "--log-level",
        "warning",
        "--host",
        "127.0.0.1",
    ]
    return [
        ("hello", [*uvicorn, "--port", str(port_hello), "bench.hello:app"], port_hello),
        (
            "signed",
            [
                *uvicorn,
                "--port",
                str(port_app),
                "--factory",
                "multiassets.server.app:app_from_environment",
            ],
            port_app,
        ),
    ]


def _signed_script(api_key: str, secret: str) -> str:
    # wrk sends the same request again and again; a fresh one per run keeps the timestamp
    # inside the (maximal) recvWindow.
    payload = f"recvWindow=60000&timestamp={time.time_ns() // 1_000_000}"
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return (
        f'wrk.path = "{MODE_PATH}?{payload}&signature={signature}"\n'
        f'wrk.headers["X-MBX-APIKEY"] = "{api_key}"\n'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--stacks", default="uvicorn", help="uvicorn and/or granian")
    parser.add_argument("--json", type=Path, help="also write the raw runs here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="multiassets-bench-"))
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    created = subprocess.run(
        [
            PYTHON,
            "-m",
            "multiassets",
            "keys",
            "create",
            "--db",
            db_url,
            "--account",
            "bench",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    key = json.loads(created.stdout)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MULTIASSETS_SERVER_CONFIG": json.dumps({"db_url": db_url, "weight_limit": 2_000_000_000}),
    }
    runs: dict[tuple[str, str, int], list[Run]] = defaultdict(list)
    with ExitStack() as stack:
        targets: list[tuple[str, str, int, int]] = []
        for stack_name in args.stacks.split(","):
            for target, command, port in _servers(stack_name, db_url, _free_port(), _free_port()):
                pid = stack.enter_context(_server(command, port, env))
                targets.append((stack_name, target, port, pid))
        for rep in range(args.reps):
            for connections in CONNECTIONS:
                for stack_name, target, port, pid in targets:
                    for _attempt in range(3):
                        script = (
                            _signed_script(key["apiKey"], key["secretKey"])
                            if target == "signed"
                            else None
                        )
                        url = f"http://127.0.0.1:{port}{MODE_PATH if script else '/'}"
                        run = run_wrk(url, connections, args.seconds, pid, script, cpu="1")
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
        "| stack | endpoint | conns | req/s | ratio to hello | p50 ms | p99 ms "
        "| server CPU µs/req | steal % |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for (stack_name, target, connections), cell in sorted(
        runs.items(), key=lambda item: (item[0][0], item[0][2], item[0][1])
    ):
        hello = runs[(stack_name, "hello", connections)]
        ratio = _median(cell, "requests_per_s") / _median(hello, "requests_per_s")
        label = "hello world" if target == "hello" else "signed GET multiAssetsMargin"
        print(
            f"| {stack_name} | {label} | {connections} | {_median(cell, 'requests_per_s'):,.0f} "
            f"| {ratio:.2f} | {_median(cell, 'p50_ms'):.3f} | {_median(cell, 'p99_ms'):.3f} "
            f"| {_median(cell, 'server_cpu_us'):.1f} | {_median(cell, 'steal_pct'):.1f} |"
        )


if __name__ == "__main__":
    main()
