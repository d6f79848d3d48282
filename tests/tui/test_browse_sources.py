"""Browse's source list against the emulator over HTTP: sections, Enter on first show, pinned
sources surviving a restart, search history re-run, My ratings showing not-interested tracks,
a user's playlists, and what the source box says about URLs it cannot open."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Judgment, Playlist, Source, Track, User
from minion_tui.tui.app import MinionApp
from minion_tui.tui.commands import SourceCommands
from minion_tui.tui.messages import OpenSource
from minion_tui.tui.panes.browse import typed_source
from minion_tui.tui.widgets.source_list import (
    SourceList,
    SourceRef,
    ref_of_stored,
    stored_form,
)
from tests.tui.harness import BROWSE_SIZE, browse_parts, choose_source, in_browse
from tests.tui.waiting import listed_at_start, open_trending, until

pytestmark = pytest.mark.own_emulator


def _first(sources: SourceList, prefix: str) -> str | None:
    """Option id of the first source whose id starts with ``prefix`` (None if none)."""
    return next((o.id for o in sources.options if (o.id or "").startswith(prefix)), None)


def _labels(sources: SourceList) -> list[str]:
    return [str(o.prompt) for o in sources.options]


def _db_rows(tmp_path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "data" / "minion.db") as db:
        return list(db.execute(sql))


async def _username(app: MinionApp, target: str) -> str:
    user = await app.service.catalog.resolve(target)
    assert isinstance(user, User)
    return user.username


async def test_trending_is_open_at_start_and_sections_are_headed(
    app: MinionApp,
) -> None:
    async with in_browse(app) as (pilot, browse, sources, tracks):
        await until(pilot, lambda: _first(sources, "tag:"),
                        "the tags")
        # The highlighted source is the one listed: Trending, open without a key.
        await until(pilot, lambda: len(tracks.tracks) > 0, "trending rows at start")
        assert browse.source_title == "Trending"
        assert app.focused is tracks
        assert not app.query_one("#browse-empty").display
        sources.focus()
        assert sources.highlighted_option is not None
        assert sources.highlighted_option.id == "trending"
        assert not app.query("#sources-empty")
        labels = [label.strip() for label in _labels(sources)]
        for heading in ("Discover", "Pinned", "Searches", "My ratings"):
            assert any(label.startswith(heading) for label in labels), heading
        assert [o.id for o in sources.options if o.disabled] == [
            o.id for o in sources.options if (o.id or "").startswith("heading-")]
        # j and k move at once; the cursor skips the headings.
        await pilot.press("j")
        assert sources.highlighted_option.id == _first(sources, "tag:")
        await pilot.press("G")
        assert sources.highlighted_option.id == "ratings-not-interested"
        await pilot.press("g")  # the Inbox comes first, then Trending
        assert sources.highlighted_option.id == "inbox"
        await pilot.press("j")
        assert sources.highlighted_option.id == "trending"
        await pilot.press("enter")
        await until(pilot, lambda: len(tracks.tracks) > 0, "trending rows")
        assert browse.source_title == "Trending"
        assert app.focused is tracks


async def test_a_tag_opens_its_listing(app: MinionApp,
                                       emulator: RunningEmulator) -> None:
    async with in_browse(app) as (pilot, browse, sources, tracks):
        await listed_at_start(pilot)  # the start-up choice made, so the tag is what is chosen
        await until(pilot, lambda: _first(sources, "tag:"),
                        "the tags")
        key = _first(sources, "tag:") or ""
        ref = sources.ref(key)
        assert ref is not None and ref.listing == "tag"
        await choose_source(pilot, sources, key)
        await until(pilot, lambda: len(tracks.tracks) > 0, "tag rows")
        assert browse.source_title == f"Tag: {ref.target}"
        status = browse.query_one("#browse-status", Static)
        await until(pilot, lambda: "loading" not in str(status.render()), "the count")
        # One colon, and the count says what it counts ("Tag: house: 335" read as a label).
        count = len(tracks.tracks)
        assert str(status.render()) == (f"Tag: {ref.target} — {count} track"
                                        + ("" if count == 1 else "s"))


async def test_pinned_likes_survive_a_restart_and_unpin(
    make_isolated_app: Callable[[], MinionApp], emulator: RunningEmulator, tmp_path: Path
) -> None:
    user = emulator.examples["user"]
    app = make_isolated_app()
    async with app.run_test(size=BROWSE_SIZE) as pilot:
        name = await _username(app, user)
        browse, sources, tracks = browse_parts(app)
        await pilot.click("#source-input")
        await pilot.press(*f"{user}/likes", "enter")
        await until(pilot, lambda: len(tracks.tracks) > 0, "the user's likes")
        await pilot.press("p")
        await until(pilot, lambda: _first(sources, "pinned-"), "the pinned entry")
        # Named by the user's name once resolved, never by the pasted URL.
        assert f"  Likes of {name}" in _labels(sources)
        assert any(n.message.startswith(f"Pinned Likes of {name}")
                   for n in app._notifications)
        palette = [c.text for c in await SourceCommands(app.screen).commands()]
        assert f"Pinned: Likes of {name}" in palette
    assert _db_rows(tmp_path, "SELECT kind, target, title, pinned FROM sources") == [
        ("user_likes", user, f"Likes of {name}", 1)]

    expected = []
    async for page in make_isolated_app().service.catalog.browse("likes", user, limit=5):
        expected = [t.urn for t in page.items if isinstance(t, Track)][:3]
        break

    app = make_isolated_app()  # a restart over the same data dir
    async with in_browse(app) as (pilot, browse, sources, tracks):
        await until(pilot, lambda: _first(sources, "pinned-"), "Pinned")
        pinned = [o for o in sources.options if (o.id or "").startswith("pinned-")]
        assert [str(o.prompt) for o in pinned] == [f"  Likes of {name}"]
        await listed_at_start(pilot)  # the start-up choice made, so the pinned one is chosen
        await choose_source(pilot, sources, pinned[0].id or "")
        await until(pilot, lambda: len(tracks.tracks) >= 3, "the pinned likes")
        assert browse.source_title == f"Likes of {name}"
        assert [t.urn for t in tracks.tracks][:3] == expected

        # p on the highlighted pinned entry unpins it.
        sources.focus()
        sources.highlight(pinned[0].id or "")
        await pilot.press("p")
        await until(pilot, lambda: not _first(sources, "pinned-"), "unpinned")
        assert any(n.message == f"Unpinned Likes of {name}." for n in app._notifications)
    assert _db_rows(tmp_path, "SELECT kind, pinned FROM sources") == [("user_likes", 0)]


async def test_pinned_source_opens_from_the_palette(
    app: MinionApp, tmp_path: Path
) -> None:
    store = await app.service._core.db()
    source_id = await store.call(store.upsert_source,
                                 Source(None, "tag", "ambient", "Tag: ambient", pinned=True))
    async with in_browse(app) as (pilot, browse, _, tracks):
        app.post_message(OpenSource("pinned", str(source_id), "Tag: ambient"))
        await until(pilot, lambda: browse.source_title == "Tag: ambient"
                        and len(tracks.tracks) > 0, "the pinned tag")


async def test_a_search_is_listed_under_searches_and_runs_again(
    app: MinionApp, tmp_path: Path
) -> None:
    async with in_browse(app) as (pilot, browse, sources, tracks):
        await open_trending(pilot)
        word = tracks.tracks[0].title.split()[0]
        genre = tracks.tracks[0].genre
        # A search run elsewhere (the Search pane, the CLI) with a filter...
        async for _ in app.service.catalog.search(word, genre=genre):
            pass
        await pilot.press("2")
        await pilot.press("1")  # ... is listed when Browse is shown again
        await until(pilot, lambda: _first(sources, "search:"), "the search history")
        key = _first(sources, "search:") or ""
        assert str(sources.get_option(key).prompt) == f"  {word} (genre {genre})"
        await choose_source(pilot, sources, key)
        await until(pilot, lambda: browse.source_title == f"Search: {word}"
                        and len(tracks.tracks) > 0, "the search re-run")
        off = [(t.genre, t.tags) for t in tracks.tracks
               if genre.casefold() not in {t.genre.casefold(), *(g.casefold() for g in t.tags)}]
        assert off == [], genre
        await until(pilot, lambda: sources.highlighted_option is not None, "refresh")
    # Re-running moved the one search to the top instead of adding a row.
    assert len(_db_rows(tmp_path, "SELECT query FROM search_history")) == 1


async def test_my_ratings_not_interested_shows_what_discovery_hides(
    app: MinionApp, tmp_path: Path
) -> None:
    async with in_browse(app) as (pilot, browse, sources, tracks):
        await open_trending(pilot, rows=2)
        first = tracks.visible_tracks[0]
        await pilot.press("x")
        await until(pilot, lambda: first not in tracks.visible_tracks
                        and first.urn not in [t.urn for t in tracks.visible_tracks],
                        "the row hidden")
        assert _db_rows(tmp_path, "SELECT urn, judgment FROM judgments") == [
            (first.urn, "not_interested")]

        await choose_source(pilot, sources, "ratings-not-interested")
        await until(pilot, lambda: len(tracks.visible_tracks) > 0, "my not-interested")
        assert [t.urn for t in tracks.visible_tracks] == [first.urn]
        assert tracks.visible_tracks[0].judgment is Judgment.NOT_INTERESTED
        await choose_source(pilot, sources, "ratings-all")
        await until(pilot, lambda: browse.source_title == "My ratings"
                        and len(tracks.visible_tracks) == 1, "all my ratings")

        # Back on a discovery source the hiding applies again.
        await choose_source(pilot, sources, "trending")
        await until(pilot, lambda: browse.source_title == "Trending"
                        and len(tracks.tracks) > 1, "trending again")
        assert first.urn not in [t.urn for t in tracks.visible_tracks]


async def test_a_users_playlists_are_listed_and_open(
    app: MinionApp, emulator: RunningEmulator
) -> None:
    user = emulator.examples["user"]
    async with in_browse(app) as (pilot, browse, sources, tracks):
        await pilot.click("#source-input")
        await pilot.press(*user, "enter")
        await until(pilot, lambda: len(tracks.tracks) > 0, "the user's tracks")
        name = await _username(app, user)
        assert f"  Playlists of {name}" == str(sources.get_option("user-playlists").prompt)
        await choose_source(pilot, sources, "user-playlists")
        await until(pilot, lambda: any((o.id or "").startswith("playlist-")
                                           for o in sources.options), "the playlists")
        assert app.focused is sources
        await until(pilot, lambda: sources.highlighted_option is not None
                        and sources.highlighted_option.id == "playlist-0", "first playlist")
        playlists = [p async for page in app.service.catalog.browse("playlists", user)
                     for p in page.items if isinstance(p, Playlist)]
        shown = [str(o.prompt).strip() for o in sources.options
                 if (o.id or "").startswith("playlist-")]
        assert shown == [f"▤ {p.title} ({p.track_count})" for p in playlists]
        await pilot.press("enter")
        await until(pilot, lambda: browse.source_title == playlists[0].title
                        and len(tracks.tracks) > 0, "the playlist's tracks")
        expected = await app.service.catalog.playlist_tracks(playlists[0].url or playlists[0].urn)
        assert [t.urn for t in tracks.tracks] == [t.urn for t in expected]


async def test_the_source_box_says_what_it_expected(
    app: MinionApp, emulator: RunningEmulator
) -> None:
    async with in_browse(app) as (pilot, browse, _, _):
        await pilot.click("#source-input")
        await pilot.press(*emulator.examples["track_full"], "enter")
        browse.query_one("#source-input", Input).value = ""
        await pilot.press(*"https://example.com/dj", "enter")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert messages[0].startswith("That URL is a track. Browse opens #tags and SoundCloud or "
                                      "Mixcloud profiles")
        assert messages[1].startswith("example.com is not SoundCloud or Mixcloud.")
        assert browse.source_title == "Trending"  # still the source open at start


def test_typed_sources() -> None:
    assert typed_source("#deep house") == SourceRef("tag", "deep house", "Tag: deep house")
    assert typed_source("soundcloud.com/dj/likes") == SourceRef(
        "likes", "https://soundcloud.com/dj", "Likes of https://soundcloud.com/dj")
    assert typed_source("https://soundcloud.com/tags/dub") == SourceRef("tag", "dub",
                                                                        "Tag: dub")
    assert typed_source("https://soundcloud.com/dj/sets/crate/") == SourceRef(
        "playlist", "https://soundcloud.com/dj/sets/crate", "Playlist crate")
    assert isinstance(typed_source("night drive"), str)
    assert isinstance(typed_source("#"), str)


def test_pinned_forms_round_trip() -> None:
    refs = [SourceRef("likes", "https://soundcloud.com/dj", "Likes of dj"),
            SourceRef("tag", "house", "Tag: house"),
            SourceRef("trending", None, "Trending"),
            SourceRef("playlist", "https://soundcloud.com/dj/sets/x", "X"),
            SourceRef("search", "a&b=c", "Search: a&b=c", (("genre", "dub"),))]
    for ref in refs:
        stored = stored_form(ref)
        assert stored is not None
        assert ref_of_stored(Source(1, *stored, title=ref.title)) == ref
    assert stored_form(SourceRef("ratings", "liked", "My ratings: liked")) is None


async def test_at_80_columns_the_sidebar_narrows_and_b_hides_and_shows_it(
    make_isolated_app: Callable[[], MinionApp], emulator: RunningEmulator,
) -> None:
    app = make_isolated_app()
    async with app.run_test(size=(80, 24)) as pilot:
        browse, sources, tracks = browse_parts(app)
        sidebar = browse.query_one("#sources")
        await pilot.pause()
        assert sidebar.region.width <= 24  # of 80: the track list keeps the room
        await open_trending(pilot)
        wide = tracks.region.width
        await pilot.press("b")
        await pilot.pause()
        assert not sidebar.display and tracks.region.width > wide
        assert app.focused is tracks
        await pilot.press("h")  # the sources key brings it back, focused
        await pilot.pause()
        assert sidebar.display and app.focused is sources
        await pilot.press("b")
        await pilot.pause()
        assert not sidebar.display and app.focused is tracks
    app = make_isolated_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.query_one("#sources").region.width == 32
