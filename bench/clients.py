"""Per-call latency of clients reading the mode from a multiassets server, in one run.

    .venv/bin/python -m bench.clients [--rounds 100] [--calls 150]

The server (``multiassets serve``) runs pinned to CPU 0 (``taskset``, as ``bench.http``);
each client runs in its own worker process pinned to CPU 1, started once and kept for the
run. Floors: a bare keep-alive GET of the same HMAC-signed URL (same parameters, same API-key
header, signed afresh on every call) with the same transport library (http.client for
Client, aiohttp for AsyncClient). Rounds are many and short, and interleaved: each round asks
every worker in turn for 20 untimed calls and then ``--calls`` timed ones, a kind's floor,
ours and peers one right after another (orders rotated each round), so a client, its floor
and its peers are compared over the same second of the machine. Ratios are taken within
rounds (a client's median over its floor's, and over each peer's, in the same round); the
report gives their median over the rounds and their spread (min–max, IQR), to judge the
noise by, and each process's own CPU time per call.
Peers: python-binance (sync and async), binance-futures-connector, Binance's SDK, ccxt (sync
and async), each pointed at the server the way ``tests/compat`` points them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from .http import _free_port, _server
from .scripts import fixture, load_fixture

PYTHON = sys.executable
ROOT = Path(__file__).resolve().parent.parent

# ccxt, pointed at the server as tests/compat/matrix.py does, without its request spacing.
_CCXT = """
OPTIONS = {"apiKey": KEY, "secret": SECRET, "enableRateLimit": False,
           "options": {"adjustForTimeDifference": False}}
def point(exchange):
    for name, url in exchange.urls["api"].items():
        if name.startswith("fapi"):
            exchange.urls["api"][name] = url.replace("https://fapi.binance.com",
                                                     f"http://{HOST}:{PORT}")
    return exchange
"""
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
from yarl import URL
session = None
async def call():
    global session
    if session is None:
        session = aiohttp.ClientSession()
    q = f"recvWindow=60000&timestamp={time.time_ns() // 1_000_000}"
    s = hmac.new(SECRET.encode(), q.encode(), hashlib.sha256).hexdigest()
    # encoded=True: yarl takes the URL as it is instead of parsing and requoting it (~10 µs),
    # as python-binance and our AsyncClient do; a floor any client could beat is no floor.
    url = URL(f"http://{HOST}:{PORT}/fapi/v1/multiAssetsMargin?{q}&signature={s}", encoded=True)
    async with session.get(url, headers={"X-MBX-APIKEY": KEY}) as r:
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
    "Binance SDK DerivativesTradingUsdsFutures": (
        "sync",
        """
from binance_common.configuration import ConfigurationRestAPI
from binance_sdk_derivatives_trading_usds_futures import DerivativesTradingUsdsFutures
client = DerivativesTradingUsdsFutures(config_rest_api=ConfigurationRestAPI(
    api_key=KEY, api_secret=SECRET, base_path=f"http://{HOST}:{PORT}", timeout=10_000))
def call():
    client.rest_api.get_current_multi_assets_mode(recv_window=60000).data()
""",
    ),
    "ccxt binanceusdm": (
        "sync",
        _CCXT
        + """
import ccxt
exchange = point(ccxt.binanceusdm(OPTIONS))
def call():
    exchange.fapiPrivateGetMultiAssetsMargin({"recvWindow": 60000})
""",
    ),
    "ccxt.async_support binanceusdm": (
        "async",
        _CCXT
        + """
import ccxt.async_support as ccxt_async
exchange = None
async def call():
    global exchange
    if exchange is None:
        exchange = point(ccxt_async.binanceusdm(OPTIONS))
    await exchange.fapiPrivateGetMultiAssetsMargin({"recvWindow": 60000})
