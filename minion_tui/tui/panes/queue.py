"""Queue: what plays next, in order, and a History tab of what played.

Enter on a track in any list plays it with that list as the queue (its rows, the one playing
marked ▶); tracks queued with a play after the one playing, before the list goes on; A puts
one right next.

Queue keys: enter plays from the entry, delete/backspace removes it, K/J (or ctrl+up/down)
move it, c clears (U puts the cleared tracks back), s shuffles, r cycles repeat off/one/all
(shown in the title); l / x / n / u rate the row's track, in both tabs, as in every list.
Mouse: a click selects a row (a second click plays it); rows are
reordered by dragging them (mouse down on a row, release on another) or with the ▲ ▼ handles
at the end of each row. History: enter (or a second click) plays the track again.

Everything is read from and written to SQLite through the service; the pane reloads when the
player moves on (PlayerControl calls :meth:`QueuePane.reload`) and after its own changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from minion_tui.models import REPEAT_MODES, Judgment, Track, format_duration
from minion_tui.tui.messages import PlayRequest, RateHighlighted
from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.widgets.empty_state import EmptyState
from minion_tui.tui.widgets.list_keys import DATA_TABLE_ENDS, list_bindings
from minion_tui.tui.wording import counted

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from minion_tui.models import HistoryEntry, QueueEntry

_UP, _DOWN = "▲", "▼"


class QueueTable(DataTable[str | Text]):
    """The queue's rows; row keys are queue entry ids. Adds reordering by mouse."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "remove", "Remove", id="queue.remove"),
        Binding("K,ctrl+up", "move(-1)", "Move up", id="queue.move_up"),
        Binding("J,ctrl+down", "move(1)", "Move down", id="queue.move_down"),
        Binding("enter", "select_cursor", "Play", id="queue.play"),
        *list_bindings("queue", actions=DATA_TABLE_ENDS,
                       ids={"down": "queue.cursor_down", "up": "queue.cursor_up"}),
    ]

    @dataclass
    class Move(Message):
        """Move queue entry ``entry_id`` by ``delta`` rows (keys, handles or a drag)."""

        entry_id: int
        delta: int

    @dataclass
    class Remove(Message):
        entry_id: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._drag_from: int | None = None

    @property
    def entry_id(self) -> int | None:
        """The queue entry under the cursor."""
        if not self.row_count:
            return None
        return int(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value or 0)

    def action_remove(self) -> None:
        if (entry := self.entry_id) is not None:
            self.post_message(self.Remove(entry))

    def action_move(self, delta: int) -> None:
        if (entry := self.entry_id) is not None:
            self.post_message(self.Move(entry, delta))

    # -- mouse: ▲ ▼ handles and drag-and-drop -------------------------------------------------

    def _row_at(self, y: int) -> int | None:
        row = y + round(self.scroll_y) - (self.header_height if self.show_header else 0)
        return row if 0 <= row < self.row_count else None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._drag_from = self._row_at(event.y)
        if self._drag_from is not None:
            self.capture_mouse()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        start, self._drag_from = self._drag_from, None
        self.release_mouse()
        end = self._row_at(event.y)
        if start is None or end is None or start == end:
            return
        key = self.ordered_rows[start].key.value
        if key is not None:
            self.post_message(self.Move(int(key), end - start))

    def on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        row, column = meta.get("row"), meta.get("column")
        if row is None or column is None or row < 0:
            return
        label = str(self.ordered_columns[column].label) if column >= 0 else ""
        if label in (_UP, _DOWN):
            # A handle: move that row, without selecting (playing) it.
            event.prevent_default()
            event.stop()
            key = self.ordered_rows[row].key.value
            if key is not None:
                self.post_message(self.Move(int(key), -1 if label == _UP else 1))


