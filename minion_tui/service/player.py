"""Playback, the queue and the history. The player (libmpv, the loopback stream proxy) is
created on the first play; without libmpv the calls that need it raise PlayerUnavailable
(with the install hint) and the rest of the app keeps working."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from minion_tui import models
from minion_tui.errors import InvalidArgument, PlaybackError
from minion_tui.models import REPEAT_MODES, Track

if TYPE_CHECKING:
    from minion_tui.playback.session import Playback
    from minion_tui.service.catalog import Catalog
    from minion_tui.service.core import Core
    from minion_tui.store import Store

log = logging.getLogger(__name__)

#: How much of a played list becomes the play context (the queue pane lists every entry,
#: so a 50,000-row listing is not copied whole): tracks above the chosen one, and below it.
CONTEXT_BEFORE = 100
CONTEXT_AFTER = 500


class Player:
    """Playing, the queue and the history."""

    def __init__(self, core: Core, catalog: Catalog) -> None:
        self._core = core
        self._catalog = catalog
        self._playback: Playback | None = None
        self._audio_output: str | None = None
        self._lock = asyncio.Lock()
        #: Seconds mpv reads ahead (bounded: a 2 h mix is not pulled into memory at once).
        self.readahead = 20.0
        #: More mpv options, for tests and benchmarks (e.g. {"ao_null_untimed": "yes"}).
        self.mpv_options: Mapping[str, str] | None = None
        self._on_started: list[Callable[[], None]] = []
        core.on_close(self._close)

    @property
    def audio_output(self) -> str | None:
        """mpv's audio output: set here (tests: "null"), else [playback] audio_output (or
        MINION_MPV_AO); None = mpv's automatic choice."""
        return self._audio_output or self._core.settings.playback.audio_output

    @audio_output.setter
    def audio_output(self, value: str | None) -> None:
        self._audio_output = value

    async def _engine(self) -> Playback:
        """The playback engine (player, loopback stream proxy, queue), created on first use."""
        if self._playback is not None:
            return self._playback
        async with self._lock:  # keys pressed at once must not make two players
            if self._playback is None:
                self._playback = await self._start_playback()
                for listener in self._on_started:
                    listener()
        return self._playback

    def on_started(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` once the player exists (at once if it does): then listen() and
        state work. The desktop integration follows the player from then on."""
        if self._playback is not None:
            listener()
        else:
            self._on_started.append(listener)

    async def start(self) -> None:
        """Create the player now (PlayerUnavailable, with the install hint, without libmpv)."""
        await self._engine()

    def on_toast(self, listener: Callable[[models.Toast], None]) -> None:
        """Be told of what playback wants the user to know (a track skipped, a re-sign)."""
        if self._playback is None:
            raise RuntimeError("start() the player first")
        self._playback.on_toast(listener)

    def listen(self, listener: Callable[[models.PlayerEvent], None]) -> Callable[[], None]:
        """Call ``listener`` on every player change until the returned function is called."""
        if self._playback is None:
            raise RuntimeError("start() the player first")
        return self._playback.player.listen(listener)

    @property
    def state(self) -> models.PlayerState:
        """The player's state, once started (see now_playing() for before)."""
        if self._playback is None:
            raise RuntimeError("start() the player first")
        return self._playback.player.state

    async def _start_playback(self) -> Playback:
        from minion_tui.downloads.playlist import PlaylistLimits
        from minion_tui.playback.player import Player as MpvPlayer
        from minion_tui.playback.player import load_libmpv
        from minion_tui.playback.session import Playback
        from minion_tui.playback.stream_proxy import StreamProxy

        # Loading libmpv and creating mpv both wait on native code: on worker threads, so
        # the first play never freezes the UI (playback/player.py says why and how long).
        # A missing libmpv raises in Player(), with the install hint.
        await asyncio.to_thread(load_libmpv)
        core = self._core
        store = await core.db()
        volume = await self._start_volume(store)
        player = await asyncio.to_thread(
            MpvPlayer, ao=self.audio_output, volume=volume, readahead=self.readahead,
            extra=self.mpv_options, loop=asyncio.get_running_loop())
        proxy = StreamProxy(core.http, self._catalog.refresh_stream,
                            PlaylistLimits.of(core.settings.downloads))
        await proxy.start()
        return Playback(player, proxy, store, self._catalog.stream, core.track_by_urn)

    async def play(self, target: str | Track, *, start: float = 0.0) -> models.NowPlaying:
        """Play a track (URL, URN or Track) now, from ``start`` seconds."""
        track = (target if isinstance(target, Track)
                 else await self._core.resolve_as(target, Track))
        await self._core.remember([track])
        return await (await self._engine()).play(track, start=start)

    async def play_context(self, tracks: Sequence[Track], index: int
                           ) -> models.NowPlaying | None:
        """Play ``tracks[index]`` with the list as what plays next, as ncspot and
        spotify-player do: the list (up to CONTEXT_BEFORE tracks above the chosen one and
        CONTEXT_AFTER below it) replaces the last list in the queue, so ``>`` and the end of
        a track go down it and ``<`` back up it; tracks queued with ``a`` that have not
        played yet stay right after the chosen one. None when neither it nor any track after
        it can be played (each skipped with a toast saying why)."""
        from minion_tui.store import play_queue as pq

        if not 0 <= index < len(tracks):
            raise InvalidArgument(f"No track {index} in a list of {len(tracks)}.",
                                  hint="Pick a track of the list.")
        engine = await self._engine()  # without libmpv the queue is left as it is
        first = max(0, index - CONTEXT_BEFORE)
        window = list(tracks[first:index + CONTEXT_AFTER + 1])
        await self._core.remember(window)
        store = await self._core.db()
        entries, chosen = await store.call(pq.queue_play_context, store,
                                           [t.urn for t in window], index - first,
                                           current=await engine.current_entry())
        return await engine.play_entry(next(e for e in entries if e.id == chosen))

    async def pause(self) -> None:
        (await self._engine()).player.pause()

    async def resume(self) -> None:
        (await self._engine()).player.resume()

    async def toggle_pause(self) -> None:
        """Pause or play; before anything has played this session, resume the queue where
        the last session stopped (its entry and position)."""
        engine = await self._engine()
        if engine.now is None and await engine.resume() is not None:
            return
        engine.player.toggle()

    async def seek(self, seconds: float, *, relative: bool = False) -> None:
        """Seek to ``seconds`` (or by ``seconds`` with relative=True). With nothing playing
        there is nothing to seek in: PlaybackError (mpv itself would fail with a bare
        "property unavailable")."""
        engine = await self._engine()
        state = engine.player.state
        if state.idle and state.duration is None:  # nothing loaded (what loaded it is mpv's)
            raise PlaybackError("Nothing is playing, so there is nothing to seek in.",
                                hint="Play a track or a show first (enter on a row), then seek.")
        try:
            engine.player.seek(seconds, relative=relative)
        except Exception as error:  # mpv refuses a seek while a file is still opening
            raise PlaybackError(f"mpv could not seek to {seconds:.0f} s: {error}.",
                                hint="Wait until playback has started, then seek again.") from error

    async def set_volume(self, volume: float) -> None:
        (await self._engine()).player.set_volume(volume)

    async def change_volume(self, delta: float) -> None:
        """Raise (delta > 0) or lower the volume, relative to mpv's own current value."""
        (await self._engine()).player.change_volume(delta)

    async def mute(self, muted: bool | None = None) -> None:
        """Mute, unmute, or (None) toggle."""
        (await self._engine()).player.mute(muted)

    async def next_track(self) -> models.NowPlaying | None:
        return await (await self._engine()).next()

    async def previous_track(self) -> models.NowPlaying | None:
        return await (await self._engine()).previous()

    def now_playing(self) -> tuple[models.NowPlaying | None, models.PlayerState | None]:
        """The current track and player state (None, None before the first play)."""
        if self._playback is None:
            return None, None
        return self._playback.now, self._playback.player.state

    async def player_events(self) -> AsyncIterator[models.PlayerEvent]:
        """Every player change (position, pause, end, errors) as an async iterator."""
        async for event in (await self._engine()).player.events():
            yield event

    async def queue(self) -> list[models.QueueEntry]:
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        return await store.call(pq.queue_entries, store)

    async def queue_add(self, targets: Sequence[str | Track], *, next: bool = False
                        ) -> list[models.QueueEntry]:
        """Append tracks to the queue (or, with next=True, right after the one playing)."""
        from minion_tui.store import play_queue as pq

        tracks = [t if isinstance(t, Track) else await self._core.resolve_as(t, Track)
                  for t in targets]
        await self._core.remember(tracks)
        store = await self._core.db()
        at = await self._after_playing(store)
        if not next:  # after the tracks queued before, ahead of the rest of a played list
            entries = await store.call(pq.queue_entries, store)
            while at < len(entries) and entries[at].origin != pq.CONTEXT:
                at += 1
        return await store.call(pq.queue_add, store, [t.urn for t in tracks], at=at)

    async def queue_append(self, tracks: Sequence[Track]) -> list[models.QueueEntry]:
        """Add tracks at the very end of the queue as part of the list playing: a radio tops
        itself up (and playing another list replaces them with the rest of this one)."""
        from minion_tui.store import play_queue as pq

        await self._core.remember(list(tracks))
        store = await self._core.db()
        return await store.call(pq.queue_add, store, [t.urn for t in tracks],
                                origin=pq.CONTEXT)

    async def queue_remove(self, entry_id: int) -> list[models.QueueEntry]:
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        return await store.call(pq.queue_remove, store, entry_id)

    async def queue_move(self, entry_id: int, delta: int) -> list[models.QueueEntry]:
        """Move a queue entry up (delta < 0) or down."""
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        return await store.call(pq.queue_move, store, entry_id, delta)

    async def queue_clear(self) -> None:
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        await store.call(pq.queue_clear, store)

    async def queue_shuffle(self) -> list[models.QueueEntry]:
        """Shuffle the queue; the entry playing (and those before it) stay put."""
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        keep = await self._after_playing(store)
        return await store.call(pq.queue_shuffle, store, keep_first=keep)

    async def _after_playing(self, store: Store) -> int:
        """The queue position right after the entry playing, or played last (also in an
        earlier session: that is where ``space`` resumes); 0 when there is none."""
        from minion_tui.store import play_queue as pq

        ids = [e.id for e in await store.call(pq.queue_entries, store)]
        current = await self.queue_current()
        return ids.index(current) + 1 if current in ids else 0

    async def set_repeat(self, mode: str) -> None:
        """Repeat "off", "one" or "all" (remembered across restarts)."""
        from minion_tui.store import play_queue as pq

        if mode not in REPEAT_MODES:
            raise InvalidArgument(f"Unknown repeat mode {mode!r}.",
                                  hint="Use one of: off, one, all.")
        store = await self._core.db()
        await store.call(pq.set_state, store, "queue.repeat", mode)

    async def play_queue(self, entry_id: int | None = None) -> models.NowPlaying | None:
        """Play the queue from an entry (default: the first); unplayable ones are skipped."""
        entries = await self.queue()
        chosen = [e for e in entries if entry_id is None or e.id == entry_id][:1]
        return await (await self._engine()).play_entry(chosen[0]) if chosen else None

    async def history(self, limit: int = 50) -> list[models.HistoryEntry]:
        """Recent plays, newest first, with seconds listened."""
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        return await store.call(pq.history, store, limit)

    async def play_again(self, entry: models.HistoryEntry) -> models.NowPlaying:
        """Play a history entry's track again."""
        return await self.play(await self._core.track_by_urn(entry.track_urn))

    async def _close(self) -> None:
        if self._playback is not None:
            playback, self._playback = self._playback, None
            await playback.aclose()


    async def queue_tracks(self) -> list[tuple[models.QueueEntry, Track | None]]:
        """The queue in order, each entry with its stored track (None if no longer stored)."""
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        return await store.call(pq.queue_with_tracks, store)

    async def history_tracks(self, limit: int = 50
                             ) -> list[tuple[models.HistoryEntry, Track | None]]:
        """Recent plays, newest first, each with its stored track."""
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        return await store.call(pq.history_with_tracks, store, limit)

    async def queue_current(self) -> int | None:
        """The queue entry playing, else the one played last (kept across restarts)."""
        if self._playback is not None:
            return await self._playback.current_entry()
        from minion_tui.playback.session import CURRENT_KEY
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        stored = await store.call(pq.get_state, store, CURRENT_KEY, "")
        return int(stored) if stored.isdigit() else None

    async def resume_point(self) -> tuple[Track, float, float] | None:
        """What ``space`` resumes while nothing has played this session: the stored track
        of the queue entry the last session was playing, the second it stopped at, and the
        volume it will play at."""
        from minion_tui.playback.session import POSITION_KEY, stopped_at
        from minion_tui.store import play_queue as pq

        if self._playback is not None and self._playback.now is not None:
            return None
        current = await self.queue_current()
        track = next((t for e, t in await self.queue_tracks() if e.id == current), None)
        if current is None or track is None:
            return None
        store = await self._core.db()
        stored = await store.call(pq.get_state, store, POSITION_KEY, "")
        return track, stopped_at(stored, current), await self._start_volume(store)

    async def _start_volume(self, store: Store) -> float:
        """The last session's volume, else the configured start-up volume."""
        from minion_tui.playback.session import VOLUME_KEY
        from minion_tui.store import play_queue as pq

        stored = await store.call(pq.get_state, store, VOLUME_KEY, "")
        return float(stored) if stored.isdigit() else float(self._core.settings.playback.volume)

    async def repeat_mode(self) -> str:
        """The queue's repeat mode: "off", "one" or "all"."""
        from minion_tui.store import play_queue as pq

        store = await self._core.db()
        return await store.call(pq.get_state, store, "queue.repeat", "off")

    async def waveform(self, track: Track) -> list[float]:
        """The track's waveform as peaks in 0..1 over its whole length: SoundCloud's waveform
        JSON where the track offers one, else measured from the audio (PyAV in a worker
        thread; tracks up to 30 min, longer ones get []). Needs the player for the latter
        (the loopback proxy serves the audio), so without libmpv it raises PlayerUnavailable."""
        import threading

        from minion_tui.errors import MinionError
        from minion_tui.playback import peaks

        url = self._core.provider_of(track).waveform_url(track)
        if url:
            try:
                found = peaks.peaks_from_json(await self._core.http.get_json(url))
            except MinionError as exc:
                log.info("no waveform JSON for %s: %s", track.urn, exc.text)
            else:
                if found:
                    return found
        seconds = track.duration_ms / 1000
        if not 0 < seconds <= peaks.AUDIO_PEAKS_LIMIT:
            return []
        choice = await self._catalog.stream(track)
        stream_url = (await self._engine()).proxy.add(choice)
        stop = threading.Event()
        try:
            return await asyncio.to_thread(peaks.peaks_from_audio, stream_url, seconds,
                                           stop=stop)
        finally:
            stop.set()  # cancelled (another track started): the decoder thread ends too
