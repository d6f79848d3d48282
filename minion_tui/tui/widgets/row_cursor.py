"""A cursor over the rows of a line-drawing list (TrackList, DownloadList): line 0 is the
header, the rows follow, the cursor row is kept in view, and the list is exactly as wide as
it is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from textual import events
from textual.geometry import Size

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView

    _Base = ScrollView
else:
    _Base = object  # a plain mixin at run time, as LineStyles (line_styles.py says why)


def clip(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with "…" so a cut title shows
    that it goes on."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class RowCursor(_Base):
    """Mixin for a ``ScrollView`` with a ``cursor_row`` reactive. The widget says how many
    rows it has (:attr:`row_count`) and how many lines follow them (:attr:`lines_after`);
    its CSS sets ``overflow-x: hidden`` (see :meth:`_update_virtual_size`)."""

    cursor_row: int

    @property
    def row_count(self) -> int:
        raise NotImplementedError

    @property
    def lines_after(self) -> int:
        """Lines drawn below the rows (TrackList's filter prompt)."""
        return 0

    @property
    def _page(self) -> int:
        """Rows on screen."""
        return max(1, self.scrollable_content_region.height - 1 - self.lines_after)

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, self.row_count - 1))

    def _update_virtual_size(self) -> None:
        # Rows are cut to the width, never scrolled sideways (overflow-x: hidden): the width
        # here may predate the vertical scrollbar that these rows make appear (no Resize
        # follows it), and a horizontal bar would then take the last row.
        self.virtual_size = Size(self.scrollable_content_region.width,
                                 self.row_count + 1 + self.lines_after)

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()

    def _row_at(self, y: int) -> int | None:
        """The row drawn on line ``y``; None for the header and below the rows."""
        row = round(self.scroll_y) + y - 1
        return row if y > 0 and 0 <= row < self.row_count else None

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._page:
            self.scroll_to(y=self.cursor_row - self._page + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_top(self) -> None:
        self.cursor_row = 0

    def action_bottom(self) -> None:
        self.cursor_row = self.row_count - 1
