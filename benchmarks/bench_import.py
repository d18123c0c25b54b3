"""Benchmark the cost of ``import skilljar_async`` against ``import aiohttp``.

    .venv/bin/python benchmarks/bench_import.py [--runs N] [--baseline DIR]

Each import runs N times (default 15) in a fresh interpreter (``python -c "import x"``),
alternating the modules so both see the same machine load; the wall time of each
interpreter is measured, minus the median time of an interpreter that imports nothing.
Prints the medians and the ratio, and the wall time of a first ``client.users`` access
(its resource and model modules imported then). ``--baseline DIR`` adds a row importing
the ``skilljar_async`` found in DIR (an unpacked older version, e.g. from ``git archive``).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODULES = {
    "nothing": "pass",
    "aiohttp": "import aiohttp",
    "skilljar_async": "import skilljar_async",
    "skilljar_async + client.users": (
        "import skilljar_async; skilljar_async.SkilljarClient('k').users"
    ),
}


def run_once(code: str, cwd: Path = ROOT) -> float:
    """Seconds a fresh interpreter takes to run `code` (``-c``: `cwd` comes first on the path)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=cwd)
    return time.perf_counter() - start


def measure(runs: int, rows: dict[str, tuple[str, Path]]) -> dict[str, float]:
    """The median seconds of each row's snippet over `runs` alternating rounds."""
    samples: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(runs):
        for name, (code, cwd) in rows.items():
            samples[name].append(run_once(code, cwd))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    """Print the medians and ``import skilljar_async`` / ``import aiohttp``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline", type=Path, help="a directory holding another version")
    args = parser.parse_args()
    rows = {name: (code, ROOT) for name, code in MODULES.items()}
    if args.baseline is not None:
        rows["skilljar_async (baseline)"] = ("import skilljar_async", args.baseline.resolve())
    for code, cwd in rows.values():
        run_once(code, cwd)  # warm the file cache and the bytecode
    runs = args.runs
    medians = measure(runs, rows)
    base = medians["nothing"]
    print(f"Python {platform.python_version()}, {runs} fresh interpreters per row (medians)")
    print(f"{'import':<32}{'wall ms':>10}{'minus bare ms':>16}")
    for name, value in medians.items():
        print(f"{name:<32}{value * 1e3:>10.1f}{(value - base) * 1e3:>16.1f}")
    ratio = (medians["skilljar_async"] - base) / (medians["aiohttp"] - base)
    print(f"import skilljar_async / import aiohttp: {ratio:.2f}x")
    if args.baseline is not None:
        old = (medians["skilljar_async (baseline)"] - base) / (medians["aiohttp"] - base)
        print(f"baseline import skilljar_async / import aiohttp: {old:.2f}x")


if __name__ == "__main__":
    main()
