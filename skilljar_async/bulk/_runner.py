"""The bulk runner: streamed intake, bounded concurrency, one result per item.

Items are pulled from any iterable or async iterable through a bounded queue
(back-pressure: ten million input rows never become ten million coroutines),
handled by a fixed pool of workers at a lower scheduler priority than ordinary
calls, and recorded in an optional journal so a restarted job skips what is done.
"""

from __future__ import annotations

import asyncio
import enum
import functools
import logging
import re
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from .. import _otel
from .._client import SkilljarClient, request_priority
from .._errors import APIStatusError, AuthenticationError, PermissionDeniedError
from ..ratelimit import BudgetScheduler, CallType
from ._journal import Journal

__all__ = [
    "BulkJob",
    "BulkSummary",
    "ItemResult",
    "ItemStatus",
    "JobStoppedError",
    "Outcome",
    "Progress",
    "failure_kind",
]

T = TypeVar("T")

log = logging.getLogger("skilljar_async.bulk")


class ItemStatus(enum.StrEnum):
    """How one item ended."""

    SUCCEEDED = "succeeded"  #: the call created or changed something
    EXISTED = "existed"  #: nothing to do: it was already there
    FAILED = "failed"  #: a typed error, after the client's retries


@attrs.frozen
class Outcome:
    """What an item function returns: its status and the id of the object it touched."""

    status: ItemStatus
    id: str | None = None


@attrs.frozen(kw_only=True)
class ItemResult(Generic[T]):
    """One item's result."""

    key: str
    status: ItemStatus
    id: str | None = None
    error: BaseException | None = None
    item: T | None = None


@attrs.frozen(kw_only=True)
class Progress:
    """A progress event: counts so far, rate, and the ETA the rate limits allow."""

    done: int
    succeeded: int
    existed: int
    failed: int
    skipped: int  #: finished by an earlier run (from the journal)
    total: int | None
    elapsed: float
    rate: float  #: items per second since the start
    eta: float | None  #: seconds, from the scheduler's exact eta() for the calls left

    @property
    def remaining(self) -> int | None:
        """Items left, when the total is known."""
        if self.total is None:
            return None
        return max(0, self.total - self.done - self.skipped)


@attrs.define
class BulkSummary:
    """Counts by outcome, calls by call type, 429s seen, and the first failures."""

    succeeded: int = 0
    existed: int = 0
    failed: int = 0
    skipped: int = 0
    elapsed: float = 0.0
    calls: dict[CallType, int] = attrs.Factory(dict)
    throttled: int = 0
    failures: list[ItemResult[Any]] = attrs.Factory(list)
    #: failed items by `failure_kind`: how many, and the first few of each
    failure_kinds: dict[str, int] = attrs.Factory(dict)
    failure_examples: dict[str, list[ItemResult[Any]]] = attrs.Factory(dict)

    @property
    def done(self) -> int:
        """Items finished in this run."""
        return self.succeeded + self.existed + self.failed


class JobStoppedError(Exception):
    """An error no retry and no other item can fix stopped the job at once.

    A revoked key (401), a write refused to a read-only key (403), or the job's own
    domain, course or path missing (404). The item it met is not recorded, so the
    journal stays resumable: fix the cause and run the same job again. An item
    function may raise it to stop the job. ``summary`` counts what was done.
    """

    def __init__(self, cause: BaseException, summary: BulkSummary | None = None) -> None:
        super().__init__(_describe(cause))
        self.cause = cause
        self.summary = summary if summary is not None else BulkSummary()


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _systemic(error: BaseException) -> bool:
    """Whether `error` would fail every other item too."""
    if isinstance(error, JobStoppedError | AuthenticationError):
        return True
    method = (getattr(error, "method", None) or "GET").upper()
    return isinstance(error, PermissionDeniedError) and method not in _SAFE_METHODS


def failure_kind(error: BaseException) -> str:
    """A failure's group: the error class and status, or its message without quoted values."""
    if isinstance(error, APIStatusError):
        return f"{type(error).__name__} ({error.status})"
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "…", str(error))
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


ItemFn = Callable[[T], Awaitable[Any]]
KeyFn = Callable[[T], str]
_MAX_FAILURES_KEPT = 100
_EXAMPLES_PER_KIND = 3


