"""Downloads: running, waiting, finished and failed downloads with their progress."""

from __future__ import annotations

from textual.app import ComposeResult

from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.widgets.empty_state import EmptyState


class DownloadsPane(Pane):
    INFO = PaneInfo("downloads", "Downloads", "Download progress and finished files")

    def compose(self) -> ComposeResult:
        yield EmptyState(
            "No downloads yet",
            "Tracks you download are listed here with their progress; finished files are "
            "tagged and saved to your download folder.",
            id="downloads-empty",
        )
