"""App-level messages: any widget may post these and the app acts on them.

Widget-local messages stay nested in their widget (``bubble=False`` where they should not
leave it); only what the whole app must hear lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class ShowPane(Message):
    """Bring one of the four panes to the front and focus it (the command palette, and later
    "search for this artist" style jumps, post this instead of reaching into the app)."""

    pane: str
    """The pane's name: "browse", "search", "queue" or "downloads"."""
