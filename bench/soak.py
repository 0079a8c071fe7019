"""Soak: the server for a long while at ~80 % of its measured maximum, with a mix of requests.

    .venv/bin/python -m bench.soak [--minutes 10] [--slice-seconds 10] [--rate R]

`multiassets serve` on a new SQLite file, pinned to CPU 0, weight limit 10^9; wrk (1 thread) on
CPU 1. Without --rate, a few unpaced seconds of the same mix measure the maximum first. Then
consecutive wrk slices, each re-signed (timestamps stay inside recvWindow), paced by wrk's
delay() hook to a global schedule. Per 40 requests: 28 signed GET multiAssetsMargin (200), 8
accepted changes (POST toggling accounts true/false, 200), and 4 bad ones: wrong signature (400
-1022), no API key (401 -2014), stale timestamp (400 -1021), unknown path (404). Each slice ends
by draining (no new request for its last 0.3 s, and the thread stops once every request is
answered), so the answers of each kind are counted exactly against the requests sent.
Writes docs/soak.png and bench/soak-latest.md; exits 1 on any unexpected answer or when the
server's memory grew by 5 % or more after warm-up (the first 20 % of the slices).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from .http import MODE_PATH, PYTHON, ROOT, TOKEN, _free_port, _load_fixture
from .load import cpu_seconds, steal_ticks
from .scaleout import _code, _log_problems, _process
from .scripts import _signed, fixture

OUTPUT, PLOT = ROOT / "bench" / "soak-latest.md", ROOT / "docs" / "soak.png"
# kind: its expected status, and its expected body (200) or a piece of it; pings end slices.
EXPECTED = {
    "get": (200, '{"multiAssetsMargin":false}', "signed GET"),
    "change": (200, '{"code":200,"msg":"success"}', "change POST"),
    "badsig": (400, '"code":-1022,', "wrong signature"),
    "nokey": (401, '"code":-2014,', "no API key"),
    "stale": (400, '"code":-1021,', "stale timestamp"),
    "unknown": (404, "404 Not found", "unknown path"),
    "ping": (200, "{}", "ping"),
}
KINDS = tuple(EXPECTED)[:-1]  # the mix, without the pings
GET_ACCOUNTS = 100  # read, never changed: every GET answers false
DRAIN = 0.3  # seconds at the end of a slice without new requests
LUA = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long s; long ns; } soak_ts; int clock_gettime(int, soak_ts *); ]]
local ts = ffi.new("soak_ts")
local function now() ffi.C.clock_gettime(1, ts); return tonumber(ts.s) + tonumber(ts.ns) * 1e-9 end
local threads = {}
function setup(thread) table.insert(threads, thread) end
sent, got, examples, other, span = {}, {}, {}, 0, 0
local j, changes, issued, answered, start, drain_at, next_at = -1, 0, 0, 0, 0, 0, 0
function init(args)
  for _, e in ipairs(EXPECTED) do sent[e[1]] = 0; got[e[1]] = 0 end
  start = now(); drain_at = start + SECONDS - DRAIN; next_at = start
end
function delay()
  local t = now()
  if t >= drain_at then return 600000 end  -- idle until the thread stops
  if RATE <= 0 then return 0 end
  if next_at < t - 0.1 then next_at = t end  -- catch up at most 100 ms of schedule
  next_at = next_at + 1 / RATE
  return math.max(0, math.floor((next_at - t) * 1000 + 0.5))
end
local function send(kind, method, path, key)
  sent[kind] = sent[kind] + 1; issued = issued + 1
  return wrk.format(method, path, key and {["X-MBX-APIKEY"] = key} or {})
end
function request()
  if j < 0 then j = 0; return wrk.format("GET", "/fapi/v1/ping") end  -- built, never sent
  if now() >= drain_at then return send("ping", "GET", "/fapi/v1/ping") end
  local r = j % 40; j = j + 1
  if r < 28 then
    local i = j % #GET_KEYS + 1
    return send("get", "GET", GET_PATHS[i], GET_KEYS[i])
  elseif r < 36 then  -- change c: account c mod n, true on even rounds, false on odd ones
    local c = OFFSET + changes; changes = changes + 1
    local n = #CHANGE_KEYS
    local k = c % n
    local path = CHANGE_PATHS[(math.floor(c / n) % 2) * n + k + 1]
    return send("change", "POST", path, CHANGE_KEYS[k + 1])
  end
  local bad = BAD[r - 35]
  return send(bad[1], "GET", bad[2], bad[3])
end
function response(status, headers, body)
  local class
  for _, e in ipairs(EXPECTED) do
    if status == e[2] and (body == e[3] or status ~= 200 and string.find(body, e[3], 1, true)) then
      class = e[1]; break
    end
  end
  if class then got[class] = got[class] + 1 else
    other = other + 1
    if #examples < 5 then table.insert(examples, status .. " " .. body:sub(1, 300)) end
  end
  answered = answered + 1; span = now() - start
  if start + span >= drain_at and answered == issued then wrk.thread:stop() end
end
local function escape(c) return string.format("\\u%04x", c:byte()) end
local function encode(v)  -- as JSON
  if type(v) == "string" then return '"' .. v:gsub('[%c"\\]', escape) .. '"' end
  if type(v) ~= "table" then return tostring(v) end
  local parts, array = {}, #v > 0
  for k, x in pairs(v) do
    table.insert(parts, array and encode(x) or (encode(tostring(k)) .. ":" .. encode(x)))
  end
  return (array and "[" or "{") .. table.concat(parts, ",") .. (array and "]" or "}")
end
function done(summary, latency, requests)
  local out = {threads = {}, errors = summary.errors, p99_us = latency:percentile(99)}
  for _, t in ipairs(threads) do
    table.insert(out.threads, {sent = t:get("sent"), got = t:get("got"), other = t:get("other"),
      examples = t:get("examples"), span = t:get("span")})
  end
  io.write("SOAK ", encode(out), "\n")
end
"""


