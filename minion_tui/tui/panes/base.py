"""What the four top-level panes (Browse, Search, Queue, Downloads) have in common."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.containers import Vertical
from textual.widget import Widget

from minion_tui.tui.service_app import service_of

if TYPE_CHECKING:
    from minion_tui.service import Service


@dataclass(frozen=True)
class PaneInfo:
    """How a pane is named in the tab bar, the key help and the command palette."""

    name: str
    """Stable name: the widget id, the tab id suffix and the `pane.<name>` binding id."""
    title: str
    summary: str
    """One line saying what the pane is for (shown in the command palette)."""

    @property
    def binding_id(self) -> str:
        return f"pane.{self.name}"

    @property
    def tab_id(self) -> str:
        return f"tab-{self.name}"


class Pane(Vertical, can_focus=True):
    """Base class of the panes switched by the tab bar.

    A pane is focusable itself, so its BINDINGS are active (and listed by the key help) as soon
    as it is shown, even while it has nothing else to focus; panes with content override
    :meth:`default_focus` to hand focus to their main widget.
    """

    INFO: ClassVar[PaneInfo]

    def __init__(self) -> None:
        super().__init__(id=self.INFO.name, classes="pane")

    @property
    def service(self) -> Service:
        """The app's service façade: everything a pane shows or changes goes through it."""
        return service_of(self.app)

    def default_focus(self) -> Widget:
        """The widget that receives focus when the pane is brought to the front."""
        return self
