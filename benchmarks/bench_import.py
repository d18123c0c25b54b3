"""Benchmark the cost of ``import skilljar_async`` against ``import aiohttp``.

    .venv/bin/python benchmarks/bench_import.py [--runs N]

Each import runs N times (default 15) in a fresh interpreter (``python -c "import x"``),
alternating the modules so both see the same machine load; the wall time of each
interpreter is measured, minus the median time of an interpreter that imports nothing.
Prints the medians and the ratio, and the wall time of a first ``client.users`` access
(its resource and model modules imported then).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time

MODULES = {
    "nothing": "pass",
    "aiohttp": "import aiohttp",
    "skilljar_async": "import skilljar_async",
    "skilljar_async + client.users": (
        "import skilljar_async; skilljar_async.SkilljarClient('k').users"
    ),
}


def run_once(code: str) -> float:
    """Seconds a fresh interpreter takes to run `code` and exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def measure(runs: int) -> dict[str, float]:
    """The median seconds of each snippet over `runs` alternating rounds."""
    samples: dict[str, list[float]] = {name: [] for name in MODULES}
    for _ in range(runs):
        for name, code in MODULES.items():
            samples[name].append(run_once(code))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    """Print the medians and ``import skilljar_async`` / ``import aiohttp``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    for code in MODULES.values():
        run_once(code)  # warm the file cache and the bytecode
    medians = measure(runs)
    base = medians["nothing"]
    print(f"Python {platform.python_version()}, {runs} fresh interpreters per row (medians)")
    print(f"{'import':<32}{'wall ms':>10}{'minus bare ms':>16}")
    for name, value in medians.items():
        print(f"{name:<32}{value * 1e3:>10.1f}{(value - base) * 1e3:>16.1f}")
    ratio = (medians["skilljar_async"] - base) / (medians["aiohttp"] - base)
    print(f"import skilljar_async / import aiohttp: {ratio:.2f}x")


if __name__ == "__main__":
    main()
