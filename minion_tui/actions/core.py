"""What every part of the façade shares: the configuration, the HTTP client, the store and
the providers, reading (resolve, stream, search, browse) and rating. The actions of each
domain are mixins over this core (library.py, listening.py, downloads.py); service.py puts
them together as the one :class:`~minion_tui.service.Service`.

Nothing here imports Textual or Rich (ARCHITECTURE.md rule 1; a test checks it in a fresh
interpreter), and heavy modules are created on first use so `minion-tui --help` and the TUI's
first frame stay fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self, TypeVar

from minion_tui import config
from minion_tui.errors import InvalidArgument, InvalidURL
from minion_tui.models import Judgment, Page, Playlist, StreamChoice, Track, User

if TYPE_CHECKING:
    from minion_tui.net import Http, WaitNotice
    from minion_tui.providers.soundcloud.client import SoundCloud
    from minion_tui.store import Store
    from minion_tui.store.surfacing import Surfacing  # details (issue 4)

log = logging.getLogger(__name__)

Resource = Track | Playlist | User
Item = TypeVar("Item")

DB_FILENAME = "minion.db"

#: Listings of a user, by the names the CLI and the TUI use.
USER_LISTINGS = ("tracks", "toptracks", "likes", "reposts", "playlists", "albums",
                 "followings", "followers")
#: Listings of a track.
TRACK_LISTINGS = ("related", "station", "comments")
SEARCH_KINDS = ("tracks", "users", "playlists", "albums", "all")


class ServiceCore:
    """The owned components and the reading actions. Create the façade with
    :meth:`open`; close it with :meth:`aclose`. The HTTP client, the store and the providers
    are created lazily on first use."""

    def __init__(
        self,
        settings: config.Settings,
        *,
        demo: bool = False,
        data_dir: Path | None = None,
        demo_notice: str | None = None,
    ) -> None:
        self.settings = settings
        self.demo = demo
        self.demo_notice = demo_notice
        self.data_dir = Path(data_dir) if data_dir else config.data_dir()
        self._http: Http | None = None
        self._store: Store | None = None
        self._soundcloud: SoundCloud | None = None
        self._wait_listeners: list[Callable[[WaitNotice], None]] = []
        self._store_lock = asyncio.Lock()

    @classmethod
    def open(
        cls,
        *,
        settings: config.Settings | None = None,
        demo: bool = False,
        data_dir: Path | None = None,
        demo_notice: str | None = None,
        endpoints: Mapping[str, str] | None = None,
    ) -> Self:
        """Load the configuration (raising ConfigError listing every problem) and build the
        service. ``endpoints`` extends the endpoint map (the demo installs its emulator's map)."""
        settings = settings or config.load_settings()
        if endpoints:
            merged = {**settings.endpoints, **endpoints}
            settings = dataclasses.replace(settings, endpoints=merged)
        return cls(settings, demo=demo, data_dir=data_dir, demo_notice=demo_notice)

    # -- owned components -------------------------------------------------------------------

    @property
    def http(self) -> Http:
        if self._http is None:
            from minion_tui.net import BROWSER_USER_AGENT, EndpointMap, Http, HttpOptions

            net = self.settings.net
            options = HttpOptions(
                endpoints=EndpointMap.from_dict(self.settings.endpoints),
                rate_limit=net.rate_limit,
                cdn_rate_limit=net.cdn_rate_limit,  # CDN budget (net/hosts.py)
                max_retries=net.max_retries,
                timeout=net.timeout,
                deadline=net.deadline,
                retry_after_cap=net.retry_after_cap,
                user_agent=net.user_agent or BROWSER_USER_AGENT,
            )
            self._http = Http(options, on_wait=self._announce_wait)
        return self._http

    async def db(self) -> Store:
        """The store, opened (and migrated) on a worker thread the first time it is needed,
        so neither the migration nor its backup copy ever runs on the event loop."""
        if self._store is None:
            async with self._store_lock:
                if self._store is None:
                    from minion_tui.store import Store

                    self._store = await asyncio.to_thread(
                        Store.open, self.data_dir / DB_FILENAME
                    )
        return self._store

    @property
    def soundcloud(self) -> SoundCloud:
        if self._soundcloud is None:
            from minion_tui.providers.soundcloud.client import SoundCloud

            sc = self.settings.soundcloud
            self._soundcloud = SoundCloud(
                self.http,
                cache_dir=config.cache_dir(),
                client_id=sc.client_id,
                oauth_token=sc.access_token,
            )
        return self._soundcloud

    def on_wait(self, listener: Callable[[WaitNotice], None]) -> None:
        """Be told when a request has to wait long (rate limits, Retry-After)."""
        self._wait_listeners.append(listener)

    def _announce_wait(self, notice: WaitNotice) -> None:
        log.info("waiting %.1f s for %s: %s", notice.seconds, notice.host, notice.reason)
        for listener in self._wait_listeners:
            listener(notice)

    async def aclose(self) -> None:
        """Release the HTTP client and close the database cleanly."""
        await self._close_playback()  # playback (issue 5): before the client it uses
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._store is not None:
            store, self._store = self._store, None
            await asyncio.to_thread(store.close)

    async def _close_playback(self) -> None:
        """Stop the player before the client it reads through (listening.py overrides)."""

    # -- reading ----------------------------------------------------------------------------

    def _provider(self, target: str) -> SoundCloud:
        from minion_tui.providers.registry import provider_for

        name = provider_for(target)
        if name == "soundcloud":
            return self.soundcloud
        raise InvalidURL(f"{name} is not supported yet: {target}")  # pragma: no cover

    async def resolve(self, target: str) -> Resource:
        """Resolve a URL, short link or URN to a track, playlist (tracks hydrated) or user."""
        resource = await self._provider(target).resolve(target)
        if isinstance(resource, Track):
            return (await self._remember([resource]))[0]
        if isinstance(resource, Playlist):
            tracks = await self._remember(resource.tracks)
            return dataclasses.replace(resource, tracks=tuple(tracks))
        store = await self.db()
        await store.call(store.upsert_users, [resource])
        return resource

    async def stream(self, target: str | Track, *, require_full: bool = False) -> StreamChoice:
        """Pick a playable stream: never DRM; previews flagged (or refused with require_full)."""
        track = target if isinstance(target, Track) else await self._resolve_as(target, Track)
        return await self.soundcloud.stream(track, require_full=require_full)

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        """Re-sign a stream whose URL expired (the CDN answered 403)."""
        return await self.soundcloud.refresh_stream(choice)

    def search(
        self,
        query: str,
        *,
        kind: str = "tracks",
        genre: str | None = None,
        duration: str | None = None,
        created: str | None = None,
        license: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Page[Any]]:
        """Search; pages stream in as they arrive. The search is kept in the history."""
        if kind not in SEARCH_KINDS:
            raise InvalidArgument(
                f"Unknown search type {kind!r}.", hint=f"Use one of: {', '.join(SEARCH_KINDS)}."
            )
        filters = {k: v for k, v in (("genre", genre), ("duration", duration),
                                      ("created", created), ("license", license)) if v}
        pages = self.soundcloud.search(query, kind=kind, limit=limit, **filters)
        return self._recorded_search(query, kind, filters, pages)

    async def _recorded_search(
        self, query: str, kind: str, filters: dict[str, str], pages: AsyncIterator[Page[Any]]
    ) -> AsyncIterator[Page[Any]]:
        store = await self.db()
        await store.call(store.add_search, query, kind, filters)
        from minion_tui.store.surfacing import for_search  # details (issue 4): provenance

        async for page in self._remembered(pages, lambda: for_search(query)):
            yield page

    async def autocomplete(self, query: str, *, limit: int = 10) -> list[str]:
        """Suggestions for a partial query, from the service."""
        return await self.soundcloud.autocomplete(query, limit=limit)

    def browse(
        self, listing: str, target: str | None = None, *, limit: int | None = None
    ) -> AsyncIterator[Page[Any]]:
        """A listing: ``trending``; ``tag`` TAG; a user's USER_LISTINGS; a track's
        TRACK_LISTINGS. Pages stream in as they arrive; tracks are stored with their
        judgments joined in."""
        from minion_tui.store.surfacing import for_listing  # details (issue 4): provenance

        subject: list[User | Track] = []
        pages = self._listing(listing, target, limit, seen=subject)
        return self._remembered(
            pages, lambda: for_listing(listing, subject[0] if subject else None, target))

    async def _listing(
        self, listing: str, target: str | None, limit: int | None,
        *, seen: list[User | Track] | None = None,
    ) -> AsyncIterator[Page[Any]]:
        # ``seen`` receives the user or track the listing is about, once resolved (provenance).
        sc = self.soundcloud
        if listing == "trending":
            pages: AsyncIterator[Page[Any]] = sc.trending(limit=limit)
        elif listing == "tag":
            pages = sc.tag(_required(target, "a tag"), limit=limit)
        elif listing in USER_LISTINGS:
            user = await self._resolve_as(_required(target, "a user URL or URN"), User)
            if seen is not None:
                seen.append(user)
            pages = getattr(sc, f"user_{listing}")(user.id, limit=limit)
        elif listing in TRACK_LISTINGS:
            track = await self._resolve_as(_required(target, "a track URL or URN"), Track)
            if seen is not None:
                seen.append(track)
            pages = getattr(sc, listing)(track.id, limit=limit)
        else:
            known = ", ".join(("trending", "tag", *USER_LISTINGS, *TRACK_LISTINGS))
            raise InvalidArgument(f"Unknown listing {listing!r}.", hint=f"Use one of: {known}.")
        async for page in pages:
            yield page

    async def _resolve_as(self, target: str, cls: type[Item]) -> Item:
        resource = await self._provider(target).resolve(target)
        if not isinstance(resource, cls):
            raise InvalidArgument(
                f"{target} is a {resource.kind}, not a {cls.__name__.lower()}.",
                hint=f"Pass the URL or URN of a {cls.__name__.lower()}.",
            )
        return resource

    # -- rating -----------------------------------------------------------------------------

    async def rate(self, urn: str, judgment: Judgment | None) -> None:
        """Record (or clear, with None) the user's judgment of a track; committed on return."""
        store = await self.db()
        await store.call(store.set_judgment, urn, judgment)


    # -- store plumbing ---------------------------------------------------------------------

    async def _remember(
        self, tracks: Sequence[Track], surfacing: Surfacing | None = None
    ) -> list[Track]:
        """Store tracks (one transaction, with their provenance when ``surfacing`` says where
        they came from) and return them with their judgments joined in."""
        if not tracks:
            return []
        store = await self.db()

        def upsert_and_judge() -> dict[str, Judgment]:
            from minion_tui.store.surfacing import record  # details (issue 4): provenance

            record(store, tracks, surfacing)
            return store.judgments(t.urn for t in tracks)

        judged = await store.call(upsert_and_judge)
        return [dataclasses.replace(t, judgment=judged.get(t.urn)) for t in tracks]

    async def _remembered(
        self,
        pages: AsyncIterator[Page[Any]],
        surfacing: Callable[[], Surfacing | None] | None = None,
    ) -> AsyncIterator[Page[Any]]:
        # ``surfacing`` is asked once the first page is in: the listing's subject (the user
        # whose likes these are) is only resolved by then.
        async for page in pages:
            items = list(page.items)
            tracks = [i for i in items if isinstance(i, Track)]
            if tracks:
                surfaced = surfacing() if surfacing else None
                joined = iter(await self._remember(tracks, surfaced))
                items = [next(joined) if isinstance(i, Track) else i for i in items]
            yield Page(items=items, next_href=page.next_href, total=page.total)


def _required(value: str | None, what: str) -> str:
    if not value:
        raise InvalidArgument(f"This listing needs {what}.")
    return value

