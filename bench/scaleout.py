"""Scale-out: signed GET and POST /fapi/v1/multiAssetsMargin on SQLite (1 worker; 2 workers +
Redis) and PostgreSQL + Redis (1 and 2 workers), against uvicorn hello world (1 and 2 workers).

    .venv/bin/python -m bench.scaleout [--reps 5] [--seconds 4] [--connections 64]

All servers run at once, each store loaded with the same fixture (bench/scripts.py), weight
limit 10^9; every repetition goes through every server and request (bench/http.py's signed GET
and change POST), each cell is the median, a run with > 5 % steal is redone. wrk (1 thread) is
on CPU 1; a 1-worker server is pinned to CPU 0, 2 workers are free on CPUs 0-1 (sharing CPU 1
with wrk). The report, with how the cores were split, goes to stdout and bench/scaleout-latest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .http import MODE_PATH, PYTHON, ROOT, TOKEN, _free_port, _load_fixture, _wait
from .load import Run, run_wrk
from .scripts import _signed, change_script, fixture, load_fixture, signed_get_script

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"
OUTPUT = ROOT / "bench" / "scaleout-latest.md"
# (store, workers); hello world is ("hello", workers).
CONFIGS = (("SQLite", 1), ("SQLite", 2), ("PostgreSQL", 1), ("PostgreSQL", 2))
REQUESTS = {"hello": "GET / (hello world)", "signed": "signed GET", "change": "POST (a change)"}
Cell = tuple[str, int, str, int]  # store, workers, request, connections


def _label(store: str, workers: int) -> str:
    shared = "" if (store, workers) == ("SQLite", 1) or store == "hello" else " + Redis"
    name = "hello world" if store == "hello" else store
    return f"{name}{shared}, {workers} worker{'s' if workers > 1 else ''}"


@contextmanager
def _process(command: list[str], port: int, workers: int, log: Path) -> Iterator[int]:
    """A server in its own process group (uvicorn's workers too), 1 worker pinned to CPU 0,
    2 free on CPUs 0-1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULTIASSETS_")}
    env["PYTHONPATH"] = str(ROOT)
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["taskset", "-c", "0" if workers == 1 else "0,1", *command],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        try:
            _wait(port)
        except RuntimeError:
            sys.stderr.write(log.read_text()[-3000:])
            raise
        time.sleep(2 if workers > 1 else 0.2)  # every worker up, not only the first
        yield process.pid
    finally:  # SIGTERM to the group, then SIGKILL to whatever outlived it
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)


@contextmanager
def _postgres() -> Iterator[str]:
    """A fresh database for this run, dropped at the end."""
    import psycopg
    from psycopg import sql

    name = f"multiassets_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


@contextmanager
def _redis_prefix() -> Iterator[str]:
    """A key prefix of one server's own, its keys deleted at the end."""
    import redis

    prefix = f"bench-{secrets.token_hex(4)}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def _check_signed_get(base: str, key: tuple[str, str]) -> None:
    """One signed GET by hand: a 200 with the real answer, not only a 2xx status."""
    request = urllib.request.Request(base + _signed(key[1], ""), headers={"X-MBX-APIKEY": key[0]})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    if response.status != 200 or body != {"multiAssetsMargin": False}:
        raise RuntimeError(f"signed GET on {base}: {response.status} {body}")


def _start(stack: ExitStack, store: str, workers: int, workdir: Path) -> tuple[int, int]:
    """(port, pid) of one configuration's server, its store loaded with workdir's fixture."""
    port = _free_port()
    log = workdir / f"{store}-{workers}.log"
    if store == "hello":
        uvicorn = "-m uvicorn --http httptools --loop uvloop --ws none --no-access-log"
        uvicorn += f" --no-server-header --log-level warning --host 127.0.0.1 --port {port}"
        command = [PYTHON, *uvicorn.split(), "--workers", str(workers), "bench.hello:app"]
        return port, stack.enter_context(_process(command, port, workers, log))
    if store == "SQLite":
        db_url = f"sqlite:///{workdir / f'sqlite-{workers}.db'}"
    else:
        db_url = stack.enter_context(_postgres())
    load_fixture(workdir / "fixture.json", db_url)
    serve = f"-m multiassets serve --port {port} --db {db_url} --admin-token {TOKEN}"
    serve += f" --weight-limit {10**9} --workers {workers}"
    if (store, workers) != ("SQLite", 1):
        serve += f" --redis {REDIS} --redis-prefix {stack.enter_context(_redis_prefix())}"
    return port, stack.enter_context(_process([PYTHON, *serve.split()], port, workers, log))


