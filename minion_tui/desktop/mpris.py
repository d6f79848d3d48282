"""MPRIS2 on the session bus (dbus-fast on the app's own asyncio loop; no GLib).

``org.mpris.MediaPlayer2`` and ``org.mpris.MediaPlayer2.Player`` at /org/mpris/MediaPlayer2,
under the bus name ``org.mpris.MediaPlayer2.minion_tui.instance<pid>`` (the spec's form for
a second instance, so two of ours never fight over one name; playerctl's ``-p minion_tui``
matches it). :meth:`PlayerInterface.refresh` runs on every player event: it works the
properties out, compares them with the values last published, and sends PropertiesChanged
with only those that changed (Position never: the spec has Seeked for jumps). docs/desktop.md
lists what is published.
"""

# No ``from __future__ import annotations``: dbus-fast reads the signatures from the
# annotations, and a deferred ``-> None`` would read as the literal None.
import asyncio
import logging
import os
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Annotated, Any

from dbus_fast import DBusError, PropertyAccess, Variant
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusDouble,
    DBusInt64,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
)
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

from minion_tui.desktop.control import RATING, Controller, playback_status
from minion_tui.errors import MinionError

if TYPE_CHECKING:
    from dbus_fast.aio import MessageBus

    from minion_tui.models import NowPlaying, PlayerState

log = logging.getLogger(__name__)

BUS_PREFIX = "org.mpris.MediaPlayer2.minion_tui.instance"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
PLAYER_INTERFACE = "org.mpris.MediaPlayer2.Player"
ROOT_INTERFACE = "org.mpris.MediaPlayer2"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
TRACK_PREFIX = "/org/minion_tui/track/"
#: D-Bus error names of ours end in the error's JSON ``type`` (ctl maps them back).
ERROR_PREFIX = "org.minion_tui.Error."
LOOP_STATUS = {"off": "None", "one": "Track", "all": "Playlist"}

DBusStrings = Annotated[list[str], DBusSignature("as")]
Spawn = Callable[[Coroutine[Any, Any, Any]], None]


def bus_name(pid: int | None = None) -> str:
    return f"{BUS_PREFIX}{os.getpid() if pid is None else pid}"


def track_id(urn: str) -> str:
    """A D-Bus object path for a track's URN: every byte that is not a letter or digit
    becomes ``_xx`` (its hex), so the path is valid and :func:`urn_of` gives the URN back."""
    out = []
    for byte in urn.encode("utf-8"):
        char = chr(byte)
        out.append(char if char.isascii() and char.isalnum() else f"_{byte:02x}")
    return TRACK_PREFIX + ("".join(out) or "_")


def urn_of(path: str) -> str:
    """The URN :func:`track_id` made ``path`` from ("" for another path)."""
    if not path.startswith(TRACK_PREFIX):
        return ""
    text, out, i = path[len(TRACK_PREFIX):], bytearray(), 0
    while i < len(text):
        if text[i] == "_":
            try:
                out.append(int(text[i + 1:i + 3], 16))
            except ValueError:
                return ""
            i += 3
            continue
        out.append(ord(text[i]))
        i += 1
    return out.decode("utf-8", "replace")


def metadata(now: "NowPlaying | None", state: "PlayerState | None"
             ) -> dict[str, tuple[str, Any]]:
    """The Metadata map as (signature, value) pairs, for comparing before wrapping."""
    if now is None:
        return {"mpris:trackid": ("o", NO_TRACK)}
    track = now.track
    # The catalog's length (the preview's for a preview): fixed for the track, where mpv's
    # estimate of an MP3's can move while it plays and would resend Metadata each time.
    heard_ms = track.preview_ms if now.choice.preview and track.preview_ms else None
    mpv_ms = state.duration * 1000 if state is not None and state.duration else 0
    length_ms = heard_ms or track.duration_ms or mpv_ms
    found: dict[str, tuple[str, Any]] = {
        "mpris:trackid": ("o", track_id(track.urn)),
        "mpris:length": ("x", int(length_ms * 1000)),
        "xesam:title": ("s", track.title),
        "xesam:artist": ("as", [track.artist or track.uploader]),
        "xesam:album": ("s", track.uploader if track.artist != track.uploader else ""),
        "xesam:url": ("s", track.url),
    }
    if track.artwork_url:
        found["mpris:artUrl"] = ("s", track.artwork_url)
    if track.genre:
        found["xesam:genre"] = ("as", [track.genre])
    if track.judgment is not None:
        found["xesam:userRating"] = ("d", RATING[track.judgment])
    return found


