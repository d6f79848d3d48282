"""App-level messages: any widget may post these and the app acts on them.

Widget-local messages stay nested in their widget (``bubble=False`` where they should not
leave it); only what the whole app must hear lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.message import Message

if TYPE_CHECKING:
    from minion_tui.models import HistoryEntry, SyncSummary, Track


@dataclass
class ShowPane(Message):
    """Bring one of the four panes to the front and focus it (the command palette, and later
    "search for this artist" style jumps, post this instead of reaching into the app)."""

    pane: str
    """The pane's name: "browse", "search", "queue" or "downloads"."""


@dataclass
class OpenSource(Message):
    """Open a listing in the Browse pane: trending, the user's ratings, a past search..."""

    kind: str
    """"trending", "ratings", "search", "playlist", a Service.browse listing, or "pinned"
    (target: the pinned source's id, as text)."""
    target: str | None
    """What to open within that kind (a judgment, a query, a URL), or None for the default."""
    title: str
    """What the palette showed, for the pane's heading."""


@dataclass
class RateHighlighted(Message):
    """Rate the highlighted track of the focused list; ``judgment`` None clears the rating."""

    judgment: str | None
    """A :class:`minion_tui.models.Judgment` value, or None to clear."""


@dataclass
class HighlightedAction(Message):
    """Act on the highlighted track of the focused list (the palette's "Go to artist",
    "Copy track link"...): ``action`` is an app action name such as "go_artist"."""

    action: str


@dataclass
class ChooseTheme(Message):
    """Switch to a registered theme and remember it in config.toml (the palette)."""

    name: str


@dataclass
class PlayRequest(Message):
    """Play something: a track, a queue entry (by id) or a history entry (play again)."""

    track: Track | None = None
    queue_entry: int | None = None
    history: HistoryEntry | None = None


@dataclass
class DiscoverySynced(Message):
    """A sync of the followed sources finished (ctrl+r, the palette): a pane listing what
    they surfaced (the Inbox) reads it again. Posted to each pane (tui/discovery_control.py);
    it does not bubble, so a pane without a handler simply ignores it."""

    bubble: ClassVar[bool] = False
    summary: SyncSummary


@dataclass
class FollowUser(Message):
    """Follow (``follow`` True) or stop following a user by URN (the palette's "Follow …" /
    "Unfollow …" entries)."""

    urn: str
    name: str
    follow: bool
