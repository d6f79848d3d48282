"""Collection items → models, and pages trimmed to a caller's limit.

Stub tracks met in any list are hydrated through ``/tracks?ids=`` (the same path as playlist
stubs); malformed items are skipped and logged, never fatal for the page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from minion_tui.models import Activity, Comment, Playlist, Track, User
from minion_tui.providers.soundcloud import parse
from minion_tui.providers.soundcloud.api import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Api
from minion_tui.providers.soundcloud.parse import MalformedResponse

log = logging.getLogger(__name__)

T = TypeVar("T")
IDS_PER_CALL = 50  # more gives HTTP 400 (docs/soundcloud.md §1.1, NOTES-ES)
PARALLEL_BATCHES = 4

Hydrator = Callable[[Sequence[str]], Awaitable[list[Track]]]
Item = Track | Playlist | User


async def fetch_tracks(
    api: Api, ids: Sequence[str], *, playlist_id: str | None = None,
    playlist_secret: str | None = None,
) -> list[Track]:
    """``/tracks?ids=`` in batches of ≤ 50, a few at once; the answer's order is not the
    request's (docs/soundcloud.md §1.1), so it is restored; ids SoundCloud does not return are
    skipped."""
    unique = list(dict.fromkeys(i for i in ids if i))
    batches = [unique[i:i + IDS_PER_CALL] for i in range(0, len(unique), IDS_PER_CALL)]
    gate = asyncio.Semaphore(PARALLEL_BATCHES)

    async def one(batch: list[str]) -> list[Any]:
        params = {"ids": ",".join(batch)}
        if playlist_id:  # lets SoundCloud hydrate the tracks of a private set
            params["playlistId"] = playlist_id
            if playlist_secret:
                params["playlistSecretToken"] = playlist_secret
        async with gate:
            items, _, _ = parse.envelope(await api.get("/tracks", params))
        return items

    found: dict[str, Track] = {}
    for items in await asyncio.gather(*(one(b) for b in batches)):
        for entry in items:
            parsed = _safe(parse.track, entry)
            if parsed is not None and not parse.is_stub(entry):
                found[parsed.id] = parsed
    return [found[i] for i in ids if i in found]


class TrackMemo:
    """Track objects already parsed, by what would change their parse: a sync meets the same
    track in many people's likes and reposts (most of 40,000 rows are repeats of 8,000
    tracks), and parsing a full object (its transcodings, availability, dates) was most of a
    sync's CPU. An entry is reused only when the id, ``last_modified``, policy and counts are
    the ones it was parsed from; bounded, so a long session does not grow it."""

    _KEYS = ("last_modified", "policy", "monetization_model", "playback_count", "likes_count",
             "favoritings_count", "reposts_count", "comment_count")

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._parsed: dict[tuple[Any, ...], Track] = {}

    def track(self, data: Any) -> Track:
        if not isinstance(data, dict) or data.get("id") is None or not data.get("last_modified"):
            return parse.track(data)
        key = (data.get("id"), *(data.get(k) for k in self._KEYS))
        found = self._parsed.get(key)
        if found is None:
            found = parse.track(data)
            if len(self._parsed) >= self._size:
                self._parsed.clear()
            self._parsed[key] = found
        return found


def _safe(convert: Callable[[Any], T], data: Any) -> T | None:
    try:
        return convert(data)
    except MalformedResponse as exc:
        log.info("skipping an unusable item: %s", exc.message)
        return None


async def convert_items(items: list[Any], hydrate: Hydrator, *, want: str,
                        memo: TrackMemo | None = None) -> list[Any]:
    """Collection items → models of the wanted kind (``track``, ``playlist``, ``user``,
    ``comment`` or ``any``), in order; stub tracks hydrated in one batched lookup; tracks
    through ``memo`` when given."""
    picked: list[tuple[str, dict[str, Any]]] = []
    for entry in items:
        found = parse.item(entry)
        if found is None:
            continue
        kind, data = found
        kind = kind or (want if want != "any" else "track")
        if want in ("any", kind) and kind in ("track", "playlist", "user", "comment"):
            picked.append((kind, data))
    stubs = [data for kind, data in picked if kind == "track" and parse.is_stub(data)]
    stub_ids = [i for i in (_safe(parse.track_id, s) for s in stubs) if i]
    hydrated = {t.id: t for t in await hydrate(stub_ids)} if stub_ids else {}
    out: list[Any] = []
    for kind, data in picked:
        if kind == "track" and parse.is_stub(data):
            tid = _safe(parse.track_id, data)
            model: Any = hydrated.get(tid) if tid else None
        else:
            model = _safe(memo.track if memo and kind == "track" else _PARSERS[kind], data)
        if model is not None:
            out.append(model)
    return out


async def convert_activities(items: list[Any], hydrate: Hydrator, kind: str,
                             memo: TrackMemo | None = None) -> list[Activity]:
    """Likes or reposts items → :class:`Activity` (the track and the item's ``created_at``,
    the time of the like or repost: docs/soundcloud.md §2.5); sets are left out."""
    when: dict[str, str | None] = {}
    for entry in items:
        found = parse.item(entry)
        if found is not None and found[0] in ("track", "") and isinstance(entry, dict):
            tid = _safe(parse.track_id, found[1])
            if tid:
                when[tid] = parse.iso_date(entry.get("created_at"))
    tracks = await convert_items(items, hydrate, want="track", memo=memo)
    return [Activity(t, kind, when.get(t.id)) for t in tracks]


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "track": parse.track, "playlist": parse.playlist, "user": parse.user, "comment": parse.comment,
}


def page_size_for(limit: int | None) -> int:
    return min(limit, MAX_PAGE_SIZE) if limit else DEFAULT_PAGE_SIZE


Converter = Callable[[list[Any]], Awaitable[list[Any]]]
__all__ = ["Comment", "Converter", "TrackMemo", "convert_items", "fetch_tracks",
           "page_size_for"]