def _median(runs: list[Run], field: str) -> float:
    return float(statistics.median(float(getattr(run, field)) for run in runs))


def _rate(runs: dict[Cell, list[Run]], cell: Cell, other: Cell) -> float:
    return _median(runs[cell], "requests_per_s") / _median(runs[other], "requests_per_s")


def _ratio(runs: dict[Cell, list[Run]], cell: Cell, other: Cell) -> str:
    return "—" if cell == other or other not in runs else f"{_rate(runs, cell, other):.2f}×"


def _verdict(what: str, rate: float, target: float) -> str:
    return f"{what} = {rate:.2f}× (target ≥ {target:g}×: {'met' if rate >= target else 'NOT met'})"


def _verdicts(runs: dict[Cell, list[Run]], connections: list[int]) -> list[str]:
    lines = []
    for c in connections:
        for request in ("signed", "change"):
            what = f"{REQUESTS[request]}, c={c}"
            for store in ("SQLite", "PostgreSQL"):
                rate = _rate(runs, (store, 2, request, c), (store, 1, request, c))
                lines.append(_verdict(f"- {what}: {store} 2 workers / 1 worker", rate, 1.6))
            for workers in (1, 2):
                rate = _rate(runs, ("PostgreSQL", workers, request, c), ("SQLite", 1, request, c))
                name = f"PostgreSQL + Redis {workers} worker(s) / SQLite 1 worker"
                lines.append(_verdict(f"- {what}: {name}", rate, 0.5))
        hello = _ratio(runs, ("hello", 2, "hello", c), ("hello", 1, "hello", c))
        lines.append(f"- for scale: hello world 2 workers / 1 worker at c={c} = {hello}")
    return lines


HEADER = """# Scale-out benchmark (bench/scaleout.py)

- run: {start:%Y-%m-%d %H:%M} – {end:%H:%M} UTC on {cores} cores ({cpu}); another engineer's
  test runs may have shared the machine
- command: `{cmd}`
- code: {code}
- medians of {reps} interleaved runs of {seconds:g} s; connections: {conns}; wrk with
  1 thread, one client IP (127.0.0.1), weight limit 10^9
- steal: median {steal:.1f} %, max {steal_max:.1f} % (a run with > 5 % is redone, twice at most)
- cores: wrk (1 thread) pinned to CPU 1 in every run. 1-worker servers (hello and multiassets)
  pinned to CPU 0. 2-worker servers unpinned on CPUs 0-1, so a worker shares CPU 1 with wrk:
  the 2-worker figures are NOT two free cores. PostgreSQL and Redis are local and unpinned
  (CPUs 0-1) in every configuration that uses them.
- × hello: against hello world with the same workers and pinning; the hello row's "2 workers /
  1 worker" is the most this split allows.
- POST is bench/http.py's change: it cycles {accounts:,} accounts true then false, so every
  request is an accepted, committed mode change (HTTP 200; the accounts are reset to
  Single-Asset through the control plane before each run). Any non-2xx answer fails the run.

| configuration | request | conns | req/s | × hello | × SQLite 1 worker | 2 workers / 1 worker \
| p50 ms | p99 ms | server CPU µs/req | steal % |
|---|---|---|---|---|---|---|---|---|---|---|
"""


def _code() -> str:
    """The commit, and the src/ files that differ from it, with a fingerprint of their times."""
    git = ["git", "-C", str(ROOT)]
    head = subprocess.run([*git, "log", "-1", "--format=%h (%ci)"], capture_output=True, text=True)
    status = [*git, "status", "--porcelain", "--", "src"]
    dirty = subprocess.run(status, capture_output=True, text=True).stdout.split("\n")[:-1]
    stamp = hash(tuple(p.stat().st_mtime_ns for p in sorted((ROOT / "src").rglob("*.py"))))
    return f"commit {head.stdout.strip()} + {len(dirty)} changed src/ file(s) [{stamp & 0xFFF:x}]"


