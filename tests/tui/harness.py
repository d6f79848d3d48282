"""Setting up Pilot tests: the app over a real Service against an emulator (its data in
tmp_path), and Browse's parts as a test reaches for them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from minion_tui.config import DownloadSettings, Settings, UiSettings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Track
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.waiting import listed_at_start


def open_service(
    emulator: RunningEmulator,
    tmp_path: Path,
    *,
    theme: str = "minion-dark",
    artwork: bool = False,
    keymap: Mapping[str, str] | None = None,
    downloads: DownloadSettings | None = None,
    null_audio: bool = False,
    demo: bool = False,
    demo_notice: str | None = None,
) -> Service:
    """A Service over ``emulator`` whose config and data live in ``tmp_path`` (the same data
    dir each call: a second call is a restart). ``downloads`` replaces the download
    settings; ``null_audio`` makes the player play to no sound card."""
    options: dict[str, Any] = {}
    if keymap is not None:
        options["keymap"] = dict(keymap)
    if downloads is not None:
        options["downloads"] = downloads
    settings = Settings(ui=UiSettings(theme=theme, artwork=artwork),
                        path=tmp_path / "config.toml", **options)
    service = Service.open(settings=settings, demo=demo, data_dir=tmp_path / "data",
                           demo_notice=demo_notice, endpoints=emulator.endpoints)
    if null_audio:
        service.player.audio_output = "null"
    return service


def open_app(emulator: RunningEmulator, tmp_path: Path, **options: Any) -> MinionApp:
    """The app over ``open_service(emulator, tmp_path, **options)``."""
    return MinionApp(open_service(emulator, tmp_path, **options))


#: The terminal the Browse tests run in: the sidebar and every column shown.
BROWSE_SIZE = (160, 45)


@asynccontextmanager
async def in_browse(
    app: MinionApp, size: tuple[int, int] = BROWSE_SIZE,
) -> AsyncIterator[tuple[Pilot[None], BrowsePane, SourceList, TrackList]]:
    """``app`` running at ``size`` under Pilot: the pilot and Browse's parts."""
    async with app.run_test(size=size) as pilot:
        yield (pilot, *browse_parts(app))


@asynccontextmanager
async def started(app: MinionApp, size: tuple[int, int],
                  **options: Any) -> AsyncIterator[Pilot[None]]:
    """``app`` running at ``size`` under Pilot (``options`` go to ``run_test``), once Browse
    has listed Trending, which it opens at start: the pilot."""
    async with app.run_test(size=size, **options) as pilot:
        await listed_at_start(pilot)
        yield pilot


def browse_parts(app: MinionApp) -> tuple[BrowsePane, SourceList, TrackList]:
    """Browse, its source list and its track list."""
    browse = app.query_one(BrowsePane)
    return browse, browse.sources, browse.query_one("#browse-tracks", TrackList)


async def choose_source(pilot: Pilot[None], sources: SourceList, key: str) -> None:
    """Open the source ``key`` as a user would: focus the list, highlight it, Enter."""
    sources.focus()
    sources.highlight(key)
    await pilot.press("enter")


def list_in_browse(app: MinionApp, tracks: list[Track]) -> TrackList:
    """Put ``tracks`` in Browse's track list, as a source would list them, and focus it: the
    track list."""
    track_list = app.query_one("#browse-tracks", TrackList)
    track_list.set_tracks(tracks)
    track_list.focus()
    return track_list
