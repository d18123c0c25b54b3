"""Streaming list endpoints: `AsyncPaginator[T]` and `Page[T]`.

A paginator follows the server's ``next`` links verbatim (page numbers and
cursors alike), refuses links to another origin, stops with `PaginationError`
when a link repeats a page already read or a page with no rows has one (either
would make the scan endless), keeps one page fetched ahead
while the caller works on the current one, and on a failed page raises the
error with ``resume_from`` set so the scan can continue where it stopped.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs

from . import _otel
from ._errors import PaginationError, SkilljarError
from ._sansio import same_origin

__all__ = ["AsyncPaginator", "Page"]

T = TypeVar("T")

Fetch = Callable[[str, Mapping[str, Any] | None], Awaitable[Any]]


@attrs.frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list: its items, the total when the server sends one, the next link."""

    items: Sequence[T]
    total: int | None
    next_url: str | None
    url: str


def _split(raw: Any, url: str) -> tuple[list[Any], int | None, str | None]:
    """Items, total and next link of a raw list response (envelope or bare array)."""
    if isinstance(raw, list):
        return raw, None, None
    if isinstance(raw, dict) and isinstance(raw.get("results"), list):
        count = raw.get("count")
        return raw["results"], count if isinstance(count, int) else None, raw.get("next") or None
    raise SkilljarError(f"expected a list response, got {type(raw).__name__}", url=url)


class AsyncPaginator(Generic[T]):
    """`await p` → the first `Page`; `async for item in p` → every item; `p.pages()` → pages."""

    def __init__(
        self,
        fetch: Fetch,
        url: str,
        *,
        parse: Callable[[Any], T],
        params: Mapping[str, Any] | None = None,
        max_items: int | None = None,
        read_ahead: bool = True,
    ) -> None:
        if max_items is not None and max_items < 0:
            raise ValueError(f"max_items must be >= 0, got {max_items!r}")
        self._fetch = fetch
        self._url = url
        self._params = params
        self._parse = parse
        self._max_items = max_items
        self._read_ahead = read_ahead

    def __repr__(self) -> str:
        return f"<AsyncPaginator {self._url}>"

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._page(self._url, self._params).__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page in order, trimmed to `max_items`, one page fetched ahead."""
        yielded = 0
        limit = self._max_items
        if limit == 0:
            return
        url = self._url
        pending: asyncio.Task[Page[T]] | None = None
        seen = {url}
        # One span over the whole scan (with an OTel SDK): each page's attempts nest in it.
        scan = _otel.operation("paginate", url=url, params=self._params)
        failed: BaseException | None = None
        try:
            with _otel.within(scan):
                page = await self._resumable(self._page(url, self._params), url, yielded)
            while True:
                room = None if limit is None else limit - yielded
                more = page.next_url is not None and (room is None or len(page.items) < room)
                if more:
                    _check_next(page, seen)
                if more and self._read_ahead:
                    with _otel.within(scan):  # the task copies the context now
                        pending = _background(self._page(page.next_url, None))  # type: ignore[arg-type]
                if room is not None and len(page.items) > room:
                    page = attrs.evolve(page, items=page.items[:room])
                yield page
                yielded += len(page.items)
                if not more:
                    return
                url = page.next_url  # type: ignore[assignment]
                step = pending if pending is not None else self._page(url, None)
                pending = None
                with _otel.within(scan):
                    page = await self._resumable(step, url, yielded)
        except BaseException as exc:
            failed = exc
            raise
        finally:
            if pending is not None:
                pending.cancel()
            _otel.end(scan, None if isinstance(failed, GeneratorExit) else failed)

    async def _resumable(self, step: Awaitable[Page[T]], url: str, yielded: int) -> Page[T]:
        try:
            return await step
        except SkilljarError as exc:
            exc.resume_from = url
            exc.items_yielded = yielded
            raise

    async def _page(self, url: str, params: Mapping[str, Any] | None) -> Page[T]:
        if not same_origin(self._url, url):
            raise SkilljarError("refusing to follow a next link to another origin", url=self._url)
        raw = await self._fetch(url, params)
        items, total, next_url = _split(raw, url)
        parse = self._parse
        return Page(items=[parse(item) for item in items], total=total, next_url=next_url, url=url)


def _check_next(page: Page[Any], seen: set[str]) -> None:
    """Refuse a next link that would make the scan endless; remember it otherwise."""
    next_url = page.next_url
    assert next_url is not None
    if next_url in seen:
        raise PaginationError(
            "the server's next link repeats a page already read; stopping an endless scan",
            url=next_url,
        )
    if not page.items:
        raise PaginationError(
            "a page with no rows has a next link; stopping a scan that may not end",
            url=next_url,
        )
    seen.add(next_url)


def _background(coro: Awaitable[Page[T]]) -> asyncio.Task[Page[T]]:
    task: asyncio.Task[Page[T]] = asyncio.ensure_future(coro)
    task.add_done_callback(_consume)
    return task


def _consume(task: asyncio.Task[Any]) -> None:
    # A read-ahead the caller abandoned must not log "exception never retrieved".
    if not task.cancelled():
        task.exception()
