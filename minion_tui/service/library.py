"""The user's own library: ratings and their history (exported and imported as a file),
pinned sources, the search history, the tags worth offering and where tracks surfaced."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from minion_tui.errors import InvalidArgument
from minion_tui.models import Judgment, Track

if TYPE_CHECKING:
    from pathlib import Path

    from minion_tui.models import JudgmentChange, SearchEntry, Source, SurfacedBy
    from minion_tui.service.catalog import Catalog
    from minion_tui.service.core import Core
    from minion_tui.service.outbox import Outbox

#: Tags offered under Discover while the store holds too few tagged tracks to choose.
DEFAULT_TAGS = ("electronic", "house", "techno", "ambient", "hip hop")
#: What can be pinned: a user's tab ("user_likes"...; target a user URL or URN), a tag,
#: trending, a search (target: the query, urlencoded with its filters) or a playlist.
PINNABLE_KINDS = ("user_tracks", "user_likes", "user_reposts", "user_playlists", "tag",
                  "trending", "search", "playlist", "user_listens", "chart")


class Library:
    """Ratings, sources and history, all in the store."""

    def __init__(self, core: Core, outbox: Outbox | None = None,
                 catalog: Catalog | None = None) -> None:
        self._core = core
        self._outbox = outbox
        self._catalog = catalog

    async def rate(self, urn: str, judgment: Judgment | None) -> None:
        """Record (or clear, with None) the user's judgment of a track; committed on return.

        With ``[accounts] sync_likes``, "liked" on a SoundCloud track also queues a like in
        the outbox (service/outbox.py), in the same transaction: the rating and the like
        owed are kept together or not at all. Nothing else is ever sent ("not interested"
        least of all)."""
        store = await self._core.db()
        if not (judgment is Judgment.LIKED and self._core.settings.accounts.sync_likes
                and urn.startswith("soundcloud:tracks:")):
            await store.call(store.set_judgment, urn, judgment)
            return
        from minion_tui.store import outbox

        def rate_and_queue() -> None:
            with store.transaction(durable=True):
                store.set_judgment(urn, judgment)
                outbox.enqueue(store, "soundcloud", "like", urn)

        await store.call(rate_and_queue)
        if self._outbox is not None:
            self._outbox.kick()  # sent now when it can be; kept in the outbox when not

    async def pull_likes(self, provider: str | None = None) -> dict[str, int]:
        """``likes pull``: the signed-in account's likes (``mylikes``, every page) become
        "liked" judgments of origin ``pull``. A track you judged already keeps your judgment
        (a like on the service never overrides a "not interested" made here), and nothing is
        sent back. Counts: ``tracks`` listed, ``liked`` newly, ``known`` liked already,
        ``kept`` judged otherwise. AuthRequired when nobody is signed in there."""
        if self._catalog is None:
            raise InvalidArgument("This library has no catalog to read your likes from.")
        store = await self._core.db()
        counts = {"tracks": 0, "liked": 0, "known": 0, "kept": 0}
        async for page in self._catalog.browse("mylikes", provider=provider):
            urns = [t.urn for t in page.items if isinstance(t, Track)]
            current = await store.call(store.judgments, urns)
            fresh = [u for u in urns if u not in current]
            counts["tracks"] += len(urns)
            counts["liked"] += len(fresh)
            counts["known"] += sum(1 for u in urns if current.get(u) is Judgment.LIKED)
            counts["kept"] += sum(1 for u in urns
                                  if u in current and current[u] is not Judgment.LIKED)

            def liked(fresh: list[str] = fresh) -> None:
                for urn in fresh:
                    store.set_judgment(urn, Judgment.LIKED, origin="pull")

            await store.call(liked)
        return counts

    async def liked_here(self, *, provider: str = "soundcloud", limit: int = 500
                         ) -> list[str]:
        """The tracks of ``provider`` you rated liked in this app (not those ``likes pull``
        brought in), newest first: your liked discoveries, as the likes playlist keeps them."""
        store = await self._core.db()

        def query() -> list[str]:
            with store.snapshot() as conn:
                rows = conn.execute(
                    "SELECT urn FROM judgments WHERE judgment = 'liked' AND origin != 'pull' "
                    "AND urn LIKE ? ORDER BY decided_at DESC, urn LIMIT ?",
                    (f"{provider}:tracks:%", int(limit))).fetchall()
            return [urn for (urn,) in rows]

        return await store.call(query)

    async def rate_target(self, target: str, judgment: Judgment | None
                          ) -> list[JudgmentChange]:
        """Rate (or clear) a track given by URL or URN and return its whole history. A
        track URN (``soundcloud:tracks:123``) needs no request, so a rating may come before
        the track is fetched; a URL is resolved first (and the track stored)."""
        urn = await self._track_urn(target)
        await self.rate(urn, judgment)
        return await self.history(urn)

    async def history(self, urn: str | None = None) -> list[JudgmentChange]:
        """Every change of the judgments (of one track, or all), oldest first; clearing a
        judgment is a change with judgment None."""
        from minion_tui.store import judgment_log

        store = await self._core.db()
        return await store.call(judgment_log.history, store, urn)

    async def export_judgments(self, fmt: str = "json") -> str:
        """The whole judgment history as the text of a file (``fmt`` json or csv)."""
        from minion_tui.store import judgment_log

        if fmt not in judgment_log.FORMATS:
            raise InvalidArgument(f"Unknown export format {fmt!r}.", hint="Use json or csv.")
        store = await self._core.db()
        return await store.call(judgment_log.dump, store, fmt)

    async def import_judgments(self, path: Path) -> dict[str, int]:
        """Merge an exported file into the history (store/judgment_log.py says how); the
        counts of changes ``added`` and ``known`` and of ``tracks`` touched."""
        import asyncio

        from minion_tui.store import judgment_log

        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidArgument(f"Could not read {path}: {exc}.",
                                  hint="Give the path of a file written by `minion-tui "
                                  "export judgments`.") from exc
        changes = judgment_log.parse(text, name=str(path))
        store = await self._core.db()
        return await store.call(judgment_log.merge, store, changes)

    async def _track_urn(self, target: str) -> str:
        target = target.strip()
        if "://" not in target and target.count(":") == 2 and target.split(":")[1] == "tracks":
            return self._core.checked_urn(target)  # an unknown provider or bad id: refused
        track = await self._core.resolve_as(target, Track)
        await self._core.remember([track])
        return track.urn

    async def my_ratings(
        self, judgments: Sequence[Judgment], *, limit: int | None = None
    ) -> list[Track]:
        """Stored tracks the user judged one of ``judgments``, newest verdict first."""
        store = await self._core.db()
        return await store.call(lambda: store.tracks_by_judgment(judgments, limit=limit))

    async def discover_tags(self, limit: int = 5) -> list[str]:
        """Tags to offer for browsing: the genres/tags carried by the most stored tracks,
        topped up from DEFAULT_TAGS while the store knows too few."""
        from minion_tui.store.catalog_tags import common_tags

        store = await self._core.db()
        found = await store.call(common_tags, store, limit)
        found += [t for t in DEFAULT_TAGS if t not in found]
        return found[:limit]

    async def recent_searches(self, limit: int = 20) -> list[SearchEntry]:
        """Past searches (query, kind, filters), newest first; repeating a search moves it to
        the top instead of listing it twice."""
        store = await self._core.db()
        return await store.call(store.recent_searches, limit)

    async def pinned_sources(self) -> list[Source]:
        """The sources the user pinned, in the order they were first pinned."""
        store = await self._core.db()
        return await store.call(lambda: store.sources(pinned_only=True))

    async def pin_source(self, kind: str, target: str, title: str) -> Source:
        """Pin a source (one of PINNABLE_KINDS) so it is listed on every start; pinning one
        already pinned only renames it."""
        from minion_tui.models import Source

        if kind not in PINNABLE_KINDS:
            raise InvalidArgument(f"A {kind!r} source cannot be pinned.",
                                  hint=f"Pin one of: {', '.join(PINNABLE_KINDS)}.")
        store = await self._core.db()
        known = {(s.kind, s.target): s for s in await store.call(store.sources)}
        # An unpinned row keeps its sync cursor: pinning it again resumes where it stopped.
        source = dataclasses.replace(known.get((kind, target)) or Source(None, kind, target),
                                     title=title, pinned=True)
        source_id = await store.call(store.upsert_source, source)
        return dataclasses.replace(source, id=source_id)

    async def unpin_source(self, kind: str, target: str) -> bool:
        """Unpin a source; False if it was not pinned. The row (and its sync cursor) stays."""
        store = await self._core.db()
        for source in await store.call(store.sources):
            if (source.kind, source.target) == (kind, target) and source.pinned:
                await store.call(store.upsert_source, dataclasses.replace(source, pinned=False))
                return True
        return False

    async def provenance(self, urn: str, *, limit: int = 5) -> list[SurfacedBy]:
        """How a track was surfaced ("Likes of Alice", "Trending"), the latest ``limit``
        distinct sources first; recorded whenever browse() or search() brings it in."""
        from minion_tui.service.catalog import provider_capabilities, provider_title
        from minion_tui.store.surfacing import Wording, surfaced_by

        wording = Wording(title=provider_title,
                          word=lambda name, listing: provider_capabilities(name).word(listing))
        store = await self._core.db()
        return await store.call(surfaced_by, store, urn, limit, wording)