def _report(
    runs: dict[Cell, list[Run]], args: argparse.Namespace, started: datetime, logs: list[str]
) -> str:
    every = [run for cell in runs.values() for run in cell]
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    command = " ".join([".venv/bin/python -m bench.scaleout", *sys.argv[1:]])
    text = HEADER.replace("\\\n", "").format(
        **vars(args), start=started, end=datetime.now(UTC), cores=os.cpu_count(), cmd=command,
        cpu=cpu.group(1) if cpu else "?", steal=_median(every, "steal_pct"),
        steal_max=max(run.steal_pct for run in every), conns=", ".join(map(str, args.connections)),
    )  # fmt: skip
    for c in args.connections:
        for request in REQUESTS:
            for store in ["hello"] if request == "hello" else ["SQLite", "PostgreSQL"]:
                for workers in (1, 2):
                    cell = (store, workers, request, c)
                    rs = runs[cell]
                    text += (
                        f"| {_label(store, workers)} | {REQUESTS[request]} | {c} "
                        f"| {_median(rs, 'requests_per_s'):,.0f} "
                        f"| {_ratio(runs, cell, ('hello', workers, 'hello', c))} "
                        f"| {_ratio(runs, cell, ('SQLite', 1, request, c))} "
                        f"| {_ratio(runs, cell, (store, 1, request, c))} "
                        f"| {_median(rs, 'p50_ms'):.2f} | {_median(rs, 'p99_ms'):.2f} "
                        f"| {_median(rs, 'server_cpu_us'):.1f} | {_median(rs, 'steal_pct'):.1f} |\n"
                    )
    text += "\nServer CPU µs/req counts the server processes only (not PostgreSQL or Redis).\n"
    text += "\n## Targets\n\n" + "\n".join(_verdicts(runs, args.connections))
    text += "\n\n## Server logs\n\n"
    return (
        text
        + "\n".join(logs or ["- no traceback, warning, error or -1001 in any server log"])
        + "\n"
    )


def _log_problems(workdir: Path, tail: bool = False) -> list[str]:
    problems = []
    for log in sorted(workdir.glob("*.log")):
        text = log.read_text(errors="replace")
        if tail and text:
            problems.append(f"--- {log.name}, last lines:\n{text[-2000:]}")
        pattern = r"Traceback|\[(WARNING|ERROR|CRITICAL)\]|^(WARNING|ERROR|CRITICAL):|-1001"
        bad = [line for line in text.splitlines() if re.search(pattern, line)]
        if bad:
            problems.append(f"- {log.stem}: {len(bad)} error line(s), first: `{bad[0][:200]}`")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--connections", default="64", help="comma-separated, e.g. 16,64")
    parser.add_argument("--accounts", type=int, default=2000, help="accounts the changes cycle")
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill as on ^C
    started, args.code = datetime.now(UTC), _code()
    document, keys = fixture(args.accounts)
    runs: dict[Cell, list[Run]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="multiassets-scaleout-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        (workdir / "fixture.json").write_text(json.dumps(document))
        servers: dict[tuple[str, int], tuple[int, int]] = {}
        for store, workers in (("hello", 1), ("hello", 2), *CONFIGS):
            port, pid = servers[(store, workers)] = _start(stack, store, workers, workdir)
            if store != "hello":
                _check_signed_get(f"http://127.0.0.1:{port}", keys[0])
        try:
            _measure(servers, keys, document, args, runs)
        except BaseException:
            stack.close()
            print("\n".join(_log_problems(workdir, tail=True)), file=sys.stderr)
            raise
        stack.close()  # stop every server before reading the logs
        if _code() != args.code:
            args.code += f" — src/ CHANGED during the run (now {_code()}); servers ran the first"
        report = _report(runs, args, started, _log_problems(workdir))
    print(report)
    OUTPUT.write_text(report)


def _measure(
    servers: dict[tuple[str, int], tuple[int, int]],
    keys: list[tuple[str, str]],
    document: dict[str, Any],
    args: argparse.Namespace,
    runs: dict[Cell, list[Run]],
) -> None:
    """Every repetition goes through every connection count, server and request; a run during
    which the host stole more than 5 % of the CPU is done again (at most twice)."""
    targets = [
        (store, workers, request, port, pid)
        for (store, workers), (port, pid) in servers.items()
        for request in (["hello"] if store == "hello" else ["signed", "change"])
    ]
    for rep in range(args.reps):
        for c in args.connections:
            for store, workers, request, port, pid in targets:
                base = f"http://127.0.0.1:{port}"
                for _attempt in range(3):
                    script = None
                    if request == "signed":
                        script = signed_get_script(keys[0])
                    elif request == "change":
                        _load_fixture(base, document)
                        script = change_script(keys[1:])
                    url = base + (MODE_PATH if script else "/")
                    run = run_wrk(url, c, args.seconds, pid, script, cpu="1")
                    if run.steal_pct <= 5:
                        break
                runs[(store, workers, request, c)].append(run)
        print(f"repetition {rep + 1}/{args.reps} done", file=sys.stderr)


if __name__ == "__main__":
    main()
