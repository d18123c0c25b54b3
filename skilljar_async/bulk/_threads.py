"""Blocking file I/O off the event loop: anyio's worker threads, ready before a job starts."""

from __future__ import annotations

# anyio imports its asyncio backend on the first worker-thread call, which costs about
# 30 ms on the running loop; importing it with this package moves that to start-up.
import anyio._backends._asyncio
import anyio.to_thread

__all__ = ["run_sync"]

#: Run a blocking function in a worker thread; cancelling the caller waits for it.
run_sync = anyio.to_thread.run_sync
