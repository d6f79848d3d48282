"""Issue 14, items 2 and 4, driven through Pilot against a real Service and the emulator over
HTTP: one key to the artist and the set, sources named by name, the way back, filter and sort
that belong to a source, search filters that re-run, and keys that say why they cannot act."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Select, Static

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Judgment, Track, User
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.panes.downloads import DownloadsPane
from minion_tui.tui.panes.queue import QueuePane
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.download_rows import JobRow
from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import BROWSE_SIZE, browse_parts, in_browse
from tests.tui.waiting import until

pytestmark = pytest.mark.own_emulator


def _status(app: MinionApp, selector: str = "#browse-status") -> str:
    return str(app.query_one(selector, Static).render())


def _toasts(app: MinionApp) -> list[str]:
    return [n.message for n in app._notifications]


def _labels(sources: SourceList) -> list[str]:
    return [str(o.prompt).strip() for o in sources.options]


async def _trending(pilot: Pilot[None], app: MinionApp) -> TrackList:
    _, _, tracks = browse_parts(app)
    await until(pilot, lambda: _status(app) == "Trending — 200 tracks", "Trending, at start")
    return tracks


@asynccontextmanager
async def _in_trending(
    app: MinionApp,
) -> AsyncIterator[tuple[Pilot[None], BrowsePane, SourceList, TrackList]]:
    """:func:`in_browse`, once Trending (Browse opens it at start) is listed."""
    async with in_browse(app) as parts:
        await _trending(parts[0], app)
        yield parts


async def test_o_goes_to_the_artist_named_by_name_and_backspace_goes_back(
    app: MinionApp,
) -> None:
    async with _in_trending(app) as (pilot, browse, sources, tracks):
        await pilot.press("j")
        track = tracks.highlighted
        assert track is not None and track.uploader_urn
        await pilot.press("o")
        await until(pilot, lambda: browse.source_title == f"Tracks of {track.uploader}"
                    and _status(app).endswith(" tracks") and len(tracks.tracks) > 0,
                    "the artist's tracks")
        assert {t.uploader_urn for t in tracks.tracks} == {track.uploader_urn}
        # The artist stays among the sources, by name, with their tabs.
        labels = _labels(sources)
        assert "Opened" in labels and f"Tracks of {track.uploader}" in labels
        assert f"Likes of {track.uploader}" in labels
        assert not any("://" in label for label in labels)
        # The source list's cursor follows the source listed.
        assert sources.highlighted_ref is not None
        assert sources.highlighted_ref.title == f"Tracks of {track.uploader}"
        # backspace: the source listed before, as spotify-player and ncspot do.
        await pilot.press("backspace")
        await until(pilot, lambda: browse.source_title == "Trending"
                    and len(tracks.tracks) == 200, "Trending again")
        await pilot.press("backspace")
        assert _toasts(app)[-1].startswith("No earlier source to go back to")


async def test_details_show_the_links_and_y_copies_them(
    app: MinionApp,
) -> None:
    async with app.run_test(size=BROWSE_SIZE) as pilot:
        tracks = await _trending(pilot, app)
        track = tracks.highlighted
        assert track is not None and track.url and track.uploader_url
        details = app.query_one("#browse-details", TrackDetails)
        await until(pilot, lambda: details.track is track, "the details")
        flat = details.text.replace("\n", "").replace(" ", "")
        assert f"Link{track.url}" in flat and f"Artist{track.uploader_url}" in flat
        await pilot.press("y")
        assert app.clipboard == track.url
        await pilot.press("Y")
        assert app.clipboard == track.uploader_url
        assert _toasts(app)[-1] == f"Copied {track.uploader_url}"
        # The palette offers the same.
        from minion_tui.tui.commands import TrackCommands

        texts = [c.text for c in await TrackCommands(app.screen).commands()]
        assert texts == ["Go to artist", "Go to set", "Copy track link", "Copy artist link"]


async def test_a_pasted_profile_is_named_by_the_users_name(
    app: MinionApp, emulator: RunningEmulator,
) -> None:
    user = emulator.examples["user"]
    async with _in_trending(app) as (pilot, browse, sources, tracks):
        profile = await app.service.catalog.resolve(user)
        assert isinstance(profile, User)
        await pilot.click("#source-input")
        await pilot.press(*f"{user}/likes", "enter")
        await until(pilot, lambda: _status(app).endswith(" tracks")
                    and len(tracks.tracks) > 0, "the likes")
        assert browse.source_title == f"Likes of {profile.username}"
        assert _status(app).startswith(f"Likes of {profile.username} — ")
        labels = _labels(sources)
        assert f"Likes of {profile.username}" in labels
        assert profile.username in labels  # the heading of the user's tabs
        assert not any(user in label for label in labels)


async def test_a_set_from_search_stays_in_sources_and_O_goes_back_to_it(
    app: MinionApp,
) -> None:
    async with _in_trending(app) as (pilot, browse, sources, tracks):
        # D with no set listed says why.
        await pilot.press("D")
        assert _toasts(app)[-1].startswith("No set is listed: D downloads the set")
        await pilot.press("2")
        search = app.query_one(SearchPane)
        search.query_one("#search-kind", Select).value = "playlists"
        await pilot.press("slash", *"deep", "enter")
        others = search.query_one("#search-others", OptionList)
        await until(pilot, lambda: others.option_count > 0, "sets found")
        await pilot.press("enter")
        await until(pilot, lambda: app.current_pane == "browse" and len(tracks.tracks) > 0
                    and not _status(app).startswith(browse.source_title + " — loading"),
                    "the set's tracks")
        assert browse.source is not None and browse.source.listing == "playlist"
        title = browse.source_title
        playlist = await app.service.catalog.playlist(browse.source.target or "")
        assert title == playlist.title
        assert [t.urn for t in tracks.tracks] == [t.urn for t in playlist.tracks]
        assert title in _labels(sources)
        # Queue a track of the set, go elsewhere: the set is still listed, and O on the
        # queued track opens it again.
        await pilot.press("a")
        sources.focus()
        sources.highlight("trending")
        await pilot.press("enter")
        await until(pilot, lambda: browse.source_title == "Trending", "Trending")
        assert title in _labels(sources)
        await pilot.press("3")
        queue = app.query_one(QueuePane)
        await until(pilot, lambda: len(queue.entries) == 1, "the queued track")
        app.query_one("#queue-table").focus()
        await pilot.press("O")
        await until(pilot, lambda: app.current_pane == "browse"
                    and browse.source_title == title, "the set again")


async def test_filter_and_sort_belong_to_the_source(
    app: MinionApp,
) -> None:
    async with _in_trending(app) as (pilot, browse, _, tracks):
        word = tracks.tracks[0].title.split()[0].lower()
        await pilot.press("slash", *word, "enter", "s")
        await until(pilot, lambda: tracks.sort_column == "title", "the sort")
        shown = len(tracks.visible_tracks)
        assert 0 < shown < 200
        await until(pilot, lambda: _status(app) == (
            f"Trending — 200 tracks · /{word} — {shown} of 200"), "the filter shown")
        await pilot.click("#source-input")  # the tags listed depend on the store: type one
        await pilot.press(*"#house", "enter")
        await until(pilot, lambda: browse.source_title == "Tag: house"
                    and _status(app).endswith(" tracks")
                    and "loading" not in _status(app), "the tag")
        # Unfiltered and in the service's order.
        assert tracks.filter_text == "" and tracks.sort_column is None
        assert len(tracks.visible_tracks) == len(tracks.tracks) > 0
        assert "/" not in _status(app)
        expected: list[str] = []
        async for page in app.service.catalog.browse("tag", "house"):
            expected += [t.urn for t in page.items if isinstance(t, Track)]
        assert [t.urn for t in tracks.tracks] == expected


async def test_changing_a_search_filter_runs_the_search_again(
    app: MinionApp,
) -> None:
    async with app.run_test(size=BROWSE_SIZE) as pilot:
        await _trending(pilot, app)
        await pilot.press("2", "slash", *"deep", "enter")
        search = app.query_one(SearchPane)
        results = search.query_one("#search-tracks", TrackList)
        await until(pilot, lambda: _status(app, "#search-status").endswith("'deep'")
                    and len(results.tracks) > 0, "the first results")
        everything = [t.urn for t in results.tracks]
        search.query_one("#search-duration", Select).value = "long"
        await until(pilot, lambda: _status(app, "#search-status").endswith("'deep'")
                    and [t.urn for t in results.tracks] != everything, "the filtered results")
        expected: list[str] = []
        async for page in app.service.catalog.search("deep", duration="long"):
            expected += [t.urn for t in page.items if isinstance(t, Track)]
        assert [t.urn for t in results.tracks] == expected
        searches = await app.service.library.recent_searches(5)
        assert (searches[0].query, searches[0].filters) == ("deep", {"duration": "long"})


async def test_x_says_how_many_are_hidden_and_H_shows_the_state(
    app: MinionApp, tmp_path: Path,
) -> None:
    def footer_h() -> list[str]:
        return [k.description for k in app.query("FooterKey") if k.key == "H"]

    async with app.run_test(size=BROWSE_SIZE) as pilot:
        tracks = await _trending(pilot, app)
        assert footer_h() == ["✕ hidden"]
        first = tracks.highlighted
        assert first is not None
        await pilot.press("x")
        await until(pilot, lambda: first.urn not in [t.urn for t in tracks.visible_tracks],
                    "the row hidden")
        assert _toasts(app)[-1] == ("Not interested: hidden from this list, 1 hidden in "
                                    "all — H shows them.")
        assert _status(app) == ("Trending — 200 tracks · 1 not interested hidden "
                                "(H shows them)")
        await pilot.press("H")
        await until(pilot, lambda: footer_h() == ["✕ shown"], "the footer's new label")
        assert first.urn in [t.urn for t in tracks.visible_tracks]
    with sqlite3.connect(tmp_path / "data" / "minion.db") as db:
        assert list(db.execute("SELECT urn, judgment FROM judgments")) == [
            (first.urn, "not_interested")]


async def test_rating_works_on_queue_and_history_rows_and_c_in_history_keeps_the_queue(
    app: MinionApp, tmp_path: Path,
) -> None:
    async with app.run_test(size=BROWSE_SIZE) as pilot:
        tracks = await _trending(pilot, app)
        queued, played = tracks.tracks[0], tracks.tracks[1]
        service = app.service
        await service.player.queue_add([queued])
        store = await service._core.db()
        from minion_tui.store import play_queue

        await store.call(play_queue.history_start, store, played.urn)
        await pilot.press("3")
        pane = app.query_one(QueuePane)
        table = pane.query_one("#queue-table", DataTable)
        await pane.reload().wait()
        table.focus()
        await pilot.press("l")
        await until(pilot, lambda: str(table.get_row_at(0)[2]) == f"♥ {queued.title}",
                    "the badge on the queue row")
        await pilot.press("t")
        history = pane.query_one("#history-table", DataTable)
        assert app.focused is history
        await pilot.press("n")
        await until(pilot, lambda: str(history.get_row_at(0)[1]) == f"~ {played.title}",
                    "the badge on the history row")
        await pilot.press("c")
        assert _toasts(app)[-1] == ("c clears the Queue, not the History: press t for the "
                                    "Queue tab.")
        await pilot.pause(0.2)
        assert [e.track_urn for e in await service.player.queue()] == [queued.urn]
    with sqlite3.connect(tmp_path / "data" / "minion.db") as db:
        assert sorted(db.execute("SELECT urn, judgment FROM judgments")) == sorted([
            (queued.urn, Judgment.LIKED.value), (played.urn, Judgment.NOT_QUITE.value)])


@pytest.mark.mpv
async def test_next_with_nothing_next_says_so(app: MinionApp) -> None:
    async with app.run_test(size=BROWSE_SIZE) as pilot:
        await _trending(pilot, app)
        await pilot.press("greater_than_sign")
        await until(pilot, lambda: any(t.startswith("Nothing next: the queue has no track")
                                       for t in _toasts(app)), "the toast")


async def test_download_keys_say_why_they_cannot_act(
    app: MinionApp,
) -> None:
    async with app.run_test(size=BROWSE_SIZE):
        pane = app.query_one(DownloadsPane)
        paused = JobRow(key="1", title="Artist - Title", state="paused", job_id=1)
        assert pane._cannot("pause", paused) == (
            "Artist - Title is paused: only a waiting or running download can be paused. "
            "r resumes it.")
        assert pane._cannot("retry", paused) is None
        assert pane._cannot("pause", dataclasses.replace(paused, state="running")) is None
