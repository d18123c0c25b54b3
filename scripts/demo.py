"""Demo: a real bulk enrollment through the CLI against a local Skilljar emulator.

Limits are scaled down (150 calls per second and 1,500 per 10 seconds per call
type, the shape of Skilljar's 600/min and 5,000/h) so that hours fit in a
minute; the emulator adds 10 ms of latency each way.
"""

from __future__ import annotations

import asyncio
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from skilljar_async import SkilljarClient

LIMITS = "150/1,1500/10"
DOMAIN = "learn.example.com"
LEARNERS = 3000
EXISTING = 400  # seeded learners that are in the CSV too (already domain members)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_emulator(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "skilljar_async.testing",
        "--port",
        str(port),
        "--users",
        str(EXISTING),
        "--limits",
        LIMITS,
        "--latency-ms",
        "20",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.1)
    process.kill()
    raise SystemExit("the emulator did not start")


async def pick_course_and_learners(base_url: str) -> tuple[str, list[dict[str, str]]]:
    """The first published course on the domain, and the seeded learners' rows."""
    async with SkilljarClient("test-key", base_url=base_url, rate_limits=None) as client:
        course = (await client.domains.published_courses.list(DOMAIN)).items[0]
        seeded = [
            {
                "email": m.user.email or "",
                "first_name": m.user.first_name or "",
                "last_name": m.user.last_name or "",
            }
            async for m in client.domains.users.list(DOMAIN, page_size=1000)
        ]
    return course.id, seeded


def write_csv(path: Path, seeded: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["email", "first_name", "last_name"])
        writer.writeheader()
        writer.writerows(seeded[:EXISTING])
        for i in range(LEARNERS - min(EXISTING, len(seeded))):
            writer.writerow(
                {
                    "email": f"new.learner.{i}@example.org",
                    "first_name": "New",
                    "last_name": f"Learner {i}",
                }
            )


def main() -> int:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    print(f"starting the local Skilljar emulator on {base_url} (limits {LIMITS} per call type)")
    emulator = start_emulator(port)
    try:
        # The set-up reads use their own budget (reads are counted apart from writes).
        course_id, seeded = asyncio.run(pick_course_and_learners(base_url))
        with tempfile.TemporaryDirectory() as work:
            learners = Path(work) / "learners.csv"
            write_csv(learners, seeded)
            print(f"enrolling {LEARNERS:,} learners from {learners.name} in course {course_id}\n")
            env = dict(os.environ, SKILLJAR_API_KEY="test-key")
            command = [
                sys.executable,
                "-m",
                "skilljar_async",
                "--base-url",
                base_url,
                "--limits",
                LIMITS,
                "enroll",
                "--csv",
                str(learners),
                "--domain",
                DOMAIN,
                "--published-course",
                course_id,
                "--journal",
                str(Path(work) / "job.jsonl"),
            ]
            return subprocess.call(command, env=env)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
