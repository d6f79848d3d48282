"""The provider seam: what the service asks of any music service, and what a service declares
it can do.

A provider is one package under ``providers/`` that exports a :class:`ProviderEntry` (its
name, its :class:`Capabilities`, which targets it claims, how to build it) and one line in
``registry.py``. The service reaches every provider through :class:`Provider` only; names of
listings, search kinds and filters are provider-neutral ("likes" is SoundCloud's likes and
Mixcloud's favorites), and each provider declares which of them it offers, so the front ends
build their choices from the capabilities instead of copying lists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from minion_tui.models import Activity, Page, Playlist, StreamChoice, Track, User

if TYPE_CHECKING:
    from minion_tui.config import Settings
    from minion_tui.net import Http

Resource = Track | Playlist | User

#: Every listing name a provider may declare, grouped by what it is a listing of.
#: Mixcloud adds the charts "popular", "hot", "new" and "live" (who streams live now), a
#: user's "listens", "feed" and "comments" (comments left on the profile: the name is a
#: track listing too, the target says which), a track's "favorites" and "listeners"
#: (users), "similar" (tracks), "tracklist" (:class:`~minion_tui.models.Section` items),
#: and the search kind "tags".
CHARTS = ("trending", "popular", "hot", "new", "live")
USER_LISTINGS = ("tracks", "toptracks", "likes", "reposts", "playlists", "albums",
                 "followings", "followers", "listens", "feed", "comments")
TRACK_LISTINGS = ("related", "station", "comments", "favorites", "listeners", "similar",
                  "tracklist")
SEARCH_KINDS = ("tracks", "users", "playlists", "albums", "tags", "all")
#: Listings of the signed-in user's own account: "mylikes", the tracks they liked; "feed"
#: (what the users they follow posted), "history" (what they played), "myplaylists",
#: "myfollowings".
ACCOUNT_LISTINGS = ("mylikes", "feed", "history", "myplaylists", "myfollowings")
#: Every write action a provider may declare (``Capabilities.writes``); each is one
#: :meth:`Writer.write` action, its undo the same with "un" in front where there is one.
WRITE_ACTIONS = ("like", "repost", "follow", "playlist", "comment", "listen_later", "upload")


@dataclass(frozen=True)
class SearchFilter:
    """A search filter: its keyword, the values it takes (None: free text) and the search
    kinds it applies to."""

    name: str
    choices: tuple[str, ...] | None
    kinds: tuple[str, ...]
    help: str = ""
    labels: tuple[str, ...] = ()
    """Words to show for ``choices``, in their order (the values where empty)."""


@dataclass(frozen=True)
class Capabilities:
    """What a provider offers, by provider-neutral names."""

    charts: tuple[str, ...] = ()
    tags: bool = False
    user_listings: tuple[str, ...] = ()
    track_listings: tuple[str, ...] = ()
    search_kinds: tuple[str, ...] = ()
    search_filters: tuple[SearchFilter, ...] = ()
    mixed_search: bool = False
    """Whether search kind "all" (tracks, users and sets in one list) is offered."""
    autocomplete: bool = False
    stream_kinds: tuple[str, ...] = ()
    """Stream protocols :meth:`Provider.stream` may return ("hls", "progressive")."""
    formats: tuple[str, ...] = ("best",)
    """Download formats (``--format``): "best" and the codecs a download can be asked for."""
    originals: bool = False
    """Whether the uploader's original file can be downloaded (when signed in)."""
    writes: tuple[str, ...] = ()
    """Write actions (of :data:`WRITE_ACTIONS`) :class:`Writer` offers with a sign-in."""
    account_listings: tuple[str, ...] = ()
    """Listings of the signed-in user's own account (``mylikes``), read through
    :class:`AccountReader` with the sign-in ``service.accounts`` keeps; a provider that
    declares any offers ``auth login``."""
    pasted_token: bool = False
    """Whether a web-session token pasted by the user signs in too (``auth token``:
    SoundCloud's ``oauth_token`` cookie, for api-v2, docs/soundcloud.md §1)."""
    sign_out: bool = False
    """Whether ``auth logout`` can revoke the sign-in at the service (:class:`Writer`
    action "sign_out": SoundCloud's ``POST /sign-out``, docs/soundcloud.md §5)."""
    apps_page: str = ""
    """Where the user disconnects the app by hand when the service offers apps no revoke
    (Mixcloud's applications settings, docs/mixcloud.md §3)."""
    discovery_listings: tuple[str, ...] = ()
    """The user listings discovery follows a user by (``likes``, ``reposts``, ``tracks``:
    their uploads), each a source of its own; discovery/ reads this instead of naming
    providers."""
    max_range_bytes: int | None = None
    """The largest byte range a progressive download may ask for at once (Mixcloud
    throttles a request past ~5 MB, docs/mixcloud.md §4.5); None: the downloader's own."""
    stream_from_link: bool = False
    """Whether :meth:`Provider.stream` answers from a pasted link alone, with no lookup of
    the track first (Mixcloud's one GraphQL call, docs/mixcloud.md §4): a download then
    starts it beside the track's lookup."""
    download_prefers: str | None = None
    """The stream kind a download asks for when any format will do ("progressive" for
    Mixcloud: the same AAC as its HLS, fetched in parallel ranges with no remux)."""
    # -- how front ends name and present the provider (they hold no provider names) --------
    title: str = ""
    """The provider's name as shown ("SoundCloud")."""
    short: str = ""
    """Its tag in a track list's source column ("SC")."""
    user_tabs: tuple[str, ...] = ()
    """The user listings a front end offers as a user's tabs, in this order."""
    featured_tags: tuple[str, ...] = ()
    """Tags a front end lists for the provider unasked (its section in Browse)."""
    listing_words: tuple[tuple[str, str], ...] = ()
    """What the provider calls a listing where that is not its name capitalised (Mixcloud's
    "tracks" are "Shows", its "likes" "Favourites")."""

    user_aliases: tuple[tuple[str, str], ...] = ()
    """The provider's own names for a user's tabs, as (name, neutral listing) pairs, read by
    ``browse`` (Mixcloud's "shows" are "tracks", its "favorites" "likes"); the neutral
    names themselves are listed too when the provider's words are what its users type."""
    track_aliases: tuple[tuple[str, str], ...] = ()
    """The same for a track's listings (a Mixcloud show's "favorites" are its favouriters)."""

    def word(self, listing: str) -> str:
        """A listing in the provider's words: "Favourites" for Mixcloud's "likes"."""
        return dict(self.listing_words).get(listing, listing.capitalize())

    def listings(self) -> tuple[str, ...]:
        """Every listing ``Service.catalog.browse`` accepts for this provider."""
        return (*self.charts, *(("tag",) if self.tags else ()), *self.user_listings,
                *self.track_listings, *self.account_listings)

    def search_filter(self, name: str) -> SearchFilter | None:
        return next((f for f in self.search_filters if f.name == name), None)


