"""Schemathesis over the emulator: all 340 operations, positive and negative data.

The budget (`EXAMPLES` cases per operation and generation mode, a fixed seed)
keeps this test to one or two minutes on a two-core machine (figures in
``benchmarks/CONFORMANCE.md``); ``scripts/conformance`` runs longer, randomly
seeded passes.
"""

from __future__ import annotations

from .conformance import CHECK_NAMES, run

EXAMPLES = 10
SEED = 20261201


def test_every_operation_conforms_to_the_served_document() -> None:
    """No server error, no undocumented answer, no invalid body accepted, on every operation."""
    report = run(examples=EXAMPLES, seed=SEED)
    summary = report.table() + "\n" + "\n".join(report.messages[:20])
    for check in CHECK_NAMES:
        assert len(report.passed[check] | report.failed[check]) == 340, summary
    assert report.failures == 0, summary
    assert report.cases >= 340 * EXAMPLES, summary
