"""The now-playing bar and its waveform with fixed data: a snapshot (120x40), the text it
shows, when it repaints, and click-to-seek.

Regenerate the snapshot after an intended change with:
    .venv/bin/python -m pytest tests/tui/test_now_playing.py --snapshot-update
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from minion_tui.models import (
    Judgment,
    NowPlaying,
    PlayerState,
    StreamChoice,
    Track,
    format_duration,
)
from minion_tui.tui.themes import load_themes, with_rating_colours
from minion_tui.tui.widgets.now_playing import (
    UNAVAILABLE_TEXT,
    BarView,
    NowPlayingBar,
    bar_view,
)
from minion_tui.tui.widgets.waveform import Waveform, block_for, fold_peaks, waveform_text

TRACK = Track(provider="soundcloud", id="42", urn="soundcloud:tracks:42",
              url="https://soundcloud.com/nightdrive/neon-harbour", title="Neon Harbour",
              artist="Night Drive", uploader="nightdrive", duration_ms=245_000,
              judgment=Judgment.LIKED)
CHOICE = StreamChoice(protocol="hls", codec="aac", preset="aac_160k",
                      url="https://cf-hls-media.sndcdn.com/playlist/x.m3u8", preview=True)
# A deterministic shape: a swell with a beat on it.
PEAKS = [abs(math.sin(i / 40)) * (0.55 + 0.45 * (i % 7 == 0)) for i in range(1800)]


class BarApp(App[None]):
    """The bar alone, on the app's default theme set (ours included)."""

    CSS = "Screen { align: center bottom; } NowPlayingBar { dock: bottom; }"

    def __init__(self) -> None:
        super().__init__()
        themes, _ = load_themes(None)
        for theme in themes:
            self.register_theme(with_rating_colours(theme))
        self.theme = "minion-dark"
        self.seeks: list[float] = []

    def compose(self) -> ComposeResult:
        yield NowPlayingBar(id="now-playing")

    def on_mount(self) -> None:
        bar = self.query_one(NowPlayingBar)
        bar.show_track(TRACK, preview=True, position=98.6, volume=80)
        bar.set_peaks(TRACK.urn, PEAKS)

    def on_waveform_seek(self, message: Waveform.Seek) -> None:
        self.seeks.append(message.fraction)


def test_snapshot_of_the_bar_with_a_fixed_track_and_position(
    snap_compare: Callable[..., bool],
) -> None:
    assert snap_compare(BarApp(), terminal_size=(120, 40))


async def test_the_bar_shows_title_artist_time_volume_badge_and_preview() -> None:
    app = BarApp()
    async with app.run_test(size=(120, 10)) as pilot:
        bar = app.query_one(NowPlayingBar)
        line = str(bar.query_one("#np-track", Static).render())
        times = str(bar.query_one("#np-time", Static).render())
        assert "Neon Harbour" in line and "Night Drive" in line
        assert "♥ liked" in line and "PREVIEW" in line
        assert times == "1:38 / 4:05  vol 80%"
        wave = bar.waveform
        width = wave.size.width
        assert wave.played_columns == int(98.6 / 245 * width)

        # A rating saved elsewhere changes the badge of the playing track only.
        bar.set_judgment("soundcloud:tracks:other", Judgment.NOT_QUITE)
        bar.set_judgment(TRACK.urn, Judgment.NOT_INTERESTED)
        await pilot.pause()
        line = str(bar.query_one("#np-track", Static).render())
        assert "✕ not interested" in line and "♥" not in line

        # A click at the middle of the waveform asks to seek there.
        await pilot.click(Waveform, offset=(width // 2, 0))
        assert len(app.seeks) == 1 and abs(app.seeks[0] - (width // 2 + 0.5) / width) < 1e-9

        bar.show_unavailable()
        await pilot.pause()
        assert str(bar.query_one("#np-track", Static).render()) == UNAVAILABLE_TEXT
        assert str(bar.query_one("#np-time", Static).render()) == ""


async def test_position_updates_repaint_only_on_a_new_second_or_column() -> None:
    app = BarApp()
    async with app.run_test(size=(120, 10)):
        bar = app.query_one(NowPlayingBar)
        now = NowPlaying(TRACK, CHOICE, history_id=1)
        state = PlayerState(position=98.6, duration=245.0, paused=False, idle=False,
                            volume=80.0)
        bar.post_message(NowPlayingBar.Update(now, state))
        await app.workers.wait_for_complete()
        await bar.run_action("app.bell")  # a round trip: the message has been handled
        assert bar.view.elapsed == 98 and bar.view.total == 245
        # 0.05 s later: same second, same column → nothing for the pump to send.
        later = PlayerState(position=98.65, duration=245.0, paused=False, idle=False,
                            volume=80.0)
        assert not bar.would_change(now, later)
        assert bar.would_change(now, PlayerState(position=99.1, duration=245.0, idle=False,
                                                 volume=80.0))
        assert bar.would_change(now, PlayerState(position=98.6, duration=245.0, paused=True,
                                                 idle=False, volume=80.0))


def test_view_text_and_clock() -> None:
    clock = format_duration
    assert clock(0) == "0:00" and clock(61.9) == "1:01" and clock(8125) == "2:15:25"
    assert clock(None) == "-:--"
    state = PlayerState(position=3725.2, duration=8125.0, idle=False, muted=True)
    view = bar_view(NowPlaying(TRACK, CHOICE, 1), state)
    assert view.time_text == "1:02:05 / 2:15:25  muted"
    assert view.state == "playing" and view.preview
    assert BarView().time_text == "" and "Nothing playing" in BarView().track_markup.plain


def test_peaks_fold_to_columns_keeping_the_loudest() -> None:
    # The mean under each column, the loudest column scaled to full height.
    assert fold_peaks([0.1, 0.9, 0.2, 0.3], 2) == pytest.approx([1.0, 0.5])
    assert fold_peaks([0.5, 1.0], 4) == [0.5, 0.5, 1.0, 1.0]  # stretched
    assert fold_peaks([0.0, 0.0], 2) == [0.0, 0.0]
    assert fold_peaks([], 3) == [0.0, 0.0, 0.0]
    assert block_for(0.0) == "▁" and block_for(1.0) == "█" and block_for(0.5) == "▄"
    assert waveform_text([0.0, 1.0], 4) == "▁▁██"
