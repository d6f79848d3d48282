"""libmpv through python-mpv, seen from asyncio.

mpv calls our property observers on its own event thread (docs/downloads.md §6):
handlers only hop to the loop with ``call_soon_threadsafe`` — no work, no blocking, never
``terminate()`` there. State lives on the loop side and listeners are told about every change,
so a UI subscribes instead of polling.

Nothing of the first play may hold up the loop: :func:`load_libmpv` maps the library without
the GIL (measured: ``ctypes.CDLL`` of libmpv kept the GIL for 70-80 ms, stalling the UI loop
that long although the load ran on a worker thread), and the service creates the
:class:`Player` (mpv_create, mpv_initialize: 15-25 ms of waiting on mpv's core) on a worker
thread too, handing it the loop to report to.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from minion_tui.errors import NO_AUDIO_OUTPUT, PlaybackError, PlayerUnavailable
from minion_tui.models import PlayerEvent, PlayerState

INSTALL_HINT = "Preview needs libmpv: sudo apt-get install libmpv2"
#: mpv's MPV_ERROR_AO_INIT_FAILED (python-mpv ErrorCode.AO_INIT_FAILED): no audio device opened.
AO_INIT_FAILED = -14

#: mpv's own messages (python-mpv's log_handler) go to Python logging — the log file — instead
#: of the terminal, where they would be drawn over the TUI.
mpv_log = logging.getLogger("minion_tui.mpv")
_MPV_LEVELS = {"fatal": logging.ERROR, "error": logging.ERROR, "warn": logging.WARNING,
               "info": logging.INFO}


def no_audio_output_text(ao: str | None) -> str:
    """What to tell the user when mpv could not open any audio output (it says what to do,
    so callers add no hint of their own: check ``text.startswith(NO_AUDIO_OUTPUT)``)."""
    tried = ao or "mpv's automatic choice"
    return (f"{NO_AUDIO_OUTPUT} (tried: {tried}). Set [playback] audio_output "
            'in config.toml — e.g. "pulse", "pipewire", "alsa", or "null" to play silently.')
_OBSERVED = ("time-pos", "duration", "pause", "idle-active", "eof-reached", "paused-for-cache",
             "volume", "mute")


Listener = Callable[[PlayerEvent], None]


def load_libmpv() -> None:
    """Load libmpv and python-mpv; for a worker thread. CPython's ``ctypes.CDLL`` keeps the
    GIL through the whole ``dlopen`` — for libmpv, with FFmpeg and the rest it links, tens of
    milliseconds in which no other thread runs — while a foreign call through ctypes
    releases it. So libc's own ``dlopen`` maps the library first (the handle is never
    closed), and python-mpv's ``CDLL`` then finds it loaded. A missing libmpv is left for
    :class:`Player` to report, with the install hint."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("mpv")  # the name python-mpv asks for, found the same way
    if name:
        try:
            dlopen = ctypes.CDLL(None).dlopen  # glibc ≥ 2.34 has it in libc itself
        except (OSError, AttributeError):
            dlopen = None
        if dlopen is not None:
            dlopen.restype = ctypes.c_void_p
            dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
            dlopen(os.fsencode(name), os.RTLD_NOW)
    with contextlib.suppress(ImportError, OSError):
        import mpv  # noqa: F401  (python-mpv's module-level CDLL)


