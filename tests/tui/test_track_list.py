"""TrackList under Pilot: 50k rows, vim keys, sort, filter, hide rule, rating, mouse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from textual import events
from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot

from minion_tui.models import Counts, Judgment, Track
from minion_tui.tui.widgets.track_list import TrackList


def track(i: int, judgment: Judgment | None = None) -> Track:
    return Track(provider="soundcloud", id=str(i), urn=f"soundcloud:tracks:{i}", url="",
                 title=f"Song {i:05d}", artist=f"Artist {i % 97}", uploader="u",
                 duration_ms=180_000 + i, genre="techno" if i % 2 else "house",
                 counts=Counts(plays=i), created_at="2025-01-02T00:00:00Z", judgment=judgment)


class ListApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield TrackList(id="tracks")

    def on_track_list_rate_requested(self, message: TrackList.RateRequested) -> None:
        self.messages.append(message)

    def on_track_list_selected(self, message: TrackList.Selected) -> None:
        self.messages.append(message)


@asynccontextmanager
async def track_list_app(size: tuple[int, int], app_type: type[ListApp] = ListApp,
                         ) -> AsyncIterator[tuple[ListApp, Pilot[None], TrackList]]:
    """An ``app_type`` running at ``size`` under Pilot: the app, the pilot, its track list."""
    app = app_type()
    async with app.run_test(size=size) as pilot:
        yield app, pilot, app.query_one(TrackList)


def screen_lines(tl: TrackList) -> list[str]:
    return [tl.render_line(y).text for y in range(tl.scrollable_content_region.height)]


async def test_fifty_thousand_rows_first_screen_and_vim_keys() -> None:
    async with track_list_app((120, 40)) as (_, pilot, tl):
        tl.focus()
        tl.set_tracks([track(i) for i in range(50_000)])
        await pilot.pause()
        lines = screen_lines(tl)
        assert "Title" in lines[0] and "Artist" in lines[0]
        assert "Song 00000" in lines[1] and "Song 00001" in lines[2]
        await pilot.press("j", "j", "k")
        assert tl.cursor_row == 1 and tl.highlighted == tl.visible_tracks[1]
        await pilot.press("G")
        assert tl.cursor_row == 49_999
        assert tl.highlighted is not None and tl.highlighted.id == "49999"
        assert any("Song 49999" in line for line in screen_lines(tl))
        await pilot.press("g")
        assert tl.cursor_row == 0
        await pilot.press("ctrl+d")
        page = tl.cursor_row
        assert page > 10
        await pilot.press("ctrl+u")
        assert tl.cursor_row == 0


async def test_sort_by_title_both_ways() -> None:
    async with track_list_app((100, 20)) as (_, pilot, tl):
        tl.set_tracks([track(i) for i in (3, 1, 2)])
        tl.sort_by("title")
        await pilot.pause()
        assert [t.id for t in tl.tracks] == ["1", "2", "3"]
        assert "Song 00001" in tl.render_line(1).text
        tl.sort_by("title", reverse=True)
        await pilot.pause()
        assert [t.id for t in tl.visible_tracks] == ["3", "2", "1"]
        assert "Song 00003" in tl.render_line(1).text


async def test_slash_filters_as_you_type_and_escape_clears() -> None:
    async with track_list_app((100, 20)) as (_, pilot, tl):
        tl.focus()
        tl.set_tracks([track(i) for i in range(1000)])
        await pilot.press("slash", "0", "0", "0", "4", "2")
        assert tl.filter_text == "00042"
        assert [t.id for t in tl.visible_tracks] == ["42"]
        lines = screen_lines(tl)
        assert "Song 00042" in lines[1] and "Song" not in lines[2]
        assert lines[-1].startswith("/00042")
        await pilot.press("escape")
        assert tl.filter_text == "" and len(tl.visible_tracks) == 1000
        await pilot.press("slash", "h", "o", "u", "enter")
        assert len(tl.visible_tracks) == 500 and not tl.filtering
        await pilot.press("j")  # keys are list keys again after enter
        assert tl.cursor_row == 1


class BurstApp(ListApp):
    """An app-level binding on a letter, like the app's `d` (download) and `p` (pin)."""

    BINDINGS = [("d", "app_key('d')", "Download"), ("p", "app_key('p')", "Pin")]

    def __init__(self) -> None:
        super().__init__()
        self.app_keys: list[str] = []

    def action_app_key(self, key: str) -> None:
        self.app_keys.append(key)


async def test_keys_typed_in_one_burst_after_slash_all_go_to_the_filter() -> None:
    async with track_list_app((100, 20), BurstApp) as (app, pilot, tl):
        tl.focus()
        tl.set_tracks([track(i) for i in range(10)])
        await pilot.pause()
        # A terminal delivers "/dp" in one read: every key is queued before the first is
        # handled (Pilot's press() would wait between keys and hide the race).
        for key, character in (("slash", "/"), ("d", "d"), ("p", "p")):
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert tl.filter_text == "dp"
        assert app.app_keys == []


