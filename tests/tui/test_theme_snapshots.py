"""Every pane with content, in two themes, at 120x40 (Browse and the Queue at 80x24 too):
Browse listing Trending with the details panel, Search with results, the Queue with entries,
Downloads with a finished and a skipped job. The data comes from the emulator over HTTP (its
catalog and dates are pinned, artwork is off), so the pictures are the same on every run.

Regenerate after an intended change, then look at the SVGs before committing them:
    .venv/bin/python -m pytest tests/tui/test_theme_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from minion_tui.config import DownloadSettings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.panes.downloads import DownloadsPane
from minion_tui.tui.panes.queue import QueuePane
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import open_app
from tests.tui.waiting import until

SIZE = (120, 40)
Fill = Callable[[Pilot[None], RunningEmulator], Awaitable[None]]


def _shown_list(app: MinionApp) -> TrackList:
    return next(t for t in app.query(TrackList) if t.display and t.region.area)


async def _trending_open(pilot: Pilot[None]) -> None:
    """Trending opens at start: every picture waits for it, so its rows (and the provenance
    they record) are in before the fill goes on, whatever the emulator's speed."""
    app = pilot.app
    await until(pilot, lambda: "Trending — 200 tracks" in str(
        app.query_one("#browse-status").render()), "Trending")
    # The tags offered come from the store, which Trending is filling while they are first
    # listed: list them again once it is in, so no race decides the picture.
    await app.query_one(BrowsePane)._refresh_sources().wait()


async def _browse(pilot: Pilot[None], emulator: RunningEmulator) -> None:
    app = pilot.app
    await pilot.press("j")
    await _details_settled(pilot, app.query_one("#browse-details", TrackDetails))


async def _search(pilot: Pilot[None], emulator: RunningEmulator) -> None:
    app = pilot.app
    await pilot.press("2", "slash", *"deep", "enter")
    await until(pilot, lambda: any(len(t.tracks) >= 20 for t in app.query(TrackList)
                                    if t.display), "search results")
    _shown_list(app).focus()
    await pilot.press("j", "j")
    await _details_settled(pilot, app.query_one("#search-details", TrackDetails))


async def _details_settled(pilot: Pilot[None], details: TrackDetails) -> None:
    """The highlighted track's comments and provenance are both in (they load apart)."""
    track = _shown_list(pilot.app).highlighted
    await until(pilot, lambda: details.track is track and bool(details.surfaced)
                and "Comments (" in details.text, "the details panel's comments and provenance")


async def _queue(pilot: Pilot[None], emulator: RunningEmulator) -> None:
    app = pilot.app
    service = app.service
    await service.player.queue_add([emulator.examples["track_full"],
                                    emulator.examples["track_long"],
                             emulator.examples["track_preview"]])
    await pilot.press("3")
    await app.query_one(QueuePane).reload().wait()
    await pilot.pause()


async def _downloads(pilot: Pilot[None], emulator: RunningEmulator) -> None:
    app = pilot.app
    service = app.service
    await service.downloads.download([emulator.examples["track_full"]])
    await service.downloads.download([emulator.examples["track_preview"]])
    await pilot.press("4")
    pane = app.query_one(DownloadsPane)
    await pane.reload().wait()
    await until(pilot, lambda: len(pane.job_list.rows) == 2, "two jobs")


FILLS: dict[str, Fill] = {"browse": _browse, "search": _search, "queue": _queue,
                          "downloads": _downloads}


def _app(theme: str, tmp_path: Path, emulator: RunningEmulator) -> MinionApp:
    return open_app(emulator, tmp_path, theme=theme,
                    downloads=DownloadSettings(dir=tmp_path / "music"))


def _shown(pane: str, emulator: RunningEmulator) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def show(pilot: Pilot[None]) -> None:
        await _trending_open(pilot)
        await FILLS[pane](pilot, emulator)
        for field in pilot.app.query(Input):
            field.cursor_blink = False  # a blinking cursor makes the picture timing-dependent
        await pilot.pause(0.3)

    return show


@pytest.mark.parametrize("theme", ["minion-dark", "minion-light"])
@pytest.mark.parametrize("pane", list(FILLS))
def test_pane_in_theme(snap_compare, emulator: RunningEmulator, tmp_path: Path, pane: str,
                       theme: str) -> None:
    assert snap_compare(_app(theme, tmp_path, emulator), terminal_size=SIZE,
                        run_before=_shown(pane, emulator))


@pytest.mark.parametrize("theme", ["minion-dark", "minion-light"])
@pytest.mark.parametrize("pane", ["browse", "queue"])
def test_pane_in_theme_at_80x24(snap_compare, emulator: RunningEmulator, tmp_path: Path,
                                pane: str, theme: str) -> None:
    """The smallest terminal the app is made for: the sidebar narrowed, titles cut with "…",
    the now-playing bar whole."""
    assert snap_compare(_app(theme, tmp_path, emulator), terminal_size=(80, 24),
                        run_before=_shown(pane, emulator))
