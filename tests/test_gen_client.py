"""The committed generated packages are exactly what ``python -m tools.codegen`` makes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_generated_modules_match_the_catalogue() -> None:
    """Regenerating from ``_data/*.json`` changes nothing (else: run the generator, review)."""
    if not (ROOT / ".venv" / "bin" / "ruff").exists() and shutil.which("ruff") is None:
        pytest.skip("the generator formats with ruff (dev extra), which is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "tools.codegen", "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
