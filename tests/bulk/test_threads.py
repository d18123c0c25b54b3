"""The worker threads bulk jobs use for file I/O."""

import subprocess
import sys


def test_anyio_backend_is_imported_with_the_package() -> None:
    """Importing `skilljar_async.bulk` loads anyio's asyncio backend, not a job's first read."""
    code = "import sys, skilljar_async.bulk; assert 'anyio._backends._asyncio' in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
