"""Discovery as the front ends use it: follow and unfollow sources, list them, sync them.

The walking is minion_tui/discovery/sync.py's; this module resolves what the user typed
(a profile URL or URN, ``trending``, ``#tag``, the followings of a profile), and hands the
sync the providers' listings: a provider's ``user_activity`` when it has one (the time of
each like, repost or upload), else its ``user_listing`` with the time the item was seen. A
user is followed by the listings the provider declares in ``Capabilities.discovery_listings``
(SoundCloud: likes and reposts; Mixcloud: favourites and shows), so no provider is named.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from minion_tui.errors import InvalidArgument
from minion_tui.models import Activity, FollowedSource, Page, SyncEvent, SyncSummary, Track, User

if TYPE_CHECKING:
    from minion_tui.discovery.sources import SourceKind
    from minion_tui.service.core import Core


class Discovery:
    """Followed sources and their sync, all in the store."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._synced: list[Callable[[SyncSummary], None]] = []

    def on_synced(self, listener: Callable[[SyncSummary], None]) -> Callable[[], None]:
        """Be told of every sync of this process once it has finished (the desktop's
        notification); returns the function that unsubscribes."""
        self._synced.append(listener)
        return lambda: self._synced.remove(listener) if listener in self._synced else None

    async def follow(self, targets: Sequence[str], *, followings_of: str | None = None
                     ) -> list[FollowedSource]:
        """Follow each target (a user's URL or URN: the listings their provider offers
        discovery, e.g. likes and reposts, or favourites and shows; ``trending``;
        ``#tag``) and, with ``followings_of``, every user that profile follows. Returns the
        sources of what was named, followed now or before."""
        from minion_tui.discovery import sources as kinds
        from minion_tui.store.source_sync import follow

        wanted: list[tuple[str, str, str]] = []
        users: list[User] = []
        for target in targets:
            listing = kinds.listing_target(target)
            if listing is not None:
                kind, name = listing
                wanted.append((kind, name, kinds.title(kind, name)))
                continue
            users.append(await self._core.resolve_as(target, User))
        if followings_of:
            users += await self._followings(followings_of)
        if not wanted and not users:
            raise InvalidArgument("Nothing to follow.",
                                  hint="Name a profile (URL or URN), trending, #tag, or "
                                  "--followings-of USER.")
        for user in users:
            offered = self._core.provider_of(user).capabilities.discovery_listings
            wanted += [(f"user_{name}", user.urn, kinds.title(f"user_{name}", user.username))
                       for name in kinds.ACTIVITY_LISTINGS if name in offered]
        store = await self._core.db()
        if users:
            await store.call(store.upsert_users, users)
        await store.call(follow, store, wanted)
        named = {(k, t) for k, t, _ in wanted}
        return [s for s in await self.sources() if (s.kind, s.target) in named]

    async def _followings(self, target: str) -> list[User]:
        user = await self._core.resolve_as(target, User)
        provider = self._core.provider_of(user)
        if "followings" not in provider.capabilities.user_listings:
            raise InvalidArgument(f"{provider.name} lists nobody's followings.")
        found: list[User] = []
        async for page in provider.user_listing("followings", user.id):
            found += [u for u in page.items if isinstance(u, User)]
        return found

    async def unfollow(self, target: str) -> int:
        """Stop following a target (as :meth:`follow` takes it); the tracks it surfaced keep
        their provenance. Returns how many sources were followed (InvalidArgument if none)."""
        from minion_tui.discovery.sources import listing_target
        from minion_tui.store.source_sync import unfollow

        listing = listing_target(target)
        if listing is not None:
            key = listing[1]
        elif target.count(":") == 2 and "://" not in target:
            key = self._core.checked_urn(target)  # a URN: no need to ask the service
        else:
            key = (await self._core.resolve_as(target, User)).urn
        store = await self._core.db()
        removed = await store.call(unfollow, store, key)
        if not removed:
            raise InvalidArgument(f"You do not follow {target}.",
                                  hint="`minion-tui discover list` shows what you follow.")
        return removed

    async def sources(self) -> list[FollowedSource]:
        """Every followed source with how many tracks it surfaced and when it was synced."""
        from minion_tui.discovery.sources import provenance_source
        from minion_tui.store.source_sync import followed, listed

        store = await self._core.db()

        def read() -> list[FollowedSource]:
            rows = followed(store)
            return listed(store, {r.id: provenance_source(r.kind, r.target) for r in rows})

        return await store.call(read)

    async def sync(self, on_event: Callable[[SyncEvent], None] | None = None) -> SyncSummary:
        """Pull every followed source (incrementally; in full every
        ``[discovery] full_rewalk_days``), reporting each page merged to ``on_event``."""
        from minion_tui.discovery.sync import sync
        from minion_tui.service.inbox import refresh_scores

        store = await self._core.db()
        http = self._core.http
        settings = self._core.settings.discovery
        summary = await sync(store, self._pages, requests=lambda: http.stats.requests,
                             full_rewalk_days=settings.full_rewalk_days, on_event=on_event)
        # The inbox's scores brought up to date here, while the user waits for the sync
        # anyway: after a large sync that is a rebuild of seconds, not the next inbox's wait.
        await store.call(lambda: refresh_scores(store, settings, datetime.now(UTC)))
        for listener in list(self._synced):
            listener(summary)
        return summary

    def _pages(self, kind: SourceKind, target: str, page_size: int, start: str | None
               ) -> AsyncIterator[Page[Activity]]:
        from minion_tui.discovery.sources import SNAPSHOT_SIZE
        from minion_tui.providers.base import ActivityReader
        from minion_tui.providers.registry import names

        if kind.of_user:
            provider = self._core.provider_of(target)
            user_id = target.rpartition(":")[2]
            if isinstance(provider, ActivityReader):
                return provider.user_activity(kind.listing, user_id, page_size=page_size,
                                              start=start)
            return _seen_now(provider.user_listing(kind.listing, user_id), kind.action)
        chart = self._core.provider(names()[0])
        if kind.kind == "trending":
            return _seen_now(chart.chart("trending", limit=SNAPSHOT_SIZE), kind.action)
        return _seen_now(chart.tag(target, limit=SNAPSHOT_SIZE), kind.action)


async def _seen_now(pages: AsyncIterator[Page[Any]], action: str
                    ) -> AsyncIterator[Page[Activity]]:
    """A listing without times as activities dated when seen (the sync fills in now)."""
    async for page in pages:
        yield Page(items=[Activity(t, action) for t in page.items if isinstance(t, Track)],
                   next_href=page.next_href)
