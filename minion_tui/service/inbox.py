"""The inbox: unrated tracks that the artists you follow liked or reposted, best first, each
with the evidence behind its rank; and radio queues grown from a seed by the same trust.

Ranking is discovery/rank.py's, over what discovery sync (and browsing) stored as
provenance; this module fetches the page's candidates, applies the diversity rules and joins
each track with its explanation. Radio (:meth:`Inbox.radio`) adds what the service knows
online about the seed (related tracks or similar shows, its station) to what the seed's
likers liked, stored as provenance like any listing, then ranks that pool with the same
trust.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from minion_tui.config import DiscoverySettings
from minion_tui.discovery import radio as radio_order
from minion_tui.discovery import rank
from minion_tui.errors import InvalidArgument, InvalidURL, StoreError
from minion_tui.models import InboxEntry, RadioEntry, Track, User

if TYPE_CHECKING:
    import sqlite3

    from minion_tui.service.catalog import Catalog
    from minion_tui.service.core import Core
    from minion_tui.store import Store

#: What the inbox shows (provider, genre, duration, dates, availability).
InboxFilters = rank.Filters

#: Candidates fetched per round of the diversity rules (they may set some aside).
_ROUND = 200
#: Most tracks read from one seed's related list or station.
_POOL_MAX = 400
#: Seed tracks taken from an artist given as a radio seed.
_ARTIST_SEEDS = 3
#: Each radio pool read online → the track listings that fill it, the first a provider
#: offers (Mixcloud has no related list or station: its "similar" shows are related ones).
_POOL_LISTINGS = {"related": ("related", "similar"), "station": ("station",)}
#: The listings an artist seed's tracks are taken from, the first offered.
_SEED_LISTINGS = ("toptracks", "tracks")


class Inbox:
    """The ranked inbox and radio queues (``service.inbox``)."""

    def __init__(self, core: Core, catalog: Catalog) -> None:
        self._core = core
        self._catalog = catalog

    async def list(self, *, limit: int = 50, page: int = 0,
                   filters: rank.Filters | None = None,
                   now: datetime | None = None) -> builtins.list[InboxEntry]:
        """Page ``page`` (of ``limit`` tracks) of the inbox: unrated tracks with evidence,
        playable ones first, best score first, under the diversity rules. ``now`` is the
        moment ages are measured from (default: now)."""
        filters = filters or rank.Filters()
        filters.check()
        if filters.mixes_with is not None:
            filters = replace(filters, camelots=await self._mixing_codes(filters.mixes_with))
        moment = now or datetime.now(UTC)
        settings = self._core.settings.discovery
        store = await self._core.db()

        def read() -> builtins.list[InboxEntry]:
            refresh_scores(store, settings, moment)
            with store.snapshot() as conn:
                chosen = _page(conn, settings, filters, moment, limit, page)
                urns = [c.urn for c in chosen]
                explained = rank.explain(conn, settings, urns, now=moment)
            tracks = {t.urn: t for t in store.get_tracks(urns)}
            return [InboxEntry(tracks[c.urn], c.playable, explained[c.urn][1],
                               explained[c.urn][0]) for c in chosen if c.urn in tracks]

        return await store.call(read)

    async def _mixing_codes(self, target: str) -> tuple[str, ...]:
        """The Camelot codes that mix with the measured key of the track ``target`` (its
        code, one step either way, its relative): docs/analysis.md §10."""
        from minion_tui.analysis.camelot import neighbours
        from minion_tui.service.analysis import METHOD_VERSION
        from minion_tui.service.catalog import is_claimed
        from minion_tui.store import sounds

        text = target.strip() if isinstance(target, str) else ""
        if not text:
            raise InvalidArgument("--mixes-with: an empty value names no track.",
                                  hint="Pass the URL or URN of an analysed track.")
        if len(text) > 8192 or not text.isprintable() or not is_claimed(text):
            raise InvalidURL(f"--mixes-with: no provider takes {rank._said(text)}.",
                             hint="Pass the URL or URN of an analysed track.")
        store = await self._core.db()
        # A stored track is known offline (the inbox is an offline command); else resolve.
        stored = await store.call(store.get_track, text)
        track = stored if stored is not None else await self._core.resolve_as(text, Track)
        assert isinstance(track, Track)
        found = await store.call(sounds.by_urn, store, track.urn, METHOD_VERSION)
        code = (found or {}).get("camelot")
        if not code:
            raise InvalidArgument(f"--mixes-with: {track.title!r} has not been analysed.",
                                  hint=f"Run `minion-tui analyze {track.urn}` first.")
        return neighbours(str(code))

    async def radio(self, target: str, *, size: int = 50,
                    now: datetime | None = None) -> builtins.list[RadioEntry]:
        """A queue of ``size`` tracks from a seed track or artist (URL or URN): its related
        tracks, its station and what its likers also liked, ranked by trust; never a track
        you marked not interested, none twice, at most two in a row by one artist."""
        seed = await self._core.provider_for(target).resolve(target)
        if isinstance(seed, User):
            seeds = await self._seed_tracks(seed)
        elif isinstance(seed, Track):
            seeds = [seed]
        else:
            raise InvalidArgument(f"{target} is a {seed.kind}; a radio grows from a track or "
                                  "an artist.", hint="Pass the URL or URN of a track or a user.")
        pools: dict[str, builtins.list[str]] = {"related": [], "station": []}
        # Twice the size from each list: they overlap, and the rules set some aside.
        wanted = min(2 * size, _POOL_MAX)
        for track in seeds:
            await self._core.remember([track])
            offered = self._core.provider_of(track).capabilities.track_listings
            for pool, names in _POOL_LISTINGS.items():
                listing = next((n for n in names if n in offered), None)
                if listing is None:
                    continue
                async for page_ in self._catalog.browse(listing, track.urn, limit=wanted):
                    pools[pool].extend(t.urn for t in page_.items if isinstance(t, Track))
        moment = now or datetime.now(UTC)
        settings = self._core.settings.discovery
        store = await self._core.db()
        seed_urns = [t.urn for t in seeds]
        actors = [seed.urn] if isinstance(seed, User) else []

        def read() -> builtins.list[RadioEntry]:
            with store.snapshot() as conn:
                liked = radio_order.liked_by_likers(conn, seed_urns, actors)
                pools["liked_by"] = liked
                everything = list(dict.fromkeys(u for p in pools.values() for u in p))
                scored = {c.urn: c for c in rank.candidates(
                    conn, settings, rank.Filters(), now=moment, limit=-1, keep="not_rejected",
                    only=[u for u in everything if u not in seed_urns])}
            tracks = {t.urn: t for t in store.get_tracks(list(scored))}
            picks = radio_order.order(pools, scored, tracks, size)
            return [RadioEntry(tracks[urn], via, scored[urn].total) for urn, via in picks]

        return await store.call(read)

    async def save_radio(self, entries: Sequence[RadioEntry], name: str) -> Path:
        """Write a radio queue as an extended M3U (UTF-8) of track URLs, ``name``.m3u8 in the
        downloads folder; ``minion-tui download`` reads it back as a list of URLs."""
        from minion_tui.downloads.m3u import write_url_m3u8

        target = self.radio_path(name)
        await asyncio.to_thread(write_url_m3u8, target, [e.track for e in entries])
        return target

    def radio_path(self, name: str) -> Path:
        """Where :meth:`save_radio` writes the radio ``name``: NAME.m3u8 (made safe as a
        file name) in the downloads folder."""
        from minion_tui.downloads.naming import safe_filename

        if not name.strip():
            raise InvalidArgument("The radio's name is empty.", hint="Give --save a name.")
        return self._core.settings.downloads.dir / safe_filename(name.strip(), "m3u8")

    async def _seed_tracks(self, user: User) -> builtins.list[Track]:
        found: builtins.list[Track] = []
        offered = self._core.provider_of(user).capabilities.user_listings
        listing = next((n for n in _SEED_LISTINGS if n in offered), _SEED_LISTINGS[0])
        async for page_ in self._catalog.browse(listing, user.urn, limit=_ARTIST_SEEDS):
            found.extend(t for t in page_.items if isinstance(t, Track))
            if len(found) >= _ARTIST_SEEDS:
                break
        if not found:
            raise InvalidArgument(f"{user.username} has no tracks to grow a radio from.",
                                  hint="Seed the radio with a track, or another artist.")
        return found[:_ARTIST_SEEDS]


def refresh_scores(store: Store, settings: DiscoverySettings, now: datetime) -> None:
    """Bring the inbox's materialised scores up to date (rank.refresh) before reading them;
    on a read-only database, or while another process writes, the inbox is scored directly
    instead (same ranks, slower)."""
    if store.blocked is not None:
        return
    with store.snapshot() as conn:
        if rank.is_fresh(conn, settings, now):
            return
    try:
        with store.patience(0.2), store.transaction() as conn:
            rank.refresh(conn, settings, now)
    except StoreError:
        pass


def _page(conn: sqlite3.Connection, settings: DiscoverySettings, filters: rank.Filters,
          now: datetime, limit: int, page: int) -> list[rank.Candidate]:
    """Page ``page`` under the diversity rules, reading candidates in rounds until it is
    full or they run out."""
    def ranked() -> Iterator[rank.Candidate]:
        offset = 0
        while True:
            found = rank.candidates(conn, settings, filters, now=now,
                                    limit=max(_ROUND, 4 * limit), offset=offset)
            yield from found
            if len(found) < max(_ROUND, 4 * limit):
                return
            offset += len(found)

    return next(islice(rank.pages(ranked(), limit), page, None), [])
