"""List items → models, and pages trimmed to a caller's limit (an item met twice listed
once: date paging may repeat the boundary item, docs/mixcloud.md §1.4)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from minion_tui.providers.mixcloud import parse
from minion_tui.providers.mixcloud.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

log = logging.getLogger(__name__)
T = TypeVar("T")

_PARSERS: dict[str, Callable[[Any], Any]] = {
    "cloudcast": parse.track, "user": parse.user, "comment": parse.comment,
    "tag": parse.tag, "playlist": parse.playlist,
}


def convert(items: list[Any], want: str) -> list[Any]:
    """Items of the wanted kind (``cloudcast``, ``user``, ``comment``, ``tag``, ``playlist``,
    or ``feed``: the cloudcasts feed items name), in order; unusable ones skipped."""
    out: list[Any] = []
    for entry in items:
        if want == "feed":
            out += [m for m in (_safe(parse.track, c) for c in parse.feed_cloudcasts(entry))
                    if m is not None]
            continue
        kind = parse.item_kind(entry) or want
        if kind != want:
            continue
        model = _safe(_PARSERS[want], entry)
        if model is not None:
            out.append(model)
    return out


def _safe(parser: Callable[[Any], T], data: Any) -> T | None:
    try:
        return parser(data)
    except parse.MalformedResponse as exc:
        log.info("skipping an unusable Mixcloud item: %s", exc.message)
        return None


def page_size_for(limit: int | None) -> int:
    return min(limit, MAX_PAGE_SIZE) if limit else DEFAULT_PAGE_SIZE
