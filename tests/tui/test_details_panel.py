"""The details panel: artwork, comments with their time in the track and
"Surfaced by" provenance, driven through Pilot against a real Service and the emulator; plus
the panel's text at its 40-column width and the renderer choice."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Comment, Counts, Track, User
from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.widgets.artwork import (
    ArtworkView,
    cell_aspect,
    fitted_width,
    image_class,
    pick_renderer,
    remeasure_cell_size,
)
from minion_tui.tui.widgets.details import (
    PANEL_TEXT_WIDTH,
    TrackDetails,
    comments_text,
    details_text,
)
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.harness import open_app
from tests.tui.waiting import open_trending, until

COMMENT_LINE = re.compile(r"^(\d+:)?\d{1,2}:\d{2}  \S.*: ", re.MULTILINE)


@asynccontextmanager
async def _trending_details(
    app: MinionApp, size: tuple[int, int],
) -> AsyncIterator[tuple[Pilot[None], TrackList, TrackDetails]]:
    """``app`` running at ``size`` with Trending opened (4 rows at least): the pilot, the
    track list and the details panel."""
    async with app.run_test(size=size) as pilot:
        tracks = await open_trending(pilot, rows=4)
        yield pilot, tracks, app.query_one("#browse-details", TrackDetails)


async def test_highlight_shows_artwork_comments_and_where_it_was_surfaced(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    app = open_app(emulator, tmp_path, artwork=True)
    async with _trending_details(app, (160, 45)) as (pilot, tracks, details):
        # The first row with comments and artwork (about a third of the catalog has none).
        index = next(i for i, t in enumerate(tracks.visible_tracks)
                     if t.counts.comments and t.artwork_url)
        await pilot.press(*["j"] * index)
        track = tracks.visible_tracks[index]
        assert tracks.highlighted == track

        # Comments (HTTP) and provenance (SQLite) load side by side: either may come first.
        await until(pilot, lambda: details.comments is not None and "Surfaced by" in details.text,
                    "the comments and the provenance")
        text = details.text
        assert track.title in text and "Surfaced by: Trending" in text
        assert f"Comments ({track.counts.comments:,})" in text
        shown = COMMENT_LINE.findall(text)
        assert shown, text
        first = min((c for c in details.comments or [] if c.timestamp_ms is not None),
                    key=lambda c: c.timestamp_ms or 0)
        minutes, seconds = divmod((first.timestamp_ms or 0) // 1000, 60)
        if minutes < 60:
            assert f"{minutes}:{seconds:02d}  {first.user.username}: " in text

        artwork = details.query_one(ArtworkView)
        await until(pilot, lambda: artwork.picture is not None, "the artwork")
        assert artwork.display and artwork.picture is not None
        assert artwork.picture.size == (300, 300)  # half blocks get the 300×300 variant
        assert "textual_image" in sys.modules


def _drawn(artwork: ArtworkView) -> tuple[tuple[int, int], list[str], list[str]]:
    """The picture's size in cells and what it draws: each row's characters and the colours
    of its first row (half blocks: one "▀" per cell, the upper pixel as its colour)."""
    image = next(iter(artwork.children))
    width, height = image.size
    strips = image.render_lines(Region(0, 0, width, height))
    first = strips[0] if strips else []  # not laid out yet: nothing drawn
    colours = [str(segment.style.color.triplet) for segment in first
               if segment.style is not None and segment.style.color is not None]
    return (width, height), [strip.text for strip in strips], colours


async def test_the_artwork_is_drawn_again_to_fit_after_a_resize(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    app = open_app(emulator, tmp_path, artwork=True)
    async with _trending_details(app, (120, 40)) as (pilot, tracks, details):
        index = next(i for i, t in enumerate(tracks.visible_tracks) if t.artwork_url)
        await pilot.press(*["j"] * index)
        artwork = details.query_one(ArtworkView)
        await until(pilot, lambda: artwork.picture is not None and artwork.children
                    and _drawn(artwork)[0] == (26, 13), "the artwork laid out")
        # 120×40: the panel's 34 rows leave the square picture 13 rows, 26 cells across.
        size, rows, colours = _drawn(artwork)
        assert size == (26, 13) and rows == ["▀" * 26] * 13 and len(colours) == 26

        # A shorter window: the picture shrinks to 40 % of the panel's 24 rows and is drawn
        # again at that size (not the old picture cut off or left as it was).
        await pilot.resize_terminal(120, 30)
        await until(pilot, lambda: _drawn(artwork)[0] == (18, 9), "the picture at 18×9")
        size, rows, smaller = _drawn(artwork)
        assert rows == ["▀" * 18] * 9 and len(smaller) == 18 and smaller != colours[:18]
        assert artwork.region.height == 9  # the text below moved up with it

        # Taller again: it grows, until it takes the panel's whole width.
        await pilot.resize_terminal(140, 60)
        await until(pilot, lambda: _drawn(artwork)[0] == (36, 18), "the picture at 36×18")
        assert _drawn(artwork)[1] == ["▀" * 36] * 18
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: _drawn(artwork)[0] == (26, 13), "the picture at 26×13")
        assert _drawn(artwork)[2] == colours  # the same picture as at the start


def test_the_picture_takes_the_width_the_height_leaves() -> None:
    # A square picture on 1:2 cells takes half as many rows as cells across.
    assert fitted_width(36, 34, 300, 300) == 26
    assert fitted_width(36, 60, 300, 300) == 36  # capped by the panel's width
    assert fitted_width(36, 10, 300, 300) == 8  # never under the smallest worth drawing
    assert fitted_width(5, 10, 300, 300) == 5  # nor wider than the panel
    assert fitted_width(36, 34, 600, 300) == 36  # a wide picture takes fewer rows
    assert fitted_width(36, 34, 300, 300, aspect=1.0) == 13  # square cells: as many rows


async def test_scrolling_fetches_comments_only_for_the_row_it_settles_on(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    app = open_app(emulator, tmp_path, artwork=False)
    async with _trending_details(app, (160, 45)) as (pilot, tracks, details):
        await until(pilot, lambda: details.comments is not None or details.track is None
                        or details.track.counts.comments == 0, "the first row settled")
        # A settle time far above the time three key presses take, even on a loaded machine
        # (the test is about what is fetched, not about how fast keys are).
        details.settle_seconds = 2.0
        emulator.state.reset_counters()
        await pilot.press("j", "j", "j")
        settled = tracks.highlighted
        assert settled is not None and settled == tracks.visible_tracks[3]
        await until(pilot, lambda: details.track == settled
                        and (details.comments is not None), "comments of the last row")
        asked = [p for p in emulator.state.api_calls if p.endswith("/comments")]
        expected = [] if settled.counts.comments == 0 else [f"/tracks/{settled.id}/comments"]
        assert [p[p.index("/tracks/"):] for p in asked] == expected


async def test_the_users_likes_show_who_surfaced_the_track(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    app = open_app(emulator, tmp_path, artwork=False)
    user_url = emulator.examples["user"]
    async with app.run_test(size=(160, 45)) as pilot:
        browse = app.query_one(BrowsePane)
        tracks = browse.query_one("#browse-tracks", TrackList)
        details = browse.query_one("#browse-details", TrackDetails)
        await pilot.click("#source-input")
        await pilot.press(*f"{user_url}/likes", "enter")
        await until(pilot, lambda: len(tracks.tracks) > 0, "the user's likes")
        user = await app.service.catalog.resolve(user_url)
        assert isinstance(user, User)
        tracks.focus()
        await until(pilot, lambda: details.track is not None and details.surfaced,
                        "the provenance line")
        assert f"Surfaced by: Likes of {user.username}" in details.text


PROBE = """
import asyncio, json, sys
from pathlib import Path
from minion_tui.config import Settings, UiSettings
from minion_tui.emulator.server import run_in_thread
from minion_tui.tui.app import MinionApp
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.track_list import TrackList
from textual.widgets import OptionList