@dataclass
class Slice:
    end_s: float  # since the soak started
    rate: float  # answered requests per second of the slice
    p99_ms: float
    rss_mib: float
    sent: dict[str, int]
    got: dict[str, int]
    unexpected: int
    examples: list[str]
    steal_pct: float
    others_cpu: float  # cores busy with neither the server nor wrk


def _stale(secret: str) -> str:
    """A GET signed correctly, but 10 minutes ago."""
    payload = f"recvWindow=60000&timestamp={time.time_ns() // 1_000_000 - 600_000}"
    signature = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{MODE_PATH}?{payload}&signature={signature}"


def _lua(value: Any) -> str:
    if isinstance(value, list):
        return "{" + ",".join(map(_lua, value)) + "}"
    return "nil" if value is None else json.dumps(value)


def _script(keys: list[tuple[str, str]], rate: float, seconds: float, offset: int) -> str:
    """The mix, freshly signed: keys[0] is the (Multi-Assets) account of the bad requests, then
    GET_ACCOUNTS read-only accounts, then the accounts the changes cycle."""
    bad, gets, changes = keys[0], keys[1 : GET_ACCOUNTS + 1], keys[GET_ACCOUNTS + 1 :]
    wrong = _signed(bad[1], "")
    wrong = wrong[:-1] + ("1" if wrong.endswith("0") else "0")
    tables: dict[str, list[Any]] = {
        "GET_PATHS": [_signed(secret, "") for _, secret in gets],
        "GET_KEYS": [key for key, _ in gets],
        "CHANGE_PATHS": [
            _signed(secret, f"multiAssetsMargin={value}&")
            for value in ("true", "false")
            for _, secret in changes
        ],
        "CHANGE_KEYS": [key for key, _ in changes],
    }
    tables["BAD"] = [
        ["badsig", wrong, bad[0]],
        ["nokey", _signed(bad[1], ""), None],
        ["stale", _stale(bad[1]), bad[0]],
        ["unknown", "/fapi/v1/soakNoSuchPath", None],
    ]
    tables["EXPECTED"] = [[kind, status, body] for kind, (status, body, _) in EXPECTED.items()]
    lines = [f"local {name} = {_lua(values)}" for name, values in tables.items()]
    lines.append(f"RATE, SECONDS, DRAIN, OFFSET = {rate}, {seconds}, {DRAIN}, {offset}")
    return "\n".join(lines) + LUA


