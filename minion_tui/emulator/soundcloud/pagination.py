"""Collections as api-v2 pages them (docs/soundcloud.md §1.5).

* `next_href` is absolute, on the real origin, and never carries `client_id`.
* User lists page with opaque cursors in `offset` (`<ISO ms>,tracks,<20 digits>`); a hand-made
  numeric offset other than 0 is rejected with 400 "invalid cursor format".
* Pages are cut over ALL entries, private ones included, then the private ones are dropped, so
  a page can be empty and still carry a `next_href` (as in the recordings).
* Search, charts, albums… use a numeric `offset`.
* `limit` above 200 is a 400: every source agrees 200 is the maximum of a linked-partitioning
  query (YTDLP comment, OAPI `limit` 1–200), and a strict emulator makes a client that asks for
  more fail loudly instead of silently getting fewer items than it thinks.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from minion_tui.emulator.soundcloud.resources import API_ORIGIN

MAX_LIMIT = 200
T = TypeVar("T")


class BadRequest(Exception):
    """Answered as 400 with the message (strict: reject what the real service rejects)."""


def read_limit(params: Any, default: int) -> int:
    raw = params.get("limit")
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise BadRequest(f"invalid limit {raw!r}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


def read_offset(params: Any) -> int:
    raw = params.get("offset") or "0"
    if not raw.isdigit():
        raise BadRequest(f"invalid offset {raw!r}")
    return int(raw)


def next_href(path: str, params: Any, **updates: Any) -> str:
    """The absolute next-page URL: the request's parameters minus client_id, plus updates."""
    pairs = {k: v for k, v in params.multi_items() if k != "client_id"}
    pairs.update({k: str(v) for k, v in updates.items()})
    return f"{API_ORIGIN}{path}?{urlencode(pairs)}"


def local_path(request: Any) -> str:
    """The path on the real origin (without the emulator's mount prefix)."""
    return str(request.url.path).removeprefix(request.scope.get("root_path", ""))


def page_href(request: Any, offset: int | str | None, default_limit: int,
              **extra: Any) -> str | None:
    """next_href for a page, or None on the last one."""
    if offset is None:
        return None
    limit = read_limit(request.query_params, default_limit)
    return next_href(local_path(request), request.query_params, offset=offset, limit=limit,
                     **extra)


def numeric_page(
    items: Sequence[T], params: Any, *, default_limit: int
) -> tuple[list[T], int | None]:
    """(page, next offset or None)."""
    limit, offset = read_limit(params, default_limit), read_offset(params)
    page = list(items[offset:offset + limit])
    return page, (offset + limit if offset + limit < len(items) else None)


@dataclass(frozen=True)
class Entry(Generic[T]):
    at: int  # epoch seconds: the sort key, newest first
    id: int
    item: T
    visible: bool = True
    owner: int = 0  # the list owner, in the like-style cursor


_CURSOR_RE = re.compile(
    r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z),([a-z-]+),(?:000-(\d{20})-)?(\d{20})$"
)


def _cursor(name: str, entry: Entry[Any], like_style: bool) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(entry.at))
    ident = f"{entry.id:020d}"
    return f"{stamp},{name},{f'000-{entry.owner:020d}-' if like_style else ''}{ident}"


def _start(entries: Sequence[Entry[Any]], raw: str | None, name: str) -> int:
    if raw is None or raw == "" or raw == "0":
        return 0
    match = _CURSOR_RE.match(raw)
    if not match or match.group(2) != name:
        raise BadRequest("invalid cursor format")
    at = calendar.timegm(time.strptime(match.group(1)[:19], "%Y-%m-%dT%H:%M:%S"))
    key = (at, int(match.group(4)))
    for n, entry in enumerate(entries):  # keyset: the first entry older than the cursor
        if (entry.at, entry.id) < key:
            return n
    return len(entries)


def cursor_page(entries: Sequence[Entry[T]], params: Any, *, name: str, default_limit: int,
                like_style: bool = False) -> tuple[list[T], str | None]:
    """(visible items of the page, cursor of the next page or None). Entries newest first."""
    limit = read_limit(params, default_limit)
    start = _start(entries, params.get("offset"), name)
    window = entries[start:start + limit]
    page = [e.item for e in window if e.visible]
    more = start + limit < len(entries)
    return page, (_cursor(name, window[-1], like_style) if more and window else None)


def collection(items: list[Any], next_url: str | None, query_urn: str | None = None,
               **extra: Any) -> dict[str, Any]:
    return {"collection": items, "next_href": next_url, "query_urn": query_urn, **extra}


def keyed(items: Sequence[T], at: Callable[[T], int], ident: Callable[[T], int]) -> list[Entry[T]]:
    return [Entry(at(i), ident(i), i) for i in items]
