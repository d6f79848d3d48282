"""The Queue pane against a real Service and SQLite (no player needed): rows, reordering by
keys, handles and drag, remove, clear + undo, repeat, shuffle, and the History tab."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent

from minion_tui.models import Track
from minion_tui.store import play_queue as pq
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.queue import QueuePane, QueueTable
from tests.tui.waiting import until

AppFactory = Callable[..., MinionApp]


def _tracks(n: int) -> list[Track]:
    return [Track(provider="soundcloud", id=str(i), urn=f"soundcloud:tracks:{i}",
                  url=f"https://soundcloud.com/a/t{i}", title=f"Track {i}", artist="Artist",
                  uploader="a", duration_ms=60_000 + i * 1000) for i in range(1, n + 1)]


def _queue_rows(data: Path) -> list[str]:
    """The queue as SQLite holds it (a fresh connection), by track title number."""
    with sqlite3.connect(data / "minion.db") as db:
        rows = db.execute("SELECT track_urn FROM queue ORDER BY position").fetchall()
    return [r[0].rsplit(":", 1)[1] for r in rows]


def _repeat(data: Path) -> str | None:
    with sqlite3.connect(data / "minion.db") as db:
        row = db.execute("SELECT value FROM app_state WHERE key='queue.repeat'").fetchone()
    return row[0] if row else None


async def _queue_of_four(pilot: Pilot[None]) -> tuple[QueuePane, QueueTable]:
    """Tracks 1-4 queued, the Queue pane shown with its four rows."""
    app = pilot.app
    assert isinstance(app, MinionApp)
    await app.service.player.queue_add(_tracks(4))
    await pilot.press("3")
    pane = app.query_one(QueuePane)
    table = pane.query_one(QueueTable)
    pane.reload()
    await until(pilot, lambda: table.row_count == 4, "four queue rows")
    return pane, table


def _table_titles(table: DataTable[str]) -> list[str]:
    return [str(table.get_row_at(i)[2]).rsplit(" ", 1)[1] for i in range(table.row_count)]


async def test_keys_reorder_remove_clear_undo_repeat_and_shuffle(
    app: MinionApp, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    async with app.run_test(size=(120, 40)) as pilot:
        pane, table = await _queue_of_four(pilot)
        app.set_focus(pane.default_focus())
        assert app.focused is table
        assert _table_titles(table) == ["1", "2", "3", "4"]
        title = pane.query_one("#queue-title", Static)
        assert str(title.render()) == "Queue — 4 tracks · repeat off"

        await pilot.press("J")  # Track 1 down one
        await until(pilot, lambda: _queue_rows(data) == ["2", "1", "3", "4"], "moved down")
        await until(pilot, lambda: _table_titles(table) == ["2", "1", "3", "4"], "rows redrawn")
        assert table.cursor_row == 1  # the cursor went with the moved entry
        await pilot.press("ctrl+down")
        await until(pilot, lambda: _queue_rows(data) == ["2", "3", "1", "4"], "moved again")
        await pilot.press("K")
        await until(pilot, lambda: _queue_rows(data) == ["2", "1", "3", "4"], "moved up")

        await pilot.press("delete")
        await until(pilot, lambda: _queue_rows(data) == ["2", "3", "4"], "removed")
        await until(pilot, lambda: table.row_count == 3, "three rows")

        await pilot.press("r")
        await until(pilot, lambda: _repeat(data) == "one", "repeat one stored")
        assert str(title.render()).endswith("repeat one")
        await pilot.press("r", "r")
        await until(pilot, lambda: _repeat(data) == "off", "repeat cycled back")

        await pilot.press("s")
        await pilot.pause(0.2)
        assert sorted(_queue_rows(data)) == ["2", "3", "4"]

        await pilot.press("c")
        await until(pilot, lambda: _queue_rows(data) == [], "cleared")
        await until(pilot, lambda: not table.display, "the empty state")
        assert any("U puts them back" in n.message for n in app._notifications)
        await pilot.press("U")
        await until(pilot, lambda: sorted(_queue_rows(data)) == ["2", "3", "4"], "restored")
        assert app.is_running


async def test_mouse_handles_and_drag_reorder(app: MinionApp, tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with app.run_test(size=(120, 40)) as pilot:
        _, table = await _queue_of_four(pilot)
        widths = [c.get_render_width(table) for c in table.ordered_columns]
        down_x = sum(widths[:6]) + 1  # the ▼ column
        await pilot.click(QueueTable, offset=(down_x, 1))  # row 0 (under the header)
        await until(pilot, lambda: _queue_rows(data) == ["2", "1", "3", "4"], "▼ handle")
        await until(pilot, lambda: _table_titles(table) == ["2", "1", "3", "4"], "redrawn")

        # Drag the first row onto the fourth.
        await pilot.mouse_down(QueueTable, offset=(10, 1))
        await pilot.mouse_up(QueueTable, offset=(10, 4))
        await until(pilot, lambda: _queue_rows(data) == ["1", "3", "4", "2"], "dragged")


async def test_history_tab_lists_plays_with_seconds_listened(
    app: MinionApp, tmp_path: Path
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        tracks = _tracks(2)
        await app.service.player.queue_add(tracks)  # stores the tracks
        store = await app.service._core.db()
        first = await store.call(pq.history_start, store, tracks[0].urn)
        await store.call(pq.history_listened, store, first, 75.4)
        await pilot.press("3")
        pane = app.query_one(QueuePane)
        pane.reload()
        await pilot.press("t")
        assert pane.query_one(TabbedContent).active == "history-tab"
        history = pane.query_one("#history-table", DataTable)
        assert app.focused is history
        await until(pilot, lambda: history.row_count == 1, "a history row")
        row = [str(cell) for cell in history.get_row_at(0)]
        assert row[1:] == ["Track 1", "Artist", "1:15"]
        assert row[0][:4].isdigit()  # the start time, "YYYY-MM-DD hh:mm:ss"


async def test_history_cursor_stays_on_its_entry_when_new_plays_arrive(
    app: MinionApp
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        tracks = _tracks(4)
        await app.service.player.queue_add(tracks)  # stores the tracks
        store = await app.service._core.db()
        for track in tracks[:3]:
            await store.call(pq.history_start, store, track.urn)
        await pilot.press("3")
        pane = app.query_one(QueuePane)
        pane.reload()
        await pilot.press("t")
        history = pane.query_one("#history-table", DataTable)
        await until(pilot, lambda: history.row_count == 3, "three history rows")
        await pilot.press("down")  # on "Track 2" (newest first: 3, 2, 1)
        assert str(history.get_row_at(history.cursor_row)[1]) == "Track 2"
        # A new play arrives at the top while the cursor rests on Track 2.
        await store.call(pq.history_start, store, tracks[3].urn)
        pane.reload()
        await until(pilot, lambda: history.row_count == 4, "the new play listed")
        assert history.cursor_row == 2
        assert str(history.get_row_at(history.cursor_row)[1]) == "Track 2"


async def test_after_a_restart_the_last_played_entry_is_marked(
    make_app: AppFactory, tmp_path: Path
) -> None:
    first = make_app()
    async with first.run_test(size=(120, 40)):
        queue = await first.service.player.queue_add(_tracks(3))
        store = await first.service._core.db()
        # What playing the second entry leaves behind (playback/session.py).
        await store.call(pq.set_state, store, "queue.current", str(queue[1].id))
    app = make_app()  # a new session over the same data
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        table = app.query_one(QueueTable)
        await until(pilot, lambda: table.row_count == 3, "three queue rows")
        marks = [str(table.get_row_at(i)[1]) for i in range(3)]
        assert marks == [" ", "▶", " "]
        assert app.service.player.now_playing() == (None, None)  # nothing plays; it is remembered


async def test_a_hidden_queue_pane_reads_the_queue_but_fills_its_rows_only_when_shown(
    app: MinionApp,
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(QueuePane)
        table = pane.query_one(QueueTable)
        await app.service.player.queue_add(_tracks(300))  # a played list's worth
        pane.reload()  # as the player does on every new track, with Browse in front
        await until(pilot, lambda: len(pane.entries) == 300, "the queue read")
        await pilot.pause()
        assert table.row_count == 0  # the loop did not draw 300 rows nobody sees
        assert "300 tracks" in str(pane.query_one("#queue-title", Static).render())
        await pilot.press("3")
        await until(pilot, lambda: table.row_count == 300, "the rows once shown")
        assert str(table.get_row_at(299)[2]) == "Track 300"


async def test_when_the_player_moves_on_only_the_mark_moves(
    app: MinionApp,
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        queue = await app.service.player.queue_add(_tracks(300))
        await pilot.press("3")
        pane = app.query_one(QueuePane)
        table = pane.query_one(QueueTable)
        pane.reload()
        await until(pilot, lambda: table.row_count == 300, "the rows")
        rows = dict(table.rows)
        store = await app.service._core.db()
        await store.call(pq.set_state, store, "queue.current", str(queue[5].id))
        pane.reload()  # what a new track does
        await until(pilot, lambda: str(table.get_row_at(5)[1]) == "▶", "the mark moved")
        assert [str(table.get_row_at(i)[1]) for i in range(4, 7)] == [" ", "▶", " "]
        assert all(table.rows[key] is row for key, row in rows.items())  # not rebuilt
        await app.service.player.queue_remove(queue[0].id)
        pane.reload()  # a different queue is drawn again
        await until(pilot, lambda: table.row_count == 299, "the rows after a removal")
        assert str(table.get_row_at(4)[1]) == "▶"
