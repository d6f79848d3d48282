"""TrackList at 50,000 rows next to the stock DataTable, measured in the same run (issue 4).

Headless (``App.run_test``, 120x40). For each widget: load + first paint (from handing over
the rows to a rendered first screen), page-down (mean of 20: the action plus rendering every
visible line, i.e. the widget's own work per keypress), and for ours a filter keystroke
(typing "song 0012" then backspacing; each step = filter + render of the visible lines).
DataTable is measured at ``--peer-rows`` (default 50,000) unless that would take longer than
a minute, in which case it is measured at 10,000 rows and extrapolated linearly (noted).
Prints figures with targets and PASS/FAIL; writes bench/results/track_list.json. Exits 0.

    .venv/bin/python bench/track_list.py [--rows 50000] [--peer-rows 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable

from minion_tui.models import Counts, Track
from minion_tui.tui.widgets.track_list import TrackList
from minion_tui.tui.widgets.track_list_model import cells

TARGETS_MS = {"first_paint": 300.0, "page_down": 16.0, "filter_keystroke": 50.0}
SIZE = (120, 40)
GENRES = ("techno", "house", "ambient", "drum & bass", "dub", "jazz")


def make_tracks(count: int) -> list[Track]:
    return [
        Track(provider="soundcloud", id=str(i), urn=f"soundcloud:tracks:{i}", url="",
              title=f"Song {i:06d} of the night", artist=f"Artist {i % 997}", uploader="u",
              duration_ms=120_000 + i * 7 % 400_000, genre=GENRES[i % len(GENRES)],
              tags=("live", f"set{i % 50}"), counts=Counts(plays=(i * 7919) % 2_000_000),
              created_at=f"20{10 + i % 16}-0{1 + i % 9}-1{i % 10}T00:00:00Z")
        for i in range(count)
    ]


class BenchApp(App[None]):
    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def render_screen(widget: Widget) -> None:
    for y in range(widget.size.height):
        widget.render_line(y)  # type: ignore[attr-defined]


async def fill_and_page(pilot: Pilot[None], widget: TrackList | DataTable[str],
                        fill: Callable[[], object]) -> tuple[float, list[float]]:
    """Seconds from ``fill()`` (the rows given to ``widget``) to the first screen painted,
    and those of each of 20 page-downs after it."""
    start = time.perf_counter()
    fill()
    await pilot.pause()
    render_screen(widget)
    first_paint = time.perf_counter() - start
    pages = []
    for _ in range(20):
        start = time.perf_counter()
        widget.action_page_down()
        render_screen(widget)
        pages.append(time.perf_counter() - start)
    return first_paint, pages


async def bench_ours(tracks: list[Track]) -> dict[str, Any]:
    widget = TrackList(hide_not_interested=True)
    app = BenchApp(widget)
    async with app.run_test(size=SIZE) as pilot:
        widget.focus()
        await pilot.pause()
        first_paint, pages = await fill_and_page(pilot, widget, lambda: widget.set_tracks(tracks))
        widget.action_filter()
        keys = []
        for text in ("s", "so", "son", "song", "song ", "song 0", "song 00", "song 001",
                     "song 0012", "song 001", "song 00", "song 0"):
            start = time.perf_counter()
            widget.filter_text = text
            render_screen(widget)
            keys.append(time.perf_counter() - start)
        matched = len(widget.visible_tracks)
    return {"rows": len(tracks), "first_paint_ms": first_paint * 1000,
            "page_down_ms": statistics.mean(pages) * 1000,
            "filter_keystroke_ms": statistics.mean(keys) * 1000,
            "filter_keystroke_max_ms": max(keys) * 1000, "filter_last_matches": matched}


async def bench_datatable(tracks: list[Track]) -> dict[str, Any]:
    table: DataTable[str] = DataTable()
    app = BenchApp(table)
    # Same text as ours, formatted outside the timing: the default columns (the optional
    # BPM, Key and Camelot ones are off, as in the app by default).
    rows = [cells(t)[:8] for t in tracks]
    async with app.run_test(size=SIZE) as pilot:
        table.add_columns("", "Title", "Artist", "Time", "Genre", "Plays", "Date", "Src")
        table.focus()
        await pilot.pause()
        first_paint, pages = await fill_and_page(pilot, table, lambda: table.add_rows(rows))
    return {"rows": len(tracks), "first_paint_ms": first_paint * 1000,
            "page_down_ms": statistics.mean(pages) * 1000}


def verdict(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    return "PASS" if value < TARGETS_MS[name] else "FAIL"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--peer-rows", type=int, default=50_000)
    args = parser.parse_args()
    tracks = make_tracks(args.rows)
    ours = await bench_ours(tracks)
    probe = await bench_datatable(tracks[:10_000])
    note = ""
    if probe["first_paint_ms"] * args.peer_rows / 10_000 > 60_000:
        peer = dict(probe)
        peer["first_paint_ms"] = probe["first_paint_ms"] * args.peer_rows / 10_000
        note = f"DataTable measured at 10,000 rows, first paint extrapolated to {args.peer_rows}"
    else:
        peer = await bench_datatable(make_tracks(args.peer_rows))
    print(f"TrackList vs DataTable, {args.rows} rows (DataTable {args.peer_rows}), "
          f"{SIZE[0]}x{SIZE[1]}")
    # The peer is the DataTable of the Textual this package is installed with.
    textual = importlib.metadata.version("textual")
    print(f"{'measure':<18}{'ours ms':>10}{'DataTable ms':>14}{'target ms':>11}  verdict"
          f"  (DataTable of textual {textual})")
    for name in ("first_paint", "page_down", "filter_keystroke"):
        mine = ours[f"{name}_ms"]
        theirs = peer.get(f"{name}_ms")
        shown = f"{theirs:14.1f}" if theirs is not None else f"{'n/a':>14}"
        print(f"{name:<18}{mine:10.1f}{shown}{TARGETS_MS[name]:11.0f}  {verdict(name, mine)}")
    print(f"filter keystroke max: {ours['filter_keystroke_max_ms']:.1f} ms")
    if note:
        print(f"note: {note}")
    results = {"ours": ours, "datatable": peer, "textual": textual, "targets_ms": TARGETS_MS,
               "note": note,
               "python": platform.python_version(), "machine": platform.machine()}
    out = Path(__file__).parent / "results" / "track_list.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    asyncio.run(main())