class BulkJob(Generic[T]):
    """Run one function over many items through a client's shared rate budget."""

    def __init__(
        self,
        client: SkilljarClient,
        *,
        concurrency: int = 16,
        priority: int = -1,
        journal: Journal | None = None,
        total: int | None = None,
        calls_per_item: Mapping[CallType, float] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_result: Callable[[ItemResult[T]], None] | None = None,
        progress_interval: float = 0.5,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency!r}")
        self.client = client
        self.concurrency = concurrency
        self.priority = priority
        self.journal = journal
        self.total = total
        self.calls_per_item = dict(calls_per_item or {CallType.MODIFY: 1.0})
        self.on_progress = on_progress
        self.on_result = on_result
        self.progress_interval = progress_interval
        self.summary = BulkSummary()
        self._start = 0.0
        self._last_progress = -float("inf")
        self._listeners: list[asyncio.Queue[Progress | None]] = []
        self._stopped: BaseException | None = None
        self._producer: asyncio.Task[None] | None = None

    async def run(
        self, items: Iterable[T] | AsyncIterable[T], fn: ItemFn[T], *, key: KeyFn[T]
    ) -> BulkSummary:
        """Handle every item; a failing item is recorded and the job goes on.

        A systemic error (see `JobStoppedError`) stops the job instead: no item is
        taken after it, calls in flight finish and are recorded, and the error is
        raised as `JobStoppedError` once the journal is closed.
        """
        loop = asyncio.get_running_loop()
        self._start = loop.time()
        calls_before = dict(self.client.stats.requests)
        throttled_before = self.client.stats.throttled
        queue: asyncio.Queue[T | None] = asyncio.Queue(maxsize=self.concurrency * 2)
        token = request_priority.set(self.priority)
        # One span over the job (with an OTel SDK): the workers' requests nest in it.
        job = _otel.operation("bulk job", attributes={"skilljar.concurrency": self.concurrency})
        failed: BaseException | None = None
        try:
            with _otel.within(job):
                async with asyncio.TaskGroup() as group:
                    self._producer = group.create_task(self._produce(items, key, queue))
                    for _ in range(self.concurrency):
                        group.create_task(self._work(queue, fn, key))
        except BaseExceptionGroup as group:
            # Item errors never get here; this is the input failing (e.g. an unreadable
            # file): raise it as itself, not wrapped.
            failed = group.exceptions[0]
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from None
            raise
        except BaseException as exc:
            failed = exc
            raise
        finally:
            request_priority.reset(token)
            stats = self.client.stats
            self.summary.calls = {
                ct: stats.requests[ct] - calls_before.get(ct, 0) for ct in CallType
            }
            self.summary.throttled = stats.throttled - throttled_before
            self.summary.elapsed = loop.time() - self._start
            self._emit(force=True)
            for listener in self._listeners:
                listener.put_nowait(None)
            failed = failed or self._stopped
            _otel.end(job, failed)
            s = self.summary
            log.info(
                "bulk job %s in %.1fs: %d succeeded, %d existed, %d failed, %d done earlier",
                "stopped" if failed is not None else "done",
                s.elapsed,
                s.succeeded,
                s.existed,
                s.failed,
                s.skipped,
            )
        if self._stopped is not None:
            raise JobStoppedError(self._stopped, self.summary) from self._stopped
        return self.summary

    async def events(self) -> AsyncIterator[Progress]:
        """Progress events until the job ends (subscribe before or while it runs)."""
        queue: asyncio.Queue[Progress | None] = asyncio.Queue()
        self._listeners.append(queue)
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            self._listeners.remove(queue)

    async def _produce(
        self, items: Iterable[T] | AsyncIterable[T], key: KeyFn[T], queue: asyncio.Queue[T | None]
    ) -> None:
        async for item in _aiter(items):
            if self.journal is not None and self.journal.is_done(_safe_key(key, item)):
                self.summary.skipped += 1
                continue
            await queue.put(item)
        for _ in range(self.concurrency):
            await queue.put(None)

    async def _work(self, queue: asyncio.Queue[T | None], fn: ItemFn[T], key: KeyFn[T]) -> None:
        while self._stopped is None and (item := await queue.get()) is not None:
            result = await _handle(item, fn, key)
            if result.error is not None and _systemic(result.error):
                self._stop(result.error, queue)  # not recorded: a resumed run does it again
            else:
                await self._record(result)

    def _stop(self, error: BaseException, queue: asyncio.Queue[T | None]) -> None:
        """Take no more items: stop the intake, drop what is queued, release the workers."""
        if self._stopped is not None:
            return
        self._stopped = error.cause if isinstance(error, JobStoppedError) else error
        if self._producer is not None:
            self._producer.cancel()
        while not queue.empty():
            queue.get_nowait()
        for _ in range(self.concurrency):  # the queue holds 2 x concurrency: this fits
            queue.put_nowait(None)

    async def _record(self, result: ItemResult[T]) -> None:
        if self.journal is not None:  # the line reaches the OS before the item counts
            error = _describe(result.error) if result.error is not None else None
            await self.journal.arecord(result.key, result.status.value, id=result.id, error=error)
        summary = self.summary
        if result.status is ItemStatus.SUCCEEDED:
            summary.succeeded += 1
        elif result.status is ItemStatus.EXISTED:
            summary.existed += 1
        else:
            summary.failed += 1
            if len(summary.failures) < _MAX_FAILURES_KEPT:
                summary.failures.append(result)
            kind = failure_kind(result.error) if result.error is not None else "failed"
            summary.failure_kinds[kind] = summary.failure_kinds.get(kind, 0) + 1
            examples = summary.failure_examples.setdefault(kind, [])
            if len(examples) < _EXAMPLES_PER_KIND:
                examples.append(result)
        if self.on_result is not None:
            self.on_result(result)
        self._emit()

    def progress(self) -> Progress:
        """The progress right now."""
        summary = self.summary
        elapsed = asyncio.get_running_loop().time() - self._start
        done = summary.done
        event = Progress(
            done=done,
            succeeded=summary.succeeded,
            existed=summary.existed,
            failed=summary.failed,
            skipped=summary.skipped,
            total=self.total,
            elapsed=elapsed,
            rate=done / elapsed if elapsed > 0 else 0.0,
            eta=None,
        )
        return attrs.evolve(event, eta=self._eta(event.remaining))

    def _eta(self, remaining: int | None) -> float | None:
        """Seconds until the calls the remaining items need fit in the budget."""
        if remaining is None:
            return None
        if remaining == 0:
            return 0.0
        scheduler = self.client.scheduler
        eta: Callable[[CallType, int], float]
        if isinstance(scheduler, BudgetScheduler):  # the share this job's priority may use
            eta = functools.partial(scheduler.eta, priority=self.priority)
        else:
            eta = scheduler.eta
        waits = [
            eta(ct, max(1, round(remaining * per_item)))
            for ct, per_item in self.calls_per_item.items()
            if per_item > 0
        ]
        return max(waits, default=0.0)

    def _emit(self, *, force: bool = False) -> None:
        if self.on_progress is None and not self._listeners:
            return
        now = time.monotonic()
        if not force and now - self._last_progress < self.progress_interval:
            return
        self._last_progress = now
        event = self.progress()
        if self.on_progress is not None:
            self.on_progress(event)
        for listener in self._listeners:
            listener.put_nowait(event)


async def _handle(item: T, fn: ItemFn[T], key: KeyFn[T]) -> ItemResult[T]:
    """Run one item; any error (after the client's retries) is its result, not the job's."""
    name = _safe_key(key, item)
    try:
        value = await fn(item)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # one item's failure never stops the job
        return ItemResult(key=name, status=ItemStatus.FAILED, error=exc, item=item)
    if isinstance(value, Outcome):
        return ItemResult(key=name, status=value.status, id=value.id, item=item)
    found = getattr(value, "id", None)
    return ItemResult(
        key=name,
        status=ItemStatus.SUCCEEDED,
        id=None if found is None else str(found),
        item=item,
    )


def _safe_key(key: KeyFn[T], item: T) -> str:
    try:
        return key(item)
    except Exception:  # a malformed row still gets a stable name
        return f"item:{item!r}"[:200]


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


async def _aiter(items: Iterable[T] | AsyncIterable[T]) -> AsyncIterator[T]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