class Player:
    """One mpv instance; every method but the constructor must be called on its loop: the
    running one, or ``loop`` when created on a worker thread."""

    def __init__(self, *, ao: str | None = None, volume: float = 100.0,
                 readahead: float = 20.0, extra: Mapping[str, Any] | None = None,
                 loop: asyncio.AbstractEventLoop | None = None) -> None:
        try:
            import mpv  # lazily: importing the app must not load libmpv
        except (OSError, ImportError) as exc:
            raise PlayerUnavailable(f"libmpv could not be loaded ({exc}).",
                                    hint=INSTALL_HINT) from exc
        self._loop = loop or asyncio.get_running_loop()
        self._ao = ao
        self.state = PlayerState(volume=volume)
        self._listeners: list[Listener] = []
        options: dict[str, Any] = {
            "vid": "no", "video": False, "ytdl": False, "idle": True, "gapless_audio": "yes",
            "prefetch_playlist": "yes", "cache": "yes", "demuxer_max_bytes": "32MiB",
            # read ahead a bounded window: a 2 h mix must not be pulled at once (memory, and
            # the signed URLs expire anyway; the stream proxy re-signs them on demand)
            "cache_secs": readahead, "demuxer_readahead_secs": readahead,
            # terminal=no: mpv never writes to our terminal (the TUI owns it); its messages
            # reach the log through the log handler instead.
            "volume": volume, "input_default_bindings": False, "terminal": False,
        }
        if ao:
            options["ao"] = ao
        options.update(extra or {})
        try:
            self._mpv: Any = mpv.MPV(log_handler=_log_from_mpv, loglevel="warn", **options)
        except ValueError as exc:  # mpv refused an option's value (an audio output, say)
            raise PlaybackError(f"mpv refused its options ({exc}).",
                                hint="Check [playback] audio_output (or MINION_MPV_AO) in "
                                "config.toml: `minion-tui config show` lists them.") from None
        for name in _OBSERVED:
            self._mpv.observe_property(name, self._from_mpv)
        self._mpv.register_event_callback(self._mpv_event)

    # -- mpv thread -> loop ----------------------------------------------------------------

    def _from_mpv(self, name: str, value: Any) -> None:
        with contextlib.suppress(RuntimeError):  # loop closed while mpv shuts down
            self._loop.call_soon_threadsafe(self._apply, name, value)

    def _mpv_event(self, event: Any) -> None:
        kind = getattr(event.event_id, "value", None)
        if kind == 20:  # MPV_EVENT_SEEK: position jumps (not listened time, see session.py)
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._emit, "seek", self.state)
            return
        if kind == 6:  # MPV_EVENT_START_FILE: a new entry (also a gapless next one) began
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._start_file)
            return
        if kind != 7:  # MPV_EVENT_END_FILE
            return
        data = event.data
        reason, error = int(data.reason), int(data.error)
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._end_file, reason, error)

    def _apply(self, name: str, value: Any) -> None:
        s = self.state
        if name == "time-pos":
            s = dataclasses.replace(s, position=float(value or 0.0))
        elif name == "duration":
            s = dataclasses.replace(s, duration=None if value is None else float(value))
        elif name == "pause":
            s = dataclasses.replace(s, paused=bool(value))
        elif name == "idle-active":
            s = dataclasses.replace(s, idle=bool(value))
        elif name == "eof-reached":
            s = dataclasses.replace(s, ended=True) if value else s
        elif name == "paused-for-cache":
            s = dataclasses.replace(s, buffering=bool(value))
        elif name == "volume" and value is not None:
            s = dataclasses.replace(s, volume=float(value))
        elif name == "mute":
            s = dataclasses.replace(s, muted=bool(value))
        self._emit(name, s)

    def _start_file(self) -> None:
        self._emit("start-file", dataclasses.replace(self.state, ended=False, error=""))

    def _end_file(self, reason: int, error: int) -> None:
        if reason == 4:  # MPV_END_FILE_REASON_ERROR
            if error == AO_INIT_FAILED:
                message = no_audio_output_text(self._ao)
            else:
                message = f"mpv could not play the stream (mpv error {error})."
            self._emit("error", dataclasses.replace(self.state, error=message, ended=True))
        elif reason == 0:  # EOF
            self._emit("end-file", dataclasses.replace(self.state, ended=True))

    def _emit(self, kind: str, state: PlayerState) -> None:
        self.state = state
        event = PlayerEvent(kind, state)
        for listener in list(self._listeners):
            listener(event)

    # -- subscriptions ---------------------------------------------------------------------

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` on the loop for every change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def events(self) -> AsyncIterator[PlayerEvent]:
        """Every change, as an async iterator (ends when the consumer stops iterating)."""
        queue: asyncio.Queue[PlayerEvent] = asyncio.Queue()
        stop = self.listen(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            stop()

    async def wait_for(self, predicate: Callable[[PlayerState], bool],
                       within: float = 10.0) -> PlayerState:
        """Wait (event-driven) until ``predicate(state)`` holds; raise PlaybackError on an
        mpv error or timeout."""
        if predicate(self.state):
            return self.state
        done: asyncio.Future[PlayerState] = self._loop.create_future()

        def check(event: PlayerEvent) -> None:
            if done.done():
                return
            if predicate(event.state):
                done.set_result(event.state)
            elif event.kind == "error":
                error = event.state.error
                # The no-audio-output text already says what to do.
                hint = ("" if error.startswith(NO_AUDIO_OUTPUT)
                        else "Try again, or another track.")
                done.set_exception(PlaybackError(error, hint=hint))

        stop = self.listen(check)
        try:
            return await asyncio.wait_for(done, within)
        except TimeoutError as exc:
            raise PlaybackError("The player did not reach the expected state in time.",
                                hint="Check the network and try again.") from exc
        finally:
            stop()

    # -- commands (mpv's API is thread-safe; these return quickly) --------------------------

    def load(self, url: str, *, start: float = 0.0, append: bool = False) -> None:
        """Play ``url`` now (or append it to mpv's playlist for gapless prefetch)."""
        if not append:
            self.state = dataclasses.replace(self.state, ended=False, error="", position=start,
                                             duration=None)
        options = {"start": str(start)} if start else {}
        self._mpv.loadfile(url, "append" if append else "replace", **options)
        if not append:
            self._mpv.pause = False

    def pause(self) -> None:
        self._mpv.pause = True

    def resume(self) -> None:
        self._mpv.pause = False

    # Relative changes are mpv commands, applied by mpv to its current value: three quick
    # presses count three times (starting from our last reported state would lose some).

    def toggle(self) -> None:
        self._mpv.command("cycle", "pause")

    def seek(self, seconds: float, *, relative: bool = False) -> None:
        self._mpv.seek(seconds, "relative" if relative else "absolute", "exact")

    def set_volume(self, volume: float) -> None:
        self._mpv.volume = max(0.0, min(130.0, volume))

    def change_volume(self, delta: float) -> None:
        """Raise (or lower, delta < 0) the volume by ``delta``; mpv clamps it to 0..130."""
        self._mpv.command("add", "volume", str(delta))

    def mute(self, muted: bool | None = None) -> None:
        if muted is None:
            self._mpv.command("cycle", "mute")
        else:
            self._mpv.mute = muted

    def stop(self) -> None:
        self._mpv.command("stop")

    def close(self) -> None:
        """Shut mpv down (from the loop, never from an mpv callback)."""
        self._listeners.clear()
        self._mpv.terminate()


def _log_from_mpv(level: str, prefix: str, text: str) -> None:
    """python-mpv's log handler (on mpv's event thread; logging is thread-safe)."""
    mpv_log.log(_MPV_LEVELS.get(level, logging.DEBUG), "[%s] %s", prefix, text.rstrip())
