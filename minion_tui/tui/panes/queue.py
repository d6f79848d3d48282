"""Queue: what plays next, in order."""

from __future__ import annotations

from textual.app import ComposeResult

from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.widgets.empty_state import EmptyState


class QueuePane(Pane):
    INFO = PaneInfo("queue", "Queue", "The tracks lined up to play next")

    def compose(self) -> ComposeResult:
        yield EmptyState(
            "The queue is empty",
            "Tracks you queue from Browse or Search are listed here and play in this order.",
            id="queue-empty",
        )
