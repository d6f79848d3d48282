"""The issue's flow, driven through Pilot against a real Service and the emulator over HTTP:
open → Trending → highlight → details → rate (badge + row in SQLite) → search → a user's likes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select, Static

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Judgment, Track, User
from minion_tui.providers.soundcloud.urls import user_listing
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import open_app
from tests.tui.waiting import until


@pytest.fixture
def app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return open_app(emulator, tmp_path)


def _judgment_rows(data_dir: Path) -> list[tuple[str, str]]:
    """Read SQLite directly (a fresh connection): what a crash right now would leave."""
    with sqlite3.connect(data_dir / "minion.db") as db:
        return list(db.execute("SELECT urn, judgment FROM judgments"))


def _search_rows(data_dir: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(data_dir / "minion.db") as db:
        return list(db.execute("SELECT query, kind, filters FROM search_history ORDER BY id"))


async def test_trending_details_rate_search_and_a_users_likes(
    app: MinionApp, emulator: RunningEmulator, tmp_path: Path
) -> None:
    async with app.run_test(size=(160, 45)) as pilot:
        browse = app.query_one(BrowsePane)
        tracks = browse.query_one("#browse-tracks", TrackList)
        sources = browse.query_one("#source-list", OptionList)
        sources.focus()
        sources.highlighted = sources.get_option_index("trending")
        await pilot.press("enter")
        await until(pilot, lambda: len(tracks.tracks) > 0, "trending rows")
        status = str(browse.query_one("#browse-status", Static).render())
        assert status.startswith("Trending — ")
        assert app.focused is tracks

        await pilot.press("j")
        second = tracks.visible_tracks[1]
        assert tracks.highlighted == second
        details = browse.query_one("#browse-details", TrackDetails)
        await until(pilot, lambda: details.track == second, "details of the 2nd row")
        text = details.text
        assert second.title in text and f"by {second.artist}" in text
        assert "Available  " in text and "Rating     not rated" in text

        await pilot.press("l")
        await until(pilot, lambda: tracks.highlighted is not None
                        and tracks.highlighted.judgment is Judgment.LIKED, "the liked badge")
        assert (second.urn, "liked") in _judgment_rows(tmp_path / "data")
        assert "Rating     liked" in details.text

        # My ratings → Liked lists it, straight from SQLite.
        sources.focus()
        sources.highlighted = sources.get_option_index("ratings-liked")
        await pilot.press("enter")
        await until(pilot, lambda: [t.urn for t in tracks.tracks] == [second.urn],
                        "my liked tracks")

        # Search with a filter: tracks of the liked track's genre.
        await pilot.press("2")
        search = app.query_one(SearchPane)
        await pilot.press("slash", *second.title.split()[0])
        search.query_one("#search-genre", Input).value = second.genre
        await pilot.press("enter")
        found = search.query_one("#search-tracks", TrackList)
        await until(pilot, lambda: len(found.tracks) > 0, "search results")
        assert app.focused is found  # enter in the query hands the keys to the results
        assert all(t.genre.casefold() == second.genre.casefold() or second.genre in t.tags
                   for t in found.tracks)
        query_row = _search_rows(tmp_path / "data")[-1]
        assert query_row[:2] == (second.title.split()[0], "tracks") and second.genre in query_row[2]

        # Open a user from a users search, then their likes.
        kind = search.query_one("#search-kind", Select)
        kind.value = "users"
        search.query_one("#search-genre", Input).value = ""
        query = search.query_one("#query", Input)
        query.value = second.artist
        query.focus()
        await pilot.press("enter")
        others = search.query_one("#search-others", OptionList)
        await until(pilot, lambda: others.option_count > 0, "users found")
        others.focus()
        others.highlighted = 0
        await pilot.press("enter")
        await until(pilot, lambda: app.current_pane == "browse"
                        and browse.source_title.startswith("Tracks of "), "the user's tracks")
        name = browse.source_title.removeprefix("Tracks of ")
        likes_key = "user-likes"
        assert sources.get_option(likes_key).prompt == f"  Likes of {name}"
        sources.focus()
        sources.highlighted = sources.get_option_index(likes_key)
        await pilot.press("enter")
        await until(pilot, lambda: browse.source_title == f"Likes of {name}"
                        and len(tracks.tracks) > 0, "the user's likes via search")

        # A user's likes, from a pasted profile URL.
        user = emulator.examples["user"]
        await pilot.click("#source-input")
        await pilot.press(*f"{user}/likes", "enter")
        service = app.service
        profile = await service.catalog.resolve(user)
        assert isinstance(profile, User)
        # Named by the user's name once resolved, not by the URL pasted.
        await until(pilot, lambda: len(tracks.tracks) > 0
                        and browse.source_title == f"Likes of {profile.username}",
                        "the user's likes")
        async for page in service.catalog.browse("likes", user, limit=5):
            expected = [t.urn for t in page.items if isinstance(t, Track)][:3]
            break
        assert [t.urn for t in tracks.tracks][:3] == expected


def test_profile_urls_name_their_listing() -> None:
    assert user_listing("https://soundcloud.com/dj/likes") == ("likes", "https://soundcloud.com/dj")
    assert user_listing("https://soundcloud.com/dj/sets/") == (
        "playlists", "https://soundcloud.com/dj")
    assert user_listing("https://soundcloud.com/dj") == ("tracks", "https://soundcloud.com/dj")
    assert user_listing("https://soundcloud.com/likes") == ("tracks",
                                                             "https://soundcloud.com/likes")
