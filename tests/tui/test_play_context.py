"""Play in context through Pilot, with real libmpv (ao=null) against the emulator: enter on a
row plays it with the rest of the list as what plays next (the queue pane and SQLite show the
list), `>` and `<` move along it, `a` queues ahead of the list, and after a restart `space`
resumes the remembered entry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.queue import QueueTable
from minion_tui.tui.widgets.now_playing import NowPlayingBar
from tests.examples import resolve_examples
from tests.tui.harness import list_in_browse, open_app
from tests.tui.waiting import listed_at_start, until

pytestmark = pytest.mark.mpv


def _app(emulator: RunningEmulator, tmp_path: Path) -> MinionApp:
    return open_app(emulator, tmp_path, null_audio=True)


def _queue(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "data" / "minion.db") as db:
        return list(db.execute("SELECT track_urn, origin FROM queue ORDER BY position"))


async def test_enter_plays_the_list_next_and_previous_walk_it_and_a_queues_ahead(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    app = _app(emulator, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        listed = await resolve_examples(app.service, emulator, "track_full", "track_downloadable",
                                "track_opus", "track_long")
        first, second, third, fourth = listed
        await listed_at_start(pilot)  # open at start: listed first, then replaced here
        list_in_browse(app, listed)
        await pilot.pause()
        bar = app.query_one(NowPlayingBar)

        await pilot.press("j", "enter")  # the second row
        await until(pilot, lambda: bar.view.title == second.title and bar.view.elapsed >= 1,
                    "the second row playing")
        assert _queue(tmp_path) == [(t.urn, "context") for t in listed]

        await pilot.press("greater_than_sign")
        await until(pilot, lambda: bar.view.title == third.title, "> the next row")
        await pilot.press("less_than_sign", "less_than_sign")
        await until(pilot, lambda: bar.view.title == first.title, "< < the first row")

        # a on the last row: it plays next, before the list goes on.
        await pilot.press("G", "a")
        await until(pilot, lambda: len(_queue(tmp_path)) == 5, "a: queued")
        assert [urn for urn, _ in _queue(tmp_path)] == [first.urn, fourth.urn, second.urn,
                                                        third.urn, fourth.urn]

        # The Queue pane shows the list with the playing entry marked.
        await pilot.press("3")
        table = app.query_one(QueueTable)
        await until(pilot, lambda: table.row_count == 5, "five queue rows")
        marks = [str(table.get_row_at(i)[1]) for i in range(5)]
        titles = [str(table.get_row_at(i)[2]) for i in range(5)]
        assert marks == ["▶", " ", " ", " ", " "]
        assert titles == [first.title, fourth.title, second.title, third.title, fourth.title]

        await pilot.press("greater_than_sign")
        await until(pilot, lambda: bar.view.title == fourth.title, "> the queued track")
        await until(pilot, lambda: str(table.get_row_at(1)[1]) == "▶", "its row marked")


async def test_after_a_restart_space_resumes_the_remembered_entry(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    app = _app(emulator, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        listed = await resolve_examples(app.service, emulator, "track_full", "track_long")
        await listed_at_start(pilot)  # open at start: listed first, then replaced here
        list_in_browse(app, listed)
        await pilot.press("j", "enter")
        bar = app.query_one(NowPlayingBar)
        await until(pilot, lambda: bar.view.title == listed[1].title and bar.view.elapsed >= 1,
                    "the long track playing")
        await pilot.press("right_curly_bracket")  # } +60 s
        await until(pilot, lambda: bar.view.elapsed >= 60, "sought 60 s in")
        await pilot.press("q")

    again = _app(emulator, tmp_path)
    async with again.run_test(size=(140, 40)) as pilot:
        bar = again.query_one(NowPlayingBar)
        # Before any key, the bar names what space resumes, paused where it stopped.
        await until(pilot, lambda: bar.view.title == listed[1].title, "the restored track")
        assert bar.view.state == "paused" and bar.view.elapsed >= 60
        assert again.service.player.now_playing() == (None, None)  # nothing plays yet
        await pilot.press("3")
        table = again.query_one(QueueTable)
        await until(pilot, lambda: table.row_count == 2, "the restored queue")
        assert [str(table.get_row_at(i)[1]) for i in range(2)] == [" ", "▶"]
        await pilot.press("space")
        await until(pilot, lambda: bar.view.title == listed[1].title
                    and bar.view.state == "playing" and bar.view.elapsed >= 60,
                    "space resumed the long track where it stopped")
        await pilot.press("less_than_sign")  # the list is there around it
        await until(pilot, lambda: bar.view.title == listed[0].title, "< the first row")
