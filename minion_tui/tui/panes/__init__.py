"""The four top-level panes, in tab order."""

from __future__ import annotations

from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.panes.downloads import DownloadsPane
from minion_tui.tui.panes.queue import QueuePane
from minion_tui.tui.panes.search import SearchPane

PANE_TYPES: tuple[type[Pane], ...] = (BrowsePane, SearchPane, QueuePane, DownloadsPane)
PANES: tuple[PaneInfo, ...] = tuple(t.INFO for t in PANE_TYPES)
PANE_NAMES: frozenset[str] = frozenset(p.name for p in PANES)

__all__ = [
    "PANES",
    "PANE_NAMES",
    "PANE_TYPES",
    "BrowsePane",
    "DownloadsPane",
    "Pane",
    "PaneInfo",
    "QueuePane",
    "SearchPane",
]
