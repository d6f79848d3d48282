"""Browse: the sources you follow on the left, the tracks of the chosen one on the right."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.widgets.empty_state import EmptyState


class BrowsePane(Pane):
    INFO = PaneInfo(
        "browse", "Browse", "Tracks from the artists, tags and charts you follow"
    )

    def __init__(self, *, notice: str | None = None) -> None:
        super().__init__()
        self.notice = notice
        """Shown above the tracks area, e.g. the demo saying it has no catalog yet."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="browse-body"):
            with Vertical(id="sources"):
                yield Static("Sources", classes="area-title")
                yield EmptyState(
                    "No sources yet",
                    "Artists, tags and charts you follow will be listed here.",
                    id="sources-empty",
                )
            with Vertical(id="browse-main"):
                if self.notice:
                    yield Static(self.notice, id="browse-notice", markup=False)
                yield EmptyState(
                    "Nothing to browse yet",
                    "Pick a source on the left to list its tracks here. Until you follow "
                    "some, use Search to find artists and tracks.",
                    id="browse-empty",
                )
