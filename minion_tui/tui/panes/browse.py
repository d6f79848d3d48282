"""Browse: the sources on the left, the tracks of the chosen one in the middle, the details of
the highlighted track on the right."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static

from minion_tui.errors import MinionError
from minion_tui.models import Judgment, Playlist, Track, User
from minion_tui.service import provider_names, provider_title
from minion_tui.tui.messages import DiscoverySynced
from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.empty_state import EmptyState
from minion_tui.tui.widgets.source_list import (
    SEARCH_FILTERS,
    SourceEntry,
    SourceList,
    SourceRef,
    SourceSection,
    all_user_tabs,
    provider_section,
    ref_of_stored,
    stored_form,
    tab_title,
    typed_source,
    user_ref,
    user_tabs,
)
from minion_tui.tui.widgets.track_list import TrackList
from minion_tui.tui.wording import counted

if TYPE_CHECKING:
    from minion_tui.models import SearchEntry, Source

__all__ = ["BrowsePane", "typed_source"]

TRENDING = SourceRef("trending", None, "Trending")
#: What the artists you follow liked and reposted that you have not judged yet, best first.
INBOX = SourceRef("inbox", None, "Inbox")
#: Inbox tracks listed at once (one ranked read; a rated track makes room for the next).
_INBOX_SHOWN = 300
#: Tracks "more like this" lists (service.analysis.similar).
_SIMILAR_SHOWN = 50
#: Option id → the user's own ratings (always listed, never pinned).
RATINGS = {
    "ratings-all": ("All ratings", SourceRef("ratings", None, "My ratings")),
    "ratings-liked": ("Liked", SourceRef("ratings", Judgment.LIKED.value,
                                         "My ratings: liked")),
    "ratings-not-quite": ("Not quite", SourceRef("ratings", Judgment.NOT_QUITE.value,
                                                 "My ratings: not quite")),
    "ratings-not-interested": ("Not interested", SourceRef(
        "ratings", Judgment.NOT_INTERESTED.value, "My ratings: not interested")),
}
_SEARCHES_SHOWN = 8
#: Listings of a user (pasted profile URLs may ask for albums or top tracks too): opening one
#: offers the user's tabs among the sources.
_MORE_USER_LISTINGS = ("albums", "toptracks")


def _of_user(listing: str) -> bool:
    return listing in _MORE_USER_LISTINGS or listing in all_user_tabs()


#: Listings whose items are sets: they are listed among the sources, each opening its tracks.
_SET_LISTINGS = ("playlists", "albums")
#: Sources opened from elsewhere (Search, "go to artist", a pasted URL) kept in the list.
_OPENED_SHOWN = 8

#: The Inbox with nothing (left) to judge: where its tracks come from.
_INBOX_EMPTY = ("Nothing to judge: the Inbox lists what the artists you follow liked and "
                "reposted (minion-tui discover follow URL, then minion-tui discover sync)")
#: Said after the Inbox's count: how to go through it.
_TRIAGE_HINT = "enter plays, l / x / n rate and play the next"

_DETAILS_MIN_WIDTH = 110
_NARROW_WIDTH = 100


class BrowsePane(Pane):
    INFO = PaneInfo(
        "browse", "Browse", "Tracks from the artists, tags and charts you follow"
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "toggle_details", "Details", show=False, id="browse.details"),
        # A show's tracklist in the details panel (tui/tracklist.py): enter seeks there.
        Binding("e", "enter_tracklist", "Tracklist", show=False, id="browse.tracklist"),
        # Not in the footer (the Pinned heading says "p pins…"): the footer keeps the keys
        # of the widget in focus.
        Binding("p", "pin", "Pin/unpin the source", show=False, id="browse.pin"),
        # The two places of the sidebar, one key each (tab would walk every widget).
        Binding("h", "focus_sources", "Sources", show=False, id="browse.focus_sources"),
        Binding("number_sign", "focus_source_input", "#tag or URL box", show=False,
                id="browse.source_input"),
        Binding("b", "toggle_sidebar", "Sources on/off", show=False, id="browse.sidebar"),
        # As in spotify-player and ncspot: back to the source listed before this one.
        Binding("backspace", "back", "Previous source", show=False, id="browse.back"),
    ]

    def __init__(self, *, notice: str | None = None, hide_not_interested: bool = True) -> None:
        super().__init__()
        self.notice = notice
        """Shown above the tracks area, e.g. the demo saying it has no catalog yet."""
        self.source: SourceRef | None = None
        """The source whose tracks are listed (None before one is chosen)."""
        self._discovery_hide = hide_not_interested
        """Whether discovery sources hide not-interested tracks (H toggles it there; the
        user's own ratings always show them)."""
        self._tags: list[str] = []
        self._pinned: list[Source] = []
        self._searches: list[SearchEntry] = []
        self._user: tuple[str, str] | None = None
        """(target, name) of the user opened last, whose tabs are offered as sources."""
        self._user_provider: str | None = None
        self._playlists: list[Playlist] = []
        #: The "You" section: (provider, its title) signed in, and their playlists and
        #: followings once listed.
        self._you: list[tuple[str, str]] = []
        self._my_playlists: list[tuple[str, Playlist]] = []
        self._my_followings: list[tuple[str, User]] = []
        self._opened: list[SourceRef] = []
        """Sources opened from outside the list (Search, go to artist...), newest first."""
        self._previous: list[SourceRef] = []
        """The sources listed before this one, the latest last (backspace goes back)."""
        self._set_of: dict[str, SourceRef] = {}
        """Track URN → the set it was listed in this session ("go to set" opens it)."""
        self._loading = False
        self._started = ""
        """The track triage last started (it may not be playing yet when the next key comes)."""
        self._triage = False
        """Enter was pressed in the Inbox: a rating there plays the track that takes the
        rated one's row, until another source is opened."""

    @property
    def source_title(self) -> str:
        """Heading of the source whose tracks are listed ("" before one is chosen)."""
        return self.source.title if self.source else ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="browse-body"):
            with Vertical(id="sources"):
                yield Static("Sources", classes="area-title")
                yield SourceList(self._sections(), id="source-list")
                yield Input(placeholder="#tag or URL", id="source-input",
                            select_on_focus=False)
            with Vertical(id="browse-main"):
                if self.notice:
                    yield Static(self.notice, id="browse-notice", markup=False)
                yield Static("", id="browse-status", markup=False)
                yield EmptyState(
                    "Nothing to browse yet",
                    "Pick a source on the left to list its tracks here, or use Search to "
                    "find artists and tracks.",
                    id="browse-empty",
                )
                yield TrackList(id="browse-tracks", hide_not_interested=self._discovery_hide)
            yield TrackDetails(id="browse-details")

    def on_mount(self) -> None:
        self.query_one("#browse-tracks", TrackList).display = False
        # Until a source is open the empty state needs the room; the panel comes with tracks.
        self.query_one("#browse-details", TrackDetails).display = False
        self._details_wanted = True
        # The first source is the Inbox when you follow anyone, else Trending: one store read
        # decides, right after the first frame (bench/startup.py); until then, "Loading…".
        tracks = self.query_one("#browse-tracks", TrackList)
        tracks.empty_text = "Loading…"
        tracks.display = True
        self.query_one("#browse-empty", EmptyState).display = False
        self.sources.highlight("trending")  # where enter goes until the read has answered
        self.screen.set_focus(tracks)
        self.call_after_refresh(self._open_first)

    @work(group="browse-start", exit_on_error=False, description="Opening the first source")
    async def _open_first(self) -> None:
        """The Inbox when you follow anyone (what they liked is what you came for), else
        Trending."""
        try:
            followed = bool(await self.service.discovery.sources())
        except MinionError as exc:  # the store cannot say: the listing that needs none
            self.notify(f"Could not read the sources you follow ({exc.text}); Trending is "
                        "listed instead.", title="Inbox", severity="warning", timeout=8)
            followed = False
        if self.source is not None:  # the user (or a test) opened one meanwhile
            return
        first = INBOX if followed else TRENDING
        # The highlighted source is the one listed, unless the cursor was moved meanwhile:
        # it is not taken from under a choice being made.
        moved = self.sources.highlighted_option
        if moved is None or moved.id == "trending":
            self.sources.highlight(first.listing)
        # Nor is the focus taken from wherever the user (a key, a pane) has put it.
        tracks = self.query_one("#browse-tracks", TrackList)
        self.open_ref(first, focus=self.screen.focused in (None, tracks))

    def on_show(self) -> None:
        # Searches run in the Search pane (and pins made elsewhere) show up on return.
        self._refresh_sources()

    def default_focus(self) -> Widget:
        tracks = self.query_one("#browse-tracks", TrackList)
        return tracks if tracks.display else self.sources

    @property
    def sources(self) -> SourceList:
        return self.query_one("#source-list", SourceList)

    def action_focus_sources(self) -> None:
        self.query_one("#sources").display = True
        self.sources.focus()

    def action_toggle_sidebar(self) -> None:
        """Hide the sources (the track list takes the width) or bring them back."""
        sidebar = self.query_one("#sources")
        sidebar.display = not sidebar.display
        focused = self.app.focused
        if not sidebar.display and focused is not None and sidebar in focused.ancestors:
            tracks = self.query_one("#browse-tracks", TrackList)
            (tracks if tracks.display else self).focus()

    def action_focus_source_input(self) -> None:
        """Focus the box with a "#" typed, as the key itself says: the tag follows."""
        box = self.query_one("#source-input", Input)
        if not box.value.startswith("#"):
            box.value = "#"
        box.cursor_position = len(box.value)
        box.focus()

    # -- the source list --------------------------------------------------------------------

    def _sections(self) -> list[SourceSection]:
        discover = [SourceEntry("inbox", "Inbox", INBOX),
                    SourceEntry("trending", "Trending", TRENDING)]
        # Keyed by content, not position: as the tags and searches change with the catalog,
        # the cursor stays on the one it was on.
        discover += [SourceEntry(f"tag:{tag}", f"#{tag}", SourceRef("tag", tag, f"Tag: {tag}"))
                     for tag in self._tags]
        pinned = [SourceEntry(f"pinned-{s.id}", ref.title, ref) for s in self._pinned
                  if (ref := ref_of_stored(s)) is not None]
        searches = [SourceEntry(f"search:{stored_form(ref)}", _search_label(ref), ref)
                    for ref in self._search_refs()]
        opened = [SourceEntry(f"opened:{ref.listing}:{ref.target}", ref.title, ref)
                  for ref in self._opened]
        sections = [
            SourceSection("Discover", discover),
            *self._you_sections(),
            *self._provider_sections(),
            SourceSection("Pinned", pinned, "" if pinned else "p to pin"),
            *([SourceSection("Opened", opened)] if opened else []),
            SourceSection("Searches", searches, "" if searches else "none yet"),
            SourceSection("My ratings", [SourceEntry(key, label, ref)
                                         for key, (label, ref) in RATINGS.items()]),
        ]
        if self._user:
            target, name = self._user
            tabs = [user_ref(tab, target, name) for tab in user_tabs(self._user_provider)]
            entries = [SourceEntry(f"user-{ref.listing}", ref.title, ref) for ref in tabs]
            entries += [SourceEntry(f"playlist-{i}", f"  ▤ {p.title} ({p.track_count})",
                                    SourceRef("playlist", p.url or p.urn, p.title))
                        for i, p in enumerate(self._playlists)]
            sections.append(SourceSection(name, entries))
        return sections

    def _you_sections(self) -> list[SourceSection]:
        """"You" (one per service signed in to): Feed, Likes, History, then your playlists
        and who you follow, once listed."""
        words = {"feed": "Feed", "mylikes": "Likes", "history": "History"}
        found = []
        for provider, title in self._you:
            offered = self.service.catalog.capabilities(provider).account_listings
            entries = [SourceEntry(f"you-{provider}-{listing}", word,
                                   SourceRef(listing, None, f"Your {word.lower()} ({title})",
                                             provider=provider))
                       for listing, word in words.items() if listing in offered]
            entries += [SourceEntry(f"you-{provider}-playlist-{i}",
                                    f"  ▤ {p.title} ({p.track_count})",
                                    SourceRef("playlist", p.urn, p.title))
                        for i, (name, p) in enumerate(self._my_playlists) if name == provider]
            entries += [SourceEntry(f"you-{provider}-following-{i}", f"  ☺ {u.username}",
                                    user_ref("tracks", u.urn, u.username))
                        for i, (name, u) in enumerate(self._my_followings) if name == provider]
            heading = "You" if len(self._you) == 1 else f"You on {title}"
            found.append(SourceSection(heading, entries))
        return found

    @work(exclusive=True, group="browse-you", exit_on_error=False,
          description="Listing your playlists and followings")
    async def _load_you(self) -> None:
        playlists: list[tuple[str, Playlist]] = []
        followings: list[tuple[str, User]] = []
        for provider, _title in self._you:
            offered = self.service.catalog.capabilities(provider).account_listings
            for listing in ("myplaylists", "myfollowings"):
                if listing not in offered:
                    continue
                async for page in self.service.catalog.browse(listing, None, limit=50,
                                                              provider=provider):
                    playlists += [(provider, i) for i in page.items if isinstance(i, Playlist)]
                    followings += [(provider, i) for i in page.items if isinstance(i, User)]
        self._my_playlists, self._my_followings = playlists, followings
        self._show_sources()

    def _provider_sections(self) -> list[SourceSection]:
        """A section per provider after the first (Mixcloud's charts and featured tags): the
        first provider's are under Discover."""
        return [provider_section(provider, self.service.catalog.capabilities(provider).charts)
                for provider in provider_names()[1:]]

    def _search_refs(self) -> list[SourceRef]:
        refs: list[SourceRef] = []
        for entry in self._searches:
            # Browse lists tracks: searches for users or playlists stay in the Search pane.
            if entry.kind not in ("tracks", "all"):
                continue
            filters = tuple(sorted((k, v) for k, v in entry.filters.items()
                                   if k in SEARCH_FILTERS and v))
            ref = SourceRef("search", entry.query, f"Search: {entry.query}", filters)
            if ref not in refs:
                refs.append(ref)
        return refs[:_SEARCHES_SHOWN]

    def _show_sources(self) -> None:
        self.sources.show(self._sections())

    @work(exclusive=True, group="browse-sources", exit_on_error=False,
          description="Listing the sources")
    async def _refresh_sources(self) -> None:
        service = self.service
        self._tags = await service.library.discover_tags()
        self._pinned = await service.library.pinned_sources()
        self._searches = await service.library.recent_searches()
        statuses = await service.accounts.status()  # the index only: no request, no token
        you = [(name, provider_title(name)) for name, status in statuses.items()
               if status.signed_in]
        changed = you != self._you
        self._you = you
        self._show_sources()
        if changed and you:
            self._load_you()

    # -- choosing a source ------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        ref = self.sources.ref(event.option.id)
        if ref is not None:
            self.open_ref(ref)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "source-input":
            return
        event.stop()
        if not event.value.strip():
            return
        found = typed_source(event.value)
        if isinstance(found, str):
            self.notify(found, title="Not a source", severity="warning", timeout=8)
        else:
            self.open_ref(found)

    def open_source(self, listing: str, target: str | None, title: str) -> None:
        """List a source's tracks: ``listing`` is a :meth:`Service.browse` listing,
        "ratings" (target: a judgment) for the user's own ratings, "search" (target: a query),
        "playlist" (target: its URL or URN), or "pinned" (target: the pinned source's id)."""
        if listing == "pinned":
            self._open_pinned(int(target or 0), title)
        elif listing == "tag" and target and "://" in target:
            found = typed_source(target)  # a tag page URL: its provider says whose tag
            if isinstance(found, SourceRef):
                self.open_ref(found)
            else:
                self.notify(found, title="Not a source", severity="warning")
        else:
            self.open_ref(SourceRef(listing, target, title))

    @work(group="browse-pinned", exit_on_error=False, description="Opening a pinned source")
    async def _open_pinned(self, source_id: int, title: str) -> None:
        service = self.service
        for source in await service.library.pinned_sources():
            if source.id == source_id and (ref := ref_of_stored(source)) is not None:
                self.open_ref(ref)
                return
        self.notify(f"{title} is no longer pinned.", severity="warning")

    def open_ref(self, ref: SourceRef, *, back: bool = False, focus: bool = True) -> None:
        """List the tracks of a source (a user's playlists are listed among the sources).
        The source listed before is remembered for backspace, unless ``back`` (going there);
        the focus moves to the list (or the sources, for sets) unless not ``focus``."""
        tracks = self.query_one("#browse-tracks", TrackList)
        if self.source is None or self.source.listing != "ratings":
            self._discovery_hide = tracks.hide_not_interested
        if self.source is not None and not back and self.source != ref:
            self._previous.append(self.source)
        self.source = ref
        self._triage = False
        self._keep_opened(ref)
        self._mark_listed(ref)
        if _of_user(ref.listing) and ref.target:
            self._offer_user(ref.target, ref.title.partition(" of ")[2] or ref.target)
        # Asking for your not-interested tracks means wanting to see them: the ratings are
        # the one source that never hides them.
        tracks.hide_not_interested = ref.listing != "ratings" and self._discovery_hide
        # Triage: a track judged in the Inbox leaves it at once.
        tracks.remove_rated = ref.listing == "inbox"
        # The filter and the sort were the last source's: this one comes up as served.
        tracks.reset_view()
        tracks.empty_text = "Loading…"
        tracks.display = True
        self._place_details()
        self.query_one("#browse-empty", EmptyState).display = False
        self._loading = True
        self._show_count()
        if ref.listing in _SET_LISTINGS:
            if focus:
                self.sources.focus()
            self._load_playlists(ref)
        else:
            if focus:
                self.screen.set_focus(tracks)
            self._load(ref)

    @work(exclusive=True, group="browse", exit_on_error=False, description="Loading a source")
    async def _load(self, ref: SourceRef) -> None:
        service = self.service
        tracks = self.query_one("#browse-tracks", TrackList)
        listing, target = ref.listing, ref.target
        try:
            if listing == "playlist":
                assert target is not None
                playlist = await service.catalog.playlist(target)
                self._rename(ref, playlist.title)
                ref = self.source or ref
                for track in playlist.tracks:
                    self._set_of[track.urn] = ref
                tracks.append_tracks(playlist.tracks)
            elif listing == "inbox":
                entries = await service.inbox.list(limit=_INBOX_SHOWN)
                tracks.append_tracks([e.track for e in entries])
            elif listing == "sounds_like":
                # More like this (M): the analysed tracks nearest by sound, nearest first
                # (the highlighted track is analysed first if it was not).
                assert target is not None
                found = await service.analysis.similar(target, limit=_SIMILAR_SHOWN)
                tracks.append_tracks([s.track for s in found])
            elif listing == "ratings":
                judgments = [Judgment(target)] if target else list(Judgment)
                tracks.append_tracks(await service.library.my_ratings(judgments))
            else:
                # Each page is shown as soon as it arrives: the first rows are visible long
                # before the last page of a long listing has loaded.
                filters = dict(ref.filters)
                pages = (service.catalog.search(target, genre=filters.get("genre"),
                                        duration=filters.get("duration"),
                                        created=filters.get("created"),
                                        license=filters.get("license"))
                         if listing == "search" and target else service.catalog.browse(
                             listing, target, provider=ref.provider or None,
                             on_subject=lambda found: self._named(ref, found)))
                async for page in pages:
                    tracks.append_tracks([t for t in page.items if isinstance(t, Track)])
                    self._show_count()
        except Exception:
            if self._is_listed(listing, target):
                self._loading = False
                self._status(f"{self.source_title} — not loaded (the message says why); "
                             "choose it again to retry")
            raise
        finally:
            tracks.empty_text = _INBOX_EMPTY if listing == "inbox" else "No tracks"
        if self._is_listed(listing, target):
            self._loading = False
        self._show_count()
        if listing == "search":
            self._refresh_sources()  # the search moved to the top of the history

    @work(exclusive=True, group="browse", exit_on_error=False,
          description="Listing a user's playlists")
    async def _load_playlists(self, ref: SourceRef) -> None:
        service = self.service
        tracks = self.query_one("#browse-tracks", TrackList)
        self._playlists = []
        try:
            async for page in service.catalog.browse(
                    ref.listing, ref.target, on_subject=lambda found: self._named(ref, found)):
                self._playlists += [p for p in page.items if isinstance(p, Playlist)]
                self._show_sources()
        finally:
            tracks.empty_text = ("Choose one of the playlists listed on the left"
                                 if self._playlists else "No playlists")
            self._loading = False
        self._status(f"{self.source_title} — {counted(len(self._playlists), 'playlist')}")
        if self._playlists:
            self.sources.highlight("playlist-0")

    def _offer_user(self, target: str, name: str) -> None:
        """List the user's tabs among the sources, so their likes are one key away."""
        if self._user != (target, name):
            self._user = (target, name)
            self._user_provider = user_ref("tracks", target, name).provider or None
            self._playlists = []
            self._show_sources()

    def _is_listed(self, listing: str, target: str | None) -> bool:
        return self.source is not None and (self.source.listing, self.source.target) == (
            listing, target)

    def _status(self, text: str) -> None:
        self.query_one("#browse-status", Static).update(text)

    def _show_count(self) -> None:
        """"Trending — 200 tracks", while loading "… — loading… 40 tracks", and what the
        filter and H leave out: "Trending — 200 tracks · /tides — 10 of 200"."""
        if self.source is None:
            return
        tracks = self.query_one("#browse-tracks", TrackList)
        if self.source.listing in _SET_LISTINGS:
            if self._loading:  # once loaded, the sets are counted by _load_playlists
                self._status(f"{self.source.title} — loading…")
            return
        count = len(tracks.tracks)
        how_many = counted(count, "track")
        shown = (f"loading… {how_many}" if count else "loading…") if self._loading else how_many
        view = tracks.view_text()
        if self.source.listing == "inbox" and count and not self._loading:
            view = " · ".join(v for v in (view, _TRIAGE_HINT) if v)
        self._status(f"{self.source.title} — {shown}" + (f" · {view}" if view else ""))

    def on_track_list_view_changed(self, event: TrackList.ViewChanged) -> None:
        if event.track_list.id == "browse-tracks":
            self._show_count()

    def on_discovery_synced(self, message: DiscoverySynced) -> None:
        """A sync brought new tracks: the Inbox, when it is listed, reads them in (ranked
        anew; the judged ones are gone already)."""
        if message.summary.added and self.source is not None and self.source.listing == "inbox":
            self._loading = True
            self._show_count()
            self._load(self.source)

    # -- triage: the Inbox, one key per track ----------------------------------------------

    def on_track_list_selected(self, event: TrackList.Selected) -> None:
        # Not stopped: the app plays it, with the list as what plays next.
        if event.track_list.id == "browse-tracks" and self._is_listed("inbox", None):
            self._triage = True
            self._started = event.track.urn

    def on_track_list_removed(self, event: TrackList.Removed) -> None:
        """A track was judged in the Inbox and left it: while triaging (enter started it) and
        that track was the one playing, the track now on its row plays, so l / x / n walk the
        inbox one key per track (wherever it was rated: the Queue too). Rating a row that
        was not playing, or the last row (nothing comes after it; the rows above it were
        passed over), only removes it."""
        event.stop()
        tracks = event.track_list
        if not (self._triage and tracks.id == "browse-tracks"):
            return
        now = self.service.player.now_playing()[0]
        following = tracks.visible_tracks[event.row:event.row + 1] if event.row >= 0 else []
        if following and event.track.urn in (self._started, now.track.urn if now else None):
            tracks.call_later(tracks.select_track, following[0])

    # -- names, the Opened section, going back ---------------------------------------------

    def _named(self, ref: SourceRef, subject: User | Track) -> None:
        """The listing's user (or track) is resolved: name the source by it, not by the URL
        or slug it was opened with."""
        if isinstance(subject, User) and subject.username:
            self._rename(ref, tab_title(ref.listing, subject.provider, subject.username))
        elif isinstance(subject, Track) and subject.title:
            self._rename(ref, f"{ref.listing.capitalize()} of {subject.title}")

    def _rename(self, ref: SourceRef, title: str) -> None:
        if not title or title == ref.title:
            return
        renamed = dataclasses.replace(ref, title=title)
        same = (ref.listing, ref.target)
        if self.source is not None and (self.source.listing, self.source.target) == same:
            self.source = renamed
        self._opened = [renamed if (r.listing, r.target) == same else r for r in self._opened]
        self._previous = [renamed if (r.listing, r.target) == same else r
                          for r in self._previous]
        if _of_user(ref.listing) and ref.target and self._user is not None \
                and self._user[0] == ref.target:
            self._user = (ref.target, title.partition(" of ")[2] or self._user[1])
        self._show_sources()
        self._show_count()

    def _keep_opened(self, ref: SourceRef) -> None:
        """A set or user's listing opened from outside the source list (Search, go to
        artist, a pasted URL) stays listed under Opened, so it is one key away again."""
        if ref.listing != "playlist" and not _of_user(ref.listing):
            return
        listed = {(r.listing, r.target) for key, r in self.sources.listed()
                  if not key.startswith("opened:")}
        same = (ref.listing, ref.target)
        if same in listed and not any((r.listing, r.target) == same for r in self._opened):
            return
        self._opened = [ref, *(r for r in self._opened
                               if (r.listing, r.target) != same)][:_OPENED_SHOWN]
        self._show_sources()

    def _mark_listed(self, ref: SourceRef) -> None:
        """The cursor of the source list follows the source listed (o, backspace, Search)."""
        highlighted = self.sources.highlighted_ref
        if highlighted is not None and (highlighted.listing, highlighted.target) == (
                ref.listing, ref.target):
            return
        key = next((k for k, r in self.sources.listed()
                    if (r.listing, r.target) == (ref.listing, ref.target)), None)
        if key is not None:
            self.sources.highlight(key)

    def action_back(self) -> None:
        if not self._previous:
            self.notify("No earlier source to go back to: backspace returns to the source "
                        "listed before this one.", title="Back", severity="warning", timeout=4)
            return
        self.open_ref(self._previous.pop(), back=True)

    def set_of(self, urn: str) -> SourceRef | None:
        """The set a track was listed in this session, if any."""
        return self._set_of.get(urn)

    # -- pinning ----------------------------------------------------------------------------

    def action_pin(self) -> None:
        """Pin (or unpin) the source highlighted in the source list when it has focus, else
        the source listed."""
        ref = self.sources.highlighted_ref if self.sources.has_focus else None
        ref = ref or self.source
        if ref is None:
            self.notify("Open a source first, then press p to pin it.", severity="warning")
            return
        stored = stored_form(ref)
        if stored is None:
            self.notify(f"{ref.title} is always listed under My ratings; nothing to pin."
                        if ref.listing == "ratings" else f"{ref.title} cannot be pinned: pin "
                        "a user's tracks, likes, reposts or playlists, a tag, a search or a "
                        "playlist.")
            return
        self._toggle_pin(ref, *stored)

    @work(group="browse-pin", exit_on_error=False, description="Pinning a source")
    async def _toggle_pin(self, ref: SourceRef, kind: str, target: str) -> None:
        service = self.service
        if await service.library.unpin_source(kind, target):
            self.notify(f"Unpinned {ref.title}.", title="Sources")
        else:
            await service.library.pin_source(kind, target, ref.title)
            self.notify(f"Pinned {ref.title}: it is listed under Pinned from now on.",
                        title="Sources")
        self._pinned = await service.library.pinned_sources()
        self._show_sources()

    # -- details ----------------------------------------------------------------------------

    def on_track_list_highlighted(self, event: TrackList.Highlighted) -> None:
        self.query_one("#browse-details", TrackDetails).show_track(event.track)

    def action_enter_tracklist(self) -> None:
        self.query_one("#browse-details", TrackDetails).enter_tracklist()

    def action_toggle_details(self) -> None:
        details = self.query_one("#browse-details", TrackDetails)
        self._details_wanted = not details.display
        self._place_details()
        if self._details_wanted and not details.display:
            self.notify("The window is too narrow for the details panel; widen it to "
                        f"{_DETAILS_MIN_WIDTH} columns.", severity="warning")

    def on_resize(self) -> None:
        # Under 100 columns the sources narrow (app.tcss), so 80 leaves the list its room.
        self.set_class(self.size.width < _NARROW_WIDTH, "-narrow")
        self._place_details()

    def _place_details(self) -> None:
        """Show the panel when asked for, tracks are listed, and the window leaves room for
        the track list next to it."""
        shown = (self._details_wanted and self.size.width >= _DETAILS_MIN_WIDTH
                 and self.query_one("#browse-tracks", TrackList).display)
        self.query_one("#browse-details", TrackDetails).display = shown


def _search_label(ref: SourceRef) -> str:
    filters = ", ".join(f"{k} {v}" for k, v in ref.filters)
    return f"{ref.target} ({filters})" if filters else f"{ref.target}"
