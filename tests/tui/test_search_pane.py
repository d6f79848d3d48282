"""The Search pane against the emulator over HTTP: every filter reaches the service and the
results honour it, autocomplete suggests from the service, playlists and albums open as
sources, and a long listing shows its first rows before its last page has arrived."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select, Static

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Playlist
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import open_app
from tests.tui.waiting import until


@pytest.fixture
def app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return open_app(emulator, tmp_path)


def _status(pane: SearchPane | BrowsePane, id: str) -> str:
    return str(pane.query_one(id, Static).render())


async def test_duration_created_and_license_filters_narrow_the_results(
    app: MinionApp, tmp_path: Path
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        search = app.query_one(SearchPane)
        search.query_one("#search-duration", Select).value = "long"
        search.query_one("#search-created", Select).value = "last_year"
        search.query_one("#search-license", Select).value = "to_share"
        await pilot.press("slash", *"mix", "enter")
        found = search.query_one("#search-tracks", TrackList)
        await until(pilot, lambda: "…" not in _status(search, "#search-status")
                     and len(found.tracks) > 0, "filtered results")
        # "long" is 10 to 30 minutes (docs/soundcloud.md §1.3); to_share excludes
        # all-rights-reserved.
        assert all(10 * 60_000 <= t.duration_ms <= 30 * 60_000 for t in found.tracks)
        assert all(t.license != "all-rights-reserved" for t in found.tracks)
        with sqlite3.connect(tmp_path / "data" / "minion.db") as db:
            query, filters = db.execute(
                "SELECT query, filters FROM search_history ORDER BY id DESC").fetchone()
        assert query == "mix"
        assert json.loads(filters) == {"duration": "long", "created": "last_year",
                                       "license": "to_share"}


async def test_the_query_box_suggests_from_the_service(app: MinionApp) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2", "slash", *"dee")
        query = app.query_one("#query", Input)
        await until(pilot, lambda: bool(query._suggestion), "a suggestion")
        suggestion = query._suggestion
        assert suggestion.lower().startswith("dee") and len(suggestion) > 3
        expected = await app.service.catalog.autocomplete("dee")
        assert suggestion in expected


@pytest.mark.parametrize("kind", ["playlists", "albums"])
async def test_playlists_and_albums_open_as_sources(app: MinionApp, kind: str) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        search = app.query_one(SearchPane)
        search.query_one("#search-kind", Select).value = kind
        await pilot.press("slash", *"the", "enter")
        others = search.query_one("#search-others", OptionList)
        await until(pilot, lambda: others.option_count > 0, f"{kind} found")
        assert app.focused is others
        label = str(others.get_option_at_index(0).prompt)
        await pilot.press("enter")
        browse = app.query_one(BrowsePane)
        tracks = browse.query_one("#browse-tracks", TrackList)
        await until(pilot, lambda: app.current_pane == "browse" and len(tracks.tracks) > 0,
                     "the set's tracks")
        assert label.startswith(f"▤ {browse.source_title} — ")
        # The listed tracks are the set's own, in its order.
        found = next(o for o in await _first_page(app, kind, "the")
                     if label.startswith(f"▤ {o.title} — "))
        assert found.is_album is (kind == "albums")
        playlist = await app.service.catalog.resolve(found.url)
        assert isinstance(playlist, Playlist)
        assert [t.urn for t in tracks.tracks] == [t.urn for t in playlist.tracks]


async def _first_page(app: MinionApp, kind: str, query: str) -> list[Playlist]:
    async for page in app.service.catalog.search(query, kind=kind):
        return [p for p in page.items if isinstance(p, Playlist)]
    return []


async def test_a_long_listing_shows_rows_before_its_last_page(
    app: MinionApp, emulator: RunningEmulator
) -> None:
    emulator.state.set_faults("slow:ms=150")  # every page takes a while to come
    async with app.run_test(size=(160, 45)) as pilot:
        browse = app.query_one(BrowsePane)
        browse.open_source("likes", emulator.examples["user"], "Likes of echo.quartz")
        tracks = browse.query_one("#browse-tracks", TrackList)
        await until(pilot, lambda: len(tracks.tracks) > 0, "the first rows")
        first_rows = len(tracks.tracks)
        assert "loading" in _status(browse, "#browse-status")  # more pages still to come
        await until(pilot, lambda: "loading" not in _status(browse, "#browse-status"),
                     "the last page")
        assert len(tracks.tracks) > first_rows
