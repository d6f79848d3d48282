"""DownloadList: one line per download job, newest first, with a block-character progress bar.

Events arrive per segment (hundreds a second across parallel jobs), so a row's data changes at
once but its line is redrawn at most ten times a second: changed rows are collected and one
timer repaints just their lines. Like TrackList it is a ``ScrollView`` drawing only the lines
on screen, so hundreds of jobs cost nothing while they sit still.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from minion_tui.tui.widgets.download_rows import (
    BAR_WIDTH,
    STATE_GLYPHS,
    JobRow,
    format_eta,
    format_percent,
    format_speed,
    progress_bar,
)
from minion_tui.tui.widgets.line_styles import LineStyles
from minion_tui.tui.widgets.row_cursor import RowCursor, clip

REDRAW_INTERVAL = 0.1
"""Seconds between repaints of rows that changed (at most ~10 per second per row)."""

# Fixed cells after the title: bar, percent, speed, ETA, state.
_PERCENT, _SPEED, _ETA, _STATE = 5, 10, 8, 9
_STATE_CLASSES = {"done": "download-list--done", "failed": "download-list--failed",
                  "skipped": "download-list--failed", "cancelled": "download-list--dim",
                  "paused": "download-list--dim", "queued": "download-list--dim"}


class DownloadList(RowCursor, LineStyles, ScrollView, can_focus=True):
    """The jobs of the Downloads pane. Feed it :class:`JobRow` values with :meth:`show_row`
    (newest rows go on top) or :meth:`set_rows`."""

    COMPONENT_CLASSES = {
        "download-list--header",
        "download-list--cursor",
        "download-list--bar",
        "download-list--done",
        "download-list--failed",
        "download-list--dim",
    }

    DEFAULT_CSS = """
    DownloadList { height: 1fr; overflow-x: hidden; }
    DownloadList > .download-list--header { text-style: bold; color: $text-muted; }
    DownloadList > .download-list--cursor { background: $surface-lighten-1; }
    DownloadList:focus > .download-list--cursor { background: $accent 40%; }
    DownloadList > .download-list--bar { color: $primary; }
    DownloadList > .download-list--done { color: $success; }
    DownloadList > .download-list--failed { color: $error; }
    DownloadList > .download-list--dim { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="downloads.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="downloads.up"),
        Binding("g,home", "top", "Top", show=False, id="downloads.top"),
        Binding("G,end", "bottom", "Bottom", show=False, id="downloads.bottom"),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Changed(Message):
        """Rows were repainted or the cursor moved (the pane recounts its title and updates
        which keys apply)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[JobRow] = []
        self._index: dict[str, int] = {}
        self._dirty: set[str] = set()
        self._timer: Timer | None = None

    # -- data -------------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[JobRow]:
        """Newest first, as shown."""
        return self._rows

    @property
    def highlighted(self) -> JobRow | None:
        return self._rows[self.cursor_row] if self._rows else None

    def row(self, key: str) -> JobRow | None:
        index = self._index.get(key)
        return None if index is None else self._rows[index]

    def set_rows(self, rows: Sequence[JobRow]) -> None:
        """Replace every row (a reload from the database), keeping the cursor on its job."""
        keep = self.highlighted
        self._rows = list(rows)
        self._reindex()
        if keep is not None and keep.key in self._index:
            self.cursor_row = self._index[keep.key]
        else:
            self.cursor_row = min(self.cursor_row, max(0, len(self._rows) - 1))
        self._update_virtual_size()
        self._schedule_redraw(everything=True)

    def show_row(self, row: JobRow) -> None:
        """Add or change one row; its line is repainted by the next redraw tick."""
        index = self._index.get(row.key)
        if index is not None:
            self._rows[index] = row
            self._dirty.add(row.key)
            self._schedule_redraw()
            return
        self._rows.insert(0, row)
        self._reindex()
        if self.cursor_row > 0:
            self.cursor_row += 1  # the cursor stays on the job it was on; at the top it
            # stays at the top, on the newest job
        self._update_virtual_size()
        self._schedule_redraw(everything=True)

    def _reindex(self) -> None:
        self._index = {row.key: index for index, row in enumerate(self._rows)}

    def _schedule_redraw(self, *, everything: bool = False) -> None:
        if everything:
            self._dirty.add("")  # "" = the whole widget
        if self._timer is None and self.is_mounted:
            self._timer = self.set_timer(REDRAW_INTERVAL, self._redraw)

    def _redraw(self) -> None:
        self._timer = None
        dirty, self._dirty = self._dirty, set()
        if "" in dirty:
            self.refresh()
        else:
            for key in dirty:
                index = self._index.get(key)
                if index is not None:
                    self.refresh_line(index + 1)  # line 0 is the header
        self.post_message(self.Changed())

    def on_mount(self) -> None:
        if self._dirty:
            self._schedule_redraw()

    # -- cursor (moves, scrolling and the width: row_cursor.py) ----------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.post_message(self.Changed())
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._scroll_to_cursor()

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event.y)
        if row is not None:
            self.cursor_row = row

    # -- drawing ----------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        return self.component_style(name)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            style = base + self._style("download-list--header")
            return self._strip(["", "Track", "Progress", "", "Speed", "ETA", "State"],
                               width, [style] * 7, style)
        index = round(self.scroll_y) + y - 1
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, base)
        return self._row_strip(self._rows[index], width, base,
                               cursor=index == self.cursor_row)

    def _row_strip(self, row: JobRow, width: int, base: Style, *, cursor: bool) -> Strip:
        row_style = base + self._style("download-list--cursor") if cursor else base
        state_class = _STATE_CLASSES.get(row.state)
        state_style = row_style + self._style(state_class) if state_class else row_style
        glyph = STATE_GLYPHS.get(row.state, "?")
        if row.reason and row.state in ("failed", "skipped", "cancelled"):
            # Why it stopped matters more than an empty bar: the reason takes the bar's room.
            fixed = BAR_WIDTH + 1 + _PERCENT + 1 + _SPEED + 1 + _ETA
            title_width = self._title_width(width)
            texts = [glyph, row.title, row.reason, row.state]
            widths = [1, title_width, fixed, _STATE]
            styles = [state_style, row_style, state_style, state_style]
            return self._cells(texts, widths, styles, row_style, width, right=())
        fraction = row.fraction
        texts = [glyph, row.title, progress_bar(fraction), format_percent(fraction),
                 format_speed(row.speed), format_eta(row.eta), row.state]
        bar_style = row_style + self._style("download-list--bar")
        styles = [state_style, row_style, bar_style, row_style, row_style, row_style,
                  state_style]
        return self._strip(texts, width, styles, row_style)

    @staticmethod
    def _title_width(width: int) -> int:
        fixed = 1 + BAR_WIDTH + _PERCENT + _SPEED + _ETA + _STATE + 7  # + the gaps
        return max(10, width - fixed)

    def _strip(self, texts: Sequence[str], width: int, styles: Sequence[Style],
               gap: Style) -> Strip:
        widths = [1, self._title_width(width), BAR_WIDTH, _PERCENT, _SPEED, _ETA, _STATE]
        # Numbers are right-aligned so the columns stay put while they change.
        return self._cells(texts, widths, styles, gap, width, right=(3, 4, 5))

    @staticmethod
    def _cells(texts: Sequence[str], widths: Sequence[int], styles: Sequence[Style],
               gap: Style, width: int, *, right: Sequence[int]) -> Strip:
        segments: list[Segment] = []
        for index, (text, cell_width, style) in enumerate(
                zip(texts, widths, styles, strict=True)):
            if index:
                segments.append(Segment(" ", gap))
            if index in right:
                cell = text[-cell_width:].rjust(cell_width)
            else:
                cell = clip(text, cell_width)
            segments.append(Segment(cell, style))
        return Strip(segments).adjust_cell_length(width, gap)
