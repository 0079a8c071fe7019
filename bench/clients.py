"""Per-call latency of clients reading the mode from a multiassets server, in one run.

    .venv/bin/python -m bench.clients [--calls 2000] [--reps 5]

The server (``multiassets serve``) runs pinned to CPU 0; each client runs in its own process
pinned to CPU 1, makes 200 warm-up calls, then ``--reps`` rounds of ``--calls`` sequential
calls, each timed with perf_counter_ns. Floors: a bare keep-alive GET of the same signed URL
with the same transport library (http.client for Client, aiohttp for AsyncClient).
Rounds are interleaved: each round runs every client once. Also: the cold
``import multiassets`` time (python -X importtime, median of 10).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .http import _free_port, _server
from .scripts import fixture, load_fixture

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent

# Each snippet defines `call()` (sync) or `async def call()` given HOST, PORT, KEY, SECRET.
CLIENTS: dict[str, tuple[str, str]] = {
    "bare http.client GET (floor for Client)": (
        "sync",
        """
import http.client, hmac, hashlib, time
conn = http.client.HTTPConnection(HOST, PORT)
def call():
    q = f"recvWindow=60000&timestamp={time.time_ns() // 1_000_000}"
    s = hmac.new(SECRET.encode(), q.encode(), hashlib.sha256).hexdigest()
    path = f"/fapi/v1/multiAssetsMargin?{q}&signature={s}"
    conn.request("GET", path, headers={"X-MBX-APIKEY": KEY})
    conn.getresponse().read()
""",
    ),
    "multiassets.Client": (
        "sync",
        """
import multiassets
client = multiassets.Client(KEY, SECRET, base_url=f"http://{HOST}:{PORT}", recv_window=60000,
                            weight_limit=10**12)
def call():
    client.get_mode()
""",
    ),
    "bare aiohttp GET (floor for AsyncClient)": (
        "async",
        """
import aiohttp, hmac, hashlib, time
session = None
async def call():
    global session
    if session is None:
        session = aiohttp.ClientSession()
    q = f"recvWindow=60000&timestamp={time.time_ns() // 1_000_000}"
    s = hmac.new(SECRET.encode(), q.encode(), hashlib.sha256).hexdigest()
    async with session.get(f"http://{HOST}:{PORT}/fapi/v1/multiAssetsMargin?{q}&signature={s}",
                           headers={"X-MBX-APIKEY": KEY}) as r:
        await r.read()
""",
    ),
    "multiassets.AsyncClient": (
        "async",
        """
import multiassets
client = multiassets.AsyncClient(KEY, SECRET, base_url=f"http://{HOST}:{PORT}",
                                 recv_window=60000, weight_limit=10**12)
async def call():
    await client.get_mode()
""",
    ),
    "python-binance Client": (
        "sync",
        """
from binance import Client
class Local(Client):
    API_URL = f"http://{HOST}:{PORT}/api"
    FUTURES_URL = f"http://{HOST}:{PORT}/fapi"
client = Local(KEY, SECRET, ping=False)
def call():
    client.futures_get_multi_assets_mode()
""",
    ),
    "python-binance AsyncClient": (
        "async",
        """
from binance import AsyncClient
class Local(AsyncClient):
    API_URL = f"http://{HOST}:{PORT}/api"
    FUTURES_URL = f"http://{HOST}:{PORT}/fapi"
client = None
async def call():
    global client
    if client is None:
        client = Local(KEY, SECRET)
    await client.futures_get_multi_assets_mode()
""",
    ),
    "binance-futures-connector UMFutures": (
        "sync",
        """
from binance.um_futures import UMFutures
client = UMFutures(key=KEY, secret=SECRET, base_url=f"http://{HOST}:{PORT}")
def call():
    client.get_multi_asset_mode(recvWindow=60000)
""",
    ),
}

_RUNNER = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
HOST, PORT, KEY, SECRET, CALLS, REPS = "127.0.0.1", {port}, {key!r}, {secret!r}, {calls}, {reps}
{snippet}
if {is_async}:
    import asyncio
    async def main():
        for _ in range(200):
            await call()
        reps = []
        for _ in range(REPS):
            samples = []
            for _ in range(CALLS):
                t = time.perf_counter_ns()
                await call()
                samples.append(time.perf_counter_ns() - t)
            reps.append(samples)
        return reps
    reps = asyncio.run(main())
else:
    for _ in range(200):
        call()
    reps = []
    for _ in range(REPS):
        samples = []
        for _ in range(CALLS):
            t = time.perf_counter_ns()
            call()
            samples.append(time.perf_counter_ns() - t)
        reps.append(samples)
print(json.dumps(reps))
"""


def _import_ms() -> float:
    times = []
    for _ in range(10):
        result = subprocess.run(
            [PYTHON, "-X", "importtime", "-c", "import multiassets"],
            capture_output=True,
            text=True,
            check=True,
        )
        line = [row for row in result.stderr.splitlines() if row.endswith("| multiassets")][-1]
        times.append(int(line.split("|")[1]) / 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="multiassets-bench-"))
    db_url = f"sqlite:///{workdir / 'bench.db'}"
    document, keys = fixture(0)
    (workdir / "fixture.json").write_text(json.dumps(document))
    load_fixture(workdir / "fixture.json", db_url)
    port = _free_port()
    os.environ["PYTHONPATH"] = str(ROOT)
    command = [
        PYTHON,
        *f"-m multiassets serve --port {port} --db {db_url}".split(),
        "--weight-limit",
        "2000000000",
    ]
    rounds: dict[str, list[list[int]]] = {name: [] for name in CLIENTS}
    with _server(command, port):
        # Interleaved: every round runs every client once, each in a fresh process.
        for round_ in range(args.reps):
            for name, (kind, snippet) in CLIENTS.items():
                source = _RUNNER.format(
                    port=port,
                    key=keys[0][0],
                    secret=keys[0][1],
                    calls=args.calls,
                    reps=1,
                    snippet=snippet,
                    is_async=kind == "async",
                )
                output = subprocess.run(
                    ["taskset", "-c", "1", PYTHON, "-c", source],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                rounds[name].extend(json.loads(output))
            print(f"round {round_ + 1}/{args.reps} done", file=sys.stderr)
    results: dict[str, tuple[float, float]] = {}
    for name, reps in rounds.items():
        medians = [statistics.median(samples) / 1000 for samples in reps]
        p99 = statistics.median(sorted(s)[int(len(s) * 0.99)] / 1000 for s in reps)
        results[name] = (statistics.median(medians), p99)
    print(
        f"\n`{' '.join(sys.argv)}` — signed GET /fapi/v1/multiAssetsMargin; median over "
        f"{args.reps} rounds of the per-round median of {args.calls} calls\n"
    )
    print("| client | µs per call (median) | p99 µs | ratio to its floor |")
    print("|---|---|---|---|")
    floors = {
        "sync": "bare http.client GET (floor for Client)",
        "async": "bare aiohttp GET (floor for AsyncClient)",
    }
    for name, (median, p99) in results.items():
        floor = results[floors[CLIENTS[name][0]]][0]
        print(f"| {name} | {median:.0f} | {p99:.0f} | {median / floor:.2f} |")
    print(f"\n`import multiassets`: {_import_ms():.1f} ms (median of 10, -X importtime)")


if __name__ == "__main__":
    time.sleep(0)
    main()
