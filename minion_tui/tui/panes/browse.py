"""Browse: the sources on the left, the tracks of the chosen one in the middle, the details of
the highlighted track on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from minion_tui.models import Judgment, Track
from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.empty_state import EmptyState
from minion_tui.tui.widgets.track_list import TrackList

if TYPE_CHECKING:
    from minion_tui.service import Service

# Option id -> (listing, target, heading). "ratings" listings come from SQLite, the rest from
# service.browse().
FIXED_SOURCES: dict[str, tuple[str, str | None, str]] = {
    "trending": ("trending", None, "Trending"),
    "ratings-liked": ("ratings", Judgment.LIKED.value, "My ratings: liked"),
    "ratings-not-quite": ("ratings", Judgment.NOT_QUITE.value, "My ratings: not quite"),
}


# The tabs of a user's profile page, as their URLs end (soundcloud.com/USER/likes).
_PROFILE_TABS = {"tracks": "tracks", "likes": "likes", "reposts": "reposts",
                 "sets": "playlists", "albums": "albums", "popular-tracks": "toptracks"}


def user_listing(url: str) -> tuple[str, str]:
    """The listing a pasted profile URL asks for: ``…/USER/likes`` → ("likes", ``…/USER``);
    a bare profile URL lists the user's tracks."""
    base, _, tab = url.rstrip("/").rpartition("/")
    if tab in _PROFILE_TABS and "/" in base.split("://")[-1]:
        return _PROFILE_TABS[tab], base
    return "tracks", url


_DETAILS_MIN_WIDTH = 110
_USER_TABS = ("tracks", "likes", "reposts")


class BrowsePane(Pane):
    INFO = PaneInfo(
        "browse", "Browse", "Tracks from the artists, tags and charts you follow"
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "toggle_details", "Details", show=False, id="browse.details"),
    ]

    def __init__(self, *, notice: str | None = None, hide_not_interested: bool = True) -> None:
        super().__init__()
        self.notice = notice
        """Shown above the tracks area, e.g. the demo saying it has no catalog yet."""
        self._hide_not_interested = hide_not_interested
        self.source_title = ""
        self._user_sources: dict[str, tuple[str, str | None, str]] = {}
        """Option id → source of the listings offered for the last user opened."""
        """Heading of the source whose tracks are listed ("" before one is chosen)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="browse-body"):
            with Vertical(id="sources"):
                yield Static("Sources", classes="area-title")
                yield OptionList(
                    *(Option(title, id=key) for key, (_, _, title) in FIXED_SOURCES.items()),
                    id="source-list",
                )
                yield Input(placeholder="#tag or soundcloud.com user URL", id="source-input")
                yield EmptyState(
                    "No sources yet",
                    "Artists, tags and charts you follow will be listed here.",
                    id="sources-empty",
                )
            with Vertical(id="browse-main"):
                if self.notice:
                    yield Static(self.notice, id="browse-notice", markup=False)
                yield Static("", id="browse-status", markup=False)
                yield EmptyState(
                    "Nothing to browse yet",
                    "Pick a source on the left to list its tracks here. Until you follow "
                    "some, use Search to find artists and tracks.",
                    id="browse-empty",
                )
                yield TrackList(id="browse-tracks",
                                hide_not_interested=self._hide_not_interested)
            yield TrackDetails(id="browse-details")

    def on_mount(self) -> None:
        self.query_one("#browse-tracks", TrackList).display = False
        # Until a source is open the empty state needs the room; the panel comes with tracks.
        self.query_one("#browse-details", TrackDetails).display = False
        self._details_wanted = True

    def default_focus(self) -> Widget:
        tracks = self.query_one("#browse-tracks", TrackList)
        # Before a source is open the pane itself takes focus (tab reaches the source list),
        # so the pane's keys work at once.
        return tracks if tracks.display else self

    # -- choosing a source ------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id or "trending"
        listing, target, title = FIXED_SOURCES.get(key) or self._user_sources[key]
        self.open_source(listing, target, title)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "source-input":
            return
        event.stop()
        text = event.value.strip()
        if not text:
            return
        if text.startswith("#"):
            self.open_source("tag", text[1:], f"Tag: {text[1:]}")
        else:
            listing, target = user_listing(text)
            self.open_source(listing, target, f"{listing.capitalize()} of {target}")

    def open_source(self, listing: str, target: str | None, title: str) -> None:
        """List a source's tracks: ``listing`` is a :meth:`Service.browse` listing, or
        "ratings" (target: a judgment) for the user's own ratings."""
        self.source_title = title
        if listing in _USER_TABS and target:
            self._offer_user(target, title.partition(" of ")[2] or target)
        tracks = self.query_one("#browse-tracks", TrackList)
        tracks.clear()
        tracks.empty_text = "Loading…"
        tracks.display = True
        self._place_details()
        self.query_one("#browse-empty", EmptyState).display = False
        self._status(f"{title}: loading…")
        self.screen.set_focus(tracks)
        self._load(listing, target, title)

    @work(exclusive=True, group="browse", exit_on_error=False, description="Loading a source")
    async def _load(self, listing: str, target: str | None, title: str) -> None:
        service: Service = self.app.service  # type: ignore[attr-defined]
        tracks = self.query_one("#browse-tracks", TrackList)
        try:
            if listing == "playlist":
                assert target is not None
                tracks.append_tracks(await service.playlist_tracks(target))
            elif listing == "ratings":
                judgments = [Judgment(target)] if target else list(Judgment)
                tracks.append_tracks(await service.my_ratings(judgments))
            else:
                # Each page is shown as soon as it arrives: the first rows are visible long
                # before the last page of a long listing has loaded.
                pages = (service.search(target) if listing == "search" and target
                         else service.browse(listing, target))
                async for page in pages:
                    tracks.append_tracks([t for t in page.items if isinstance(t, Track)])
                    self._status(f"{title}: loading… {len(tracks.tracks)} tracks")
        finally:
            tracks.empty_text = "No tracks"
        self._status(f"{title}: {len(tracks.tracks)} tracks")

    def _offer_user(self, target: str, name: str) -> None:
        """List the user's other tabs among the sources, so their likes are one key away."""
        sources = self.query_one("#source-list", OptionList)
        for key in self._user_sources:
            sources.remove_option(key)
        self._user_sources = {
            f"user-{listing}": (listing, target, f"{listing.capitalize()} of {name}")
            for listing in _USER_TABS
        }
        sources.add_options(Option(f"  {title}", id=key)
                            for key, (_, _, title) in self._user_sources.items())

    def _status(self, text: str) -> None:
        self.query_one("#browse-status", Static).update(text)

    # -- details ----------------------------------------------------------------------------

    def on_track_list_highlighted(self, event: TrackList.Highlighted) -> None:
        self.query_one("#browse-details", TrackDetails).show_track(event.track)


    def action_toggle_details(self) -> None:
        details = self.query_one("#browse-details", TrackDetails)
        self._details_wanted = not details.display
        self._place_details()
        if self._details_wanted and not details.display:
            self.notify("The window is too narrow for the details panel; widen it to "
                        f"{_DETAILS_MIN_WIDTH} columns.", severity="warning")

    def on_resize(self) -> None:
        self._place_details()

    def _place_details(self) -> None:
        """Show the panel when asked for, tracks are listed, and the window leaves room for
        the track list next to it."""
        shown = (self._details_wanted and self.size.width >= _DETAILS_MIN_WIDTH
                 and self.query_one("#browse-tracks", TrackList).display)
        self.query_one("#browse-details", TrackDetails).display = shown
