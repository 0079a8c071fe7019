"""What ``import multiassets`` costs as users feel it: wall time of a fresh interpreter.

    .venv/bin/python -m bench.import_time [--rounds 40] [--top 12]

Each statement runs in a new ``python -c`` process, timed from spawn to exit with
perf_counter_ns, against ``python -c pass`` measured in the same round; rounds are
interleaved (every round runs every statement once, in a rotated order) and the figures are
medians over the rounds of each round's difference to ``pass``, with the interquartile range
and min–max of those differences, so a reader can judge the noise.

Two bytecode settings, both reported: *cached* — the modules' ``.pyc`` files exist, as after
``pip install`` (written to a temporary ``PYTHONPYCACHEPREFIX``, not into the tree) — and
*uncached* — ``PYTHONDONTWRITEBYTECODE=1`` as in this repository's dev shell, where every
import of our modules compiles its source (the standard library's are cached either way).
Then ``python -X importtime`` of constructing a ``Client`` lists what costs most.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

PYTHON = sys.executable
_CLIENT = "multiassets.Client('k' * 64, 's' * 64, base_url='http://127.0.0.1:1')"
STATEMENTS: dict[str, str] = {
    "python -c pass": "pass",
    "import multiassets": "import multiassets",
    "import multiassets; Client(...)": f"import multiassets; {_CLIENT}",
    "import multiassets; AsyncClient(...)": (
        f"import multiassets; {_CLIENT.replace('Client', 'AsyncClient')}"
    ),
    "+ first Client call's imports": (
        f"import multiassets; c = {_CLIENT}; import multiassets._core, http.client"
    ),
}


def _environment(cached: bool, prefix: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cached:
        env["PYTHONPYCACHEPREFIX"] = prefix
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _wall_ms(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter_ns()
    subprocess.run([PYTHON, "-c", code], env=env, check=True)
    return (time.perf_counter_ns() - start) / 1e6


def _quartiles(values: list[float]) -> tuple[float, float]:
    q1, _, q3 = statistics.quantiles(values, n=4)
    return q1, q3


def _table(rounds: int, env: dict[str, str]) -> list[str]:
    names = list(STATEMENTS)
    for name in names:  # warm-up: writes the .pyc files (cached) and the OS's file cache
        _wall_ms(STATEMENTS[name], env)
    walls: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            walls[name].append(_wall_ms(STATEMENTS[name], env))
    base = walls["python -c pass"]
    lines = [
        "| statement | wall ms (median) | ms over `pass` (median) | IQR | min–max |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        extra = [wall - floor for wall, floor in zip(walls[name], base, strict=True)]
        q1, q3 = _quartiles(extra)
        lines.append(
            f"| `{name}` | {statistics.median(walls[name]):.1f} | "
            f"{statistics.median(extra):.1f} | {q1:.1f}–{q3:.1f} | "
            f"{min(extra):.1f}–{max(extra):.1f} |"
        )
    return lines


def _importtime(env: dict[str, str], top: int) -> list[str]:
    """The modules with the largest cumulative import time under a Client's construction."""
    result = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", STATEMENTS["import multiassets; Client(...)"]],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in result.stderr.splitlines():
        # "import time: <self us> | <cumulative us> | <indent><module>"
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue  # the header line
        rows.append((int(fields[1]), int(fields[0]), fields[2].rstrip()))
    rows.sort(reverse=True)
    lines = ["| module (indent = depth) | cumulative µs | self µs |", "|---|---|---|"]
    lines += [f"| `{module}` | {cum} | {own} |" for cum, own, module in rows[:top]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="multiassets-pyc-") as prefix:
        print(
            f"`.venv/bin/python -m bench.import_time --rounds {args.rounds}` — wall time of a "
            f"fresh interpreter, {args.rounds} interleaved rounds; differences to `pass` taken "
            "within each round\n"
        )
        for cached in (True, False):
            env = _environment(cached, prefix)
            label = "cached bytecode (as installed)" if cached else "PYTHONDONTWRITEBYTECODE=1"
            print(f"### {label}\n")
            print("\n".join(_table(args.rounds, env)), end="\n\n")
        print("### What a Client's construction imports (cached bytecode, -X importtime)\n")
        print("\n".join(_importtime(_environment(True, prefix), args.top)))


if __name__ == "__main__":
    main()
