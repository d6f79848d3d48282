"""Issue 14 item 3, the same keys in every list: j k g G ctrl+d ctrl+u home end in the Queue,
the History, the source list and the user and set results; keys to focus the sources and the
#tag box; escape out of any input; typing on the empty Search pane goes into the query; the
suggestion says how to take it; a key name [keymap] cannot use is reported and changes
nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, Static

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Track
from minion_tui.store import play_queue as pq
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.queue import QueuePane, QueueTable
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import open_app
from tests.tui.waiting import listed_at_start, open_trending, until

AppFactory = Callable[..., MinionApp]


def _tracks(n: int) -> list[Track]:
    return [Track(provider="soundcloud", id=str(i), urn=f"soundcloud:tracks:{i}",
                  url=f"https://soundcloud.com/a/t{i}", title=f"Track {i}", artist="Artist",
                  uploader="a", duration_ms=60_000) for i in range(1, n + 1)]


@pytest.fixture
def online_app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return open_app(emulator, tmp_path)


@asynccontextmanager
async def _on_search(app: MinionApp) -> AsyncIterator[Pilot[None]]:
    """``app`` running at 120×40 under Pilot, switched to the Search pane (2): the pilot."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        yield pilot


async def _moves(pilot: Pilot[None], row: Callable[[], int | None], last: int) -> list[int | None]:
    """The cursor row after each of G g end home ctrl+d ctrl+u j k."""
    seen: list[int | None] = []
    for key in ("G", "g", "end", "home", "ctrl+d", "ctrl+u", "j", "j", "k"):
        await pilot.press(key)
        await pilot.pause()
        seen.append(row())
    assert seen[0] == last
    return seen


async def test_queue_and_history_move_with_the_list_keys(app: MinionApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        tracks = _tracks(30)
        await app.service.player.queue_add(tracks)
        store = await app.service._core.db()
        for track in tracks:
            await store.call(pq.history_start, store, track.urn)
        await pilot.press("3")
        pane = app.query_one(QueuePane)
        table = pane.query_one(QueueTable)
        pane.reload()
        await until(pilot, lambda: table.row_count == 30, "thirty queue rows")
        app.set_focus(pane.default_focus())
        assert app.focused is table
        seen = await _moves(pilot, lambda: table.cursor_row, 29)
        page = seen[4]
        assert seen == [29, 0, 29, 0, page, 0, 1, 2, 1]
        assert page is not None and page > 3  # a page, not a row

        await pilot.press("t")
        history = pane.query_one("#history-table", DataTable)
        await until(pilot, lambda: history.row_count == 30, "thirty history rows")
        assert app.focused is history
        seen = await _moves(pilot, lambda: history.cursor_row, 29)
        assert seen == [29, 0, 29, 0, seen[4], 0, 1, 2, 1] and (seen[4] or 0) > 3


async def test_the_source_list_pages_with_ctrl_d(app: MinionApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        sources = app.query_one(SourceList)
        await pilot.press("h")  # Trending is open at start, its tracks focused
        assert app.focused is sources
        first = sources.highlighted
        await pilot.press("ctrl+d")
        assert sources.highlighted is not None and first is not None
        assert sources.highlighted > first + 1
        await pilot.press("g")  # the first source: the Inbox, above Trending
        assert sources.highlighted == first - 1
        assert sources.highlighted_option is not None
        assert sources.highlighted_option.id == "inbox"


async def test_user_results_move_with_the_list_keys(online_app: MinionApp) -> None:
    app = online_app
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        search = app.query_one(SearchPane)
        search.query_one("#search-kind", Select).value = "users"
        await pilot.press("slash", *"a", "enter")
        others = search.query_one("#search-others", OptionList)
        await until(pilot, lambda: others.option_count > 20
                    and "…" not in str(search.query_one("#search-status", Static).render()),
                    "users found")
        assert app.focused is others
        seen = await _moves(pilot, lambda: others.highlighted, others.option_count - 1)
        assert seen[1:4] == [0, others.option_count - 1, 0]
        assert (seen[4] or 0) > 3 and seen[5:] == [0, 1, 2, 1]


async def test_h_focuses_the_sources_and_hash_the_tag_box_escape_leaves_it(
    online_app: MinionApp,
) -> None:
    app = online_app
    async with app.run_test(size=(120, 40)) as pilot:
        tracks = await open_trending(pilot)
        assert app.focused is tracks
        await pilot.press("h")
        assert app.focused is app.query_one(SourceList)
        await pilot.press("number_sign")
        box = app.query_one("#source-input", Input)
        assert app.focused is box and box.value == "#"
        await pilot.press(*"house")
        assert box.value == "#house"
        await pilot.press("escape")
        assert app.focused is tracks  # back where the keys work
        assert box.value == "#house"


async def test_escape_leaves_the_search_filters_too(app: MinionApp) -> None:
    async with _on_search(app) as pilot:
        genre = app.query_one("#search-genre", Input)
        genre.focus()
        await pilot.press(*"house")
        await pilot.press("escape")
        assert app.focused is app.query_one(SearchPane)
        await pilot.press("1")  # the pane keys work again
        assert app.current_pane == "browse"


async def test_typing_on_the_empty_search_pane_goes_into_the_query(
    app: MinionApp,
) -> None:
    async with _on_search(app) as pilot:
        query = app.query_one("#query", Input)
        await pilot.press(*"deep house")
        assert app.focused is query
        assert query.value == "deep house"
        await pilot.press("escape", "3")  # escape hands the pane keys back
        assert app.current_pane == "queue"


async def test_a_burst_of_keys_on_the_empty_search_pane_all_reach_the_query(
    app: MinionApp,
) -> None:
    from textual import events

    async with _on_search(app) as pilot:
        # As the driver delivers a fast typist: all keys queued before the first is handled.
        for char in "dee":
            app.post_message(events.Key(char, char))
        await pilot.pause()
        assert app.query_one("#query", Input).value == "dee"


async def test_the_suggestion_says_how_to_take_it(online_app: MinionApp) -> None:
    app = online_app
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "slash", *"dee")
        query = app.query_one("#query", Input)
        await until(pilot, lambda: bool(query._suggestion), "a suggestion")
        suggestion = query._suggestion
        # Drawn in the query box's lower border, so nothing moves.
        assert query.border_subtitle == f"→ takes “{suggestion}”"
        await pilot.press("right")
        assert query.value == suggestion
        await until(pilot, lambda: not query.border_subtitle, "the hint gone")


async def test_an_invalid_key_name_is_reported_and_keeps_the_default(
    make_app: AppFactory,
) -> None:
    app = make_app(keymap={"list.down": "notakey!!"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert len(notes) == 1
        assert ("'notakey!!' is not a key name (list.down keeps down, j)") in notes[0]
        await listed_at_start(pilot)
        tracks = app.query_one("#browse-tracks", TrackList)
        tracks.display = True
        tracks.set_tracks(_tracks(5))
        tracks.focus()
        await pilot.press("j", "down")
        assert tracks.cursor_row == 2