async def test_hide_not_interested_toggle() -> None:
    async with track_list_app((100, 20)) as (_, pilot, tl):
        tl.focus()
        tl.set_tracks([track(1), track(2, Judgment.NOT_INTERESTED), track(3)])
        assert [t.id for t in tl.visible_tracks] == ["1", "3"]
        await pilot.press("H")
        assert [t.id for t in tl.visible_tracks] == ["1", "2", "3"]
        assert "✕" in tl.render_line(2).text
        await pilot.press("H")
        assert [t.id for t in tl.visible_tracks] == ["1", "3"]


async def test_rating_keys_post_and_set_judgment_changes_badge() -> None:
    async with track_list_app((100, 20)) as (app, pilot, tl):
        tl.focus()
        tl.set_tracks([track(1), track(2)])
        await pilot.press("j", "l", "u")
        rated = [m for m in app.messages if isinstance(m, TrackList.RateRequested)]
        assert [(m.track.id, m.judgment) for m in rated] == [("2", Judgment.LIKED), ("2", None)]
        assert "♥" not in tl.render_line(2).text
        tl.set_judgment("soundcloud:tracks:2", Judgment.LIKED)
        await pilot.pause()
        assert tl.render_line(2).text.lstrip().startswith("♥")
        assert tl.highlighted is not None and tl.highlighted.judgment is Judgment.LIKED


async def test_mouse_click_selects_and_wheel_scrolls() -> None:
    async with track_list_app((100, 20)) as (app, pilot, tl):
        tl.set_tracks([track(i) for i in range(500)])
        await pilot.pause()
        await pilot.click(TrackList, offset=(5, 4))
        assert tl.cursor_row == 3
        await pilot.double_click(TrackList, offset=(5, 4))
        selected = [m for m in app.messages if isinstance(m, TrackList.Selected)]
        assert selected and selected[-1].track.id == "3"
        for _ in range(3):  # the wheel, as the driver delivers it
            tl.post_message(events.MouseScrollDown(tl, 5, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert tl.scroll_y > 0
        await pilot.click(TrackList, offset=(5, 0))  # header: sorts by that column
        assert tl.sort_column == "title"


async def test_append_keeps_cursor_put() -> None:
    async with track_list_app((100, 20)) as (_, pilot, tl):
        tl.focus()
        tl.set_tracks([track(i) for i in range(10)])
        await pilot.press("j", "j", "j", "j", "j")
        assert tl.cursor_row == 5
        tl.append_tracks([track(i) for i in range(10, 60)])
        await pilot.pause()
        assert tl.cursor_row == 5 and len(tl.visible_tracks) == 60
        assert tl.highlighted is not None and tl.highlighted.id == "5"


async def test_empty_state_text() -> None:
    async with track_list_app((100, 20)) as (_, pilot, tl):
        tl.empty_text = "Nothing here yet"
        await pilot.pause()
        assert "Nothing here yet" in tl.render_line(1).text
        assert tl.highlighted is None


async def test_s_sorts_by_the_columns_shown_and_capital_s_reverses() -> None:
    async with track_list_app((52, 12)) as (_, pilot, tl):  # narrow: genre, date and source hidden
        tl.focus()
        tl.set_tracks([track(i) for i in (3, 1, 2)])
        await pilot.pause()
        header = tl.render_line(0).text
        assert "Genre" not in header and "Date" not in header
        seen = []
        for _ in range(6):
            await pilot.press("s")
            seen.append(tl.sort_column)
        assert seen == ["title", "artist", "duration", "plays", "rating", "title"]
        assert [t.id for t in tl.visible_tracks] == ["1", "2", "3"]
        assert "Title▲" in tl.render_line(0).text
        await pilot.press("S")
        assert [t.id for t in tl.visible_tracks] == ["3", "2", "1"]
        assert "Title▼" in tl.render_line(0).text


async def test_rows_that_bring_the_scrollbar_never_bring_a_sideways_one() -> None:
    # The first rows of a listing make the vertical scrollbar appear, which narrows the
    # content (no Resize follows): a virtual width measured before that must not turn into
    # a horizontal scrollbar over the last row (the theme snapshot flake of Browse).
    async with track_list_app((100, 20)) as (_, pilot, tl):
        tl.append_tracks([track(i) for i in range(200)])
        await pilot.pause()
        assert tl.show_vertical_scrollbar
        assert not tl.show_horizontal_scrollbar
        last = tl.scrollable_content_region.height - 1
        assert "Song 00018" in tl.render_line(last).text  # the last row is a track row


async def test_a_title_too_long_for_its_column_ends_in_an_ellipsis() -> None:
    import dataclasses

    async with track_list_app((80, 24)) as (_, pilot, tl):
        long = dataclasses.replace(track(1), title="An extremely long title " * 4,
                                   artist="An artist with a very long name indeed")
        tl.set_tracks([long, track(2)])
        await pilot.pause()
        line = screen_lines(tl)[1]
        assert "An extremely long" in line and "…" in line
        title_cell = line.split("…")[0]
        assert long.title.startswith(title_cell.lstrip(" ♥✕~"))
        assert "Song 00002" in screen_lines(tl)[2] and "…" not in screen_lines(tl)[2]