class HistoryTable(DataTable[str | Text]):
    """What played, newest first; enter plays a row again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Play again", id="history.play"),
        *list_bindings("history", actions=DATA_TABLE_ENDS),
    ]


class QueuePane(Pane):
    INFO = PaneInfo("queue", "Queue", "The tracks lined up to play next")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "clear", "Clear", id="queue.clear"),
        Binding("U", "undo_clear", "Undo clear", show=False, id="queue.undo_clear"),
        Binding("s", "shuffle", "Shuffle", id="queue.shuffle"),
        Binding("r", "cycle_repeat", "Repeat", id="queue.repeat"),
        Binding("t", "switch_tab", "Queue/History", id="queue.switch_tab"),
        # The same keys and ids as in the track lists: [keymap] moves them everywhere.
        Binding("l", "rate('liked')", "Like", id="rating.liked"),
        Binding("x", "rate('not_interested')", "Not interested", id="rating.not_interested"),
        Binding("n", "rate('not_quite')", "Not quite", id="rating.not_quite"),
        Binding("u", "rate('')", "Clear rating", show=False, id="rating.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.repeat = "off"
        self.entries: list[tuple[QueueEntry, Track | None]] = []
        self.played: list[tuple[HistoryEntry, Track | None]] = []
        self._cleared: list[Track] = []
        self._follow: int | None = None  # the entry the cursor goes to on the next redraw
        self._playing: int | None = None
        self._stale = False  # read while hidden: the tables are filled when the pane shows
        self._shown: list[tuple[int, tuple[str, str, str]]] = []  # the queue's rows as last drawn

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="queue-title", classes="area-title")
        with TabbedContent(initial="queue-tab", id="queue-tabs"):
            with TabPane("Queue", id="queue-tab"):
                yield EmptyState(
                    "The queue is empty",
                    "Press a on a track in Browse or Search to queue it (A: play it next); "
                    "tracks play in this order.",
                    id="queue-empty",
                )
                yield QueueTable(id="queue-table")
            with TabPane("History", id="history-tab"):
                yield HistoryTable(id="history-table", cursor_type="row")

    def on_mount(self) -> None:
        queue = self.query_one(QueueTable)
        self._mark_column = queue.add_columns("#", " ", "Title", "Artist", "Length", _UP,
                                              _DOWN)[1]
        queue.display = False
        self.query_one("#history-table", DataTable).add_columns(
            "Started", "Title", "Artist", "Listened")
        self.reload()

    def default_focus(self) -> Widget:
        tabs = self.query_one(TabbedContent)
        if tabs.active == "history-tab":
            return self.query_one("#history-table", DataTable)
        queue = self.query_one(QueueTable)
        return queue if queue.row_count else self

    def _title(self) -> str:
        return f"Queue — {counted(len(self.entries), 'track')} · repeat {self.repeat}"

    # -- loading -------------------------------------------------------------------------------

    @work(group="queue-load", exclusive=True, exit_on_error=False,
          description="Loading the queue")
    async def reload(self) -> None:
        """Read the queue, the history and the repeat mode again and redraw both tabs."""
        service = self.service
        self.entries = await service.player.queue_tracks()
        self.played = await service.player.history_tracks()
        self.repeat = await service.player.repeat_mode()
        # The entry playing, or the one played last (also before a restart): ▶ marks it.
        self._playing = await service.player.queue_current()
        self.query_one("#queue-title", Static).update(self._title())
        # Drawing a table of a played list (hundreds of rows) costs the loop tens of ms:
        # only a pane on screen fills its tables; a hidden one does when it is shown.
        self._stale = not self.display
        if not self._stale:
            self._fill()

    def on_show(self) -> None:
        if self._stale:
            self._stale = False
            self._fill()

    def _fill(self) -> None:
        self._fill_queue(self._playing)
        self._fill_history()

    def _fill_queue(self, playing: int | None) -> None:
        table = self.query_one(QueueTable)
        # What each row shows (its title carries the rating badge), not only which entry.
        shown = [(entry.id, _describe(track, entry.track_urn)) for entry, track in self.entries]
        if shown == self._shown and table.row_count == len(shown) and self._follow is None:
            # The same rows, the player moved on: only the ▶ moves (a rebuild of hundreds of
            # rows on every track change stalled the loop ~60 ms).
            for entry_id, _ in shown:
                mark = "▶" if entry_id == playing else " "
                if table.get_cell(str(entry_id), self._mark_column) != mark:
                    table.update_cell(str(entry_id), self._mark_column, mark)
            return
        self._shown = shown
        keep, self._follow = self._follow or table.entry_id, None
        had_focus = table.has_focus
        table.clear()
        for index, (entry, track) in enumerate(self.entries, start=1):
            title, artist, length = _describe(track, entry.track_urn)
            table.add_row(str(index), "▶" if entry.id == playing else " ", Text(title),
                          Text(artist), length, _UP, _DOWN, key=str(entry.id))
        ids = [entry.id for entry, _ in self.entries]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        table.display = bool(self.entries)
        self.query_one("#queue-empty").display = not self.entries
        if had_focus and not self.entries:
            self.focus()

    def _fill_history(self) -> None:
        table = self.query_one("#history-table", DataTable)
        # The cursor stays on its entry (new plays arrive at the top while you look).
        keep = (table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                if table.row_count else None)
        table.clear()
        for entry, track in self.played:
            title, artist, _ = _describe(track, entry.track_urn)
            started = entry.started_at.replace("T", " ")[:19]
            table.add_row(started, Text(title), Text(artist),
                          format_duration(entry.seconds_listened), key=str(entry.id))
        keys = [str(entry.id) for entry, _ in self.played]
        if keep in keys:
            table.move_cursor(row=keys.index(keep))

    # -- actions -------------------------------------------------------------------------------

    @on(DataTable.RowSelected, "#queue-table")
    def _play_entry(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(PlayRequest(queue_entry=int(event.row_key.value)))

    @on(DataTable.RowSelected, "#history-table")
    def _play_again(self, event: DataTable.RowSelected) -> None:
        event.stop()
        wanted = event.row_key.value
        for entry, _ in self.played:
            if str(entry.id) == wanted:
                self.post_message(PlayRequest(history=entry))

    def on_queue_table_move(self, message: QueueTable.Move) -> None:
        message.stop()
        self._change(self.service.player.queue_move(message.entry_id, message.delta),
                     message.entry_id)

    def on_queue_table_remove(self, message: QueueTable.Remove) -> None:
        message.stop()
        self._change(self.service.player.queue_remove(message.entry_id), None)

    @work(group="queue-change", exit_on_error=False, description="Changing the queue")
    async def _change(self, change: Awaitable[object], follow: int | None) -> None:
        await change
        if follow is not None:  # the cursor goes with a moved entry
            self._follow = follow
        self.reload()

    def _in_history(self, key: str, what: str) -> bool:
        """In the History tab, the Queue's keys say where they work instead of changing a
        list the user is not looking at."""
        if self.query_one(TabbedContent).active != "history-tab":
            return False
        self.notify(f"{key} {what} the Queue, not the History: press t for the Queue tab.",
                    title="History", severity="warning", timeout=5)
        return True

    def highlighted_track(self) -> Track | None:
        """The track of the row under the cursor in the tab shown (None if unknown)."""
        if self.query_one(TabbedContent).active == "history-tab":
            table = self.query_one("#history-table", DataTable)
            if not table.row_count:
                return None
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            return next((t for e, t in self.played if str(e.id) == key), None)
        entry_id = self.query_one(QueueTable).entry_id
        return next((t for e, t in self.entries if e.id == entry_id), None)

    def action_rate(self, judgment: str) -> None:
        self.post_message(RateHighlighted(judgment or None))

    def action_clear(self) -> None:
        if self._in_history("c", "clears"):
            return
        if not self.entries:
            self.notify("The queue is already empty.", title="Queue", timeout=3)
            return
        self._cleared = [t for _, t in self.entries if t is not None]
        count = len(self.entries)
        self._change(self.service.player.queue_clear(), None)
        self.notify(f"Cleared {counted(count, 'track')} from the queue — "
                    "U puts them back.", title="Queue", timeout=8)

    def action_undo_clear(self) -> None:
        if self._cleared:
            tracks, self._cleared = self._cleared, []
            self._change(self.service.player.queue_add(tracks), None)

    def action_shuffle(self) -> None:
        if self._in_history("s", "shuffles"):
            return
        self._change(self.service.player.queue_shuffle(), None)

    def action_cycle_repeat(self) -> None:
        mode = REPEAT_MODES[(REPEAT_MODES.index(self.repeat) + 1) % len(REPEAT_MODES)]
        self.repeat = mode
        self.query_one("#queue-title", Static).update(self._title())
        self._change(self.service.player.set_repeat(mode), None)

    def action_switch_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "history-tab" if tabs.active == "queue-tab" else "queue-tab"
        self.app.set_focus(self.default_focus())


_BADGES = {Judgment.LIKED: "♥ ", Judgment.NOT_INTERESTED: "✕ ", Judgment.NOT_QUITE: "~ "}


def _describe(track: Track | None, urn: str) -> tuple[str, str, str]:
    if track is None:
        return urn, "", ""
    # The rating badge leads the title, as the track lists show it in their first column.
    title = _BADGES.get(track.judgment, "") + track.title if track.judgment else track.title
    return title, track.artist, format_duration(track.duration_ms / 1000, unknown="")
