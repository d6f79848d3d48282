"""Desktop notifications: org.freedesktop.Notifications on the session bus, else the
terminal's own (OSC 9 / OSC 777) where the terminal is known to show them.

Three kinds, each with its switch in ``[desktop]``: a new track (title, artist, the cover as
``image-path``), the downloads running having finished, a sync having finished. Track
notifications replace one another (``replaces_id``), so skipping through a list leaves one.
Which terminal speaks which sequence is :func:`terminal_protocol`'s (docs/desktop.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minion_tui import config
from minion_tui.errors import MinionError

if TYPE_CHECKING:
    from dbus_fast.aio import MessageBus

    from minion_tui.models import DownloadEvent, SyncSummary, Track
    from minion_tui.service import Service

log = logging.getLogger(__name__)

APP_NAME = "minion-tui"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Download events that end a download, and those that (re)start one.
_ENDED = {"done": "done", "skipped": "skipped", "failed": "failed", "cancelled": "cancelled"}
_ACTIVE = {"queued", "start"}
#: Terminals whose own notifications we write, by TERM_PROGRAM, then by TERM's start.
_BY_PROGRAM = {"iTerm.app": "osc9", "WezTerm": "osc9", "ghostty": "osc9"}
_BY_TERM = (("xterm-kitty", "osc9"), ("xterm-ghostty", "osc9"), ("foot", "osc777"),
            ("rxvt-unicode", "osc777"))


def terminal_protocol(environ: Mapping[str, str]) -> str | None:
    """"osc9", "osc777" or None for the terminal ``environ`` describes. Inside tmux or
    screen: None (the multiplexer would swallow the sequence or show it in another pane)."""
    term, program = environ.get("TERM", ""), environ.get("TERM_PROGRAM", "")
    if environ.get("TMUX") or environ.get("STY") or term.startswith(("screen", "tmux")) \
            or program == "tmux":
        return None
    if program in _BY_PROGRAM:
        return _BY_PROGRAM[program]
    if environ.get("KITTY_WINDOW_ID"):
        return "osc9"
    return next((kind for prefix, kind in _BY_TERM if term.startswith(prefix)), None)


def _clean(text: str, limit: int = 200) -> str:
    return _CONTROL.sub(" ", text).strip()[:limit]


def terminal_sequence(protocol: str, summary: str, body: str) -> str:
    """The escape sequence that shows a notification in the terminal."""
    if protocol == "osc777":
        return f"\x1b]777;notify;{_clean(summary).replace(';', ',')};{_clean(body)}\x1b\\"
    text = f"{_clean(summary)}: {_clean(body)}" if body else _clean(summary)
    return f"\x1b]9;{text}\x07"


def _markup(text: str) -> str:
    """The body may be read as markup by the server (<b>, <a>, <img>): escaped."""
    return _clean(text, 500).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Notifier:
    """Sends the notifications; ``bus`` None: only the terminal's (or none)."""

    def __init__(self, service: Service, bus: MessageBus | None, *,
                 terminal: Callable[[str], None] | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self._service = service
        self._settings = service.settings.desktop
        self._bus = bus
        self._terminal = terminal if self._settings.terminal_notifications else None
        self._protocol = terminal_protocol(os.environ if environ is None else environ)
        self._track_id = 0
        self._said_none = False
        self._downloads: dict[str, str] = {}  # track urn -> its last state this batch
        self.sent: list[tuple[str, str, str]] = []  # (how, summary, body), for the log
        self._tasks: set[asyncio.Task[Any]] = set()

    def bus_gone(self) -> None:
        """The session bus went away: the terminal's notifications from now on."""
        self._bus = None

    # -- the kinds --------------------------------------------------------------------------

    async def track(self, track: Track) -> None:
        if not self._settings.notify_track:
            return
        cover = await self._cover(track.artwork_url) if track.artwork_url else None
        body = track.artist or track.uploader
        self._track_id = await self.send(track.title, body, image=cover,
                                         replaces=self._track_id, urgency=0)

    def download_event(self, event: DownloadEvent) -> None:
        """Follows every download; once none is running, one notification for the lot."""
        if event.kind in _ACTIVE:
            self._downloads[event.track_urn] = "running"
        elif event.kind in _ENDED:
            self._downloads[event.track_urn] = _ENDED[event.kind]
        else:
            return
        if any(state == "running" for state in self._downloads.values()):
            return
        counts: dict[str, int] = {}
        for state in self._downloads.values():
            counts[state] = counts.get(state, 0) + 1
        self._downloads.clear()
        if not self._settings.notify_downloads:
            return
        words = [f"{counts[k]} {k if k != 'done' else 'downloaded'}"
                 for k in ("done", "skipped", "failed", "cancelled") if counts.get(k)]
        title = event.title if sum(counts.values()) == 1 and event.title else ""
        body = ", ".join(words) + (f": {title}" if title else "")
        self._later(self.send("Downloads finished", body))

    def synced(self, summary: SyncSummary) -> None:
        if not self._settings.notify_sync:
            return
        body = (f"{summary.new_tracks} new track{'s' if summary.new_tracks != 1 else ''} "
                f"from {summary.sources} source{'s' if summary.sources != 1 else ''}")
        if summary.failed:
            body += f" ({summary.failed} failed)"
        self._later(self.send("Sync finished", body))

    # -- sending ----------------------------------------------------------------------------

    def _later(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def send(self, summary: str, body: str, *, image: Path | None = None,
                   replaces: int = 0, urgency: int = 1) -> int:
        """Through the notification service when there is one (its id), else the
        terminal's (0)."""
        if self._bus is not None and not self._bus.connected:
            self._bus = None
        if self._bus is not None:
            found = await self._notify(summary, body, image, replaces, urgency)
            if found is not None:
                self.sent.append(("dbus", summary, body))
                return found
        if self._terminal is not None and self._protocol is not None:
            try:
                self._terminal(terminal_sequence(self._protocol, summary, body))
            except (OSError, ValueError) as exc:
                log.info("terminal notification not written: %s", exc)
            else:
                self.sent.append((self._protocol, summary, body))
        elif not self._said_none:
            self._said_none = True
            log.info("no notification service and no terminal known to show them: "
                     "notifications are off")
        return 0

    async def _notify(self, summary: str, body: str, image: Path | None, replaces: int,
                      urgency: int) -> int | None:
        from dbus_fast import Message, MessageType, Variant

        assert self._bus is not None
        hints: dict[str, Variant] = {"urgency": Variant("y", urgency),
                                     "desktop-entry": Variant("s", APP_NAME)}
        if image is not None:
            hints["image-path"] = Variant("s", image.as_uri())
        message = Message(
            destination="org.freedesktop.Notifications", path="/org/freedesktop/Notifications",
            interface="org.freedesktop.Notifications", member="Notify",
            signature="susssasa{sv}i",
            body=[APP_NAME, replaces & 0xFFFFFFFF, "", _clean(summary), _markup(body), [],
                  hints, -1])
        try:
            reply = await asyncio.wait_for(self._bus.call(message), 5)
        except Exception as exc:  # a bus that went away: dbus-fast raises several kinds
            log.info("Notify failed: %r", exc)
            return None
        if reply is None or reply.message_type == MessageType.ERROR:
            if not self._said_none:
                log.info("no desktop notification service: %s",
                         reply.error_name if reply is not None else "no reply")
            return None
        return int(reply.body[0]) if reply.body else 0

    async def _cover(self, url: str) -> Path | None:
        """The cover in the cache dir, for the server to read (an https URL it would not)."""
        try:
            data = await self._service.catalog.artwork(url)
        except MinionError as exc:
            log.info("no cover for the notification: %s", exc.text)
            return None
        path = config.cache_dir() / "notify" / hashlib.sha256(url.encode()).hexdigest()

        def write() -> Path:
            config.private_dirs(path.parent)
            if not path.exists():
                temp = path.with_suffix(".tmp")
                with open(temp, "wb", opener=config.private_opener) as out:
                    out.write(data)
                os.replace(temp, path)
            return path

        try:
            return await asyncio.to_thread(write)
        except OSError as exc:
            log.info("cover not written: %s", exc)
            return None

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
