"""Benchmark the cost of ``import skilljar_async`` against ``import aiohttp``.

    .venv/bin/python benchmarks/bench_import.py [--runs N] [--baseline DIR]

Each import runs N times (default 15) in a fresh interpreter (``python -c "import x"``),
alternating the modules so both see the same machine load; the wall time and the CPU
time (user + system, from ``getrusage``) of each interpreter are measured, minus the
medians of an interpreter that imports nothing. CPU time suffers less from other
processes on a busy machine, so the ratio is given for both.
Prints the medians and the ratio, and the wall time of a first ``client.users`` access
(its resource and model modules imported then). ``--baseline DIR`` adds a row importing
the ``skilljar_async`` found in DIR (an unpacked older version, e.g. from ``git archive``).
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: the most ``import skilljar_async`` may cost, in multiples of ``import aiohttp``.
TARGET = 1.3

MODULES = {
    "nothing": "pass",
    "aiohttp": "import aiohttp",
    "skilljar_async": "import skilljar_async",
    "skilljar_async + client.users": (
        "import skilljar_async; skilljar_async.SkilljarClient('k').users"
    ),
}


def run_once(code: str, cwd: Path = ROOT) -> tuple[float, float]:
    """(wall, CPU) seconds of a fresh interpreter running `code` (`cwd` first on its path)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(runs: int, rows: dict[str, tuple[str, Path]]) -> dict[str, tuple[float, float]]:
    """The median (wall, CPU) seconds of each row's snippet over `runs` alternating rounds."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in rows}
    for _ in range(runs):
        for name, (code, cwd) in rows.items():
            samples[name].append(run_once(code, cwd))
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in samples.items()
    }


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
    base_wall, base_cpu = medians["nothing"]
    print(f"Python {platform.python_version()}, {runs} fresh interpreters per row (medians)")
    print(f"{'import':<32}{'wall ms':>9}{'- bare':>9}{'CPU ms':>9}{'- bare':>9}")
    for name, (wall, cpu) in medians.items():
        print(
            f"{name:<32}{wall * 1e3:>9.1f}{(wall - base_wall) * 1e3:>9.1f}"
            f"{cpu * 1e3:>9.1f}{(cpu - base_cpu) * 1e3:>9.1f}"
        )
    ratios = _ratios(medians, "skilljar_async")
    verdict = "PASS" if max(ratios) <= TARGET else "FAIL"
    print(
        f"import skilljar_async / import aiohttp: wall {ratios[0]:.2f}x, CPU {ratios[1]:.2f}x"
        f"  (target <= {TARGET}x: {verdict})"
    )
    if "skilljar_async (baseline)" in medians:
        old = _ratios(medians, "skilljar_async (baseline)")
        print(f"baseline, same ratio: wall {old[0]:.2f}x, CPU {old[1]:.2f}x")


def _ratios(medians: dict[str, tuple[float, float]], name: str) -> tuple[float, float]:
    """(wall, CPU): the row's cost over aiohttp's, the bare interpreter's taken off both."""
    wall, cpu = (
        (medians[name][i] - medians["nothing"][i]) / (medians["aiohttp"][i] - medians["nothing"][i])
        for i in (0, 1)
    )
    return wall, cpu


if __name__ == "__main__":
    main()
