"""TrackList: the one track list used by every pane, fast at 50,000 rows.

Like toolong's log view it is a ``ScrollView`` that draws only the lines on screen in
``render_line`` and keeps an LRU of rendered strips; the stock ``DataTable`` builds every row
up front (~9 s for 50k rows here). Sorting and filtering live in ``track_list_model`` (no
Textual). The filter prompt is drawn as the widget's own last line rather than a child
``Input`` so a ScrollView stays a leaf widget and typing never re-lays out the screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from minion_tui.models import Judgment, Track
from minion_tui.tui.widgets.line_styles import LineStyles
from minion_tui.tui.widgets.list_keys import list_bindings
from minion_tui.tui.widgets.row_cursor import RowCursor, clip
from minion_tui.tui.widgets.theme_colour import theme_colour
from minion_tui.tui.widgets.track_list_model import (
    COLUMN_NAMES,
    COLUMNS,
    OPTIONAL_COLUMNS,
    TrackListModel,
    column_widths,
)
from minion_tui.tui.widgets.widget_message import WidgetMessage

_RATING_CLASSES = {
    Judgment.LIKED: ("rating-liked", "track-list--liked"),
    Judgment.NOT_INTERESTED: ("rating-not-interested", "track-list--not-interested"),
    Judgment.NOT_QUITE: ("rating-not-quite", "track-list--not-quite"),
}


class TrackList(RowCursor, LineStyles, ScrollView, can_focus=True):
    """Rating badge, title, artist, duration, genre, plays, date and provider for many tracks."""

    COMPONENT_CLASSES = {
        "track-list--header",
        "track-list--cursor",
        "track-list--dim",
        "track-list--liked",
        "track-list--not-interested",
        "track-list--not-quite",
        "track-list--filter",
        "track-list--empty",
    }

    DEFAULT_CSS = """
    TrackList { height: 1fr; overflow-x: hidden; }
    TrackList > .track-list--header { text-style: bold; color: $text-muted; }
    TrackList > .track-list--cursor { background: $surface-lighten-1; }
    TrackList:focus > .track-list--cursor { background: $accent 40%; }
    TrackList > .track-list--dim { color: $text-muted; }
    TrackList > .track-list--liked { color: $success; }
    TrackList > .track-list--not-interested { color: $error; }
    TrackList > .track-list--not-quite { color: $warning; }
    TrackList > .track-list--filter { background: $boost; }
    TrackList > .track-list--empty { color: $text-muted; text-style: italic; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *list_bindings("list"),
        Binding("slash", "filter", "Filter", id="list.filter"),
        # Two labels for one key: the footer says whether not-interested rows are hidden now
        # (check_action enables the one that matches; [keymap] moves both by the one id).
        Binding("H", "hide_toggle", "✕ hidden", id="list.hide_toggle"),
        Binding("H", "show_toggle", "✕ shown", id="list.hide_toggle"),
        Binding("s", "sort_next", "Sort", id="list.sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="list.sort_reverse"),
        Binding("T", "sort_sound", "Sort by BPM, then by key", show=False,
                id="list.sort_sound"),
        Binding("enter", "select", "Play", show=False, id="list.select"),
        Binding("l", "rate('liked')", "Like", id="rating.liked"),
        Binding("x", "rate('not_interested')", "Not interested", id="rating.not_interested"),
        Binding("n", "rate('not_quite')", "Not quite", id="rating.not_quite"),
        Binding("u", "rate('')", "Clear rating", show=False, id="rating.clear"),
    ]

    cursor_row: reactive[int] = reactive(0, layout=False, repaint=False)
    hide_not_interested: reactive[bool] = reactive(True, repaint=False)
    filter_text: reactive[str] = reactive("", repaint=False)
    empty_text: reactive[str] = reactive("No tracks")

    class _TrackMessage(WidgetMessage["TrackList"]):
        """A message about one row."""

        def __init__(self, track_list: TrackList, track: Track | None) -> None:
            super().__init__(track_list)
            self.track_list = track_list
            self.track = track

    class Highlighted(_TrackMessage):
        """The cursor moved; ``track`` is None when the list is empty."""

    class Selected(_TrackMessage):
        """Enter or a double click on a row."""

        track: Track

    class ViewChanged(_TrackMessage):
        """The filter or the hiding of not-interested rows changed what is shown: panes say
        "/tides — 10 of 200" above the list (``track`` is the highlighted row)."""

    class RateRequested(_TrackMessage):
        """l / x / n / u on a row: the app records the judgment, then calls set_judgment."""

        track: Track

        def __init__(self, track_list: TrackList, track: Track, judgment: Judgment | None) -> None:
            super().__init__(track_list, track)
            self.judgment = judgment

    class Removed(_TrackMessage):
        """A rated row left the list (``remove_rated``); ``track`` is the one removed,
        ``row`` the visible row it was on, which now holds the next one (if any)."""

        track: Track

        def __init__(self, track_list: TrackList, track: Track, row: int) -> None:
            super().__init__(track_list, track)
            self.row = row

    def __init__(self, *, id: str | None = None, hide_not_interested: bool = True) -> None:
        super().__init__(id=id)
        self.remove_rated = False
        """Whether a rated row leaves the list at once (the inbox lists only what you have
        not judged yet), the cursor staying on the same row index."""
        self._model = TrackListModel(hide_not_interested=hide_not_interested)
        self._strips: LRUCache[tuple[object, ...], tuple[Track, Strip]] = LRUCache(1024)
        self._filtering = False
        self._last_highlighted: Track | None = None
        #: The optional columns shown (track_list_model.OPTIONAL_COLUMNS): BPM, Key, Camelot.
        self.extra_columns: frozenset[str] = frozenset()
        self.set_reactive(TrackList.hide_not_interested, hide_not_interested)

    def on_mount(self) -> None:
        # The app says which optional columns every list shows ([ui] columns, the palette).
        self.set_extra_columns(getattr(self.app, "sound_columns", frozenset()))

    def set_extra_columns(self, names: frozenset[str]) -> None:
        """Show exactly these optional columns (the others are hidden)."""
        names = frozenset(n for n in names if n in OPTIONAL_COLUMNS)
        if names == self.extra_columns:
            return
        self.extra_columns = names
        self._strips.clear()
        self.refresh()

    def set_sound(self, urn: str, bpm: float | None, key: str | None,
                  camelot: str | None) -> None:
        """A new analysis of ``urn``: its rows show it (and move, sorted by tempo or key)."""
        keep = self.highlighted
        if self._model.replace_sound(urn, bpm, key, camelot):
            if keep is not None and keep.urn == urn:
                keep = next((t for t in self._model.visible if t.urn == urn), None)
            self._rows_changed(keep)
            self.post_message(self.ViewChanged(self, self.highlighted))

    # --- public API -----------------------------------------------------------------
    @property
    def tracks(self) -> Sequence[Track]:
        return self._model.tracks

    @property
    def visible_tracks(self) -> Sequence[Track]:
        return self._model.visible

    @property
    def highlighted(self) -> Track | None:
        visible = self._model.visible
        return visible[self.cursor_row] if 0 <= self.cursor_row < len(visible) else None

    @property
    def filtering(self) -> bool:
        """True while the ``/`` prompt is open and keys go to the filter."""
        return self._filtering

    def set_tracks(self, tracks: Sequence[Track]) -> None:
        self._model.set_tracks(tracks)
        self._strips.clear()
        self.cursor_row = 0
        self._rows_changed()

    def append_tracks(self, tracks: Sequence[Track]) -> None:
        keep = self.highlighted
        self._model.append_tracks(tracks)
        self._rows_changed(keep)

    def clear(self) -> None:
        self.set_tracks(())

    def reset_view(self) -> None:
        """Forget the filter and the sort: they belong to the source that was listed, and a
        new source comes up unfiltered, in the order the service gave."""
        self._filtering = False
        self.set_reactive(TrackList.filter_text, "")
        self._model.filter_text = ""
        self._model.sort_column, self._model.sort_reverse = None, False
        self.clear()

    @property
    def hidden_count(self) -> int:
        """Rows hidden because they are rated not interested (0 while H shows them)."""
        if not self.hide_not_interested:
            return 0
        return sum(t.judgment is Judgment.NOT_INTERESTED for t in self._model.tracks)

    def view_text(self) -> str:
        """What the filter and H hide, for the line above the list: "/tides — 10 of 200",
        "3 not interested hidden (H shows them)", or "" when every row is shown."""
        parts = []
        if self.filter_text:
            parts.append(f"/{self.filter_text} — {len(self._model.visible)} of "
                         f"{len(self._model.tracks)}")
        hidden = self.hidden_count
        if hidden:
            parts.append(f"{hidden} not interested hidden (H shows them)")
        return " · ".join(parts)

    def set_judgment(self, urn: str, judgment: Judgment | None) -> None:
        if self.remove_rated and judgment is not None:
            self._remove(urn)
            return
        keep = self.highlighted
        if self._model.replace_judgment(urn, judgment):
            if keep is not None and keep.urn == urn:
                keep = next((t for t in self._model.visible if t.urn == urn), None)
            self._rows_changed(keep)
            self.post_message(self.ViewChanged(self, self.highlighted))

    def _remove(self, urn: str) -> None:
        """Drop the rows of ``urn`` in place. The highlighted row rated: the cursor keeps its
        index (clamped at the end), so the next track slides under it; another row (rated from
        the now-playing bar): the cursor stays on its track."""
        gone = next((t for t in self._model.tracks if t.urn == urn), None)
        row = next((i for i, t in enumerate(self.visible_tracks) if t.urn == urn), -1)
        keep = self.highlighted
        if gone is None or not self._model.remove(urn):
            return
        self._strips.clear()
        self._rows_changed(None if keep is None or keep.urn == urn else keep)
        self.post_message(self.Removed(self, gone, row))
        self.post_message(self.ViewChanged(self, self.highlighted))

    def sort_by(self, column: str, *, reverse: bool = False) -> None:
        keep = self.highlighted
        self._model.sort_by(column, reverse=reverse)
        self._rows_changed(keep)

    @property
    def sort_column(self) -> str | None:
        return self._model.sort_column

    @property
    def sort_reverse(self) -> bool:
        return self._model.sort_reverse

    # --- reactive plumbing ----------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._model.visible)

    @property
    def lines_after(self) -> int:
        return 1 if self._filtering else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self._post_highlighted()

    def watch_hide_not_interested(self, hide: bool) -> None:
        keep = self.highlighted
        self._model.hide_not_interested = hide
        self._model.refilter()
        self._rows_changed(keep)
        self.refresh_bindings()  # the footer's H label says the state
        self.post_message(self.ViewChanged(self, self.highlighted))

    def watch_filter_text(self, text: str) -> None:
        self._model.set_filter(text)
        self._rows_changed(None)
        self.cursor_row = 0
        self._scroll_to_cursor()
        self.post_message(self.ViewChanged(self, self.highlighted))

    def _rows_changed(self, keep: Track | None = None) -> None:
        visible = self._model.visible
        if keep is not None:
            # Keep the same track under the cursor when rows move around it.
            row = self.cursor_row
            if not (0 <= row < len(visible) and visible[row] is keep):
                try:
                    row = visible.index(keep)
                except ValueError:
                    pass
            self.set_reactive(TrackList.cursor_row, self.validate_cursor_row(row))
        else:
            self.set_reactive(TrackList.cursor_row, self.validate_cursor_row(self.cursor_row))
        self._update_virtual_size()
        self._scroll_to_cursor()
        self.refresh()
        self._post_highlighted()

    def _post_highlighted(self) -> None:
        track = self.highlighted
        if track is not self._last_highlighted:
            self._last_highlighted = track
            self.post_message(self.Highlighted(self, track))

    # --- actions (cursor moves: row_cursor.py) ---------------------------------------
    def action_page_down(self) -> None:
        self.cursor_row += self._page

    def action_page_up(self) -> None:
        self.cursor_row -= self._page

    def action_filter(self) -> None:
        self._filtering = True
        self._update_virtual_size()
        self._scroll_to_cursor()
        self.refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "hide_toggle":
            return self.hide_not_interested
        if action == "show_toggle":
            return not self.hide_not_interested
        return True

    def action_hide_toggle(self) -> None:
        self.hide_not_interested = not self.hide_not_interested

    def action_show_toggle(self) -> None:
        self.hide_not_interested = not self.hide_not_interested

    def action_sort_next(self) -> None:
        """Sort by the next column shown (a narrow list hides some: sorting by one of those
        would reorder the rows with no visible reason)."""
        widths = column_widths(self.scrollable_content_region.width, self.extra_columns)
        shown = [name for name, width in zip(COLUMN_NAMES, widths, strict=True) if width]
        current = self._model.sort_column
        if current in shown:
            self.sort_by(shown[(shown.index(current) + 1) % len(shown)])
        else:  # nothing sorted yet (or by a column now hidden): start at the title
            self.sort_by("title")

    def action_sort_sound(self) -> None:
        """By tempo; pressed again, by key round the Camelot wheel (neighbours together).
        Tracks not analysed come last (B analyses the highlighted one)."""
        self.sort_by("key" if self._model.sort_column == "bpm" else "bpm")

    def action_sort_reverse(self) -> None:
        self.sort_by(self._model.sort_column or "title", reverse=not self._model.sort_reverse)

    def action_select(self) -> None:
        track = self.highlighted
        if track is not None:
            self.select_track(track)

    def select_track(self, track: Track) -> None:
        """Post Selected for ``track`` as enter on its row would (the app plays it, this
        list as what plays next); call it from this list's own loop (``call_later``), since
        a message made in an ancestor's handler stops bubbling at that ancestor."""
        self.post_message(self.Selected(self, track))

    def action_rate(self, judgment: str) -> None:
        track = self.highlighted
        if track is not None:
            verdict = Judgment(judgment) if judgment else None
            self.post_message(self.RateRequested(self, track, verdict))

    # --- filter prompt keys ---------------------------------------------------------
    def _close_filter(self) -> None:
        self._filtering = False
        self._update_virtual_size()
        self.refresh()

    def on_key(self, event: events.Key) -> None:
        if not self._filtering:
            if self._opens_filter(event.key):
                # Opened here rather than by the binding: a binding runs only once the key has
                # bubbled up to the app, and keys typed in the same burst ("/deep" in one
                # read) would reach the app's bindings first (d downloads, p pins...).
                self.action_filter()
                event.prevent_default()
                event.stop()
            return
        if event.key == "escape":
            self.filter_text = ""
            self._close_filter()
        elif event.key == "enter":
            self._close_filter()
        elif event.key == "backspace":
            self.filter_text = self.filter_text[:-1]
        elif event.is_printable and event.character:
            self.filter_text += event.character
        else:
            return  # arrows and friends still move the cursor while filtering
        event.prevent_default()
        event.stop()

    def _opens_filter(self, key: str) -> bool:
        """Whether ``key`` is bound to the filter here (after the user's [keymap])."""
        return any(b.action == "filter" for b in self._bindings.key_to_bindings.get(key, ()))

    # --- mouse ----------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None:
                same = column == self._model.sort_column
                self.sort_by(column, reverse=same and not self._model.sort_reverse)
            return
        row = self._row_at(event.y)
        if row is not None:
            self.cursor_row = row
            if event.chain >= 2:
                self.action_select()

    def _column_at(self, x: int) -> str | None:
        left = 0
        widths = column_widths(self.scrollable_content_region.width, self.extra_columns)
        for column, width in zip(COLUMNS, widths, strict=True):
            if not width:
                continue  # not shown at this width
            if left <= x < left + width + 1:
                return column.name
            left += width + 1
        return None

    # --- drawing --------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        return self.component_style(name)

    def _rating_style(self, judgment: Judgment | None) -> Style:
        if judgment is None:
            return Style()
        variable, component = _RATING_CLASSES[judgment]
        colour = theme_colour(self, variable)
        return colour if colour is not None else self._style(component)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height
        base = self.rich_style
        if y == 0:
            return self._header_strip(width, base)
        if self._filtering and y == height - 1:
            text = set_cell_size(f"/{self.filter_text}█", width)
            return Strip([Segment(text, base + self._style("track-list--filter"))], width)
        visible = self._model.visible
        if not visible:
            text = self.empty_text if y == 1 else ""
            return Strip([Segment(set_cell_size(text, width),
                                  base + self._style("track-list--empty"))], width)
        row = round(self.scroll_y) + y - 1
        if not 0 <= row < len(visible):
            return Strip.blank(width, base)
        track = visible[row]
        cursor = row == self.cursor_row
        key = (id(track), width, cursor, self.has_focus, self.app.theme)
        cached = self._strips.get(key)
        if cached is None or cached[0] is not track:  # the track keeps its id from being reused
            cached = self._strips[key] = (track, self._row_strip(track, width, cursor, base))
        return cached[1]

    def _header_strip(self, width: int, base: Style) -> Strip:
        style = base + self._style("track-list--header")
        labels = []
        for column in COLUMNS:
            label = column.label
            if column.name == self._model.sort_column:
                label += "▼" if self._model.sort_reverse else "▲"
            labels.append(label)
        return self._cells_strip(labels, width, [style] * len(COLUMNS), style)

    def _row_strip(self, track: Track, width: int, cursor: bool, base: Style) -> Strip:
        row_style = base + self._style("track-list--cursor") if cursor else base
        texts = list(self._model.cells(track))
        styles = [row_style] * len(COLUMNS)
        styles[0] = row_style + self._rating_style(track.judgment)
        return self._cells_strip(texts, width, styles, row_style,
                                 dim_from=len(track.title), dim=self._style("track-list--dim"))

    def _cells_strip(self, texts: Sequence[str], width: int, styles: Sequence[Style],
                     gap: Style, dim_from: int | None = None, dim: Style | None = None) -> Strip:
        segments: list[Segment] = []
        widths = column_widths(width, self.extra_columns)
        for index, (column, text, cell_width, style) in enumerate(
                zip(COLUMNS, texts, widths, styles, strict=True)):
            if not cell_width:
                continue  # not shown at this width
            if index:
                segments.append(Segment(" ", gap))
            if column.right:
                text = text[-cell_width:].rjust(cell_width)
            else:
                text = clip(text, cell_width)
            if index == 1 and dim_from is not None and dim is not None and dim_from < len(text):
                # The availability marker after the title is drawn dim.
                segments.append(Segment(text[:dim_from], style))
                segments.append(Segment(text[dim_from:], style + dim))
            else:
                segments.append(Segment(text, style))
        return Strip(segments).adjust_cell_length(width, gap)
