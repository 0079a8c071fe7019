"""Load generation with wrk, server CPU accounting, and steal-time guarding."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Run", "cpu_seconds", "run_wrk", "steal_ticks"]

_CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Run:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    steal_pct: float
    server_cpu_us: float  # server CPU time per request


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        for child in children:
            pids.extend(_process_tree(int(child)))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants."""
    total = 0
    for each in _process_tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / _CLK_TCK


def steal_ticks() -> tuple[int, int]:
    """(steal, total) jiffies of the whole machine."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return fields[7], sum(fields)


def run_wrk(
    url: str, connections: int, seconds: float, server_pid: int, script: str | None, cpu: str
) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    command = [
        "taskset",
        "-c",
        cpu,
        "wrk",
        "--latency",
        "-t1",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "-s",
        lua.name,
        url,
    ]
    steal_before, total_before = steal_ticks()
    cpu_before = cpu_seconds(server_pid)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu_after = cpu_seconds(server_pid)
    steal_after, total_after = steal_ticks()
    os.unlink(lua.name)
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise RuntimeError(f"the load run had failures:\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)$", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)$", output, re.M).group(1))  # type: ignore[union-attr]
    steal = 100 * (steal_after - steal_before) / max(1, total_after - total_before)
    return Run(rate, p50, p99, requests, steal, 1e6 * (cpu_after - cpu_before) / max(requests, 1))