def _failure(exc: MinionError) -> DBusError:
    return DBusError(ERROR_PREFIX + exc.type, exc.text)


class RootInterface(ServiceInterface):
    """org.mpris.MediaPlayer2: who we are. No Raise (a terminal app cannot raise its
    window), no Quit, no track list."""

    def __init__(self) -> None:
        super().__init__(ROOT_INTERFACE)

    @method()
    def Raise(self) -> None:  # D-Bus member names are the spec's
        return None

    @method()
    def Quit(self) -> None:
        return None

    @dbus_property(access=PropertyAccess.READ)
    def CanQuit(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def CanRaise(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def HasTrackList(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> DBusStr:
        return "minion-tui"

    @dbus_property(access=PropertyAccess.READ)
    def SupportedUriSchemes(self) -> DBusStrings:
        return ["https"]

    @dbus_property(access=PropertyAccess.READ)
    def SupportedMimeTypes(self) -> DBusStrings:
        return []


class PlayerInterface(ServiceInterface):
    """org.mpris.MediaPlayer2.Player over a :class:`Controller`."""

    def __init__(self, controller: Controller, spawn: Spawn) -> None:
        super().__init__(PLAYER_INTERFACE)
        self._control = self.controller = controller
        self._spawn = spawn
        self.loop_status = "None"
        self._published: dict[str, Any] = self._values()
        self._seeking = False

    # -- what is published ------------------------------------------------------------------

    def _values(self) -> dict[str, Any]:
        now, state = self._control.snapshot()
        started = state is not None
        return {
            "PlaybackStatus": playback_status(state, stopped=self._control.stopped),
            "LoopStatus": self.loop_status,
            "Metadata": metadata(now, state),
            "Volume": round((state.volume if state is not None
                             else self._control.start_volume) / 100, 4),
            "CanGoNext": True,
            "CanGoPrevious": True,
            "CanPlay": True,
            "CanPause": True,
            "CanSeek": started and now is not None,
        }

    def refresh(self, kind: str = "") -> dict[str, Any]:
        """Publish what changed since the last call (PropertiesChanged with those alone) and
        return it; after a seek, the Seeked signal with the new position."""
        values = self._values()
        changed = {k: v for k, v in values.items() if self._published.get(k) != v}
        self._published = values
        if changed:
            self.emit_properties_changed(
                {k: (_variants(v) if k == "Metadata" else v) for k, v in changed.items()})
        if kind == "seek":
            self._seeking = True
        elif kind == "time-pos" and self._seeking:
            self._seeking = False
            self.Seeked(self._position())
        return changed

    def _position(self) -> int:
        state = self._control.snapshot()[1]
        return int((state.position if state is not None else 0.0) * 1_000_000)

    async def _do(self, call: Coroutine[Any, Any, Any]) -> None:
        try:
            await call
        except MinionError as exc:
            raise _failure(exc) from None
        finally:
            self.refresh()

    # -- methods ----------------------------------------------------------------------------

    @method()
    async def Next(self) -> None:
        await self._do(self._control.next())

    @method()
    async def Previous(self) -> None:
        await self._do(self._control.previous())

    @method()
    async def Pause(self) -> None:
        await self._do(self._control.pause())

    @method()
    async def PlayPause(self) -> None:
        await self._do(self._control.toggle())

    @method()
    async def Stop(self) -> None:
        await self._do(self._control.stop())

    @method()
    async def Play(self) -> None:
        await self._do(self._control.play())

    @method()
    async def Seek(self, offset: DBusInt64) -> None:
        await self._do(self._control.seek_by(offset / 1_000_000))

    @method()
    async def SetPosition(self, track: DBusObjectPath, position: DBusInt64) -> None:
        now, state = self._control.snapshot()
        # The spec: a stale track id or a position outside the track is ignored.
        if now is None or track != track_id(now.track.urn) or position < 0:
            return
        if state is not None and state.duration and position / 1_000_000 > state.duration:
            return
        await self._do(self._control.seek_to(position / 1_000_000))

    @method()
    async def OpenUri(self, uri: DBusStr) -> None:
        await self._do(self._control.open_uri(uri))

    @signal()
    def Seeked(self, position: int) -> DBusInt64:
        return position

    # -- properties -------------------------------------------------------------------------

    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> DBusStr:
        return str(self._values()["PlaybackStatus"])

    @dbus_property()
    def LoopStatus(self) -> DBusStr:
        return self.loop_status

    @LoopStatus.setter  # type: ignore[no-redef]
    async def LoopStatus(self, value: DBusStr) -> None:
        if value in LOOP_STATUS.values():
            await self._control.set_repeat(value)
            self.loop_status = value
            self.refresh()

    @dbus_property()
    def Rate(self) -> DBusDouble:
        return 1.0

    @Rate.setter  # type: ignore[no-redef]
    def Rate(self, value: DBusDouble) -> None:
        return None  # MinimumRate == MaximumRate: only normal speed

    @dbus_property()
    def Shuffle(self) -> DBusBool:
        return False

    @Shuffle.setter  # type: ignore[no-redef]
    async def Shuffle(self, value: DBusBool) -> None:
        # Our shuffle is an action on the queue (the upcoming entries are reordered, then
        # played in order), not a mode: Shuffle stays false.
        if value:
            await self._control.player.queue_shuffle()

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> DBusDict:
        now, state = self._control.snapshot()
        return _variants(metadata(now, state))

    @dbus_property()
    def Volume(self) -> DBusDouble:
        return float(self._values()["Volume"])

    @Volume.setter  # type: ignore[no-redef]
    async def Volume(self, value: DBusDouble) -> None:
        await self._control.set_volume(value)

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> DBusInt64:
        return self._position()

    @dbus_property(access=PropertyAccess.READ)
    def MinimumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MaximumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def CanGoNext(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanGoPrevious(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPlay(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPause(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanSeek(self) -> DBusBool:
        return bool(self._values()["CanSeek"])

    @dbus_property(access=PropertyAccess.READ)
    def CanControl(self) -> DBusBool:
        return True


def _variants(raw: dict[str, tuple[str, Any]]) -> dict[str, Variant]:
    return {key: Variant(sig, value) for key, (sig, value) in raw.items()}


class Mpris:
    """Both interfaces exported and the name owned, on a connected bus."""

    def __init__(self, bus: "MessageBus", controller: Controller, spawn: Spawn) -> None:
        self.bus = bus
        self.root = RootInterface()
        self.player = PlayerInterface(controller, spawn)
        self.name = bus_name()

    async def publish(self) -> None:
        from dbus_fast import RequestNameReply

        self.bus.export(OBJECT_PATH, self.root)
        self.bus.export(OBJECT_PATH, self.player)
        reply = await self.bus.request_name(self.name)
        if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
            raise OSError(f"the bus name {self.name} is taken")
        await self.read_loop_status()

    async def read_loop_status(self) -> None:
        """LoopStatus from the queue's repeat mode (the TUI's r changes it too: read again at
        each new track)."""
        try:
            mode = await self.player.controller.player.repeat_mode()
        except MinionError as exc:
            log.info("repeat mode not read: %s", exc.text)
            return
        self.player.loop_status = LOOP_STATUS.get(mode, "None")
        self.player.refresh()

    async def aclose(self) -> None:
        try:
            await asyncio.wait_for(self.bus.release_name(self.name), 2)
        except (TimeoutError, DBusError, OSError, EOFError) as exc:
            log.info("MPRIS name not released: %s", exc)
        self.bus.unexport(OBJECT_PATH)
