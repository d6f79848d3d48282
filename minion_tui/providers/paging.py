"""What every provider's listings share: pages trimmed to a caller's limit, each item listed
once, and a bounded map of what a client remembers (links, stream sources)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

from minion_tui.models import Page

T = TypeVar("T")
V = TypeVar("V")


class RawPage(Protocol):
    """One page as a provider's API layer read it: the items still raw, the link to the next
    page exactly as the service gave it, and the total when the service says."""

    @property
    def items(self) -> list[Any]: ...

    @property
    def next_href(self) -> str | None: ...

    @property
    def total(self) -> int | None: ...


async def limited(
    raw_pages: AsyncGenerator[Any, None],
    convert: Callable[[list[Any]], Awaitable[list[T]]],
    limit: int | None,
) -> AsyncIterator[Page[T]]:
    """Pages whose items never exceed what remains of ``limit``; stops when it is reached or
    the list ends; an item met twice is listed once (a cursor that loops back, date paging
    that repeats its boundary item). Empty pages are walked through silently: only an
    entirely empty listing yields one empty page, so callers still learn the total.
    ``raw_pages`` yields :class:`RawPage` objects and is closed on the way out."""
    remaining = limit
    yielded = False
    seen: set[tuple[str, str]] = set()
    try:
        if remaining is not None and remaining <= 0:
            return
        async for raw in raw_pages:
            items = _unseen(await convert(raw.items), seen)
            if remaining is not None:
                items = items[:remaining]
                remaining -= len(items)
            last = raw.next_href is None or remaining == 0
            if items or (last and not yielded):
                yield Page(items=items, next_href=None if last else raw.next_href,
                           total=raw.total)
                yielded = True
            if last:
                return
    finally:
        await raw_pages.aclose()


def _unseen(items: list[T], seen: set[tuple[str, str]]) -> list[T]:
    fresh: list[T] = []
    for entry in items:
        ident = getattr(entry, "id", None) or getattr(entry, "slug", None) or id(entry)
        key = (str(getattr(entry, "kind", "") or type(entry).__name__), str(ident))
        if key not in seen:
            seen.add(key)
            fresh.append(entry)
    return fresh


def bounded_put(store: OrderedDict[str, V], key: str, value: V, size: int) -> None:
    """Remember ``value`` under ``key`` as the newest entry, forgetting the oldest past
    ``size``."""
    store[key] = value
    store.move_to_end(key)
    while len(store) > size:
        store.popitem(last=False)
