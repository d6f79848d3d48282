"""Searching Mixcloud from the Search pane, against the emulator over HTTP: `P` (and ctrl+o
while typing) switches the provider, the query's border names it, the results are Mixcloud's
with the Src column last, users open in Browse as their shows, and tags open as Mixcloud
tags; switching back searches SoundCloud again."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select, Static

from minion_tui.emulator.server import RunningEmulator
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.widgets.track_list import TrackList
from minion_tui.tui.widgets.track_list_model import COLUMNS, cells
from tests.tui.harness import open_app
from tests.tui.waiting import until


@pytest.fixture
def app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return open_app(emulator, tmp_path)


def _status(pane: SearchPane | BrowsePane, id: str) -> str:
    return str(pane.query_one(id, Static).render())


def _border(search: SearchPane) -> str:
    return str(search.query_one("#query", Input).border_title)


async def test_p_switches_to_mixcloud_and_the_results_are_its_shows(app: MinionApp) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        search = app.query_one(SearchPane)
        assert _border(search).startswith("SoundCloud")
        await pilot.press("P")
        await pilot.pause()
        assert _border(search).startswith("Mixcloud · P / ctrl+o switches")
        assert search.query_input.placeholder == "Search Mixcloud"
        assert search.query_input.value == ""  # P switched, it was not typed
        assert search.query_one("#search-duration", Select).disabled  # no filters there
        await pilot.press("slash", *"night shift", "enter")
        found = search.query_one("#search-tracks", TrackList)
        await until(pilot, lambda: "…" not in _status(search, "#search-status")
                    and len(found.tracks) > 0, "Mixcloud results")
        assert _status(search, "#search-status").endswith("for 'night shift' on Mixcloud")
        assert {t.provider for t in found.tracks} == {"mixcloud"}
        assert any(t.title.startswith("Night Shift") for t in found.tracks)
        provider = [c.name for c in COLUMNS].index("provider")
        assert COLUMNS[provider].label == "Src"  # the last shown (BPM, Key, Cam are off)
        assert {cells(t)[provider] for t in found.tracks} == {"MC"}
        header, first = found.render_line(0).text, found.render_line(1).text
        assert header.rstrip().endswith("Src")
        assert first.rstrip().endswith("MC")
        # ctrl+o while typing: back to SoundCloud, the query kept and searched again there
        search.query_input.focus()
        await pilot.press("ctrl+o")
        await until(pilot, lambda: _border(search).startswith("SoundCloud"), "switched back")
        assert search.query_input.value == "night shift"
        await until(pilot, lambda: "…" not in _status(search, "#search-status")
                    and "Mixcloud" not in _status(search, "#search-status"), "searched again")
        assert _status(search, "#search-status").endswith("for 'night shift'")
        assert not any(t.provider == "mixcloud" for t in found.tracks)
        search.query_input.value = "mix"
        await pilot.press("enter")
        await until(pilot, lambda: "'mix'" in _status(search, "#search-status")
                    and "…" not in _status(search, "#search-status")
                    and len(found.tracks) > 0, "SoundCloud results")
        assert {t.provider for t in found.tracks} == {"soundcloud"}
        assert found.render_line(1).text.rstrip().endswith("SC")
        assert not search.query_one("#search-duration", Select).disabled


async def test_mixcloud_users_and_tags_open_in_browse(app: MinionApp) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("2")
        search = app.query_one(SearchPane)
        await pilot.press("P")
        search.query_one("#search-kind", Select).value = "users"
        await pilot.press("slash", *"NightShiftRadio", "enter")
        others = search.query_one("#search-others", OptionList)
        await until(pilot, lambda: "…" not in _status(search, "#search-status")
                    and others.option_count > 0, "users found")
        assert "NightShiftRadio" in str(others.get_option_at_index(0).prompt)
        others.focus()
        others.highlighted = 0
        await pilot.press("enter")
        browse = app.query_one(BrowsePane)
        tracks = browse.query_one("#browse-tracks", TrackList)
        await until(pilot, lambda: browse.source_title == "Shows of NightShiftRadio"
                    and len(tracks.tracks) == 45 and not browse._loading, "the user's shows")
        await pilot.press("2")
        search.query_one("#search-kind", Select).value = "tags"
        await until(pilot, lambda: "tags for" in _status(search, "#search-status")
                    and "…" not in _status(search, "#search-status"), "tags searched")
        search.query_input.value = "deep"
        search.query_input.focus()
        await pilot.press("enter")
        await until(pilot, lambda: "…" not in _status(search, "#search-status")
                    and "'deep'" in _status(search, "#search-status")
                    and others.option_count > 0, "tags found")
        labels = [str(others.get_option_at_index(i).prompt) for i in range(others.option_count)]
        assert "# Deep House" in labels
        others.focus()
        others.highlighted = labels.index("# Deep House")
        await pilot.press("enter")
        await until(pilot, lambda: browse.source_title == "Tag: deep-house (Mixcloud)"
                    and len(tracks.tracks) > 0 and not browse._loading, "the tag's shows")
        assert {t.provider for t in tracks.tracks} == {"mixcloud"}
