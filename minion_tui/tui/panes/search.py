"""Search: the query line with type and filters; tracks listed in a track list, users and
playlists in a list whose entries open as sources in Browse."""

from __future__ import annotations

from typing import ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from minion_tui.models import Playlist, Tag, Track, User
from minion_tui.service import provider_names, provider_title
from minion_tui.tui.messages import OpenSource
from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.service_app import ServiceApp
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.empty_state import EmptyState
from minion_tui.tui.widgets.list_keys import OPTION_LIST_ENDS, list_bindings
from minion_tui.tui.widgets.search_form import (
    SearchForm,
    SearchRequest,
    ServiceSuggester,
)
from minion_tui.tui.widgets.track_list import TrackList
from minion_tui.tui.wording import counted

#: Binding ids whose keys stay theirs on the empty Search pane instead of starting a query.
_KEEP_BOUND = ("pane.", "app.", "search.provider")


class ResultList(OptionList):
    """The users and sets found; enter opens one in Browse."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open in Browse", id="results.open"),
        *list_bindings("results", actions=OPTION_LIST_ENDS),
    ]


class SearchPane(Pane):
    INFO = PaneInfo("search", "Search", "Find tracks, artists and playlists on SoundCloud")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_query", "Query", id="search.focus_query"),
        # The query Input swallows printable keys (1-4, q, ?), so escape is the way back to
        # the pane where those keys work again.
        Binding("escape", "leave_query", "Leave query", id="search.leave_query"),
        # P switches the provider searched; ctrl+o too, and works while typing the query
        # (a printable key would be typed into it).
        Binding("P", "cycle_provider", "Switch provider", id="search.provider"),
        # A show's tracklist in the details panel (tui/tracklist.py): enter seeks there.
        Binding("e", "enter_tracklist", "Tracklist", show=False, id="search.tracklist"),
        Binding("ctrl+o", "cycle_provider", "Switch provider", show=False,
                id="search.provider_typing", priority=True),
    ]

    def __init__(self, *, hide_not_interested: bool = True) -> None:
        super().__init__()
        self._hide_not_interested = hide_not_interested
        self._sources: dict[str, tuple[str, str, str]] = {}
        """Option id → (listing, target, title) of the users and playlists found."""
        self._users: dict[str, User] = {}
        """Option id → the user found (`f` follows the highlighted one)."""
        self._last: SearchRequest | None = None
        """The search run last: changing a filter runs it again with the new choice."""

    def compose(self) -> ComposeResult:
        service = self.service if isinstance(self.app, ServiceApp) else None
        yield SearchForm(ServiceSuggester(self._autocomplete) if service else None)
        yield Static("", id="search-status", markup=False)
        with Horizontal(id="search-body"):
            with Vertical(id="search-results"):
                yield EmptyState(
                    "No results yet",
                    "Type a query in the line above; matching tracks will be listed here.",
                    id="search-empty",
                )
                yield TrackList(id="search-tracks",
                                hide_not_interested=self._hide_not_interested)
                yield ResultList(id="search-others")
            yield TrackDetails(id="search-details")

    async def _autocomplete(self, query: str) -> list[str]:
        """Suggestions from the provider searched (none from one without autocomplete)."""
        provider = self.query_one(SearchForm).provider or None
        return await self.service.catalog.autocomplete(query, provider=provider)

    def on_mount(self) -> None:
        self.query_one("#search-tracks", TrackList).display = False
        self.query_one("#search-others", OptionList).display = False
        self._place_details()

    def on_resize(self) -> None:
        self._place_details()

    def _place_details(self) -> None:
        # Like Browse: the panel only when tracks are listed and there is room beside them.
        self.query_one("#search-details", TrackDetails).display = (
            self.query_one("#search-tracks", TrackList).display and self.size.width >= 110)

    @property
    def query_input(self) -> Input:
        return self.query_one("#query", Input)

    def default_focus(self) -> Widget:
        # The pane, not the Input: focusing the Input would swallow the pane-switching keys.
        return self

    def action_focus_query(self) -> None:
        self.query_input.focus()

    def on_key(self, event: events.Key) -> None:
        """With the pane itself focused (nothing found yet, or after escape), a letter or digit
        starts the query, as the empty pane invites ("Type a query…") and as spotify-player's
        search page does. Keys bound to the panes, help and quit (1-4, ?, q, or whatever
        [keymap] made them) keep their binding, and so do the other keys (space pauses,
        [ ] seek…)."""
        # Keys typed in one burst were all handed to the pane before the first one moved
        # focus; those reach it with the query focused (the query itself never lets a
        # printable key bubble up), and follow the first into it.
        if self.app.focused not in (self, self.query_input) or not event.character:
            return
        if not (event.is_printable and event.character.isalnum()):
            return
        active = self.screen.active_bindings.get(event.key)
        if active is not None and (active.binding.id or "").startswith(_KEEP_BOUND):
            return
        event.stop()
        event.prevent_default()
        # The key goes to the query after its focus (which selects what was typed before, so
        # a new letter starts a new query, as after `/`).
        query = self.query_input
        self.screen.set_focus(query)  # now, so its Focus event comes before the key
        query.post_message(events.Key(event.key, event.character))

    def action_leave_query(self) -> None:
        results = self._results()
        (results if results is not None else self).focus()

    def _results(self) -> Widget | None:
        """The list showing the results (tracks, or users and playlists), if one is shown."""
        for results in (self.query_one("#search-tracks", TrackList),
                        self.query_one("#search-others", OptionList)):
            if results.display:
                return results
        return None

    def action_enter_tracklist(self) -> None:
        self.query_one("#search-details", TrackDetails).enter_tracklist()

    def action_cycle_provider(self) -> None:
        """Search the next provider (SoundCloud → Mixcloud → SoundCloud); the results on
        screen are searched again there."""
        names = provider_names()
        form = self.query_one(SearchForm)
        current = form.provider or names[0]
        name = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        caps = self.service.catalog.capabilities(name)
        form.show_provider(name, first=name == names[0], kinds=caps.search_kinds,
                           filters=bool(caps.search_filters))
        shown = form.query_one("#query", Input).placeholder.removeprefix("Search ")
        self.notify(f"Searching {shown} now.", title="Search", timeout=3)
        request = form.request()
        if self._last is not None and (request.query or request.genre):
            self.search(request, focus_results=not self.query_input.has_focus)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only offer the key that makes sense where focus is now.
        if action == "focus_query":
            return not self.query_input.has_focus
        if action == "leave_query":
            return self.query_input.has_focus
        return True

    # -- searching --------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id not in ("query", "search-genre"):
            return
        event.stop()
        request = self.query_one(SearchForm).request()
        if request.query or request.genre:
            self.search(request)

    def on_select_changed(self, event: Select.Changed) -> None:
        """A new type or filter re-runs the search on screen (as a peer's filter chips do),
        leaving focus on the choice so the next one is a key away."""
        if not (event.select.id or "").startswith("search-") or self._last is None:
            return
        event.stop()
        request = self.query_one(SearchForm).request()
        if request != self._last and (request.query or request.genre):
            self.search(request, focus_results=False)

    def search(self, request: SearchRequest, *, focus_results: bool = True) -> None:
        """Run ``request``, listing results as their pages arrive."""
        self._last = request
        tracks = self.query_one("#search-tracks", TrackList)
        others = self.query_one("#search-others", OptionList)
        tracks.reset_view()  # the last results' filter and sort are not this search's
        others.clear_options()
        self._sources.clear()
        self._users.clear()
        self.query_one("#search-empty", EmptyState).display = False
        tracks.display = request.kind == "tracks"
        others.display = not tracks.display
        self._place_details()
        where = f" {provider_title(request.provider)}" \
            if request.provider else ""
        self._status(f"Searching{where} {request.kind} for {request.query!r}…")
        # The results take the keys at once (j/k, enter, rating) as in spotify-player;
        # `/` goes back to the query.
        if focus_results:
            (tracks if tracks.display else others).focus()
        self._run(request)

    @work(exclusive=True, group="search", exit_on_error=False, description="Search")
    async def _run(self, request: SearchRequest) -> None:
        service = self.service
        tracks = self.query_one("#search-tracks", TrackList)
        others = self.query_one("#search-others", OptionList)
        pages = service.catalog.search(request.query, kind=request.kind, genre=request.genre,
                               duration=request.duration, created=request.created,
                               license=request.license, provider=request.provider or None)
        found = 0
        where = f" on {provider_title(request.provider)}" \
            if request.provider else ""
        async for page in pages:
            tracks.append_tracks([i for i in page.items if isinstance(i, Track)])
            others.add_options([self._option(i) for i in page.items
                                if isinstance(i, (User, Playlist, Tag))])
            if others.highlighted is None and others.option_count:
                others.highlighted = 0  # enter opens the first at once
            found += len(page.items)
            self._status(f"{counted(found, request.kind)} for {request.query!r}{where}…")
        self._status(f"{counted(found, request.kind)} for {request.query!r}{where}")
        if not found and not self.query_input.has_focus:
            self.focus()  # nothing to move through: the pane's keys (/ to search again)

    def _option(self, item: User | Playlist | Tag) -> Option:
        key = f"found-{len(self._sources)}"
        if isinstance(item, Tag):
            # Opened in Browse by its page URL, which names its provider (Mixcloud's tags).
            self._sources[key] = ("tag", item.url or item.slug, f"Tag: {item.slug}")
            return Option(Content(f"# {item.name}"), id=key)
        if isinstance(item, User):
            self._users[key] = item
            self._sources[key] = ("tracks", item.url or item.urn, f"Tracks of {item.username}")
            label = f"♟ {item.username}  ({counted(item.followers_count or 0, 'follower')})"
        else:
            self._sources[key] = ("playlist", item.url or item.urn, item.title)
            label = f"▤ {item.title} — {item.uploader} ({counted(item.track_count, 'track')})"
        return Option(Content(label), id=key)  # plain text: "[Free DL] …" is not markup

    def highlighted_user(self) -> User | None:
        """The user highlighted among the results, if a user is."""
        others = self.query_one("#search-others", OptionList)
        option = others.highlighted_option if others.display else None
        return self._users.get(option.id or "") if option is not None else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        listing, target, title = self._sources[event.option.id or ""]
        self.post_message(OpenSource(listing, target, title))

    def on_track_list_highlighted(self, event: TrackList.Highlighted) -> None:
        self.query_one("#search-details", TrackDetails).show_track(event.track)

    def _status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(text)
