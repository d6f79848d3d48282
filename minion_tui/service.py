"""The one façade: every user action of the TUI, the CLI and (later) the agent interface is a
method here. It owns the configuration, the HTTP client, the store and the providers.

Nothing here imports Textual or Rich (ARCHITECTURE.md rule 1; a test checks it in a fresh
interpreter), and heavy modules are created on first use so `minion-tui --help` and the TUI's
first frame stay fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from minion_tui import config
from minion_tui.errors import InvalidArgument, InvalidURL
from minion_tui.models import Comment, Judgment, Page, Playlist, StreamChoice, Track, User

if TYPE_CHECKING:
    from minion_tui.downloads.batch import Outcome  # downloads (issue 6)
    from minion_tui.downloads.engine import DownloadEvent, DownloadOptions
    from minion_tui.downloads.jobs import DownloadJob, JobControl
    from minion_tui.net import Http, WaitNotice
    from minion_tui.playback.player import PlayerEvent, PlayerState  # playback (issue 5)
    from minion_tui.playback.session import NowPlaying, Playback
    from minion_tui.providers.soundcloud.client import SoundCloud
    from minion_tui.store import Store
    from minion_tui.store.play_queue import HistoryEntry, QueueEntry
    from minion_tui.store.records import SearchEntry, Source  # sources (issue 4)
    from minion_tui.store.surfacing import SurfacedBy, Surfacing  # details (issue 4)

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

    # -- sources (issue 4) --------------------------------------------------------------------
    # Browse's source list: tags worth offering, pinned sources (the store's sources table)
    # and the search history.

    #: Tags offered under Discover while the store holds too few tagged tracks to choose.
    DEFAULT_TAGS = ("electronic", "house", "techno", "ambient", "hip hop")
    #: What can be pinned: a user's tab ("user_likes"...; target a user URL or URN), a tag,
    #: trending, a search (target: the query, urlencoded with its filters) or a playlist.
    PINNABLE_KINDS = ("user_tracks", "user_likes", "user_reposts", "user_playlists", "tag",
                      "trending", "search", "playlist")

    async def discover_tags(self, limit: int = 5) -> list[str]:
        """Tags to offer for browsing: the genres/tags carried by the most stored tracks,
        topped up from DEFAULT_TAGS while the store knows too few."""
        from minion_tui.store.catalog_tags import common_tags

        store = await self.db()
        found = await store.call(common_tags, store, limit)
        found += [t for t in self.DEFAULT_TAGS if t not in found]
        return found[:limit]

    async def recent_searches(self, limit: int = 20) -> list[SearchEntry]:
        """Past searches (query, kind, filters), newest first; repeating a search moves it to
        the top instead of listing it twice."""
        store = await self.db()
        return await store.call(store.recent_searches, limit)

    async def pinned_sources(self) -> list[Source]:
        """The sources the user pinned, in the order they were first pinned."""
        store = await self.db()
        return await store.call(lambda: store.sources(pinned_only=True))

    async def pin_source(self, kind: str, target: str, title: str) -> Source:
        """Pin a source (one of PINNABLE_KINDS) so it is listed on every start; pinning one
        already pinned only renames it."""
        from minion_tui.store.records import Source

        if kind not in self.PINNABLE_KINDS:
            raise InvalidArgument(f"A {kind!r} source cannot be pinned.",
                                  hint=f"Pin one of: {', '.join(self.PINNABLE_KINDS)}.")
        store = await self.db()
        known = {(s.kind, s.target): s for s in await store.call(store.sources)}
        # An unpinned row keeps its sync cursor: pinning it again resumes where it stopped.
        source = dataclasses.replace(known.get((kind, target)) or Source(None, kind, target),
                                     title=title, pinned=True)
        source_id = await store.call(store.upsert_source, source)
        return dataclasses.replace(source, id=source_id)

    async def unpin_source(self, kind: str, target: str) -> bool:
        """Unpin a source; False if it was not pinned. The row (and its sync cursor) stays."""
        store = await self.db()
        for source in await store.call(store.sources):
            if (source.kind, source.target) == (kind, target) and source.pinned:
                await store.call(store.upsert_source, dataclasses.replace(source, pinned=False))
                return True
        return False

    # -- end sources ---------------------------------------------------------------------------

    # -- playback (issue 5) -------------------------------------------------------------------
    # The player is created on the first play; without libmpv these raise PlayerUnavailable
    # (with the install hint) and the rest of the app keeps working.

    _playback: Playback | None = None
    _audio_output: str | None = None
    _playback_lock: asyncio.Lock | None = None
    #: Seconds mpv reads ahead (bounded: a 2 h mix is not pulled into memory at once).
    playback_readahead: float = 20.0
    #: More mpv options, for tests and benchmarks (e.g. {"ao_null_untimed": "yes"}).
    playback_mpv_options: Mapping[str, str] | None = None

    @property
    def audio_output(self) -> str | None:
        """mpv's audio output: set here (tests: "null"), else [playback] audio_output (or
        MINION_MPV_AO); None = mpv's automatic choice."""
        return self._audio_output or self.settings.playback.audio_output

    @audio_output.setter
    def audio_output(self, value: str | None) -> None:
        self._audio_output = value

    async def playback(self) -> Playback:
        """The playback engine (player, loopback stream proxy, queue), created on first use."""
        if self._playback is not None:
            return self._playback
        if self._playback_lock is None:
            self._playback_lock = asyncio.Lock()
        async with self._playback_lock:  # keys pressed at once must not make two players
            if self._playback is None:
                self._playback = await self._start_playback()
        return self._playback

    async def _start_playback(self) -> Playback:
        from minion_tui.playback.player import Player
        from minion_tui.playback.session import VOLUME_KEY, Playback
        from minion_tui.playback.stream_proxy import StreamProxy
        from minion_tui.store import play_queue as pq

        # Loading libmpv takes ~50 ms: do it off the event loop, so the first play does not
        # freeze the UI (Player() then finds the module imported). A missing libmpv raises in
        # Player(), with the install hint.
        with contextlib.suppress(ImportError, OSError):
            await asyncio.to_thread(importlib.import_module, "mpv")
        store = await self.db()
        # The last session's volume, else the configured start-up volume.
        stored = await store.call(pq.get_state, store, VOLUME_KEY, "")
        volume = float(stored) if stored.isdigit() else float(self.settings.playback.volume)
        player = Player(ao=self.audio_output, volume=volume, readahead=self.playback_readahead,
                        extra=self.playback_mpv_options)
        proxy = StreamProxy(self.http, self.refresh_stream)
        await proxy.start()
        return Playback(player, proxy, store, self.stream, self._track_by_urn)

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

    async def change_volume(self, delta: float) -> None:
        """Raise (delta > 0) or lower the volume, relative to mpv's own current value."""
        (await self.playback()).player.change_volume(delta)

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

    # -- playback: the TUI's now-playing bar and queue pane (issue 5) --

    async def queue_tracks(self) -> list[tuple[QueueEntry, Track | None]]:
        """The queue in order, each entry with its stored track (None if no longer stored)."""
        from minion_tui.store import play_queue as pq

        store = await self.db()
        return await store.call(pq.queue_with_tracks, store)

    async def history_tracks(self, limit: int = 50) -> list[tuple[HistoryEntry, Track | None]]:
        """Recent plays, newest first, each with its stored track."""
        from minion_tui.store import play_queue as pq

        store = await self.db()
        return await store.call(pq.history_with_tracks, store, limit)

    async def queue_current(self) -> int | None:
        """The queue entry playing, else the one played last (kept across restarts)."""
        if self._playback is not None:
            return await self._playback.current_entry()
        from minion_tui.playback.session import CURRENT_KEY
        from minion_tui.store import play_queue as pq

        store = await self.db()
        stored = await store.call(pq.get_state, store, CURRENT_KEY, "")
        return int(stored) if stored.isdigit() else None

    async def repeat_mode(self) -> str:
        """The queue's repeat mode: "off", "one" or "all"."""
        from minion_tui.store import play_queue as pq

        store = await self.db()
        return await store.call(pq.get_state, store, "queue.repeat", "off")

    async def waveform(self, track: Track) -> list[float]:
        """The track's waveform as peaks in 0..1 over its whole length: SoundCloud's waveform
        JSON where the track offers one, else measured from the audio (PyAV in a worker
        thread; tracks up to 30 min, longer ones get []). Needs the player for the latter
        (the loopback proxy serves the audio), so without libmpv it raises PlayerUnavailable."""
        import threading

        from minion_tui.errors import MinionError
        from minion_tui.playback import peaks

        url = peaks.waveform_json_url(track.raw)
        if url:
            try:
                found = peaks.peaks_from_json(await self.http.get_json(url))
            except MinionError as exc:
                log.info("no waveform JSON for %s: %s", track.urn, exc.text)
            else:
                if found:
                    return found
        seconds = track.duration_ms / 1000
        if not 0 < seconds <= peaks.AUDIO_PEAKS_LIMIT:
            return []
        choice = await self.stream(track)
        stream_url = (await self.playback()).proxy.add(choice)
        stop = threading.Event()
        try:
            return await asyncio.to_thread(peaks.peaks_from_audio, stream_url, seconds,
                                           stop=stop)
        finally:
            stop.set()  # cancelled (another track started): the decoder thread ends too

    # -- end playback: the TUI's now-playing bar and queue pane --

    # -- end of playback -----------------------------------------------------------------------

    # -- downloads (issue 6) -------------------------------------------------------------------
    # Every track downloaded is a persisted job (downloads/jobs.py, store/downloads.py).

    _download_control: JobControl | None = None
    _download_listeners: list[Callable[[DownloadEvent], None]] | None = None

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
        """Download tracks, sets, profiles, searches and direct media URLs into ``directory``
        (settings.downloads.dir).

        Each track is a job row (see download_jobs) and ends up complete under its final name
        or not at all; an interrupted run resumes where it stopped when started again, and a
        track in the download archive is skipped. ``listener`` (and every on_download_event
        subscriber) receives DownloadEvents (queued, start, segment, bytes, done, skipped,
        failed, paused, cancelled). Previews and DRM-only tracks are skipped with their
        reason; the batch goes on."""
        from minion_tui.downloads.batch import download_batch

        conf = self.settings.downloads
        options = self._download_options(directory, segments, format, listener)
        return await download_batch(self, self, self._choose_stream, list(targets), options,
                                    jobs=jobs or conf.parallel, set_template=conf.set_template,
                                    connections=conf.connections,
                                    store=await self.db(), control=self._jobs())

    async def download_jobs(self, *, limit: int = 200) -> list[DownloadJob]:
        """Download jobs, newest first."""
        from minion_tui.store import downloads as rows

        store = await self.db()
        return await store.call(rows.list_jobs, store, limit)

    async def pause_download(self, job_id: int) -> None:
        """Stop fetching job ``job_id``; its segment journal is kept for retry_download."""
        await self._stop_download(job_id, "paused")

    async def cancel_download(self, job_id: int) -> None:
        """Stop job ``job_id`` and remove its partial files; the state becomes cancelled."""
        await self._stop_download(job_id, "cancelled")

    async def retry_download(self, job_id: int) -> Outcome:
        """Run a failed, paused or cancelled job (or one a crash left) again, resuming from
        its journal; returns when it ends."""
        from minion_tui.downloads.jobs import RETRYABLE, UNFINISHED
        from minion_tui.store import downloads as rows

        store = await self.db()
        try:
            job = await store.call(rows.get_job, store, job_id)
        except KeyError:
            raise InvalidArgument(f"There is no download job {job_id}.",
                                  hint="List them with the Downloads pane.") from None
        if job.state not in RETRYABLE + UNFINISHED or self._jobs().running(job_id):
            raise InvalidArgument(f"Download job {job_id} is {job.state}; only failed, paused "
                                  "or cancelled jobs can be retried.")
        [outcome] = await self._run_jobs([job_id])
        return outcome

    async def resume_downloads(self) -> list[Outcome]:
        """Run again every job a crash or kill left queued or running (not the ones running
        in this process)."""
        from minion_tui.downloads.jobs import UNFINISHED
        from minion_tui.store import downloads as rows

        store = await self.db()
        left = await store.call(rows.list_jobs, store, 10_000, states=UNFINISHED)
        ids = [job.id for job in reversed(left) if not self._jobs().running(job.id)]
        return await self._run_jobs(ids) if ids else []

    def on_download_event(self, listener: Callable[[DownloadEvent], None]) -> Callable[[], None]:
        """Subscribe to every event of every download in this process; returns unsubscribe.
        Events arrive on the event loop thread that runs the download."""
        if self._download_listeners is None:
            self._download_listeners = []
        listeners = self._download_listeners
        listeners.append(listener)

        def unsubscribe() -> None:
            if listener in listeners:
                listeners.remove(listener)

        return unsubscribe

    def _jobs(self) -> JobControl:
        if self._download_control is None:
            from minion_tui.downloads.jobs import JobControl

            self._download_control = JobControl()
        return self._download_control

    async def _choose_stream(self, track: Track, prefer: str | None) -> StreamChoice:
        return await self.soundcloud.stream(track, require_full=True, prefer=prefer)

    def _download_options(self, directory: Path | None, segments: int | None,
                          format: str | None,
                          listener: Callable[[DownloadEvent], None] | None) -> DownloadOptions:
        from minion_tui.downloads.engine import DownloadOptions

        conf = self.settings.downloads
        subscribers = self._download_listeners

        def fan_out(event: DownloadEvent) -> None:
            if listener is not None:
                listener(event)
            for subscriber in list(subscribers or ()):
                try:
                    subscriber(event)
                except Exception:  # a broken subscriber must not fail the download
                    log.exception("download event listener failed")

        return DownloadOptions(directory=Path(directory or conf.dir), template=conf.template,
                               segments=segments or conf.segments,
                               format=format or conf.format, listener=fan_out)

    async def _run_jobs(self, job_ids: list[int]) -> list[Outcome]:
        """Run stored jobs again (retry, resume), settings.downloads.parallel at a time."""
        import dataclasses as dc

        from minion_tui.downloads.batch import Outcome, Runner
        from minion_tui.store import downloads as rows

        store = await self.db()
        conf = self.settings.downloads
        if self._download_listeners is None:
            self._download_listeners = []
        options = self._download_options(None, None, None, None)
        runner = Runner.build(self, self._choose_stream, options, jobs=conf.parallel,
                              connections=conf.connections,
                              store=store, control=self._jobs(),
                              set_template=conf.set_template)
        tasks: list[tuple[asyncio.Task[Outcome], Track | None, int | None]] = []

        async def _outcome(urn: str, job_id: int, reason: str) -> Outcome:
            return Outcome(urn, "failed", reason=reason, job_id=job_id)

        for job_id in job_ids:
            job = await store.call(rows.get_job, store, job_id)
            plan = await store.call(rows.job_plan, store, job_id)
            track = await store.call(store.get_track, job.track_urn)
            if track is None:  # the track row is written with the job: only a wiped db
                reason = "the track is no longer in the database; download it again by URL"
                await store.call(rows.update_job, store, job_id, state="failed", reason=reason)
                tasks.append((asyncio.create_task(_outcome(job.track_urn, job_id, reason)),
                              None, None))
                continue
            await store.call(rows.update_job, store, job_id, state="queued", reason="")
            runner = dc.replace(runner, options=dc.replace(
                options, format=plan.format or options.format))
            tasks.append((runner.start(track, plan, job_id), track, job_id))
        return await runner.settle(tasks)

    async def _stop_download(self, job_id: int, state: str) -> None:
        from minion_tui.downloads.engine import discard_partial
        from minion_tui.store import downloads as rows

        control = self._jobs()
        task = control.task(job_id)
        if task is not None and control.stop(job_id, state):
            await asyncio.wait([task])
            return
        # Not running here (finished, failed, or left by a crash): just record the request.
        store = await self.db()
        try:
            job = await store.call(rows.get_job, store, job_id)
        except KeyError:
            raise InvalidArgument(f"There is no download job {job_id}.") from None
        if job.state in ("done", "cancelled") or (job.state == "failed" and state == "paused"):
            return
        if state == "cancelled" and job.path:
            await asyncio.to_thread(discard_partial, Path(job.path))
        reason = "paused by the user" if state == "paused" else "cancelled by the user"
        await store.call(rows.update_job, store, job_id, state=state, reason=reason)

    # -- end of downloads ----------------------------------------------------------------------

    # -- details (issue 4) --------------------------------------------------------------------
    # What the details panel shows next to the track list: artwork, comments, provenance.

    #: Image sizes SoundCloud serves by URL suffix (soundcloud-protocol.md §2.1).
    ARTWORK_SIZES = ("t300x300", "t500x500")

    def artwork_url(self, track: Track, size: str = "t300x300") -> str | None:
        """The ``size`` variant of the track's artwork, or of its uploader's avatar when it
        has none (what SoundCloud's own pages show); None when neither exists."""
        import re

        user = track.raw.get("user")
        avatar = user.get("avatar_url") if isinstance(user, dict) else None
        url = track.artwork_url or (avatar if isinstance(avatar, str) else None)
        if not url or "default_avatar" in url:  # the grey placeholder is no picture
            return None
        # Every size but "original" is a JPEG, whatever the listed URL's suffix (doc §2.1).
        return re.sub(r"-[0-9a-z]+\.(jpg|png)$", f"-{size}.jpg", url)

    async def artwork(self, url: str) -> bytes:
        """The image at ``url`` (artwork or avatar): from the disk cache, else fetched once
        through the net layer and cached under the cache dir ("artwork", keyed by a hash of
        the URL, written atomically so a crash never leaves half an image)."""
        import hashlib

        path = config.cache_dir() / "artwork" / hashlib.sha256(url.encode()).hexdigest()
        cached = await asyncio.to_thread(_read_if_exists, path)
        if cached:
            return cached
        data = await self.http.get_bytes(url)
        if not data.startswith(_IMAGE_MAGIC):
            from minion_tui.errors import NetworkError

            raise NetworkError(f"{url} did not answer with an image.",
                               hint="The artwork is left out; it is tried again next time.")
        await asyncio.to_thread(_write_atomically, path, data)
        return data

    async def track_comments(self, track: Track, *, limit: int = 20) -> list[Comment]:
        """The first ``limit`` top-level comments on a track, as SoundCloud orders them."""
        found: list[Comment] = []
        async for page in self.soundcloud.comments(track.id, limit=limit):
            found += [c for c in page.items if isinstance(c, Comment)]
            if len(found) >= limit:
                break
        return found[:limit]

    async def provenance(self, urn: str, *, limit: int = 5) -> list[SurfacedBy]:
        """How a track was surfaced ("Likes of Alice", "Trending"), the latest ``limit``
        distinct sources first; recorded whenever browse() or search() brings it in."""
        from minion_tui.store.surfacing import surfaced_by

        store = await self.db()
        return await store.call(surfaced_by, store, urn, limit)

    # -- end details ----------------------------------------------------------------------

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


# -- details (issue 4): the artwork cache --------------------------------------------------

#: JPEG, PNG, GIF and WebP (RIFF) signatures: a body without one is an error page, not art.
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"RIFF")


def _read_if_exists(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

# -- end details --------------------------------------------------------------------------


def _required(value: str | None, what: str) -> str:
    if not value:
        raise InvalidArgument(f"This listing needs {what}.")
    return value


__all__ = ["Comment", "Service"]
