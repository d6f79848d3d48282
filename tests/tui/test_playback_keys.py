"""The player keys through Pilot, with real libmpv (ao=null) against the emulator over HTTP:
enter plays (its list, here of one track, becomes the queue), the bar follows, space pauses,
] seeks, volume and mute, a / A queue (rows in the pane and in SQLite), J reorders, > plays the
next entry, L rates the playing track, the History tab shows the play. Plus: no libmpv → toasts
and the app keeps running; keys typed into an input never reach the player."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from minion_tui.config import log_path
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Judgment, Track
from minion_tui.playback.player import INSTALL_HINT
from minion_tui.tui.app import MinionApp
from minion_tui.tui.messages import PlayRequest
from minion_tui.tui.panes.queue import QueuePane, QueueTable
from minion_tui.tui.widgets.now_playing import UNAVAILABLE_TEXT, NowPlayingBar
from tests.examples import resolve_examples
from tests.tui.harness import list_in_browse, open_app, started
from tests.tui.waiting import listed_at_start, until

AppFactory = Callable[..., MinionApp]


@pytest.fixture
def player_app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return open_app(emulator, tmp_path, null_audio=True)


def _sql(data: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(data / "minion.db") as db:
        return list(db.execute(query))


async def _rate(pilot: Pilot[None], data: Path, key: str, urn: str, judgment: str) -> None:
    """Press ``key`` and wait for the judgments table to hold ``judgment`` for ``urn``."""
    await pilot.press(key)
    await until(pilot, lambda: (urn, judgment) in _sql(
        data, "SELECT urn, judgment FROM judgments"), f"{key}: the judgments row")


@pytest.mark.mpv
async def test_keys_play_pause_seek_queue_reorder_next_rate_and_history(
    player_app: MinionApp, emulator: RunningEmulator, tmp_path: Path
) -> None:
    app, data = player_app, tmp_path / "data"
    async with app.run_test(size=(140, 40)) as pilot:
        service = app.service
        tracks = await resolve_examples(service, emulator, "track_full", "track_downloadable",
                                        "track_preview")
        full, other, preview = tracks
        await listed_at_start(pilot)
        track_list = list_in_browse(app, [full])  # a list of one: it becomes the queue (a context)
        await pilot.pause()

        # enter plays; the bar shows the title and the elapsed time advances.
        await pilot.press("enter")
        bar = app.query_one(NowPlayingBar)
        await until(pilot, lambda: bar.view.title == full.title and bar.view.elapsed >= 1,
                    "the bar playing the first track")
        assert bar.view.artist == full.artist and bar.view.total
        await until(pilot, lambda: bar.view.elapsed >= 2, "elapsed advancing")
        await until(pilot, lambda: len(bar.waveform.peaks) > 0, "the waveform")
        assert 0 < bar.waveform.fraction < 0.5

        # space pauses (the player's own state), ] seeks 10 s while paused.
        await pilot.press("space")
        await until(pilot, lambda: (service.player.now_playing()[1] or _never).paused, "paused")
        await until(pilot, lambda: bar.view.state == "paused", "the bar paused")
        held = (service.player.now_playing()[1] or _never).position
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: (service.player.now_playing()[1] or _never).position
                    >= held + 9.5, "seek +10 s")
        await until(pilot, lambda: bar.view.elapsed >= int(held) + 9, "the bar after seek")

        # A click on the waveform seeks to that point of the track.
        width = bar.waveform.size.width
        await pilot.click("#np-waveform", offset=(width * 3 // 4, 0))
        duration = (service.player.now_playing()[1] or _never).duration or 0.0
        target = (width * 3 // 4 + 0.5) / width * duration
        await until(pilot,
                    lambda: abs((service.player.now_playing()[1] or _never).position - target)
                    < 1.0, "the seek by click")
        await until(pilot, lambda: bar.waveform.played_columns == width * 3 // 4,
                    "the played part up to the click")

        # - lowers the volume by 5, m mutes.
        volume = (service.player.now_playing()[1] or _never).volume
        await pilot.press("minus")
        await until(pilot, lambda: (service.player.now_playing()[1] or _never).volume == volume - 5,
                    "volume down 5")
        await until(pilot, lambda: bar.view.volume == round(volume - 5), "the bar's volume")
        await pilot.press("m")
        await until(pilot, lambda: bar.view.muted, "muted in the bar")
        assert "muted" in str(bar.query_one("#np-time", Static).render())

        # a queues the highlighted row; A puts one right after the playing entry.
        track_list.set_tracks(tracks)
        await pilot.press("j", "a")
        await until(pilot, lambda: _sql(data, "SELECT track_urn FROM queue ORDER BY position")
                    == [(full.urn,), (other.urn,)], "a: queued")
        await pilot.press("j", "A")
        await until(pilot, lambda: len(_sql(data, "SELECT id FROM queue")) == 3, "A: queued")
        order = [r[0] for r in _sql(data, "SELECT track_urn FROM queue ORDER BY position")]
        assert order == [full.urn, preview.urn, other.urn]  # A goes right after the playing

        # The Queue pane lists them; J moves the second one down (SQLite order follows).
        await pilot.press("3")
        pane = app.query_one(QueuePane)
        table = pane.query_one(QueueTable)
        await until(pilot, lambda: table.row_count == 3, "three queue rows")
        app.set_focus(table)
        table.move_cursor(row=1)
        await pilot.press("J")
        await until(pilot, lambda: [r[0] for r in _sql(
            data, "SELECT track_urn FROM queue ORDER BY position")]
            == [full.urn, other.urn, preview.urn], "reordered in SQLite")

        # L rates the playing track from here (no track list in sight).
        await _rate(pilot, data, "L", full.urn, "liked")
        await until(pilot, lambda: bar.view.judgment is Judgment.LIKED, "the bar's badge")

        # > plays the next entry; the pane marks it.
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: bar.view.title == other.title, "the next track playing")
        await until(pilot, lambda: table.row_count == 3
                    and str(table.get_row_at(1)[1]) == "▶", "the playing row marked")

        # History lists both plays, newest first; the first one with its seconds listened.
        await pilot.press("t")
        history = pane.query_one("#history-table", DataTable)
        await until(pilot, lambda: history.row_count == 2, "two history rows")
        titles = [str(history.get_row_at(i)[1]) for i in range(2)]
        assert titles == [other.title, f"♥ {full.title}"]  # the badge of the L above
        listened = _sql(data, "SELECT track_urn, seconds_listened FROM play_history "
                              "ORDER BY id")
        # Seconds actually played: the ~2 s before the pause and what followed the click's
        # seek; the seeks themselves (+10 s, then to 3/4 of the track) are not listening.
        assert listened[0][0] == full.urn
        assert held - 0.5 <= float(listened[0][1]) < target  # type: ignore[arg-type]

        # enter on a history row plays that track again.
        assert app.focused is history
        history.move_cursor(row=1)
        await pilot.press("enter")
        await until(pilot, lambda: bar.view.title == full.title, "played again")

        # A Go+ preview: the bar labels it and the playback toast says so.
        await pilot.press("t")  # back to the Queue tab
        table.move_cursor(row=2)
        await pilot.press("enter")
        await until(pilot, lambda: bar.view.title == preview.title, "the preview playing")
        assert bar.view.preview and "PREVIEW" in str(bar.query_one("#np-track",
                                                                    Static).render())
        await until(pilot, lambda: any("30 s preview" in n.message
                                       for n in app._notifications), "the preview toast")
        assert app.is_running


class _Never:
    paused = False
    duration: float | None = None
    position = -1.0
    volume = -1.0


_never = _Never()


async def test_without_libmpv_play_keys_toast_the_install_hint_and_the_app_lives(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real failure path: `import mpv` fails inside Player() as it does when python-mpv
    # cannot load libmpv (None in sys.modules makes the import raise ImportError).
    monkeypatch.setitem(sys.modules, "mpv", None)
    app = make_app()
    track = Track(provider="soundcloud", id="1", urn="soundcloud:tracks:1",
                  url="https://soundcloud.com/a/t1", title="Track 1", artist="A",
                  uploader="a", duration_ms=60_000)
    async with started(app, (120, 40)) as pilot:
        list_in_browse(app, [track])
        await pilot.press("enter")
        bar = app.query_one(NowPlayingBar)
        await until(pilot, lambda: bar.view.unavailable, "the unavailable bar")
        assert str(bar.query_one("#np-track", Static).render()) == UNAVAILABLE_TEXT
        await pilot.press("space", "right_square_bracket")
        await pilot.pause(0.2)
        hints = [n.message for n in app._notifications if INSTALL_HINT in n.message]
        assert len(hints) == 3  # enter, space and ] each said how to fix it
        # Everything else still works: queueing needs no player.
        await pilot.press("a")
        await until(pilot, lambda: len(app.query_one(QueuePane).entries) == 1, "queued")
        assert app.is_running


async def test_keys_typed_into_an_input_do_not_reach_the_player(app: MinionApp) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        query = app.query_one("#query", Input)
        query.focus()
        await pilot.press("a", "space", "m", "right_square_bracket", "L")
        await pilot.pause(0.1)
        assert query.value == "a m]L"
        assert app.service.player.now_playing() == (None, None)  # the player was never created
        assert [n.message for n in app._notifications] == []


@pytest.mark.mpv
async def test_waveform_from_the_audio_matches_the_waveform_json(
    player_app: MinionApp, emulator: RunningEmulator
) -> None:
    """Where a track offers no waveform JSON, the peaks measured from its audio (PyAV through
    the stream proxy) follow the shape the JSON describes (both come from the same audio)."""
    import dataclasses

    import numpy as np

    service = player_app.service
    try:
        track = await service.catalog.resolve(emulator.examples["track_full"])
        assert isinstance(track, Track)
        from_json = await service.player.waveform(track)
        assert len(from_json) == 1800 and max(from_json) <= 1.0
        bare = dataclasses.replace(track, raw={k: v for k, v in track.raw.items()
                                               if k != "waveform_url"})
        from_audio = await service.player.waveform(bare)
        assert len(from_audio) == 1800 and max(from_audio) == 1.0
        # Compare at a coarse resolution (the JSON tiles per AAC frame, we per bucket).
        coarse_json = np.array(from_json).reshape(60, 30).max(axis=1)
        coarse_audio = np.array(from_audio).reshape(60, 30).max(axis=1)
        correlation = float(np.corrcoef(coarse_json, coarse_audio)[0, 1])
        assert correlation > 0.8, correlation
    finally:
        await service.aclose()


# -- audit fixes: errors said, bursts of keys, the remaining keys, fd 2 ------------------------


def _state(app: MinionApp) -> _Never:
    return app.service.player.now_playing()[1] or _never  # type: ignore[return-value]


@pytest.mark.mpv
async def test_an_mpv_error_is_a_toast_with_its_text(
    player_app: MinionApp, emulator: RunningEmulator
) -> None:
    app = player_app
    app.service.player.audio_output = "nosuchoutput"  # as when the machine has no sound card
    async with started(app, (140, 40)) as pilot:
        (full,) = await resolve_examples(app.service, emulator, "track_full")
        list_in_browse(app, [full])
        await pilot.press("enter")
        await until(pilot, lambda: any("No audio output could be opened (tried: nosuchoutput)"
                                       in n.message for n in app._notifications),
                    "the no-audio-output toast")
        toast = next(n for n in app._notifications if "No audio output" in n.message)
        assert toast.severity == "error" and 'audio_output in config.toml' in toast.message
        assert app.is_running


@pytest.mark.mpv
async def test_a_burst_of_volume_keys_counts_every_press(
    player_app: MinionApp, emulator: RunningEmulator
) -> None:
    from textual import events

    app = player_app
    async with app.run_test(size=(140, 40)) as pilot:
        (full,) = await resolve_examples(app.service, emulator, "track_full")
        await app.service.player.play(full)
        await until(pilot, lambda: _state(app).position > 0.1, "playing")
        start = _state(app).volume
        for _ in range(3):  # in one burst: no press waits for mpv to report the last one
            app.post_message(events.Key("minus", "-"))
        await pilot.pause()
        await until(pilot, lambda: _state(app).volume == start - 15, "volume down 15")
        for _ in range(3):  # space three times: paused (each press toggles)
            app.post_message(events.Key("space", " "))
        await pilot.pause()
        await until(pilot, lambda: _state(app).paused, "paused after three presses")
        await pilot.pause(0.3)
        assert _state(app).paused and _state(app).volume == start - 15


@pytest.mark.mpv
async def test_seek_volume_up_previous_and_rating_keys(
    player_app: MinionApp, emulator: RunningEmulator, tmp_path: Path
) -> None:
    app, data = player_app, tmp_path / "data"
    async with app.run_test(size=(140, 40)) as pilot:
        service = app.service
        long, full = await resolve_examples(service, emulator, "track_long", "track_full")
        queue = await service.player.queue_add([full, long])
        app.post_message(PlayRequest(queue_entry=queue[1].id))  # the long one, 2nd entry
        bar = app.query_one(NowPlayingBar)
        await until(pilot, lambda: bar.view.title == long.title and _state(app).position > 0.5,
                    "the long track playing")

        await pilot.press("right_curly_bracket")  # } +60 s
        await until(pilot, lambda: 60 < _state(app).position < 70, "} forward 60 s")
        await pilot.press("right_curly_bracket")
        await until(pilot, lambda: 120 < _state(app).position < 130, "} again")
        await pilot.press("left_curly_bracket")  # { -60 s
        await until(pilot, lambda: 60 < _state(app).position < 70, "{ back 60 s")
        before = _state(app).position
        await pilot.press("left_square_bracket")  # [ -10 s
        await until(pilot, lambda: before - 11 < _state(app).position < before - 8,
                    "[ back 10 s")

        volume = _state(app).volume
        await pilot.press("equals_sign")  # = +5
        await until(pilot, lambda: _state(app).volume == volume + 5, "= volume up 5")
        await until(pilot, lambda: bar.view.volume == round(volume + 5), "the bar's volume")

        # X and N rate the playing track (the long one), wherever the focus is.
        await _rate(pilot, data, "X", long.urn, "not_interested")
        await _rate(pilot, data, "N", long.urn, "not_quite")
        await until(pilot, lambda: bar.view.judgment is Judgment.NOT_QUITE, "the bar's badge")

        # < plays the previous queue entry.
        await pilot.press("less_than_sign")
        await until(pilot, lambda: bar.view.title == full.title, "< the previous entry")
        now = service.player.now_playing()[0]
        assert now is not None and now.queue_entry_id == queue[0].id


APP_WRITING_TO_FD2 = """
import os, sys, threading
from pathlib import Path
from minion_tui.service import Service
from minion_tui.tui import app as app_module
from minion_tui.tui.run import run_app

