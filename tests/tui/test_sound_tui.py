"""Tempo and key in the TUI (issue 18, tui/sound_control.py): B analyses the highlighted
track from its stream (the emulator's audio, through the real service and its worker
processes) and the details panel's Sound line shows it in place; the optional BPM, Key and
Camelot columns show the values and T sorts by them; M lists the tracks that sound alike in
Browse."""

from __future__ import annotations

from pathlib import Path

import pytest

from minion_tui.config import AnalysisSettings, Settings, UiSettings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Availability, Track
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes import BrowsePane
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.waiting import open_trending, until


def _app(emulator: RunningEmulator, tmp_path: Path, columns: str | None) -> MinionApp:
    settings = Settings(ui=UiSettings(theme="minion-dark", artwork=False, columns=columns),
                        analysis=AnalysisSettings(max_seconds=20.0),
                        path=tmp_path / "config.toml")
    service = Service.open(settings=settings, data_dir=tmp_path / "data",
                           endpoints=emulator.endpoints)
    return MinionApp(service)


def _playable(t: Track | None) -> bool:
    return t is not None and t.availability is Availability.FULL \
        and 60_000 < t.duration_ms < 400_000


async def _analyse_rows(pilot: object, tracks: TrackList, count: int) -> list[str]:
    """Press B on the first ``count`` playable rows; their URNs once each shows a tempo."""
    done: list[str] = []
    for _ in range(len(tracks.visible_tracks)):
        track = tracks.highlighted
        if _playable(track):
            assert track is not None
            await pilot.press("B")  # type: ignore[attr-defined]
            await until(pilot, lambda urn=track.urn: any(  # type: ignore[arg-type, misc]
                t.urn == urn and t.bpm for t in tracks.tracks), f"{track.title} analysed",
                tries=2400)
            done.append(track.urn)
            if len(done) == count:
                return done
        await pilot.press("j")  # type: ignore[attr-defined]
    raise AssertionError(f"fewer than {count} playable tracks")


def _bpm_cell(tracks: TrackList, row: int) -> str:
    """The BPM column's text in screen row ``row`` (1 = the first track): a right-aligned
    cell of 5, ending where its header ("BPM", "BPM▲" when sorted by it) ends."""
    header = tracks.render_line(0).text
    end = header.index("BPM") + 3
    end += header[end:end + 1] in ("▲", "▼")
    return tracks.render_line(row).text[end - 5:end].strip()


async def test_b_analyses_the_track_the_columns_show_it_and_t_sorts_by_bpm(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    app = _app(emulator, tmp_path, "bpm, key, camelot")
    async with app.run_test(size=(200, 45), notifications=True) as pilot:
        tracks = await open_trending(pilot)
        details = app.query_one(BrowsePane).query_one(TrackDetails)
        assert "BPM" in tracks.render_line(0).text  # [ui] columns turned them on
        analysed = await _analyse_rows(pilot, tracks, 3)
        highlighted = tracks.highlighted
        assert highlighted is not None and highlighted.urn == analysed[-1]
        # The Sound line, in place, with what the service measured.
        stored = await app.service.analysis.analyze_target(highlighted.urn)
        assert stored.bpm and stored.camelot
        sound = next(line for line in details.text.splitlines() if line.startswith("Sound"))
        assert sound == f"Sound      {stored.bpm:.1f} BPM · {stored.key} · {stored.camelot}"
        assert any("BPM" in n.message and highlighted.title in n.message
                   for n in app._notifications)

        # T sorts by tempo: the analysed rows first, in rising BPM, as the column shows.
        tracks.focus()
        await pilot.press("T")
        assert tracks.sort_column == "bpm"
        bpms = sorted(t.bpm for t in tracks.tracks if t.bpm)
        assert len(bpms) == 3
        assert [t.bpm for t in tracks.visible_tracks[:3]] == bpms
        assert [_bpm_cell(tracks, row) for row in (1, 2, 3)] == [f"{b:.1f}" for b in bpms]
        assert tracks.render_line(0).text.split("BPM")[1].startswith("▲")
        await pilot.press("T")  # again: by key, round the wheel
        assert tracks.sort_column == "key"

        # The palette turns the columns off (and on).
        app.toggle_sound_columns()
        await pilot.pause()
        assert "BPM" not in tracks.render_line(0).text

        # M: the analysed tracks nearest by sound, listed in Browse.
        seed = tracks.highlighted
        assert seed is not None and seed.urn in analysed
        await pilot.press("M")
        browse = app.query_one(BrowsePane)
        await until(pilot, lambda: browse.source is not None
                    and browse.source.listing == "sounds_like" and len(tracks.tracks) == 2,
                    "more like this")
        assert browse.source is not None and browse.source.title == f"Sounds like {seed.title}"
        assert {t.urn for t in tracks.tracks} == set(analysed) - {seed.urn}
        similar = await app.service.analysis.similar(seed.urn)
        assert [t.urn for t in tracks.tracks] == [s.track.urn for s in similar]


async def test_b_and_m_without_a_track_say_so(emulator: RunningEmulator,
                                              tmp_path: Path) -> None:
    app = _app(emulator, tmp_path, "bpm, bogus")
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        await pilot.pause()
        app.set_focus(None)  # no list focused: no highlighted track
        app.action_analyse_highlighted()
        app.action_more_like_this()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any("B (analyse tempo and key)" in m for m in said)
        assert any("M (more like this)" in m for m in said)
        assert any("[ui] columns: bogus" in m for m in said)
        assert app.sound_columns == frozenset({"bpm"})


@pytest.mark.parametrize("key", ["B", "M", "T"])
def test_the_new_keys_are_in_the_help(key: str) -> None:
    from minion_tui.tui.widgets.track_list import TrackList as List

    ids = {b.id for b in [*MinionApp.BINDINGS, *List.BINDINGS]  # type: ignore[union-attr]
           if getattr(b, "key", "") == key}
    assert ids & {"analysis.analyse", "analysis.similar", "list.sort_sound"}


async def test_a_download_s_analysis_shows_in_the_list_while_it_is_open(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    """No key pressed: the service's on_analysed event (after the download finished) puts the
    tempo in the row and the Sound line."""
    from minion_tui.config import DownloadSettings

    settings = Settings(ui=UiSettings(theme="minion-dark", artwork=False, columns="bpm"),
                        downloads=DownloadSettings(dir=tmp_path / "music"),
                        analysis=AnalysisSettings(max_seconds=20.0),
                        path=tmp_path / "config.toml")
    app = MinionApp(Service.open(settings=settings, data_dir=tmp_path / "data",
                                 endpoints=emulator.endpoints))
    async with app.run_test(size=(200, 45), notifications=True) as pilot:
        tracks = await open_trending(pilot)
        while not _playable(tracks.highlighted):
            await pilot.press("j")
        track = tracks.highlighted
        assert track is not None and not track.bpm
        await pilot.press("d")
        await until(pilot, lambda: any(t.urn == track.urn and t.bpm for t in tracks.tracks),
                    "the download's analysis in the row", tries=2400)
        shown = tracks.highlighted
        assert shown is not None and shown.urn == track.urn and shown.bpm
        assert _bpm_cell(tracks, tracks.cursor_row + 1) == f"{shown.bpm:.1f}"
        details = app.query_one(BrowsePane).query_one(TrackDetails)
        assert f"Sound      {shown.bpm:.1f} BPM" in details.text
