"""The one façade: every user action of the TUI, the CLI and (later) the agent interface is a
method here. It owns the configuration, the HTTP client, the store and the providers.

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
from typing import TYPE_CHECKING, Any, TypeVar

from minion_tui import config
from minion_tui.errors import InvalidArgument, InvalidURL
from minion_tui.models import Comment, Judgment, Page, Playlist, StreamChoice, Track, User

if TYPE_CHECKING:
    from minion_tui.downloads.batch import Outcome  # downloads (issue 6)
    from minion_tui.downloads.engine import DownloadEvent
    from minion_tui.net import Http, WaitNotice
    from minion_tui.playback.player import PlayerEvent, PlayerState  # playback (issue 5)
    from minion_tui.playback.session import NowPlaying, Playback
    from minion_tui.providers.soundcloud.client import SoundCloud
    from minion_tui.store import Store
    from minion_tui.store.play_queue import HistoryEntry, QueueEntry

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


class Service:
    """Everything the app can do, behind one object.

    Create it with :meth:`open`; close it with :meth:`aclose`. The HTTP client, the store and
    the providers are created lazily on first use.
    """

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
    ) -> Service:
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
        async for page in self._remembered(pages):
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
        return self._remembered(self._listing(listing, target, limit))

    async def _listing(
        self, listing: str, target: str | None, limit: int | None
    ) -> AsyncIterator[Page[Any]]:
        sc = self.soundcloud
        if listing == "trending":
            pages: AsyncIterator[Page[Any]] = sc.trending(limit=limit)
        elif listing == "tag":
            pages = sc.tag(_required(target, "a tag"), limit=limit)
        elif listing in USER_LISTINGS:
            user = await self._resolve_as(_required(target, "a user URL or URN"), User)
            pages = getattr(sc, f"user_{listing}")(user.id, limit=limit)
        elif listing in TRACK_LISTINGS:
            track = await self._resolve_as(_required(target, "a track URL or URN"), Track)
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

    # -- browse pane: the user's own ratings (issue 4) ------------------------------------

    async def my_ratings(
        self, judgments: Sequence[Judgment], *, limit: int | None = None
    ) -> list[Track]:
        """Stored tracks the user judged one of ``judgments``, newest verdict first."""
        store = await self.db()
        return await store.call(lambda: store.tracks_by_judgment(judgments, limit=limit))

    async def playlist_tracks(self, target: str) -> list[Track]:
        """The tracks of a playlist or album (URL or URN), stored with judgments joined in."""
        playlist = await self._resolve_as(target, Playlist)
        return await self._remember(playlist.tracks)

    # -- end browse pane ------------------------------------------------------------------

    # -- playback (issue 5) -------------------------------------------------------------------
    # The player is created on the first play; without libmpv these raise PlayerUnavailable
    # (with the install hint) and the rest of the app keeps working.

    _playback: Playback | None = None
    #: mpv's audio output; None = mpv's default ("null" in tests and benchmarks).
    audio_output: str | None = None
    #: Seconds mpv reads ahead (bounded: a 2 h mix is not pulled into memory at once).
    playback_readahead: float = 20.0

    async def playback(self) -> Playback:
        """The playback engine (player, loopback stream proxy, queue), created on first use."""
        if self._playback is None:
            from minion_tui.playback.player import Player
            from minion_tui.playback.session import Playback
            from minion_tui.playback.stream_proxy import StreamProxy

            player = Player(ao=self.audio_output, volume=self.settings.playback.volume,
                            readahead=self.playback_readahead)
            proxy = StreamProxy(self.http, self.refresh_stream)
            await proxy.start()
            self._playback = Playback(player, proxy, await self.db(), self.stream,
                                      self._track_by_urn)
        return self._playback

    async def _track_by_urn(self, urn: str) -> Track:
        store = await self.db()
        track = await store.call(store.get_track, urn)
        if track is None:
            track = await self._resolve_as(urn, Track)
        return track

    async def play(self, target: str | Track, *, start: float = 0.0) -> NowPlaying:
        """Play a track (URL, URN or Track) now, from ``start`` seconds."""
        track = target if isinstance(target, Track) else await self._resolve_as(target, Track)
        await self._remember([track])
        return await (await self.playback()).play(track, start=start)

    async def pause(self) -> None:
        (await self.playback()).player.pause()

    async def resume(self) -> None:
        (await self.playback()).player.resume()

    async def toggle_pause(self) -> None:
        (await self.playback()).player.toggle()

    async def seek(self, seconds: float, *, relative: bool = False) -> None:
        """Seek to ``seconds`` (or by ``seconds`` with relative=True)."""
        (await self.playback()).player.seek(seconds, relative=relative)

    async def set_volume(self, volume: float) -> None:
        (await self.playback()).player.set_volume(volume)

    async def mute(self, muted: bool | None = None) -> None:
        """Mute, unmute, or (None) toggle."""
        (await self.playback()).player.mute(muted)

    async def next_track(self) -> NowPlaying | None:
        return await (await self.playback()).next()

    async def previous_track(self) -> NowPlaying | None:
        return await (await self.playback()).previous()

    def now_playing(self) -> tuple[NowPlaying | None, PlayerState | None]:
        """The current track and player state (None, None before the first play)."""
        if self._playback is None:
            return None, None
        return self._playback.now, self._playback.player.state

    async def player_events(self) -> AsyncIterator[PlayerEvent]:
        """Every player change (position, pause, end, errors) as an async iterator."""
        async for event in (await self.playback()).player.events():
            yield event

    async def queue(self) -> list[QueueEntry]:
        from minion_tui.store import play_queue as pq

        store = await self.db()
        return await store.call(pq.queue_entries, store)

    async def queue_add(self, targets: Sequence[str | Track], *, next: bool = False
                        ) -> list[QueueEntry]:
        """Append tracks to the queue (or, with next=True, right after the one playing)."""
        from minion_tui.store import play_queue as pq

        tracks = [t if isinstance(t, Track) else await self._resolve_as(t, Track)
                  for t in targets]
        await self._remember(tracks)
        store = await self.db()
        at = await self._after_playing(store) if next else None
        return await store.call(pq.queue_add, store, [t.urn for t in tracks], at=at)

    async def queue_play_next(self, target: str | Track) -> list[QueueEntry]:
        return await self.queue_add([target], next=True)

    async def queue_remove(self, entry_id: int) -> list[QueueEntry]:
        from minion_tui.store import play_queue as pq

        store = await self.db()
        return await store.call(pq.queue_remove, store, entry_id)

    async def queue_move(self, entry_id: int, delta: int) -> list[QueueEntry]:
        """Move a queue entry up (delta < 0) or down."""
        from minion_tui.store import play_queue as pq

        store = await self.db()
        return await store.call(pq.queue_move, store, entry_id, delta)

    async def queue_clear(self) -> None:
        from minion_tui.store import play_queue as pq

        store = await self.db()
        await store.call(pq.queue_clear, store)

    async def queue_shuffle(self) -> list[QueueEntry]:
        """Shuffle the queue; the entry playing (and those before it) stay put."""
        from minion_tui.store import play_queue as pq

        store = await self.db()
        keep = await self._after_playing(store)
        return await store.call(pq.queue_shuffle, store, keep_first=keep)

    async def _after_playing(self, store: Store) -> int:
        """The queue position right after the entry playing (0 when none of it is playing)."""
        from minion_tui.store import play_queue as pq

        ids = [e.id for e in await store.call(pq.queue_entries, store)]
        now = self._playback.now if self._playback else None
        return ids.index(now.queue_entry_id) + 1 if now and now.queue_entry_id in ids else 0

    async def set_repeat(self, mode: str) -> None:
        """Repeat "off", "one" or "all" (remembered across restarts)."""
        from minion_tui.store import play_queue as pq

        if mode not in pq.REPEAT_MODES:
            raise InvalidArgument(f"Unknown repeat mode {mode!r}.",
                                  hint="Use one of: off, one, all.")
        store = await self.db()
        await store.call(pq.set_state, store, "queue.repeat", mode)

    async def play_queue(self, entry_id: int | None = None) -> NowPlaying | None:
        """Play the queue from an entry (default: the first); unplayable ones are skipped."""
        entries = await self.queue()
        chosen = [e for e in entries if entry_id is None or e.id == entry_id][:1]
        return await (await self.playback()).play_entry(chosen[0]) if chosen else None

    async def history(self, limit: int = 50) -> list[HistoryEntry]:
        """Recent plays, newest first, with seconds listened."""
        from minion_tui.store import play_queue as pq

        store = await self.db()
        return await store.call(pq.history, store, limit)

    async def play_again(self, entry: HistoryEntry) -> NowPlaying:
        """Play a history entry's track again."""
        return await self.play(await self._track_by_urn(entry.track_urn))

    async def _close_playback(self) -> None:
        if self._playback is not None:
            playback, self._playback = self._playback, None
            await playback.aclose()

    # -- end of playback -----------------------------------------------------------------------

    # -- downloads (issue 6) -------------------------------------------------------------------

    async def download(
        self,
        targets: Sequence[str],
        *,
        directory: Path | None = None,
        jobs: int | None = None,
        segments: int | None = None,
        format: str | None = None,
        listener: Callable[[DownloadEvent], None] | None = None,
    ) -> list[Outcome]:
        """Download tracks and sets (URLs/URNs) into ``directory`` (settings.downloads.dir).

        Each track ends up complete under its final name or not at all; an interrupted run
        resumes where it stopped when started again. ``listener`` receives DownloadEvents
        (start, segment, bytes, done, skipped, failed). Previews and DRM-only tracks are
        skipped with their reason; the batch goes on."""
        from minion_tui.downloads.batch import download_batch
        from minion_tui.downloads.engine import DownloadOptions

        conf = self.settings.downloads
        options = DownloadOptions(
            directory=Path(directory or conf.dir),
            template=conf.template,
            segments=segments or conf.segments,
            format=format or conf.format,
            listener=listener,
        )

        async def choose(track: Track, prefer: str | None) -> StreamChoice:
            return await self.soundcloud.stream(track, require_full=True, prefer=prefer)

        return await download_batch(self, self.resolve, choose, list(targets), options,
                                    jobs=jobs or conf.parallel, set_template=conf.set_template)

    # -- end of downloads ----------------------------------------------------------------------

    # -- store plumbing ---------------------------------------------------------------------

    async def _remember(self, tracks: Sequence[Track]) -> list[Track]:
        """Store tracks (one transaction) and return them with their judgments joined in."""
        if not tracks:
            return []
        store = await self.db()

        def upsert_and_judge() -> dict[str, Judgment]:
            store.upsert_tracks(tracks)
            return store.judgments(t.urn for t in tracks)

        judged = await store.call(upsert_and_judge)
        return [dataclasses.replace(t, judgment=judged.get(t.urn)) for t in tracks]

    async def _remembered(self, pages: AsyncIterator[Page[Any]]) -> AsyncIterator[Page[Any]]:
        async for page in pages:
            items = list(page.items)
            tracks = [i for i in items if isinstance(i, Track)]
            if tracks:
                joined = iter(await self._remember(tracks))
                items = [next(joined) if isinstance(i, Track) else i for i in items]
            yield Page(items=items, next_href=page.next_href, total=page.total)


def _required(value: str | None, what: str) -> str:
    if not value:
        raise InvalidArgument(f"This listing needs {what}.")
    return value


__all__ = ["Comment", "Service"]
