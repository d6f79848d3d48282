"""MPRIS2 and `minion-tui ctl` against a real `minion-tui play` over the emulator, on a
private session bus: playerctl drives it, dbus-monitor watches what it publishes."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from tests.integration.conftest import EmulatorHttp
from tests.integration.desktop_bus import (
    ctl_json,
    env_with,
    playerctl,
    players,
    properties_changed,
    session_bus,
    start_monitor,
    start_play,
    wait_for,
)

__all__ = ["session_bus"]  # the fixture
pytestmark = [pytest.mark.mpv, pytest.mark.dbus]


def _title(sc_http: EmulatorHttp, url: str) -> str:
    return str(sc_http.json("/resolve", url=url)["title"])


async def _queue(emulator: RunningEmulator, urls: list[str]) -> None:
    """Tracks in the queue (the data dir `play` will use), for Next to go to."""
    service = Service.open(endpoints=emulator.endpoints)
    try:
        await service.player.queue_add(urls)
    finally:
        await service.aclose()


def test_playerctl_drives_play_and_properties_changed_carries_only_changes(
        sc_env: RunningEmulator, sc_http: EmulatorHttp, session_bus: str,
        tmp_path: Path) -> None:
    first, queued = sc_env.examples["track_full"], sc_env.examples["track_downloadable"]
    asyncio.run(_queue(sc_env, [queued]))
    monitor = start_monitor(tmp_path / "monitor.txt")
    playing = start_play(first)
    try:
        name = f"minion_tui.instance{playing.pid}"
        wait_for(lambda: name in players(), "the bus name")
        assert wait_for(lambda: playerctl("status") == "Playing", "Playing")
        assert playerctl("metadata", "xesam:title") == _title(sc_http, first)
        assert playerctl("metadata", "xesam:url") == first
        trackid = playerctl("metadata", "mpris:trackid").strip("'")
        assert trackid.startswith("/org/minion_tui/track/soundcloud")
        length = int(playerctl("metadata", "mpris:length"))
        assert length > 10_000_000  # µs
        wait_for(lambda: float(playerctl("position") or 0) > 0.2, "position moves")

        playerctl("play-pause")
        assert wait_for(lambda: playerctl("status") == "Paused", "paused")
        playerctl("position", "30")
        assert wait_for(lambda: 29.5 <= float(playerctl("position")) < 31, "seeked to 30")
        playerctl("play-pause")
        assert wait_for(lambda: playerctl("status") == "Playing", "playing again")

        playerctl("next")
        assert wait_for(lambda: playerctl("metadata", "xesam:title")
                        == _title(sc_http, queued), "the queued track")
        assert playerctl("metadata", "xesam:url") == queued

        playerctl("loop", "Playlist")  # the queue's repeat mode, kept in the store
        assert wait_for(lambda: playerctl("loop") == "Playlist", "repeat all")
        playerctl("volume", "0.5")
        assert wait_for(lambda: playerctl("volume").startswith("0.5"), "volume 50")
        opened = sc_env.examples["track_opus"]
        playerctl("open", opened)  # OpenUri: a SoundCloud URL plays
        assert wait_for(lambda: playerctl("metadata", "xesam:url") == opened, "opened")
        assert playerctl("metadata", "xesam:title") == _title(sc_http, opened)
        show = sc_env.examples["mc_show_tracks"]  # a Mixcloud URL plays too
        playerctl("open", show)
        assert wait_for(lambda: playerctl("metadata", "xesam:url").rstrip("/")
                        == show.rstrip("/"), "the Mixcloud show")
        assert playerctl("metadata", "mpris:trackid").strip("'").startswith(
            "/org/minion_tui/track/mixcloud")
        playerctl("open", "https://example.com/not-music")  # refused: nothing changes
        assert playerctl("metadata", "xesam:url").rstrip("/") == show.rstrip("/")
    finally:
        playing.stop()
        out = monitor.stop()
    assert "Traceback" not in playing.process.stderr.read()  # type: ignore[union-attr]
    assert name not in players()  # the name goes with the instance

    changes = properties_changed(out)
    assert changes, out[:2000]
    # Position is never in PropertiesChanged (the spec: Seeked is for jumps)...
    assert all("Position" not in c for c in changes)
    # ...and the pause and the resume carried their one change, nothing else.
    assert {"PlaybackStatus": 'variant             string "Paused"'} in changes
    paused = [c for c in changes if c.get("PlaybackStatus", "").endswith('"Paused"')]
    assert paused and all(set(c) == {"PlaybackStatus"} for c in paused), paused
    # the next track: new Metadata, not the whole property set again
    assert any("Metadata" in c and "Volume" not in c for c in changes[1:]), changes
    assert "member=Seeked" in out
    assert {"LoopStatus": 'variant             string "Playlist"'} in changes
    assert any(set(c) == {"Volume"} for c in changes), changes


def test_ctl_over_mpris_and_over_the_socket(
        sc_env: RunningEmulator, sc_http: EmulatorHttp, session_bus: str) -> None:
    url = sc_env.examples["track_full"]
    playing = start_play(url)
    try:
        wait_for(lambda: f"minion_tui.instance{playing.pid}" in players(), "the bus name")
        code, status = wait_for(lambda: (lambda r: r if r[1].get("state") == "playing"
                                         else None)(ctl_json("status")), "playing")
        assert code == 0 and status["via"] == "mpris"
        assert status["title"] == _title(sc_http, url) and status["url"] == url
        assert status["pid"] == playing.pid and status["duration"] > 10
        assert status["urn"].startswith("soundcloud:tracks:")

        code, _ = ctl_json("pause")
        assert code == 0
        assert wait_for(lambda: ctl_json("status")[1]["state"] == "paused", "paused")
        code, _ = ctl_json("seek", "20")
        assert code == 0
        assert wait_for(lambda: 19.5 <= ctl_json("status")[1]["position"] < 21, "at 20 s")
        code, error = ctl_json("seek", "1e12")
        assert code == 1 and error["error"]["type"] == "invalid_argument"

        # Without the bus, the same through the private socket (0600 in a 0700 folder).
        no_bus = env_with(DBUS_SESSION_BUS_ADDRESS=None)
        socket = Path(os.environ["XDG_RUNTIME_DIR"], "minion-tui",
                      f"instance-{playing.pid}.sock")
        assert stat.S_IMODE(socket.stat().st_mode) == 0o600
        assert stat.S_IMODE(socket.parent.stat().st_mode) == 0o700
        code, status = ctl_json("status", env=no_bus)
        assert code == 0 and status["via"] == "socket" and status["state"] == "paused"
        assert status["title"] == _title(sc_http, url)
        code, status = ctl_json("play", env=no_bus)
        assert code == 0
        assert wait_for(lambda: ctl_json("status", env=no_bus)[1]["state"] == "playing",
                        "playing over the socket")
        code, error = ctl_json("seek", "1e12", env=no_bus)
        assert code == 1 and error["error"]["type"] == "invalid_argument"
    finally:
        playing.stop()
    assert not socket.exists()  # removed on the way out
    code, error = ctl_json("status")
    assert code == 1 and error["error"]["type"] == "not_running"


def test_without_a_session_bus_play_runs_with_one_log_line_and_ctl_uses_the_socket(
        sc_env: RunningEmulator, isolated_env: Path) -> None:
    assert "DBUS_SESSION_BUS_ADDRESS" not in os.environ
    playing = start_play(sc_env.examples["track_full"])
    try:
        code, status = wait_for(lambda: (lambda r: r if r[1].get("state") == "playing"
                                         else None)(ctl_json("status")), "playing")
        assert status["via"] == "socket" and status["pid"] == playing.pid
        code, _ = ctl_json("next")  # nothing queued: it stays on the track
        assert code == 0
    finally:
        assert playing.stop() in (0, 130)
    stderr = playing.process.stderr.read()  # type: ignore[union-attr]
    assert "Traceback" not in stderr
    log = (isolated_env / "state" / "minion-tui" / "log" / "minion-tui.log").read_text()
    assert log.count("desktop integration is off") == 1, log


def test_play_goes_on_when_the_bus_goes_away(sc_env: RunningEmulator,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A logout ends the session bus under a running `play`: it keeps playing, the socket
    keeps answering, and nothing is printed but its own lines."""
    import subprocess

    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert daemon.stdout is not None
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", daemon.stdout.readline().strip())
    playing = start_play(sc_env.examples["track_full"])
    try:
        wait_for(lambda: f"minion_tui.instance{playing.pid}" in players(), "the bus name")
        daemon.terminate()
        daemon.wait(10)
        no_bus = env_with(DBUS_SESSION_BUS_ADDRESS=None)
        position = wait_for(lambda: ctl_json("status", env=no_bus)[1]["position"] or None,
                            "a position")
        assert wait_for(lambda: ctl_json("status", env=no_bus)[1]["position"] > position,
                        "still playing")
        assert playing.process.poll() is None
    finally:
        playing.stop()
        if daemon.poll() is None:
            daemon.kill()
    assert "Traceback" not in playing.process.stderr.read()  # type: ignore[union-attr]
