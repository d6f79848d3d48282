"""The Mixcloud provider: REST reads on api.mixcloud.com (docs/mixcloud.md §1, §2), streams
and tracklists through GraphQL (§4, §2.8). Reads only; signing in and writes come later.

Ids: a show is ``USER/SLUG`` (its key without the slashes, case kept), a user the username
(docs/mixcloud.md §1.1). Listings are async generators of pages that follow ``paging.next``
as given; their arguments are checked on the call, not on the first iteration.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from minion_tui.errors import (
    InvalidArgument,
    MinionError,
    NotFound,
    OriginalUnavailable,
    PreviewOnly,
)
from minion_tui.models import Activity, Page, Playlist, Section, StreamChoice, Track, User
from minion_tui.providers.mixcloud import activity, listings, parse, streams, urls
from minion_tui.providers.mixcloud.account import my_listing
from minion_tui.providers.mixcloud.api import Api, GraphQLError
from minion_tui.providers.mixcloud.capabilities import CAPABILITIES
from minion_tui.providers.mixcloud.urls import Target
from minion_tui.providers.paging import bounded_put, limited

if TYPE_CHECKING:
    from minion_tui.net import Http
    from minion_tui.providers.base import AccountAccess

Resource = Track | Playlist | User
R = TypeVar("R")
_REMEMBERED = 2000
_PARALLEL = 4
#: The most shows a pasted playlist is read with.
MAX_PLAYLIST_SHOWS = 500
#: A user's listings → (REST path under the user, item kind) (docs/mixcloud.md §1.2).
USER_PATHS = {"tracks": ("cloudcasts", "cloudcast"), "likes": ("favorites", "cloudcast"),
              "followers": ("followers", "user"), "followings": ("following", "user"),
              "listens": ("listens", "cloudcast"), "playlists": ("playlists", "playlist"),
              "feed": ("feed", "feed"), "comments": ("comments", "comment")}
#: A show's listings (REST) → (path under the show, item kind); "tracklist" is GraphQL's.
SHOW_PATHS = {"comments": ("comments", "comment"), "favorites": ("favorites", "user"),
              "listeners": ("listeners", "user"), "similar": ("similar", "cloudcast")}
CHART_PATHS = {"popular": "/popular/", "hot": "/popular/hot/", "new": "/new/"}
SEARCH_TYPES = {"tracks": ("cloudcast", "cloudcast"), "users": ("user", "user"),
                "tags": ("tag", "tag")}
_ARTWORK_WIDTHS = {"small": 300, "large": 500}
DEFAULT_LIVE_PAGE = 50


class Mixcloud:
    name = "mixcloud"
    capabilities = CAPABILITIES

    def __init__(self, http: Http, account: AccountAccess | None = None) -> None:
        self.api = Api(http)
        self._account = account
        self._links: OrderedDict[str, str] = OrderedDict()
        self._waveforms: OrderedDict[str, str] = OrderedDict()

    # -- resources ------------------------------------------------------------------------

    async def resolve(self, target: str) -> Resource:
        found = urls.parse_target(target)
        if found.kind == "user":
            return await self._user(found)
        if found.kind == "playlist":
            return await self._playlist(found)
        if found.kind == "live":
            return self._note(parse.live_stream(await self._live_node(found)))
        return await self._show(found)

    async def _live_node(self, target: Target) -> dict[str, Any]:
        """The user's live stream now (GraphQL ``userLookup{liveStream}``, docs/mixcloud.md
        §5); NotFound when they are not live."""
        found = await self.api.graphql(streams.user_live_query(target.user), "userLookup",
                                       what=f"the live stream of {target.user}")
        node = found.get("liveStream") if isinstance(found, dict) else None
        if not isinstance(node, dict) or (parse._str(node.get("streamStatus")).upper()
                                          not in ("", "LIVE")):
            raise NotFound(f"{target.user} is not live on Mixcloud now.",
                           hint="Browse live --provider mixcloud lists who is.")
        node.setdefault("owner", {"username": target.user})
        return node

    async def _show(self, target: Target) -> Track:
        data = await self.api.get(target.path, what=f"show {target.web_url}")
        return self._note(parse.track(data))

    async def _user(self, target: Target) -> User:
        data = await self.api.get(target.path, what=f"user {target.web_url}")
        return self._note(parse.user(data))

    async def _playlist(self, target: Target) -> Playlist:
        """A playlist with its shows (``/USER/playlists/SLUG/cloudcasts/``, docs/mixcloud.md
        §1.2), named by the list's ``name``."""
        shows: list[Track] = []
        name = ""
        pages = self.api.pages(target.path + "cloudcasts/", page_size=100,
                               what=f"playlist {target.web_url}")
        async with contextlib.aclosing(pages):
            async for raw in pages:
                name = name or raw.name
                for show in listings.convert(raw.items, "cloudcast"):
                    if all(s.id != show.id for s in shows):
                        shows.append(self._note(show))
                if len(shows) >= MAX_PLAYLIST_SHOWS:
                    break
        data = {"key": target.path, "url": target.web_url, "name": name or target.slug,
                "slug": target.slug, "owner": {"username": target.user}}
        return self._note(parse.playlist(data, shows[:MAX_PLAYLIST_SHOWS]))

    async def track(self, track_id: str) -> Track:
        return await self._show(_show_target(track_id))

    async def tracks(self, ids: Sequence[str]) -> list[Track]:
        gate = asyncio.Semaphore(_PARALLEL)

        async def one(tid: str) -> Track | None:
            async with gate:
                try:
                    return await self.track(tid)
                except NotFound:
                    return None

        found = await asyncio.gather(*(one(i) for i in ids))
        return [t for t in found if t is not None]

    async def user(self, user_id: str) -> User:
        return await self._user(_user_target(user_id))

    # -- listings ---------------------------------------------------------------------------

    def _pages(self, path: str, want: str, limit: int | None, *, what: str,
               params: dict[str, str] | None = None) -> AsyncIterator[Page[Any]]:
        raw = self.api.pages(path, params, page_size=listings.page_size_for(limit), what=what)

        async def convert(items: list[Any]) -> list[Any]:
            return listings.convert(items, want)

        return self._noted(limited(raw, convert, limit))

    async def _noted(self, pages: AsyncIterator[Page[Any]]) -> AsyncIterator[Page[Any]]:
        async for page in pages:
            for item in page.items:
                self._note(item)
            yield page

    def user_listing(self, listing: str, user_id: str, *, limit: int | None = None
                     ) -> AsyncIterator[Page[Any]]:
        if listing not in USER_PATHS:
            raise InvalidArgument(f"Mixcloud users have no {listing!r} listing.",
                                  hint=f"Use one of: {', '.join(USER_PATHS)}.")
        target = _user_target(user_id)
        tab, want = USER_PATHS[listing]
        return self._pages(f"{target.path}{tab}/", want, limit,
                           what=f"{tab} of {target.web_url}")

    async def write(self, action: str, urn: str = "", **fields: Any) -> Any:
        """One write action with the sign-in (providers/mixcloud/writes.py)."""
        from minion_tui.providers.mixcloud.writes import Writes

        return await Writes(self.api.http, self._account).write(action, urn, **fields)

    def account_listing(self, listing: str, *, limit: int | None = None
                        ) -> AsyncIterator[Page[Any]]:
        """The signed-in user's own listings (providers/mixcloud/account.py)."""
        return my_listing(self, self._account, listing, limit=limit)

    def user_activity(self, listing: str, user_id: str, *, page_size: int = 50,
                      start: str | None = None) -> AsyncIterator[Page[Activity]]:
        """Favourites (``likes``) and shows (``tracks``) for discovery (activity.py)."""
        return activity.user_activity(self.api, _user_target(user_id), listing,
                                      page_size=page_size, start=start, note=self._note)

    def track_listing(self, listing: str, track_id: str, *, limit: int | None = None
                      ) -> AsyncIterator[Page[Any]]:
        if listing != "tracklist" and listing not in SHOW_PATHS:
            raise InvalidArgument(f"Mixcloud shows have no {listing!r} listing.",
                                  hint=f"Use one of: {', '.join([*SHOW_PATHS, 'tracklist'])}.")
        target = _show_target(track_id)
        if listing == "tracklist":
            return self._tracklist_pages(target, limit)
        tab, want = SHOW_PATHS[listing]
        return self._pages(f"{target.path}{tab}/", want, limit,
                           what=f"{tab} of {target.web_url}")

    def chart(self, name: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        if name == "live":
            return self._live_pages(limit)
        if name not in CHART_PATHS:
            raise InvalidArgument(f"Mixcloud has no chart {name!r}.",
                                  hint=f"Use one of: {', '.join([*CHART_PATHS, 'live'])}.")
        return self._pages(CHART_PATHS[name], "cloudcast", limit, what=f"the {name} list")

    def tag(self, tag: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        slug = tag_slug(tag)
        if not slug:
            raise InvalidArgument("The tag is empty.", hint="Give a tag, e.g. deep-house.")
        return self._pages(f"/discover/{quote(slug, safe='')}/popular/", "cloudcast", limit,
                           what=f"tag {slug!r}")

    def search(self, query: str, *, kind: str = "tracks", limit: int | None = None,
               **filters: str) -> AsyncIterator[Page[Any]]:
        if filters:
            raise InvalidArgument(f"Mixcloud searches take no {sorted(filters)[0]!r} filter.",
                                  hint="Search with words only.")
        if kind not in SEARCH_TYPES:
            raise InvalidArgument(f"Mixcloud cannot search for {kind!r}.",
                                  hint=f"Use one of: {', '.join(SEARCH_TYPES)}.")
        words = query.strip()
        if not words:
            raise InvalidArgument("The search query is empty.", hint="Type something to find.")
        kind_name, want = SEARCH_TYPES[kind]
        return self._pages("/search/", want, limit, what=f"the search {words!r}",
                           params={"q": words, "type": kind_name})

    async def autocomplete(self, query: str, *, limit: int = 10) -> list[str]:
        return []  # Mixcloud's API has no suggestions (capabilities say so)

    async def _live_pages(self, limit: int | None) -> AsyncIterator[Page[Track]]:
        """Who is live now, most watched first: GraphQL ``currentLiveStreams`` paged by its
        cursor (docs/mixcloud.md §5; REST has nothing for live)."""
        remaining, after, yielded = limit, None, False
        seen: set[str] = set()
        for _ in range(100):
            size = min(remaining or DEFAULT_LIVE_PAGE, DEFAULT_LIVE_PAGE)
            viewer = await self.api.graphql(streams.live_query(size, after), "viewer",
                                            what="the live streams")
            nodes, after = parse.live_connection(viewer)
            items = [t for t in (listings._safe(parse.live_stream, n) for n in nodes)
                     if t is not None and t.urn not in seen]
            seen.update(t.urn for t in items)
            if remaining is not None:
                items = items[:remaining]
                remaining -= len(items)
            last = after is None or remaining == 0
            if items or (last and not yielded):
                yielded = True
                yield Page(items=[self._note(t) for t in items])
            if last:
                return

    # -- tracklists ---------------------------------------------------------------------------

    async def _tracklist_pages(self, target: Target, limit: int | None
                               ) -> AsyncIterator[Page[Section]]:
        sections = await self.tracklist(target.id)
        yield Page(items=sections[:limit] if limit else sections)

    async def tracklist(self, track_id: str) -> list[Section]:
        """The show's sections from GraphQL (docs/mixcloud.md §2.8), asked with the fuller
        fields first, then the minimal ones; REST ``sections`` when GraphQL gives none."""
        target = _show_target(track_id)
        lookup: Any = None
        for fields in (streams.TRACKLIST_FIELDS, streams.TRACKLIST_FIELDS_MINIMAL):
            try:
                lookup = await self.api.graphql(streams.lookup_query(target, fields),
                                                "cloudcastLookup",
                                                what=f"the tracklist of {target.web_url}")
                break
            except GraphQLError:
                continue
        if isinstance(lookup, dict):
            waveform = parse._str(lookup.get("waveformUrl"))
            if waveform.startswith(("http://", "https://")):
                bounded_put(self._waveforms, target.urn, waveform, _REMEMBERED)
            found = parse.graphql_sections(lookup)
            if found:
                return found
        return parse.rest_sections(await self.api.get(target.path,
                                                      what=f"show {target.web_url}"))

    # -- streams ------------------------------------------------------------------------------

    async def stream(self, track: Track | str, *, require_full: bool = False,
                     prefer: str | None = None) -> StreamChoice:
        """One GraphQL ``cloudcastLookup`` (yt-dlp's query), nothing else; a live stream's
        plain HLS URL."""
        live = _live_target(track)
        if live is not None:
            hls = parse.live_hls_url(track.raw) if isinstance(track, Track) else None
            if hls is None:
                hls = parse.live_hls_url(await self._live_node(live))
            if hls is None:
                raise NotFound(f"{live.user}'s live stream gives no HLS URL.",
                               hint="Try again in a moment.")
            return streams.live_choice(hls, live.urn)
        target = _show_target(track.id if isinstance(track, Track) else track)
        title = track.title if isinstance(track, Track) else ""
        lookup = await self.api.graphql(streams.lookup_query(target), "cloudcastLookup",
                                        what=f"the stream of {target.web_url}")
        choice = streams.choose(lookup, target, urn=target.urn, title=title, prefer=prefer)
        if require_full and choice.preview:
            raise PreviewOnly(f"Only a preview of {target.web_url} is available.",
                              hint="Play the preview instead.")
        return choice

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        """Ask GraphQL again: its URLs are signed (``sig``) and may expire."""
        if choice.track_urn.startswith("mixcloud:live:"):
            return await self.stream(choice.track_urn)
        again = await self.stream(_show_target(choice.track_urn).id,
                                  prefer="progressive" if choice.protocol == "progressive"
                                  else None)
        if again.protocol != choice.protocol:
            raise NotFound(f"Mixcloud no longer gives a {choice.protocol} stream of "
                           f"{choice.track_urn}.", hint="Start playback or the download again.")
        return again

    # -- links, pictures, originals ---------------------------------------------------------

    def url_for(self, urn: str) -> str:
        if urn in self._links:
            return self._links[urn]
        found = urls.parse_urn(urn)
        if found is None:
            raise InvalidArgument(f"{urn!r} is not a Mixcloud URN.",
                                  hint="Use mixcloud:cloudcasts:<user>/<show> or "
                                  "mixcloud:users:<user>.")
        return found.web_url

    def artwork_url(self, track: Track, size: str) -> str | None:
        width = _ARTWORK_WIDTHS.get(size, _ARTWORK_WIDTHS["small"])
        pictures = track.raw.get("pictures")
        owner = track.raw.get("user")
        return (parse.picture(pictures, width) if isinstance(pictures, dict) else None) \
            or track.artwork_url \
            or (parse.picture(owner.get("pictures"), width) if isinstance(owner, dict) else None)

    def waveform_url(self, track: Track) -> str | None:
        """GraphQL's ``waveformUrl``, when a tracklist was asked this session (it comes in
        the same answer); None otherwise."""
        return self._waveforms.get(track.urn)

    async def original_unavailable(self, track: Track) -> str | None:
        return "Mixcloud does not offer uploaders' original files"

    async def original_url(self, track: Track) -> str:
        raise OriginalUnavailable(f"{track.title}: Mixcloud does not offer uploaders' "
                                  "original files.", hint="Download the stream instead.")

    def _note(self, resource: R) -> R:
        url, urn = getattr(resource, "url", ""), getattr(resource, "urn", "")
        if url and urn:
            bounded_put(self._links, urn, url, _REMEMBERED)
        return resource


def tag_slug(tag: str) -> str:
    """``Deep House`` → ``deep-house`` (tag keys, docs/mixcloud.md §2.3); a pasted
    ``/discover/TAG/`` URL gives its TAG."""
    text = tag.strip().lstrip("#")
    ref = urls.web_ref(text) if urls.is_mixcloud(text) else None
    if ref is not None and ref.kind == "tag":
        text = ref.target
    return "-".join(text.lower().split())


def _live_target(track: Track | str) -> Target | None:
    found = _mixcloud_target(track.urn if isinstance(track, Track) else str(track).strip())
    return found if found is not None and found.kind == "live" else None


def _mixcloud_target(text: str) -> Target | None:
    """What ``text`` names when it is a Mixcloud URN or link that parses; None otherwise."""
    try:
        return urls.parse_target(text) if urls.is_mixcloud(text) else None
    except MinionError:
        return None


def _show_target(value: str) -> Target:
    """``USER/SLUG``, a show URN or URL → the show; InvalidArgument for anything else."""
    text = str(value).strip()
    found = _mixcloud_target(text)
    if found is None and text.count("/") == 1 and not text.startswith("/"):
        user, slug = text.split("/")
        found = Target("show", user, slug) if user and slug else None
    if found is None or found.kind != "show":
        raise InvalidArgument(f"{value!r} is not a Mixcloud show.",
                              hint="Pass USER/SLUG, a mixcloud:cloudcasts:USER/SLUG URN or "
                              "the show's link.")
    return found


def _user_target(value: str) -> Target:
    text = str(value).strip()
    found = _mixcloud_target(text)
    if found is None and text and "/" not in text and ":" not in text:
        found = Target("user", text)
    if found is None or found.kind != "user":
        raise InvalidArgument(f"{value!r} is not a Mixcloud user.",
                              hint="Pass a username, a mixcloud:users:USER URN or a profile "
                              "link.")
    return found


__all__ = ["Mixcloud"]