@dataclass(frozen=True)
class WebRef:
    """What a pasted web page names beyond a single resource: a tag page, a user's tab, a set
    or a search page. ``kind`` "user" carries the listing in ``listing`` and the user's URL
    in ``target``; "search" the search kind in ``listing`` and the query in ``target``; "tag"
    the tag and "playlist" the set's URL in ``target``."""

    kind: Literal["tag", "user", "playlist", "search"]
    target: str
    listing: str = ""
    """The listing of a user's tab, the kind of a search; "" for a tab or a search page
    that lists nothing the app can show."""
    page: str = ""
    """The page's own name as the URL spells it: the tab ("likes"), the search page
    ("sounds"), the set's or tag's slug."""


class AccountAccess(Protocol):
    """The sign-ins ``service.accounts`` keeps, as a provider asks for them: never stored by
    the provider, asked again for each request (a refresh may have replaced them)."""

    async def token(self, provider: str, kind: str) -> str | None:
        """The access token of ``kind`` ("oauth": the OAuth sign-in, refreshed before it
        expires; "session": a pasted web-session token; "client": client credentials for
        public calls), or None when there is none (AuthRequired when a sign-in is there but
        can no longer be renewed)."""
        ...

    async def refused(self, provider: str, kind: str, token: str) -> str:
        """The service refused ``token`` (401): a renewed one, or AuthRequired saying to
        sign in again."""
        ...


class BudgetGate(Protocol):
    """The request budgets ``service.budgets`` counts (docs/accounts.md §7), as a provider
    spends them: asked right before each counted request is made."""

    async def spend(self, provider: str, kind: str) -> None:
        """Count one request of ``kind`` ("streams"…) for whoever is signed in; RateLimited
        (with ``retry_after``) instead, without counting, when the budget is used up."""
        ...


@runtime_checkable
class Writer(Protocol):
    """A provider's write actions (``capabilities.writes``), with the sign-in
    ``service.accounts`` keeps: "like"/"unlike", "repost"/"unrepost", "follow"/"unfollow",
    "listen_later"/"unlisten_later" on ``urn``; "playlist_create" (``title``, ``private``,
    ``tracks``: URNs), "playlist_get", "playlist_update" (any of those fields),
    "playlist_delete"; "comment" (``body``, ``timestamp``: ms). Returns the object made or
    changed (a Playlist, a Comment) or None; AuthRequired when not signed in."""

    async def write(self, action: str, urn: str = "", **fields: Any) -> Any: ...


@runtime_checkable
class AccountReader(Protocol):
    """A provider's listings of the signed-in user's own account (``account_listings``)."""

    def account_listing(self, listing: str, *, limit: int | None = None
                        ) -> AsyncIterator[Page[Any]]: ...


async def oauth_token(account: AccountAccess | None, provider: str) -> str | None:
    """``provider``'s OAuth sign-in token, or None with no account or no sign-in."""
    return await account.token(provider, "oauth") if account is not None else None


