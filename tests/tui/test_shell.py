"""The shell under Pilot: it starts on Browse, switches panes by key, mouse and palette, lists
keys with their binding ids, and quits closing the service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import ContentSwitcher, DataTable, Input, Static, Tabs

from minion_tui.errors import NetworkError, StoreError
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes import BrowsePane, DownloadsPane, Pane, QueuePane, SearchPane
from minion_tui.tui.screens.help import HelpScreen
from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList

SIZE = (120, 40)
AppFactory = Callable[..., MinionApp]  # the make_app fixture of conftest.py


def front(app: MinionApp) -> tuple[str, str, type[Pane]]:
    """(tab marked active, ContentSwitcher's current child, type of the one displayed pane)."""
    shown = [p for p in app.query(Pane) if p.display]
    assert len(shown) == 1, shown
    return (app.query_one(Tabs).active, app.query_one(ContentSwitcher).current or "",
            type(shown[0]))


def text_of(app: MinionApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def toasts(app: MinionApp) -> list[str]:
    """The text of the notifications on screen, as the user sees them."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def help_rows(app: MinionApp) -> list[tuple[str, ...]]:
    table = app.screen.query_one("#help-keys", DataTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_starts_on_browse_with_trending_open(app: MinionApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert front(app) == ("tab-browse", "browse", BrowsePane)
        # The highlighted source is the one listed: Trending is open, its tracks have focus.
        sources = app.query_one(SourceList)
        assert sources.highlighted == sources.get_option_index("trending")
        assert app.query_one(BrowsePane).source_title == "Trending"
        assert isinstance(app.focused, TrackList)
        assert (app.title, app.sub_title) == ("minion-tui", "")
        assert [str(t.label) for t in app.query_one(Tabs).query("Tab")] == [
            "Browse", "Search", "Queue", "Downloads"]
        assert not app.query_one("#browse-empty").display
        assert not app.query("#browse-notice")
        assert app.theme == "minion-dark"


async def test_number_keys_switch_panes(app: MinionApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for key in "2341":
            await pilot.press(key)
            await pilot.pause()
            seen.append((*front(app), type(app.focused)))
        assert seen == [
            ("tab-search", "search", SearchPane, SearchPane),
            ("tab-queue", "queue", QueuePane, QueuePane),
            ("tab-downloads", "downloads", DownloadsPane, DownloadsPane),
            ("tab-browse", "browse", BrowsePane, TrackList),
        ]


async def test_clicking_a_tab_label_switches_pane(app: MinionApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        assert await pilot.click("#tab-downloads")
        await pilot.pause()
        assert front(app) == ("tab-downloads", "downloads", DownloadsPane)
        assert isinstance(app.focused, DownloadsPane)
        assert await pilot.click("#tab-search")
        await pilot.pause()
        assert front(app) == ("tab-search", "search", SearchPane)


async def test_help_lists_pane_and_app_bindings_with_ids_and_escape_closes(
    app: MinionApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app)
        assert rows[0] == ("/", "Query", "search.focus_query", "Search pane")
        for row in [
            ("1", "Browse", "pane.browse", "app"),
            ("2", "Search", "pane.search", "app"),
            ("3", "Queue", "pane.queue", "app"),
            ("4", "Downloads", "pane.downloads", "app"),
            ("?", "Help", "app.help", "app"),
            ("q", "Quit", "app.quit", "app"),
            ("^c", "Quit", "app.interrupt", "app"),
            ("^p", "Commands", "app.palette", "app"),
        ]:
            assert row in rows
        # Keys of other panes are not in reach from the Search pane.
        assert all(r[3] in {"Search pane", "app", "Screen"} for r in rows), rows
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert isinstance(app.focused, SearchPane)
        # q closes the help instead of quitting the app.
        await pilot.press("f1", "q")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        assert app.is_running


async def test_help_puts_the_focused_lists_keys_first(app: MinionApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one(SourceList).focus()  # Browse, its source list
        await pilot.press("question_mark")
        await pilot.pause()
        rows = help_rows(app)
        first_app_row = next(i for i, r in enumerate(rows) if r[3] == "app")
        ours = rows[:first_app_row]
        assert ours and all(r[3].startswith("Browse pane") for r in ours), ours
        assert ("j", "Down", "sources.down", "Browse pane · source list") in ours
        assert ("p", "Pin/unpin the source", "browse.pin", "Browse pane") in ours


async def test_q_quits_and_closes_the_service(app: MinionApp) -> None:
    store = await app.service._core.db()  # opened, so closing it on exit is observable
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running
    with pytest.raises(StoreError, match="already closed"):
        await store.call(lambda: None)


async def test_ctrl_c_quits(app: MinionApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0
    assert not app.is_running


async def test_typing_a_query_does_not_switch_or_quit(app: MinionApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "slash", "q", "1", "question_mark")
        await pilot.pause()
        query = app.query_one("#query", Input)
        assert (query.value, app.focused) == ("q1?", query)
        assert front(app)[1] == "search" and app.is_running
        await pilot.press("escape", "1")
        await pilot.pause()
        assert front(app)[1] == "browse"


async def test_keymap_moves_a_binding_by_id(make_app: AppFactory) -> None:
    app = make_app(keymap={"pane.queue": "f3", "app.quit": "ctrl+x"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "q")
        await pilot.pause()
        assert front(app)[1] == "browse" and app.is_running
        await pilot.press("f3")
        await pilot.pause()
        assert front(app)[1] == "queue"
        await pilot.press("question_mark")
        await pilot.pause()
        assert ("f3", "Queue", "pane.queue", "app") in help_rows(app)
        await pilot.press("escape", "ctrl+x")
        await pilot.pause()
    assert app.return_code == 0


async def test_command_palette_switches_panes(app: MinionApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"go to downloads")
        await pilot.pause(0.3)  # the palette searches its providers in the background
        await pilot.press("enter")
        await pilot.pause()
        assert front(app) == ("tab-downloads", "downloads", DownloadsPane)


async def test_demo_mode_shows_in_header_and_notice_in_browse(make_app: AppFactory) -> None:
    app = make_app(demo=True, demo_notice="The demo has no catalog yet.")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.sub_title == "demo"
        assert text_of(app, "#browse-notice") == "The demo has no catalog yet."


async def test_unknown_theme_falls_back_and_says_so(make_app: AppFactory) -> None:
    app = make_app(theme="no-such-theme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "minion-dark"
        shown = toasts(app)
        assert len(shown) == 1
        assert "There is no theme called 'no-such-theme'; using minion-dark." in shown[0]
        assert "textual-dark" in shown[0]  # lists what can be used instead


async def test_a_failed_worker_becomes_an_error_toast(app: MinionApp) -> None:
    async def fail() -> None:
        raise NetworkError("Could not reach SoundCloud.", hint="Check your connection.")

    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.run_worker(fail(), description="Loading trending",
                                exit_on_error=False)
        await pilot.pause(0.1)
        assert toasts(app) == [
            "Loading trending failed\nCould not reach SoundCloud. Check your connection."]
        assert app.query_one("Toast").has_class("-error")
        assert app.is_running


async def test_footer_shows_the_bindings_active_where_focus_is(app: MinionApp) -> None:
    def footer(app: MinionApp) -> list[tuple[str, str]]:
        return [(key.key, key.description) for key in app.query("FooterKey")]

    app_keys = [("1", "Browse"), ("2", "Search"), ("3", "Queue"), ("4", "Downloads"),
                ("question_mark", "Help"), ("q", "Quit")]
    async with app.run_test(size=SIZE) as pilot:
        app.query_one(SourceList).focus()
        await pilot.pause()
        assert footer(app) == [*app_keys, ("ctrl+p", "Commands")]
        await pilot.press("2")
        await pilot.pause()
        assert footer(app) == [("slash", "Query"), ("P", "Switch provider"), *app_keys,
                               ("ctrl+p", "Commands")]
        await pilot.press("slash")
        await pilot.pause()
        # While typing, printable keys go to the query: only the others are offered.
        assert footer(app) == [("escape", "Leave query"), ("f1", "Help"),
                               ("ctrl+p", "Commands")]


async def test_help_leaves_out_textuals_own_list_keys_and_fits_120_columns(
    app: MinionApp,
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()  # Browse: the source list (an OptionList) has focus
        await pilot.press("question_mark")
        await pilot.pause()
        rows = help_rows(app)
        # OptionList's own down/up/home/end/pgup/pgdn (no id) would list every move twice.
        assert [r for r in rows if not r[2] and r[3] != "Screen"] == []
        assert ("ctrl+d" in {r[0] for r in rows}) or any("^d" in r[0] for r in rows)
        table = app.screen.query_one("#help-keys", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