marker = Path(sys.argv[2])
original_run = app_module.MinionApp.run

def run(self, *args, **kwargs):
    # What libasound does when mpv opens ALSA without a sound card: it writes to fd 2.
    def scribble():
        self.call_from_thread(lambda: None)  # the app is up and running
        os.write(2, b"ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default\\n")
        marker.write_text("written")
    self.call_later(lambda: threading.Thread(target=scribble, daemon=True).start())
    return original_run(self, *args, **kwargs)

app_module.MinionApp.run = run
code = run_app(Service.open(data_dir=Path(sys.argv[1])))
print("AFTER-EXIT on stderr", file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.tmux
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_native_writes_to_fd2_go_to_the_log_not_over_the_tui(tmp_path: Path) -> None:
    from tests.tui.test_terminal import Tmux

    tmux = Tmux(tmp_path / "tmux.sock")
    script, marker, state = tmp_path / "app.py", tmp_path / "written", tmp_path / "state"
    script.write_text(APP_WRITING_TO_FD2, encoding="utf-8")
    command = (f"XDG_STATE_HOME={shlex.quote(str(state))} {shlex.quote(sys.executable)} "
               f"{shlex.quote(str(script))} {shlex.quote(str(tmp_path / 'data'))} "
               f"{shlex.quote(str(marker))}; echo EXIT=$?; sleep 60")
    try:
        tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", command)
        tmux.wait_for("Trending")  # Textual still draws on the terminal
        for _ in range(300):
            if marker.exists():
                break
            time.sleep(0.05)
        assert marker.exists(), tmux.screen()
        time.sleep(0.3)
        screen = tmux.screen()
        assert "ALSA lib" not in screen and "Trending" in screen
        log = next(state.rglob(log_path().name)).read_text(encoding="utf-8")
        assert "ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default" in log
        tmux("send-keys", "-t", "app", "q")
        after = tmux.wait_for("EXIT=")
        assert "EXIT=0" in after
        assert "AFTER-EXIT on stderr" in after  # fd 2 is the terminal again after the app
        assert "ALSA lib" not in after
    finally:
        subprocess.run(["tmux", "-S", str(tmux.socket), "kill-server"], capture_output=True,
                       check=False)
