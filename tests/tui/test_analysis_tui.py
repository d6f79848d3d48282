"""A download finished inside the app is analysed: the worker processes start under
Textual, whose sys.stderr has no file descriptor (analysis/pool.py); and the details panel's
Sound line."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from minion_tui.config import AnalysisSettings, DownloadSettings, Settings, UiSettings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Availability, Track
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.downloads import DownloadsPane
from minion_tui.tui.widgets.details import details_text, sound_text
from tests.tui.waiting import open_trending, until


@pytest.fixture
def app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    settings = Settings(ui=UiSettings(theme="minion-dark", artwork=False),
                        downloads=DownloadSettings(dir=tmp_path / "music"),
                        analysis=AnalysisSettings(max_seconds=20.0),
                        path=tmp_path / "config.toml")
    service = Service.open(settings=settings, data_dir=tmp_path / "data",
                           endpoints=emulator.endpoints)
    return MinionApp(service)


def _analysed(db: Path) -> list[tuple[str, str]]:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT t.urn, s.camelot FROM track_sounds AS t "
                                "JOIN sounds AS s ON s.digest = t.digest").fetchall()
    except sqlite3.Error:
        return []


async def test_a_download_finished_in_the_app_is_analysed(app: MinionApp,
                                                          tmp_path: Path) -> None:
    async with app.run_test(size=(160, 45), notifications=True) as pilot:
        assert sys.stderr.fileno() == -1  # Textual's print capture: the pitfall is live
        tracks = await open_trending(pilot)
        for _ in range(len(tracks.visible_tracks)):
            t = tracks.highlighted
            if t is not None and t.availability is Availability.FULL and \
                    60_000 < t.duration_ms < 400_000:
                break
            await pilot.press("j")
        track = tracks.highlighted
        assert track is not None
        await pilot.press("d")
        jobs = app.query_one(DownloadsPane).job_list
        await until(pilot, lambda: jobs.rows and jobs.rows[0].state == "done", "done")
        await until(pilot, lambda: _analysed(tmp_path / "data" / "minion.db"),
                    "the analysis of the download", tries=2400)
        [(urn, code)] = _analysed(tmp_path / "data" / "minion.db")
        assert urn == track.urn and code and code[-1] in "AB"
        assert not any("bad value" in n.message for n in app._notifications)


def _track(**kwargs: object) -> Track:
    return Track("soundcloud", "1", "soundcloud:tracks:1", "u", "T", "A", "a", 1000,
                 **kwargs)  # type: ignore[arg-type]


def test_the_sound_line_shows_ours_and_the_service_s_when_they_differ() -> None:
    assert sound_text(_track()) == "not analysed"
    measured = _track(bpm=128.0, key="A minor", camelot="8A")
    assert sound_text(measured) == "128.0 BPM · A minor · 8A"
    assert "Sound      128.0 BPM · A minor · 8A" in details_text(measured)
    assert sound_text(_track(bpm=128.0, key="A minor", camelot="8A", service_bpm=128.0,
                             service_key="Am")) == "128.0 BPM · A minor · 8A"
    assert sound_text(_track(bpm=128.0, key="A minor", camelot="8A", service_bpm=64.0,
                             service_key="C")) == (
        "128.0 BPM · A minor · 8A (service: 64 BPM · C)")
    assert sound_text(_track(service_bpm=126.0)) == "not analysed (service: 126 BPM)"