async def signed_in(account: AccountAccess | None, provider: str, title: str) -> str:
    """``provider``'s OAuth sign-in token; AuthRequired (saying how to sign in) without one."""
    from minion_tui.errors import AuthRequired

    token = await oauth_token(account, provider)
    if token is None:
        raise AuthRequired(title, provider)
    return token


@dataclass(frozen=True)
class ProviderContext:
    """What a provider is built from: the one HTTP client, its cache folder and the
    settings (each provider reads its own section), and the sign-ins (``account``)."""

    http: Http
    cache_dir: Path
    settings: Settings
    account: AccountAccess | None = None
    budget: BudgetGate | None = None


@runtime_checkable
class Provider(Protocol):
    """A music service. Every method raises only ``minion_tui.errors.MinionError``
    subclasses; listings and searches the capabilities do not declare raise InvalidArgument."""

    name: str
    capabilities: Capabilities

    async def resolve(self, target: str) -> Resource:
        """A pasted URL, short link or URN → the resource (playlists with every track)."""
        ...

    async def track(self, track_id: str) -> Track: ...

    async def tracks(self, ids: Sequence[str]) -> list[Track]:
        """Tracks in the order asked; ids the service does not return are skipped."""
        ...

    async def user(self, user_id: str) -> User: ...

    def search(self, query: str, *, kind: str = "tracks", limit: int | None = None,
               **filters: str) -> AsyncIterator[Page[Any]]:
        """Pages as they arrive; never more items than ``limit`` in total. Arguments are
        checked on the call, not on the first iteration."""
        ...

    async def autocomplete(self, query: str, *, limit: int = 10) -> list[str]: ...

    def chart(self, name: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]: ...

    def tag(self, tag: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]: ...

    def user_listing(self, listing: str, user_id: str, *, limit: int | None = None
                     ) -> AsyncIterator[Page[Any]]:
        """One of ``capabilities.user_listings`` of a user (by id)."""
        ...

    def track_listing(self, listing: str, track_id: str, *, limit: int | None = None
                      ) -> AsyncIterator[Page[Any]]:
        """One of ``capabilities.track_listings`` of a track (by id); "comments" yields
        :class:`~minion_tui.models.Comment` items."""
        ...

    async def stream(self, track: Track | str, *, require_full: bool = False,
                     prefer: str | None = None) -> StreamChoice:
        """A playable, signed stream: never DRM; previews flagged, or refused (PreviewOnly)
        with ``require_full``. ``prefer`` asks for a codec ("mp3", "m4a", "opus")."""
        ...

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        """A new signed URL of the same kind after the CDN refused an expired one."""
        ...

    def url_for(self, urn: str) -> str:
        """A URL for the resource that ``resolve`` accepts back."""
        ...

    def artwork_url(self, track: Track, size: str) -> str | None:
        """The ``size`` ("small": ~300 px, "large": ~500 px) variant of the track's artwork
        (or its uploader's picture when it has none); None when there is no picture."""
        ...

    def waveform_url(self, track: Track) -> str | None:
        """Where the service keeps the track's waveform data, if it does."""
        ...

    async def original_unavailable(self, track: Track) -> str | None:
        """Why the track's original file cannot be downloaded (None: it can, once asked
        with :meth:`original_url`): asked of the sign-ins ``service.accounts`` keeps, so it
        may read (and refresh) one."""
        ...

    async def original_url(self, track: Track) -> str:
        """A signed URL of the uploader's original file. Raises OriginalUnavailable."""
        ...


@runtime_checkable
class ActivityReader(Protocol):
    """What a provider offers discovery beyond :class:`Provider`: a user's ``likes``,
    ``reposts`` or ``tracks`` (the user listings of that name, as
    ``Capabilities.discovery_listings`` declares them) with the time of each, newest first,
    and resumable. A provider without it is synced through ``user_listing`` with the times it
    was seen instead."""

    def user_activity(self, listing: str, user_id: str, *, page_size: int = 50,
                      start: str | None = None) -> AsyncIterator[Page[Activity]]:
        """Pages of :class:`~minion_tui.models.Activity`, empty ones included, each with the
        ``next_href`` that ``start`` goes on from."""
        ...


@dataclass(frozen=True)
class ProviderEntry:
    """A provider as the registry knows it."""

    name: str
    capabilities: Capabilities
    claims: Callable[[str], bool]
    """Whether a pasted target (URL, bare host path, URN) belongs to this provider."""
    validate: Callable[[str], None]
    """Raise InvalidURL (with what works) for a claimed target it cannot open."""
    create: Callable[[ProviderContext], Provider]
    web_ref: Callable[[str], WebRef | None]
    """What a claimed page URL names when it is a listing rather than one resource (a
    user's tab, a tag, a search page, a set); None when it is neither. Pure parsing."""
    urn_prefix: str = field(default="")
    """URNs of this provider start with ``<urn_prefix>:`` (default: the name)."""