async def main() -> None:
    emu = run_in_thread(seed=1)
    settings = Settings(ui=UiSettings(artwork=False), path=Path(sys.argv[1]) / "config.toml")
    app = MinionApp(Service.open(settings=settings, data_dir=Path(sys.argv[1]) / "data",
                                 endpoints=emu.endpoints))
    async with app.run_test(size=(160, 45)) as pilot:
        app.query_one("#source-list", OptionList).focus()
        await pilot.press("enter")
        tracks = app.query_one("#browse-tracks", TrackList)
        details = app.query_one("#browse-details", TrackDetails)
        for _ in range(400):
            if tracks.tracks and details.track and details.surfaced:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        shown = details.track is not None and bool(details.surfaced)
    emu.stop()
    print(json.dumps({"shown": shown, "textual_image": "textual_image" in sys.modules}))

asyncio.run(main())
"""


def test_artwork_off_never_imports_textual_image(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], capture_output=True,
                         text=True, check=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"shown": True, "textual_image": False}


# -- the text at the panel's width ------------------------------------------------------------


def _track(**changes: object) -> Track:
    base: dict[str, object] = dict(
        provider="soundcloud", id="1", urn="soundcloud:tracks:1", url="https://x/y",
        title="An Extremely Long Title For A Late Night Ambient Session Recorded Live",
        artist="Moth Nomad", uploader="moth", duration_ms=3_914_000, genre="Ambient",
        tags=("dusk", "synth", "field recordings", "late night", "tape"),
        counts=Counts(plays=1_234_567, likes=12_345, reposts=1_234, comments=2),
        license="cc-by-nc-sa", description="First paragraph " * 12 + "\n\nSecond one.")
    base.update(changes)
    return Track(**base)  # type: ignore[arg-type]


def test_details_fit_the_panel_and_keep_every_fact() -> None:
    track = _track()
    text = details_text(track, width=PANEL_TEXT_WIDTH, surfaced=["Likes of Alice", "Trending"])
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= PANEL_TEXT_WIDTH
    flat = " ".join(" ".join(text.split()).split())
    for fact in ("1,234,567", "Likes 12,345", "Reposts 1,234", "field recordings",
                 "cc-by-nc-sa", "Rating not rated", "Surfaced by: Likes of Alice, Trending",
                 "Full track", "Second one."):
        assert fact in flat, fact
    # A folded value stays under its column; paragraphs stay apart.
    plays = lines.index(next(line for line in lines if line.startswith("Plays")))
    assert lines[plays + 1].startswith(" " * 11) and lines[plays + 1].strip()
    assert "" in lines[lines.index(next(x for x in lines if x.startswith("First"))):]


def test_comments_read_as_time_user_body_in_track_order() -> None:
    def comment(ms: int | None, who: str, body: str) -> Comment:
        user = User(provider="soundcloud", id=who, urn=f"soundcloud:users:{who}", username=who)
        return Comment(id=who, body=body, timestamp_ms=ms, created_at=None, user=user)

    text = comments_text([comment(3_725_000, "bob", "still  going\nstrong"),
                          comment(None, "eve", "nice"), comment(42_000, "alice", "the drop")])
    assert text.splitlines() == ["0:42  alice: the drop", "1:02:05  bob: still going strong",
                                 "eve: nice"]
    folded = comments_text([comment(61_000, "alice", "word " * 20)], width=PANEL_TEXT_WIDTH)
    assert folded.splitlines()[0].startswith("1:01  alice: word")
    assert all(line.startswith("      word") for line in folded.splitlines()[1:])


@pytest.mark.parametrize(
    ("environ", "headless", "renderer"),
    [
        ({"TERM": "xterm-kitty", "KITTY_WINDOW_ID": "1"}, False, "tgp"),
        ({"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, False, "sixel"),
        ({"TERM": "foot"}, False, "sixel"),
        ({"TERM": "xterm-256color"}, False, "halfcell"),
        ({"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-1/default,1,0"}, False, "halfcell"),
        ({"TERM": "xterm-kitty"}, True, "halfcell"),
    ],
)
def test_renderer_is_chosen_from_the_terminal(environ: dict[str, str], headless: bool,
                                              renderer: str) -> None:
    assert pick_renderer(environ, headless=headless) == renderer


def test_a_resize_measures_the_cell_size_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # A font zoom arrives as a resize with new pixels per cell: textual-image would keep the
    # size it measured on import, and draw Sixel and Kitty pictures at the old scale.
    image_class("halfcell")  # loads textual-image, as the first picture does
    terminal = sys.modules["textual_image._terminal"]
    monkeypatch.setattr(terminal.get_cell_size, "_result", terminal.CellSize(10, 20))
    monkeypatch.setattr(sys, "__stdout__", io.StringIO())  # not a terminal: no ioctl
    monkeypatch.setenv("TEXTUAL_CELL_WIDTH", "12")
    monkeypatch.setenv("TEXTUAL_CELL_HEIGHT", "12")
    assert cell_aspect() == 2.0
    assert remeasure_cell_size() is True
    assert terminal.get_cell_size() == terminal.CellSize(12, 12) and cell_aspect() == 1.0
    assert remeasure_cell_size() is False  # unchanged: nothing to redraw


async def test_details_replaced_before_they_start_leave_no_coroutine_behind(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    import gc
    import warnings

    app = open_app(emulator, tmp_path)
    async with _trending_details(app, (160, 45)) as (pilot, _tracks, details):
        track = details.track
        assert track is not None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # Two loads in one go: the second (exclusive) cancels the first before it runs.
            details._load_extras(track)
            details._load_extras(track)
            await pilot.pause()
            await app.workers.wait_for_complete()
            gc.collect()
        never = [str(w.message) for w in caught if "never awaited" in str(w.message)]
        assert never == []
        assert details.comments is not None  # the second load ran


async def test_a_refreshed_row_of_the_same_track_still_gets_its_details(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    import dataclasses

    app = open_app(emulator, tmp_path, artwork=True)
    async with _trending_details(app, (120, 40)) as (pilot, tracks, details):
        index = next(i for i, t in enumerate(tracks.visible_tracks)
                     if t.artwork_url and t.counts.comments)
        details.settle_seconds = 0.5
        await pilot.press(*["j"] * index)
        track = details.track
        assert track is not None and track.urn == tracks.visible_tracks[index].urn
        # The list hands the panel a new object of the same track while its extras settle
        # (what a rating or a refreshed page does): they still load, for it.
        details.show_track(dataclasses.replace(track))
        artwork = details.query_one(ArtworkView)
        await until(pilot, lambda: details.comments is not None and artwork.picture is not None,
                    "the comments and the artwork of the refreshed row")
        assert details.comments and details.track is not track
