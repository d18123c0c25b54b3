"""Benchmark parsing list rows: a clean row against one with a field that does not parse.

    .venv/bin/python benchmarks/bench_parse.py [--runs N] [--rows N]

A clean row takes the strict pass only; an odd row (one date that is not a date) fails it
and is parsed again field by field, keeping that value raw. The two alternate run by run so
both see the same machine load. Prints the median microseconds per row and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from typing import Any

from skilljar_async._convert import structurer
from skilljar_async.models import UserPublishedCourseProgress

ROW: dict[str, Any] = {
    "published_course_id": "1ck9ybz4ipd6a",
    "domain_name": "learn.example.com",
    "enrolled_at": "2024-01-10T08:00:00.123456+00:00",
    "enrollment_id": "2ppa3yl7k0rmz",
    "course": {"id": "3kce9j4e0t1vi", "title": "Intro to Widgets", "lesson_count": 12},
    "course_progress": {
        "course_progress_id": "1zjnp5gmwsqvd",
        "completed_lesson_count": 12,
        "completed_at": "2024-02-02T17:30:00+01:00",
        "score": 93,
        "success_status": "PASSED",
    },
    "all_enrollments": [
        {"course_progress_id": "1zjnp5gmwsqvd", "active": True, "enrollment_id": "2ppa3yl7k0rmz"}
    ],
}
ODD: dict[str, Any] = {**ROW, "course_progress": {**ROW["course_progress"], "completed_at": "?"}}


def _per_row(row: dict[str, Any], rows: int) -> float:
    parse = structurer(UserPublishedCourseProgress)
    batch = [row] * rows
    started = time.perf_counter()
    for item in batch:
        parse(item)
    return (time.perf_counter() - started) / rows * 1e6


def main() -> None:
    """Print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # the odd row warns; the cost measured is the parse
    clean: list[float] = []
    odd: list[float] = []
    for _ in range(args.runs):
        clean.append(_per_row(ROW, args.rows))
        odd.append(_per_row(ODD, args.rows))
    c, o = statistics.median(clean), statistics.median(odd)
    print(f"| row | µs per row (median of {args.runs}) |")
    print("|---|---|")
    print(f"| clean | {c:.1f} |")
    print(f"| one field kept raw | {o:.1f} |")
    print(f"odd / clean: {o / c:.2f}x")


if __name__ == "__main__":
    main()