def _prepare(base: str, document: dict[str, Any], bad: tuple[str, str]) -> None:
    """Every account Single-Asset (the control plane), then the bad requests' one Multi-Assets,
    so a bad request that got through would answer true, never a GET's false."""
    _load_fixture(base, document)
    path, headers = _signed(bad[1], "multiAssetsMargin=true&"), {"X-MBX-APIKEY": bad[0]}
    urllib.request.urlopen(urllib.request.Request(base + path, None, headers, method="POST")).read()


def _rss_mib(pid: int) -> float:
    process = psutil.Process(pid)
    return sum(float(p.memory_info().rss) for p in [process, *process.children(True)]) / 2**20


def _db_size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


def _busy_ticks() -> int:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return sum(fields[:3]) + sum(fields[5:7])  # user nice system irq softirq (not steal)


def _slice(url: str, script: str, connections: int, seconds: float, pid: int, t0: float) -> Slice:
    """One wrk run: its counts, p99, the server's memory after, and what else the machine did."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    wrk = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout"]
    steal0, total0 = steal_ticks()
    busy0, server0, wall0 = _busy_ticks(), cpu_seconds(pid), time.monotonic()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        command = [*wrk, "5s", "-s", lua.name, url]
        run = subprocess.run(command, capture_output=True, text=True, errors="replace")
        output = run.stdout
    finally:
        os.unlink(lua.name)
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = sum(getattr(children1, f) - getattr(children0, f) for f in ("ru_utime", "ru_stime"))
    wall, steal1, total1 = time.monotonic() - wall0, *steal_ticks()
    others = (_busy_ticks() - busy0) / os.sysconf("SC_CLK_TCK") - cpu_seconds(pid) + server0
    line = re.search(r"^SOAK (.*)$", output, re.M)
    if line is None:
        raise RuntimeError(f"wrk printed no counts:\n{output}{run.stderr[-3000:]}")
    result = json.loads(line.group(1))
    threads = result["threads"]
    # A wrong answer leaves its kind short and adds an unknown answer or one over another kind's
    # sent; a lost one leaves its kind short: the larger of the two never overcounts, and is 0
    # only when every request got the answer of its kind.
    sent = {k: sum(t["sent"].get(k, 0) for t in threads) for k in EXPECTED}
    got = {k: sum(t["got"].get(k, 0) for t in threads) for k in EXPECTED}
    other = sum(t["other"] for t in threads)
    examples = [e for t in threads for e in t["examples"]]
    examples += [f"{k}: {sent[k]} sent, {got[k]} answered as expected" for k in KINDS
                 if sent[k] != got[k]]  # fmt: skip
    short = sum(max(0, sent[k] - got[k]) for k in KINDS)
    unexpected = max(short, other + sum(max(0, got[k] - sent[k]) for k in EXPECTED))
    if socket := sum(v for k, v in result["errors"].items() if k != "status"):
        examples.append(f"socket errors: {result['errors']}")
    return Slice(
        time.monotonic() - t0, (sum(got.values()) + other) / max(t["span"] for t in threads),
        result["p99_us"] / 1000, _rss_mib(pid), sent, got, unexpected + socket, examples,
        100 * (steal1 - steal0) / max(1, total1 - total0), max(0.0, others - wrk_cpu) / wall,
    )  # fmt: skip


def _plot(slices: list[Slice], warm: int, target: float, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s.end_s / 60 for s in slices]
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(9, 8))
    series = [
        ("req/s", [s.rate for s in slices]),
        ("p99 latency, ms", [s.p99_ms for s in slices]),
        ("server RSS, MiB", [s.rss_mib for s in slices]),
    ]
    for ax, (label, values) in zip(axes, series, strict=True):
        ax.plot(minutes, values, marker=".")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.axvline(minutes[warm - 1], color="grey", linestyle=":", label="end of warm-up")
    axes[0].axhline(target, color="red", linestyle="--", label=f"target {target:,.0f} req/s")
    axes[0].set_ylim(0, 1.15 * max(target, *series[0][1]))
    axes[2].axhline(
        1.05 * slices[warm - 1].rss_mib, color="red", linestyle="--", label="warm-up + 5 % (limit)"
    )
    axes[2].set_ylim(0.9 * min(series[2][1]), 1.1 * max(series[2][1]))
    for ax in axes[0], axes[2]:
        ax.legend(loc="lower right")
    axes[2].set_xlabel("minutes")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(PLOT, dpi=100)
    plt.close(fig)


def _report(
    slices: list[Slice], args: argparse.Namespace, info: dict[str, Any]
) -> tuple[str, bool]:
    warm, rates, p99s = info["warm"], [s.rate for s in slices], sorted(s.p99_ms for s in slices)
    rss_warm, rss_end = slices[warm - 1].rss_mib, slices[-1].rss_mib
    growth = 100 * (rss_end - rss_warm) / rss_warm
    unexpected = sum(s.unexpected for s in slices)
    sent = {k: sum(s.sent[k] for s in slices) for k in EXPECTED}
    got = {k: sum(s.got[k] for s in slices) for k in EXPECTED}
    ok = unexpected == 0 and growth < 5
    steal, others = [s.steal_pct for s in slices], [s.others_cpu for s in slices]
    busy = max(others) > 0.1  # other processes took a tenth of a core or more in some slice
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    maximum = f"{info['max']:,.0f} req/s (unpaced, same mix)" if info["max"] else "not measured"
    examples: dict[str, int] = {}  # each distinct example, with the first slice that had it
    for n, s in enumerate(slices):
        examples.update((e, n + 1) for e in s.examples if e not in examples)
    lines = [
        "# Soak (bench/soak.py)\n",
        f"- run: {info['started']:%Y-%m-%d %H:%M} – {datetime.now(UTC):%H:%M} UTC on "
        f"{os.cpu_count()} cores ({cpu.group(1) if cpu else '?'}); {info['code']}",
        f"- command: `{' '.join(['.venv/bin/python -m bench.soak', *sys.argv[1:]])}`",
        "- cores: server (`multiassets serve`: uvicorn, 1 worker, a new SQLite file, weight limit "
        f"10^9) pinned to CPU 0; wrk (1 thread, {args.connections} connections) pinned to CPU 1",
        f"- {len(slices)} slices of {args.slice_seconds:g} s ({slices[-1].end_s / 60:.1f} min); "
        f"maximum {maximum}; target {info['target']:,.0f} req/s; **achieved "
        f"{sum(rates) / len(rates):,.0f} req/s** (mean of slices; min {min(rates):,.0f}, "
        f"max {max(rates):,.0f})",
        f"- p99 latency: median of slices {p99s[len(p99s) // 2]:.2f} ms, max {p99s[-1]:.2f} ms",
        f"- noise: steal mean {sum(steal) / len(steal):.1f} %, max {max(steal):.1f} %; processes "
        f"other than server and wrk busy {sum(others) / len(others):.2f} cores on average, max "
        f"{max(others):.2f}"
        + (" (another engineer's tests were running meanwhile)" if busy else " (quiet machine)"),
        f"\nRequests sent: **{sum(sent.values()):,}** ({sent['ping']:,} of them pings while "
        "slices drain).\n",
        "| kind | expected answer | sent | answered as expected |",
        "|---|---|---|---|",
        *(
            f"| {EXPECTED[k][2]} | {EXPECTED[k][0]} `{EXPECTED[k][1]}` | {sent[k]:,} | {got[k]:,} |"
            for k in KINDS
        ),  # fmt: skip
        f"\n- unexpected answers (target 0): **{unexpected}**",
        *(f"  - slice {n}: `{e}`" for e, n in list(examples.items())[:10]),
        f"- server RSS after warm-up ({warm} slice(s), {slices[warm - 1].end_s:.0f} s): "
        f"{rss_warm:.1f} MiB; at the end: {rss_end:.1f} MiB (first slice "
        f"{slices[0].rss_mib:.1f}, max {max(s.rss_mib for s in slices):.1f})",
        f"- memory growth after warm-up (target < 5 %): **{growth:+.2f} %**",
        f"- SQLite files: {info['db_start'] / 2**20:.1f} MiB after loading, "
        f"{info['db_end'] / 2**20:.1f} MiB at the end",
        f"- targets: **{'met' if ok else 'NOT met'}**",
        "- server log: " + ("\n  ".join(["", *info["log"]]) or "no traceback, warning or error"),
        "\n![throughput, p99 latency and server memory over time](../docs/soak.png)",
    ]
    return "\n".join(lines) + "\n", ok


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--slice-seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, help="req/s to pace at; default 80 %% of maximum")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=1000, help="accounts the changes cycle")
    parser.add_argument("--max-seconds", type=float, default=5)
    args = parser.parse_args()
    if not 1 <= args.slice_seconds <= 50:  # signatures must stay inside recvWindow (60 s)
        sys.exit("--slice-seconds: 1 to 50")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill as on ^C
    info: dict[str, Any] = {"started": datetime.now(UTC), "code": _code(), "max": 0.0}
    document, keys = fixture(GET_ACCOUNTS + args.accounts)
    slices: list[Slice] = []
    with tempfile.TemporaryDirectory(prefix="multiassets-soak-") as tmp, ExitStack() as stack:
        port, db = _free_port(), Path(tmp) / "soak.db"
        serve = f"-m multiassets serve --port {port} --db sqlite:///{db} --admin-token {TOKEN}"
        command = [PYTHON, *serve.split(), "--weight-limit", str(10**9)]
        pid = stack.enter_context(_process(command, port, 1, Path(tmp) / "server.log"))
        base = f"http://127.0.0.1:{port}"
        _prepare(base, document, keys[0])
        info["db_start"], offset = _db_size(db), 0
        url, t0 = base + MODE_PATH, time.monotonic()
        if args.rate is None:  # unpaced, twice: the first warms up, the best counts
            for _ in range(2):
                script = _script(keys, 0, args.max_seconds, offset)
                run = _slice(url, script, args.connections, args.max_seconds, pid, t0)
                if run.unexpected:
                    sys.exit(f"unexpected answers while measuring the maximum: {run.examples}")
                info["max"], offset = max(info["max"], run.rate), offset + run.sent["change"]
        info["target"] = args.rate or 0.8 * info["max"]
        count, t0 = max(1, round(args.minutes * 60 / args.slice_seconds)), time.monotonic()
        for n in range(count):
            script = _script(keys, info["target"], args.slice_seconds, offset)
            s = _slice(url, script, args.connections, args.slice_seconds, pid, t0)
            slices.append(s)
            offset += s.sent["change"]
            if s.unexpected:  # the accounts' modes are no longer known: start them again
                _prepare(base, document, keys[0])
                offset = 0
            print(f"slice {n + 1}/{count}: {s.rate:,.0f} req/s, p99 {s.p99_ms:.2f} ms, "
                  f"RSS {s.rss_mib:.1f} MiB, unexpected {s.unexpected}, steal {s.steal_pct:.1f} "
                  f"%, others {s.others_cpu:.2f} cores", file=sys.stderr, flush=True)  # fmt: skip
        info["db_end"] = _db_size(db)
        stack.close()  # stop the server before reading its log
        if _code() != info["code"]:
            info["code"] += f" — src/ CHANGED during the run (now {_code()})"
        info["log"] = _log_problems(Path(tmp))
    info["warm"] = max(1, round(0.2 * len(slices)))
    title = (f"Soak {info['started']:%Y-%m-%d}: {slices[-1].end_s / 60:.1f} min, "
             f"target {info['target']:,.0f} req/s")  # fmt: skip
    _plot(slices, info["warm"], info["target"], title)
    report, ok = _report(slices, args, info)
    print(report)
    OUTPUT.write_text(report)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