""",
    ),
}
FLOORS = {
    "sync": "bare http.client GET (floor for Client)",
    "async": "bare aiohttp GET (floor for AsyncClient)",
}

# A worker: sets up its client, makes 200 warm-up calls, then runs blocks on request. Each
# line on stdin is "WARM CALLS": WARM untimed calls (they reopen a keep-alive connection the
# server closed while this worker sat idle, and warm the caches the other workers cooled),
# then CALLS timed ones; it answers one line of JSON: [per-call ns..., thread CPU ns].
_RUNNER = """
import json, os, sys, time, warnings
warnings.simplefilter("ignore")
HOST, PORT, KEY, SECRET = "127.0.0.1", {port}, {key!r}, {secret!r}
{snippet}
if {is_async}:
    import asyncio
    async def block(warm, calls):
        for _ in range(warm):
            try:
                await call()
            except Exception:
                pass
        samples = []
        cpu = time.thread_time_ns()
        for _ in range(calls):
            t = time.perf_counter_ns()
            await call()
            samples.append(time.perf_counter_ns() - t)
        return samples + [time.thread_time_ns() - cpu]
    async def main():
        await block(200, 0)
        print("ready", flush=True)
        for line in sys.stdin:  # blocking the loop while idle: nothing else runs on it
            print(json.dumps(await block(*map(int, line.split()))), flush=True)
        # Out now: the snippets keep their sessions open, and aiohttp's "Unclosed client
        # session" warnings at exit are no news.
        os._exit(0)
    asyncio.run(main())
else:
    def block(warm, calls):
        for _ in range(warm):
            try:
                call()
            except Exception:
                pass
        samples = []
        cpu = time.thread_time_ns()
        for _ in range(calls):
            t = time.perf_counter_ns()
            call()
            samples.append(time.perf_counter_ns() - t)
        return samples + [time.thread_time_ns() - cpu]
    block(200, 0)
    print("ready", flush=True)
    for line in sys.stdin:
        print(json.dumps(block(*map(int, line.split()))), flush=True)
"""
#: Untimed calls before each timed block.
WARM = 20


class _Worker:
    """One client in its own process pinned to CPU 1, kept for the whole run and idle (blocked
    on its stdin) while the others run: rounds can then be short, without paying for a fresh
    interpreter, imports and connection each time."""

    def __init__(self, name: str, port: int, key: tuple[str, str]) -> None:
        kind, snippet = CLIENTS[name]
        source = _RUNNER.format(
            port=port, key=key[0], secret=key[1], snippet=snippet, is_async=kind == "async"
        )
        self.process = subprocess.Popen(
            ["taskset", "-c", "1", PYTHON, "-c", source],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{name} did not start")

    def block(self, calls: int) -> tuple[list[int], int]:
        """``calls`` timed calls: their latencies and the client's CPU time for all, ns."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{WARM} {calls}\n")
        self.process.stdin.flush()
        answer: list[int] = json.loads(self.process.stdout.readline())
        return answer[:-1], answer[-1]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=20)


