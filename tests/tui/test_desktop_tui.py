"""The TUI publishes MPRIS while it runs (the desktop integration the CLI hands it as a
companion): on a private session bus, through Pilot, with real libmpv (ao=null)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from minion_tui.config import Settings, UiSettings
from minion_tui.desktop import Desktop
from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from tests.examples import resolve_examples
from tests.integration.desktop_bus import session_bus
from tests.tui.waiting import until

__all__ = ["session_bus"]  # the fixture
pytestmark = [pytest.mark.mpv, pytest.mark.dbus]
PLAYER = "org.mpris.MediaPlayer2.Player"


async def _call(bus: MessageBus, member: str, *, destination: str = "org.freedesktop.DBus",
                path: str = "/org/freedesktop/DBus", interface: str = "org.freedesktop.DBus",
                signature: str = "", body: list[Any] | None = None) -> list[Any]:
    reply = await bus.call(Message(destination=destination, path=path, interface=interface,
                                   member=member, signature=signature, body=body or []))
    assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply
    return list(reply.body)


async def test_the_tui_publishes_mpris_and_obeys_it(
        emulator: RunningEmulator, session_bus: str, tmp_path: Path) -> None:
    settings = Settings(ui=UiSettings(theme="minion-dark", artwork=False),
                        path=tmp_path / "config.toml")
    service = Service.open(settings=settings, data_dir=tmp_path / "data",
                           endpoints=emulator.endpoints)
    service.player.audio_output = "null"
    app = MinionApp(service, companions=[Desktop(service).run])
    client = await MessageBus(bus_address=session_bus).connect()
    names: list[str] = []
    state: dict[str, Any] = {}

    async def refresh() -> None:
        names[:] = (await _call(client, "ListNames"))[0]
        ours = [n for n in names if n.startswith("org.mpris.MediaPlayer2.minion_tui.")]
        if ours:
            props = (await _call(client, "GetAll", destination=ours[0],
                                 path="/org/mpris/MediaPlayer2",
                                 interface="org.freedesktop.DBus.Properties", signature="s",
                                 body=[PLAYER]))[0]
            state.clear()
            state.update({k: v.value for k, v in props.items()})
            state["name"] = ours[0]

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            async def published() -> bool:
                await refresh()
                return "name" in state

            for _ in range(600):
                if await published():
                    break
                await pilot.pause(0.05)
            assert state["PlaybackStatus"] == "Stopped"
            assert state["Metadata"]["mpris:trackid"].value.endswith("/NoTrack")

            [track] = await resolve_examples(service, emulator, "track_full")
            app.player_control.play(track)
            await until(pilot, lambda: (service.player.now_playing()[1] or None) is not None
                        and service.player.now_playing()[1].state == "playing", "playing")
            for _ in range(600):
                await refresh()
                if state["PlaybackStatus"] == "Playing":
                    break
                await pilot.pause(0.05)
            meta = {k: v.value if isinstance(v, Variant) else v
                    for k, v in state["Metadata"].items()}
            assert meta["xesam:title"] == track.title
            assert meta["xesam:artist"] == [track.artist]

            await _call(client, "PlayPause", destination=state["name"],
                        path="/org/mpris/MediaPlayer2", interface=PLAYER)
            await until(pilot, lambda: service.player.state.paused, "paused by MPRIS")
            name = state["name"]
        await refresh()
        assert name not in names  # gone with the app
    finally:
        client.disconnect()
