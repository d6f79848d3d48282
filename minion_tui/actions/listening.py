"""Playback, the queue and the history: the façade's listening actions, mixed into
:class:`minion_tui.service.Service`. The player is created on the first play."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING

from minion_tui.actions.core import ServiceCore
from minion_tui.errors import InvalidArgument
from minion_tui.models import Track

if TYPE_CHECKING:
    from minion_tui.playback.player import PlayerEvent, PlayerState  # playback (issue 5)
    from minion_tui.playback.session import NowPlaying, Playback
    from minion_tui.store import Store
    from minion_tui.store.play_queue import HistoryEntry, QueueEntry

log = logging.getLogger(__name__)


class ListeningActions(ServiceCore):
    """Playing, the queue and the history."""

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
