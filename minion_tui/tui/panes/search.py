"""Search: a query line and the results below it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.widgets.empty_state import EmptyState


class SearchPane(Pane):
    INFO = PaneInfo("search", "Search", "Find tracks, artists and playlists on SoundCloud")

    BINDINGS = [
        Binding("slash", "focus_query", "Query", id="search.focus_query"),
        # The query Input swallows printable keys (1-4, q, ?), so escape is the way back to
        # the pane where those keys work again.
        Binding("escape", "leave_query", "Leave query", id="search.leave_query"),
    ]

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search SoundCloud", id="query")
        yield EmptyState(
            "No results yet",
            "Type a query in the line above; matching tracks will be listed here.",
            id="search-empty",
        )

    @property
    def query_input(self) -> Input:
        return self.query_one("#query", Input)

    def default_focus(self) -> Widget:
        # The pane, not the Input: focusing the Input would swallow the pane-switching keys.
        return self

    def action_focus_query(self) -> None:
        self.query_input.focus()

    def action_leave_query(self) -> None:
        self.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only offer the key that makes sense where focus is now.
        if action == "focus_query":
            return not self.query_input.has_focus
        if action == "leave_query":
            return self.query_input.has_focus
        return True
