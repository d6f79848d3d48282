"""A placeholder that says why an area is empty and what to do to fill it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static


class EmptyState(Vertical):
    """A heading plus a sentence or two, centred in the space it is given."""

    DEFAULT_CSS = """
    EmptyState {
        align: center middle;
        height: 1fr;
        padding: 1 2;
    }
    EmptyState > .empty-state--heading {
        width: 100%;
        max-width: 70;
        text-align: center;
        text-style: bold;
        color: $text;
    }
    EmptyState > .empty-state--body {
        width: 100%;
        max-width: 70;
        text-align: center;
        margin-top: 1;
        color: $text-muted;
    }
    """

    def __init__(self, heading: str, body: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heading = heading
        self.body = body

    def compose(self) -> ComposeResult:
        yield Static(self.heading, classes="empty-state--heading", markup=False)
        yield Static(self.body, classes="empty-state--body", markup=False)
