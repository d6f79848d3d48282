"""Desktop notifications on a private session bus: a fake org.freedesktop.Notifications (a
dbus-fast service object of the test's own) records the Notify calls the desktop integration
makes for a new track, finished downloads and a finished sync; without a notification
service they become the terminal's own (OSC 9 / OSC 777) where the terminal shows them."""

# No ``from __future__ import annotations``: dbus-fast reads the signatures below.
import asyncio
from pathlib import Path
from typing import Annotated, Any

import pytest
from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusDict, DBusInt32, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.service import ServiceInterface, method

from minion_tui.config import DesktopSettings, Settings
from minion_tui.desktop import Desktop
from minion_tui.desktop.notify import Notifier, terminal_protocol, terminal_sequence
from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from tests.integration.desktop_bus import session_bus

__all__ = ["session_bus"]  # the fixture
Strings = Annotated[list[str], DBusSignature("as")]


class FakeNotifications(ServiceInterface):
    """What a notification daemon offers, recording each Notify."""

    def __init__(self) -> None:
        super().__init__("org.freedesktop.Notifications")
        self.calls: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    @method()
    def Notify(self, app_name: DBusStr, replaces_id: DBusUInt32, app_icon: DBusStr,
               summary: DBusStr, body: DBusStr, actions: Strings, hints: DBusDict,
               timeout: DBusInt32) -> DBusUInt32:
        self.calls.append({"app": app_name, "replaces": replaces_id, "summary": summary,
                           "body": body, "hints": {k: v.value if isinstance(v, Variant) else v
                                                   for k, v in hints.items()}})
        self.arrived.set()
        return len(self.calls)

    @method()
    def GetCapabilities(self) -> Strings:
        return ["body", "body-markup"]

    async def wait_for(self, summary: str) -> dict[str, Any]:
        async with asyncio.timeout(60):  # a hang guard
            while True:
                found = [c for c in self.calls if c["summary"] == summary]
                if found:
                    return found[-1]
                self.arrived.clear()
                await self.arrived.wait()


async def _fake_daemon(address: str) -> tuple[MessageBus, FakeNotifications]:
    bus = await MessageBus(bus_address=address).connect()
    fake = FakeNotifications()
    bus.export("/org/freedesktop/Notifications", fake)
    await bus.request_name("org.freedesktop.Notifications")
    return bus, fake


@pytest.mark.mpv
@pytest.mark.dbus
async def test_notify_on_track_change_downloads_and_sync(
        emulator: RunningEmulator, session_bus: str, tmp_path: Path) -> None:
    daemon, fake = await _fake_daemon(session_bus)
    service = Service.open(endpoints=emulator.endpoints, data_dir=tmp_path / "data")
    service.player.audio_output = "null"
    desktop = Desktop(service)
    await desktop.start()
    try:
        assert desktop.mpris is not None and desktop.bus is not None
        now = await service.player.play(emulator.examples["track_full"])
        call = await fake.wait_for(now.track.title)
        assert call["app"] == "minion-tui"
        assert call["body"] == now.track.artist
        cover = call["hints"]["image-path"]
        assert cover.startswith("file://")
        image = await asyncio.to_thread(Path(cover.removeprefix("file://")).read_bytes)
        assert image == await service.catalog.artwork(now.track.artwork_url or "")

        music = tmp_path / "Music"
        outcomes = await service.downloads.download([emulator.examples["track_downloadable"]],
                                                    directory=music)
        assert outcomes
        done = await fake.wait_for("Downloads finished")
        assert done["body"].startswith("1 downloaded")

        await service.discovery.follow([emulator.examples["user"]])
        summary = await service.discovery.sync()
        synced = await fake.wait_for("Sync finished")
        assert synced["body"].startswith(f"{summary.new_tracks} new track")
    finally:
        await desktop.aclose()
        await service.aclose()
        daemon.disconnect()


@pytest.mark.dbus
async def test_without_a_notification_service_the_terminal_shows_it(
        session_bus: str, tmp_path: Path) -> None:
    written: list[str] = []
    settings = Settings(path=tmp_path / "config.toml")
    service = Service.open(settings=settings, data_dir=tmp_path / "data")
    bus = await MessageBus(bus_address=session_bus).connect()
    try:
        notifier = Notifier(service, bus, terminal=written.append,
                            environ={"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"})
        assert await notifier.send("Sync finished", "3 new tracks from 2 sources") == 0
        assert written == ["\x1b]9;Sync finished: 3 new tracks from 2 sources\x07"]
    finally:
        bus.disconnect()
        await service.aclose()


async def test_kinds_turned_off_in_config_send_nothing(tmp_path: Path) -> None:
    written: list[str] = []
    settings = Settings(path=tmp_path / "config.toml",
                        desktop=DesktopSettings(notify_sync=False, notify_downloads=False))
    service = Service.open(settings=settings, data_dir=tmp_path / "data")
    try:
        notifier = Notifier(service, None, terminal=written.append,
                            environ={"TERM": "foot"})
        from minion_tui.models import DownloadEvent, SyncSummary

        notifier.synced(SyncSummary(event="summary", new_tracks=1, sources_updated=1,
                                    requests=1, seconds=0.1, sources=1))
        notifier.download_event(DownloadEvent(kind="start", track_urn="a"))
        notifier.download_event(DownloadEvent(kind="done", track_urn="a"))
        await asyncio.sleep(0)
        assert written == []
        off = Notifier(service, None, terminal=None, environ={"TERM": "foot"})
        assert await off.send("x", "y") == 0  # no terminal writer: nothing, no error
        on = Notifier(service, None, terminal=written.append, environ={"TERM": "foot"})
        await on.send("Downloads; finished", "1 downloaded\x1b[31m")
        assert written == ["\x1b]777;notify;Downloads, finished;1 downloaded [31m\x1b\\"]
    finally:
        await service.aclose()


@pytest.mark.parametrize(("environ", "expected"), [
    ({"TERM_PROGRAM": "iTerm.app"}, "osc9"),
    ({"TERM_PROGRAM": "WezTerm"}, "osc9"),
    ({"TERM": "xterm-kitty"}, "osc9"),
    ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}, "osc9"),
    ({"TERM": "foot"}, "osc777"),
    ({"TERM": "rxvt-unicode-256color"}, "osc777"),
    ({"TERM": "xterm-256color"}, None),
    ({"TERM": "linux"}, None),
    ({"TERM": "tmux-256color", "TERM_PROGRAM": "tmux", "TMUX": "/tmp/x"}, None),
    ({"TERM_PROGRAM": "WezTerm", "TMUX": "/tmp/x"}, None),  # inside tmux, in WezTerm
    ({}, None),
])
def test_which_terminal_gets_which_sequence(environ: dict[str, str],
                                            expected: str | None) -> None:
    assert terminal_protocol(environ) == expected


def test_sequences_carry_no_control_characters() -> None:
    assert terminal_sequence("osc9", "T\x07itle", "b\x1bo\x9cdy") == "\x1b]9;T itle: b o dy\x07"
