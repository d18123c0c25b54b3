"""Draw the budget over time of a real run: calls per window against the limits, as SVG.

    python docs/plot_budget.py               # run and write docs/images/budget.svg
    python docs/plot_budget.py --if-missing  # only when the picture is not there yet

A local emulator with scaled-down limits (the shape of Skilljar's 600/min and 5,000/h:
a short window that binds first, a long one that binds later) receives a burst of
reads from 64 concurrent tasks through one `SkilljarClient`. The emulator stamps
each request when it reaches the API; for every stamp the picture shows how many
calls the server counted in the window ending there, against that window's limit.
Nothing but the standard library draws it.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import sys
from pathlib import Path

from skilljar_async import CallType, RateLimits, SkilljarClient, Window
from skilljar_async.testing import SkilljarEmulator

OUT = Path(__file__).resolve().parent / "images" / "budget.svg"
WINDOWS = (Window(10, 0.25), Window(40, 2.0))
CALLS = 160
TASKS = 64


async def record() -> list[float]:
    """The API's stamps of a burst of reads, in seconds from the first."""
    limits = RateLimits.uniform(*WINDOWS)
    async with SkilljarEmulator(limits=limits, latency=0.01) as emu:
        async with SkilljarClient(emu.api_key, base_url=emu.base_url, rate_limits=limits) as client:
            queue = list(range(CALLS))

            async def worker() -> None:
                while queue:
                    queue.pop()
                    await client.ping.retrieve()

            await asyncio.gather(*(worker() for _ in range(TASKS)))
        if emu.count_429:
            raise SystemExit(f"the run met {emu.count_429} 429s; the picture would be wrong")
        stamps = sorted(r.at for r in emu.requests if r.counted and r.call_type is CallType.READ)
    return [t - stamps[0] for t in stamps]


def in_window(stamps: list[float], period: float) -> list[tuple[float, int]]:
    """The step function t -> stamps in (t - period, t], at every time it changes.

    It rises at each stamp and falls when a stamp leaves the window (``stamp + period``).
    """
    end = stamps[-1]
    changes = sorted({*stamps, *(t + period for t in stamps if t + period <= end)})
    return [
        (t, bisect.bisect_right(stamps, t) - bisect.bisect_right(stamps, t - period))
        for t in changes
    ]


def steps(points: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """A step line's vertices: each value holds until the next change."""
    out: list[tuple[float, int]] = []
    for t, n in points:
        if out:
            out.append((t, out[-1][1]))
        out.append((t, n))
    return out


def svg(stamps: list[float]) -> str:
    width, panel, left, right, top, gap = 760, 170, 64, 24, 78, 52
    height = top + len(WINDOWS) * (panel + gap) + 10
    end = stamps[-1] * 1.02 + 1e-9
    plot_w = width - left - right

    def x(t: float) -> float:
        return left + plot_w * t / end

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold">'
        f"{len(stamps)} reads from {TASKS} tasks: calls the server counted in each window</text>",
        f'<text x="{left}" y="40" fill="#555">grey ticks: when each call reached the API; '
        "blue: calls in the window ending then; red: the limit</text>",
    ]
    for i, window in enumerate(WINDOWS):
        y0 = top + i * (panel + gap)
        limit, period = window.limit, window.period
        scale = panel / (limit * 1.15)

        def y(n: float, y0: float = y0, scale: float = scale) -> float:
            return y0 + panel - n * scale

        out.append(
            f'<rect x="{left}" y="{y0}" width="{plot_w}" height="{panel}" fill="#f6f7fb" '
            'stroke="#ccd"/>'
        )
        for n in range(0, limit + 1, max(1, limit // 4)):
            out.append(
                f'<text x="{left - 8}" y="{y(n) + 4:.1f}" text-anchor="end" fill="#555">{n}</text>'
            )
        points = " ".join(f"{x(t):.1f},{y(n):.1f}" for t, n in steps(in_window(stamps, period)))
        out += [
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(limit):.1f}" y2="{y(limit):.1f}" '
            'stroke="#d33" stroke-dasharray="6 4" stroke-width="1.5"/>',
            f'<text x="{left + plot_w - 4}" y="{y(limit) - 6:.1f}" text-anchor="end" '
            f'fill="#d33">limit: {limit} per {period:g} s</text>',
            f'<polyline points="{points}" fill="none" stroke="#3949ab" stroke-width="1.6"/>',
            f'<text x="{left}" y="{y0 - 8}" font-weight="bold">'
            f"calls in the last {period:g} s</text>",
        ]
        for t in stamps:
            out.append(
                f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{y0 + panel}" y2="{y0 + panel - 5}" '
                'stroke="#888" stroke-width="0.6"/>'
            )
        step = 0.5 if end < 6 else 1.0
        t = 0.0
        while t <= end:
            out.append(
                f'<text x="{x(t):.1f}" y="{y0 + panel + 15}" text-anchor="middle" '
                f'fill="#555">{t:g} s</text>'
            )
            t += step
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--if-missing", action="store_true", help="keep an existing picture")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.if_missing and args.out.exists():
        return 0
    stamps = asyncio.run(record())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(svg(stamps))
    peaks = {w.period: max(n for _, n in in_window(stamps, w.period)) for w in WINDOWS}
    print(f"{len(stamps)} calls in {stamps[-1]:.2f} s; peak per window: {peaks}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