def _cpu_times() -> tuple[int, int]:
    """(steal, total) jiffies of the whole machine so far, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return fields[7], sum(fields)


def _spread(values: list[float]) -> str:
    """Min–max, and the interquartile range when there are enough rounds for one."""
    low_high = f"{min(values):.2f}–{max(values):.2f}"
    if len(values) < 4:
        return low_high
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"{low_high} (IQR {q1:.2f}–{q3:.2f})"


def _ratios(values: dict[str, list[float]], name: str, base: str) -> list[float]:
    """Round by round, ``name``'s figure over ``base``'s in the same round."""
    return [mine / other for mine, other in zip(values[name], values[base], strict=True)]


def _report(
    rounds: dict[str, list[list[int]]], cpu: dict[str, list[float]], steal: list[float]
) -> None:
    """Each client's median over the rounds, and its ratio to its floor: per round, the
    round's median over the floor's median of the same round (interleaved, so both saw the
    same second of the machine), then the median and spread of those ratios."""
    medians = {
        name: [statistics.median(samples) / 1000 for samples in reps]
        for name, reps in rounds.items()
    }
    reps, calls = len(next(iter(rounds.values()))), len(next(iter(rounds.values()))[0])
    print(
        f"\n`{' '.join(['python -m bench.clients', *sys.argv[1:]])}` — signed GET "
        f"/fapi/v1/multiAssetsMargin; server on CPU 0, every client in its own process on "
        f"CPU 1; {reps} interleaved rounds of {WARM} untimed + {calls} timed calls per client. "
        "µs: median over the rounds of each round's median; ratio: each round's median over "
        "its floor's in the same round; CPU: the client process's own CPU time per call "
        "(thread_time), which the server's and the neighbours' noise touch less. Host CPU "
        f"stolen during the rounds: median {statistics.median(steal):.1f} %, most "
        f"{max(steal):.1f} %; load average at the end {Path('/proc/loadavg').read_text()[:14]}\n"
    )
    print(
        "| client | µs per call | p99 µs | ratio to its floor | ratio min–max (IQR) "
        "| CPU µs per call | CPU ratio to its floor (IQR) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, values in medians.items():
        floor = FLOORS[CLIENTS[name][0]]
        ratios = _ratios(medians, name, floor)
        cpu_ratios = _ratios(cpu, name, floor)
        p99 = statistics.median(sorted(s)[int(len(s) * 0.99)] / 1000 for s in rounds[name])
        print(
            f"| {name} | {statistics.median(values):.0f} | {p99:.0f} | "
            f"{statistics.median(ratios):.2f} | {_spread(ratios)} | "
            f"{statistics.median(cpu[name]):.0f} | {statistics.median(cpu_ratios):.2f} "
            f"({_spread(cpu_ratios).partition('(IQR ')[2].rstrip(')') or '–'}) |"
        )
    _head_to_head(medians)
    print("\n`import multiassets`: see `python -m bench.import_time`.")


def _head_to_head(medians: dict[str, list[float]]) -> None:
    """Ours against each peer of the same kind, round by round: the median ratio and the
    share of rounds ours was faster in — the comparison the floors' noise cannot blur."""
    print("\n| ours | peer | ours / peer, median (min–max) | rounds ours was faster |")
    print("|---|---|---|---|")
    for mine in ("multiassets.Client", "multiassets.AsyncClient"):
        kind = CLIENTS[mine][0]
        for peer in CLIENTS:
            if CLIENTS[peer][0] != kind or peer in (mine, FLOORS[kind]):
                continue
            ratios = _ratios(medians, mine, peer)
            faster = sum(ratio < 1 for ratio in ratios)
            print(
                f"| {mine} | {peer} | {statistics.median(ratios):.2f} "
                f"({min(ratios):.2f}–{max(ratios):.2f}) | {faster}/{len(ratios)} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=150, help="timed calls per block")
    parser.add_argument("--rounds", type=int, default=100)
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
        *f"-m multiassets serve --port {port} --db {db_url} --no-discovery".split(),
        "--weight-limit",
        "2000000000",
    ]
    names = list(CLIENTS)
    rounds: dict[str, list[list[int]]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    steal: list[float] = []
    with _server(command, port), ExitStack() as stack:
        workers = {}
        for name in names:
            workers[name] = worker = _Worker(name, port, keys[0])
            stack.callback(worker.close)
        # Interleaved: every round runs every client once, a kind's clients (its floor, ours,
        # the peers) one after the other, so that what is compared ran within a second;
        # the kinds' order alternates and each kind's order rotates, round by round, so that
        # no client always follows the same one.
        groups = [[name for name in names if CLIENTS[name][0] == kind] for kind in FLOORS]
        for round_ in range(args.rounds):
            stolen, total = _cpu_times()
            for group in groups[round_ % 2 :] + groups[: round_ % 2]:
                shift = round_ % len(group)
                for name in group[shift:] + group[:shift]:
                    samples, cpu_ns = workers[name].block(args.calls)
                    rounds[name].append(samples)
                    cpu[name].append(cpu_ns / args.calls / 1000)
            stolen_now, total_now = _cpu_times()
            steal.append(100 * (stolen_now - stolen) / max(1, total_now - total))
            print(
                f"round {round_ + 1}/{args.rounds} done ({steal[-1]:.1f} % stolen)",
                file=sys.stderr,
            )
    _report(rounds, cpu, steal)


if __name__ == "__main__":
    main()
