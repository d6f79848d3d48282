"""A Mixcloud user's favourites and shows as discovery activity: the reader behind
:class:`~minion_tui.providers.base.ActivityReader`, as SoundCloud's ``user_activity`` is.

- **Favourites** (``/USER/favorites/``, surfaced as kind ``like``) carry no date of the
  favouriting: a list item is the show itself (docs/mixcloud.md §2.1). The list is paged by
  that date, though (§1.4): a page asked with ``until=T`` holds favourites made before T, so
  each is dated by the page's upper bound T; the first page (asked with no ``until``) by the
  moment it was read (None: the sync fills in now). Upper bounds, never earlier than the
  truth, so a sync's high-water mark can only stop a walk late, never early.
- **Shows** (``/USER/cloudcasts/``, kind ``upload``) are dated by their ``created_time``,
  the date the list pages by.

Pages follow ``paging.next`` exactly as given and may start from one (``start``), so a
killed sync goes on where it stopped. A show met twice in one walk (date paging may repeat
the boundary item, §1.4) is yielded once; a link met twice, or too many empty pages in a row,
ends the walk (as ``Api.pages`` does).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from minion_tui.errors import InvalidArgument
from minion_tui.models import Activity, Page, Track
from minion_tui.providers.mixcloud import listings, parse
from minion_tui.providers.mixcloud.api import MAX_EMPTY_PAGES, MAX_PAGE_SIZE

if TYPE_CHECKING:
    from minion_tui.providers.mixcloud.api import Api
    from minion_tui.providers.mixcloud.urls import Target

#: Discovery's listings → (the REST tab under the user, the provenance kind).
ACTIVITY_TABS = {"likes": ("favorites", "like"), "tracks": ("cloudcasts", "upload")}
#: Unix times past this are not dates (a malformed ``until``).
_LAST_DATE = 10**11


def user_activity(api: Api, user: Target, listing: str, *, page_size: int,
                  start: str | None, note: Callable[[Track], Track]
                  ) -> AsyncIterator[Page[Activity]]:
    """Pages of the user's ``likes`` (favourites) or ``tracks`` (shows) as activity, newest
    first, empty pages included, each with the ``next_href`` that ``start`` goes on from.
    The listing is checked on the call."""
    if listing not in ACTIVITY_TABS:
        raise InvalidArgument(f"Mixcloud has no {listing!r} activity of a user.",
                              hint=f"Use one of: {', '.join(ACTIVITY_TABS)}.")
    tab, kind = ACTIVITY_TABS[listing]
    return _walk(api, user, tab, kind, max(1, min(page_size, MAX_PAGE_SIZE)), start, note)


async def _walk(api: Api, user: Target, tab: str, kind: str, size: int, start: str | None,
                note: Callable[[Track], Track]) -> AsyncIterator[Page[Activity]]:
    url = start or f"{user.path}{tab}/"
    query: dict[str, str] | None = None if start else {"limit": str(size)}
    seen_links: set[str] = set()
    seen_shows: set[str] = set()
    empty = 0
    while True:
        body = await api.get(url, query, what=f"{tab} of {user.web_url}")
        items, following, _name = parse.envelope(body)
        bound = upper_bound(url) if kind == "like" else None
        found: list[Activity] = []
        for show in listings.convert(items, "cloudcast"):
            if show.urn in seen_shows:
                continue
            seen_shows.add(show.urn)
            found.append(Activity(note(show), kind, bound if kind == "like" else show.created_at))
        empty = 0 if items else empty + 1
        stuck = following is not None and (following in seen_links or empty >= MAX_EMPTY_PAGES)
        yield Page(items=found, next_href=None if stuck else following)
        if following is None or stuck:
            return
        seen_links.add(following)
        url, query = following, None


def upper_bound(url: str) -> str | None:
    """The ``until`` a page was asked with, as ISO 8601 UTC (``YYYY-MM-DD HH:MM:SS`` or a
    Unix time, docs/mixcloud.md §1.4); None when it was asked with none."""
    values = parse_qs(urlsplit(url).query).get("until")
    if not values:
        return None
    text = values[-1].strip()
    if text.isdigit():
        seconds = int(text)
        return (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
                if seconds < _LAST_DATE else None)
    return parse.iso_date(text)
