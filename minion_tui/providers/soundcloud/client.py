"""The SoundCloud provider (:class:`minion_tui.providers.base.Provider`): reads over api-v2
(docs/soundcloud.md §1), streams (§3), with the client id handled by :mod:`client_id` and JSON
by :mod:`parse`."""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urljoin

from minion_tui.errors import (
    AuthError,
    AuthRequired,
    InvalidArgument,
    InvalidURL,
    NetworkError,
    NotFound,
    OriginalUnavailable,
    StreamExpired,
)
from minion_tui.models import Activity, Comment, Page, Playlist, StreamChoice, Track, User
from minion_tui.providers.base import oauth_token
from minion_tui.providers.paging import bounded_put, limited
from minion_tui.providers.soundcloud import listings, originals, parse, streams, urls
from minion_tui.providers.soundcloud.account import OFFICIAL_PRESETS, my_listing, official_stream
from minion_tui.providers.soundcloud.api import Api
from minion_tui.providers.soundcloud.capabilities import (
    CAPABILITIES,
    CREATED,
    DURATIONS,
    LICENSES,
)
from minion_tui.providers.soundcloud.client_id import ClientIdSource
from minion_tui.providers.soundcloud.streams import StreamSource

if TYPE_CHECKING:
    from minion_tui.net import Http
    from minion_tui.providers.base import AccountAccess, BudgetGate

log = logging.getLogger(__name__)

Resource = Track | Playlist | User
R = TypeVar("R")
# "playlists" is the web client's Playlists tab: /search/playlists would list albums too, so
# the Playlists and Albums searches would start with the same sets (docs/soundcloud.md §1.3 table).
SEARCH_PATHS = {
    "tracks": "/search/tracks", "users": "/search/users",
    "playlists": "/search/playlists_without_albums", "albums": "/search/albums", "all": "/search",
}
# The only chart still answering (docs/soundcloud.md §1.4).
TRENDING_GENRE = "soundcloud:genres:all-music"
_Listing = Callable[..., AsyncIterator[Page[Any]]]
_REDIRECTS = (301, 302, 303, 307, 308)
_REMEMBERED = 512


# Artwork sizes SoundCloud serves by URL suffix (docs/soundcloud.md §2.1).
_ARTWORK_SIZES = {"small": "t300x300", "large": "t500x500"}


class SoundCloud:
    name = "soundcloud"
    capabilities = CAPABILITIES

    def __init__(self, http: Http, *, cache_dir: Path, client_id: str | None = None,
                 oauth_token: str | None = None, account: AccountAccess | None = None,
                 budget: BudgetGate | None = None) -> None:
        self.http = http
        self._configured_token = oauth_token or None
        self._account = account
        self.client_ids = ClientIdSource(http, cache_dir=cache_dir, configured=client_id)
        self.api = Api(http, self.client_ids, oauth_token=oauth_token,
                       session=self._session_token if account is not None else None,
                       budget=budget)
        self._sources: OrderedDict[str, StreamSource] = OrderedDict()
        self._links: OrderedDict[str, str] = OrderedDict()
        self._memo = listings.TrackMemo()

    # -- lookups ------------------------------------------------------------------------------

    async def resolve(self, target: str) -> Resource:
        """A URL (incl. private ``/s-…`` and ``on.soundcloud.com`` short links) or a URN →
        the track, user or playlist (every stub hydrated)."""
        parsed = urls.parse_target(target)
        if parsed.kind == "short":
            followed = await self._follow_short_link(parsed.url)
            if followed is None:
                return await self._resolve_url(parsed.url, target)
            parsed = followed
        if parsed.kind == "urn" and parsed.id:
            if parsed.collection == "tracks":
                return await self.track(parsed.id)
            if parsed.collection == "users":
                return await self.user(parsed.id)
            return await self.playlist(parsed.id)
        return await self._resolve_url(parsed.url, target)

    async def _resolve_url(self, url: str, target: str) -> Resource:
        try:
            data = await self.api.get("/resolve", {"url": url})
        except NotFound as exc:
            raise NotFound(f"SoundCloud has nothing at {target}.",
                           hint="Check the link; a private track needs its full /s-… link.") \
                from exc
        resource = parse.resource(data)
        if isinstance(resource, Playlist):
            if not isinstance(data.get("tracks"), list):  # compact/like-list form: fetch it
                return await self.playlist(resource.id, secret_token=parse.secret_token(data))
            return self._note(await self._hydrated(data))
        return self._note(resource)

    async def _follow_short_link(self, url: str) -> urls.Target | None:
        """Follow ``on.soundcloud.com`` redirects by hand (one request per hop, no page
        download). None when they lead nowhere usable: then ``/resolve`` gets the link."""
        for _ in range(5):
            try:
                response = await self.http.request("GET", url, follow_redirects=False,
                                                   allow_statuses=_REDIRECTS)
            except (NetworkError, NotFound, AuthError) as exc:
                log.info("short link %s did not redirect: %s", url, exc)
                return None
            location = response.headers.get("location")
            if response.status_code not in _REDIRECTS or not location:
                return None
            url = self.http.unmap(urljoin(url, location))
            try:
                target = urls.parse_target(url)
            except InvalidURL:
                return None
            if target.kind != "short":
                return target
        return None

    async def track(self, track_id: str) -> Track:
        tid = _plain_id(track_id, "tracks")
        data = await self._get_or_not_found(f"/tracks/{tid}", None, f"track {tid}")
        return self._note(parse.track(data))

    async def tracks(self, ids: Sequence[str]) -> list[Track]:
        """Tracks by id, ≤ 50 per call, in the order asked; ids SoundCloud lacks are skipped."""
        plain = [_plain_id(i, "tracks") for i in ids]
        return [self._note(t) for t in await listings.fetch_tracks(self.api, plain)]

    async def playlist(self, playlist_id: str, *, secret_token: str | None = None) -> Playlist:
        pid = _plain_id(playlist_id, "playlists")
        params = {"secret_token": secret_token} if secret_token else None
        data = await self._get_or_not_found(f"/playlists/{pid}", params, f"playlist {pid}")
        return self._note(await self._hydrated(data))

    async def _hydrated(self, data: Any) -> Playlist:
        """A set with its stubs (all but the first 5 tracks, docs/soundcloud.md §2.4) filled in, in
        order; tracks SoundCloud no longer returns are skipped."""
        order = parse.playlist_track_ids(data)
        full = {t.id: t for t in _full_tracks(data)}
        missing = [i for i in order if i not in full]
        if missing:
            head = parse.playlist(data, hydrated=[])
            fetched = await listings.fetch_tracks(
                self.api, missing, playlist_id=head.id,
                playlist_secret=parse.secret_token(data))
            full.update((t.id, t) for t in fetched)
        return parse.playlist(data, hydrated=[self._note(full[i]) for i in order if i in full])

    async def user(self, user_id: str) -> User:
        uid = _plain_id(user_id, "users")
        return self._note(parse.user(await self._get_or_not_found(f"/users/{uid}", None,
                                                                   f"user {uid}")))

    async def _get_or_not_found(self, path: str, params: dict[str, str] | None, what: str) -> Any:
        try:
            return await self.api.get(path, params)
        except NotFound as exc:
            raise NotFound(f"SoundCloud has no {what}.",
                           hint="It may be private or deleted; check the id or link.") from exc

    # -- listings -----------------------------------------------------------------------------

    def _listing(self, path: str, want: str, *, limit: int | None,
                 params: dict[str, str] | None = None) -> AsyncIterator[Page[Any]]:
        async def convert(items: list[Any]) -> list[Any]:
            return [self._note(m) for m in
                    await listings.convert_items(items, self._hydrate_ids, want=want,
                                                 memo=self._memo)]

        pages = self.api.pages(path, params, page_size=listings.page_size_for(limit))
        return limited(pages, convert, limit)

    async def _hydrate_ids(self, ids: Sequence[str]) -> list[Track]:
        return await listings.fetch_tracks(self.api, ids)

    def user_tracks(self, user_id: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        return self._listing(f"/users/{_plain_id(user_id, 'users')}/tracks", "track", limit=limit)

    def user_toptracks(self, user_id: str, *, limit: int | None = None
                       ) -> AsyncIterator[Page[Track]]:
        return self._listing(f"/users/{_plain_id(user_id, 'users')}/toptracks", "track",
                             limit=limit)

    def user_albums(self, user_id: str, *, limit: int | None = None
                    ) -> AsyncIterator[Page[Playlist]]:
        return self._listing(f"/users/{_plain_id(user_id, 'users')}/albums", "playlist",
                             limit=limit)

    async def user_playlists(self, user_id: str, *, limit: int | None = None
                             ) -> AsyncIterator[Page[Playlist]]:
        """Sets that are not albums. SoundCloud's web client asks ``playlists_without_albums``;
        yt-dlp asks ``playlists``: the second is the fallback when the first is gone."""
        uid = _plain_id(user_id, "users")
        started = False
        try:
            async for page in self._listing(f"/users/{uid}/playlists_without_albums",
                                            "playlist", limit=limit):
                started = True
                yield page
        except NotFound:
            if started:
                raise
            async for page in self._listing(f"/users/{uid}/playlists", "playlist", limit=limit):
                yield page

    def user_likes(self, user_id: str, *, limit: int | None = None
                   ) -> AsyncIterator[Page[Track | Playlist]]:
        return self._listing(f"/users/{_plain_id(user_id, 'users')}/likes", "any", limit=limit)

    def user_reposts(self, user_id: str, *, limit: int | None = None
                     ) -> AsyncIterator[Page[Track | Playlist]]:
        # /users/{id}/reposts is 404; the stream endpoint is what yt-dlp and soundcloud.py use.
        return self._listing(f"/stream/users/{_plain_id(user_id, 'users')}/reposts", "any",
                             limit=limit)

    async def user_activity(self, listing: str, user_id: str, *, page_size: int = 50,
                            start: str | None = None) -> AsyncIterator[Page[Activity]]:
        """A user's ``likes`` or ``reposts`` as :class:`Activity` items with their time,
        newest first, page by page — empty pages included, each with the ``next_href`` to go
        on from (``start``) after a stop (docs/soundcloud.md §1.2, §1.5, §2.5)."""
        uid = _plain_id(user_id, "users")
        paths = {"likes": f"/users/{uid}/likes", "reposts": f"/stream/users/{uid}/reposts"}
        if listing not in paths:
            raise InvalidArgument(f"SoundCloud has no {listing!r} activity of a user.",
                                  hint=f"Use one of: {', '.join(paths)}.")
        kind = "like" if listing == "likes" else "repost"
        async for raw in self.api.pages(paths[listing], page_size=page_size, start=start):
            items = await listings.convert_activities(raw.items, self._hydrate_ids, kind,
                                                      self._memo)
            for activity in items:
                self._note(activity.track)
            yield Page(items=items, next_href=raw.next_href)

    def user_followings(self, user_id: str, *, limit: int | None = None
                        ) -> AsyncIterator[Page[User]]:
        return self._listing(f"/users/{_plain_id(user_id, 'users')}/followings", "user",
                             limit=limit)

    def user_followers(self, user_id: str, *, limit: int | None = None
                       ) -> AsyncIterator[Page[User]]:
        return self._listing(f"/users/{_plain_id(user_id, 'users')}/followers", "user",
                             limit=limit)

    def search(self, query: str, *, kind: str = "tracks", limit: int | None = None,
               **filters: str) -> AsyncIterator[Page[Any]]:
        """Search; arguments are checked now (not on first iteration) so errors surface early.
        Filters: ``genre``, ``duration``, ``created``, ``license`` (see CAPABILITIES)."""
        unknown = set(filters) - {f.name for f in CAPABILITIES.search_filters}
        if unknown:
            raise InvalidArgument(f"Unknown search filter {sorted(unknown)[0]!r}.",
                                  hint="Use genre, duration, created or license.")
        genre, duration = filters.get("genre"), filters.get("duration")
        created, license = filters.get("created"), filters.get("license")
        if kind not in SEARCH_PATHS:
            raise InvalidArgument(f"Unknown search type {kind!r}.",
                                  hint=f"Use one of: {', '.join(SEARCH_PATHS)}.")
        params: dict[str, str] = {"q": query.strip() or ("*" if genre else "")}
        if not params["q"]:
            raise InvalidArgument("The search query is empty.", hint="Type something to find.")
        checks = (("duration", duration, DURATIONS), ("created", created, CREATED),
                  ("license", license, LICENSES))
        for name, value, allowed in checks:
            if value is None:
                continue
            if value not in allowed:
                raise InvalidArgument(f"Unknown {name} filter {value!r}.",
                                      hint=f"Use one of: {', '.join(allowed)}.")
            if kind != "tracks":
                raise InvalidArgument(f"The {name} filter only applies to track searches.",
                                      hint="Search with --type tracks, or drop the filter.")
            params[f"filter.{'created_at' if name == 'created' else name}"] = value
        if genre:
            if kind not in ("tracks", "albums", "playlists"):
                raise InvalidArgument("The genre filter applies to tracks, albums and playlists.",
                                      hint="Drop the genre filter for this type of search.")
            params["filter.genre_or_tag"] = genre
        want = {"tracks": "track", "users": "user", "all": "any"}.get(kind, "playlist")
        return self._listing(SEARCH_PATHS[kind], want, limit=limit, params=params)

    async def autocomplete(self, query: str, *, limit: int = 10) -> list[str]:
        if not query.strip():
            return []
        data = await self.api.get("/search/queries", {"q": query, "limit": str(max(1, limit))})
        return parse.suggestions(data)[:limit]

    def chart(self, name: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        if name != "trending":
            raise InvalidArgument(f"SoundCloud has no chart {name!r}.", hint="Use trending.")
        return self.trending(limit=limit)

    def user_listing(self, listing: str, user_id: str, *, limit: int | None = None
                     ) -> AsyncIterator[Page[Any]]:
        by_name: dict[str, _Listing] = {
            "tracks": self.user_tracks, "toptracks": self.user_toptracks,
            "likes": self.user_likes, "reposts": self.user_reposts,
            "playlists": self.user_playlists, "albums": self.user_albums,
            "followings": self.user_followings, "followers": self.user_followers,
        }
        if listing not in by_name:
            raise InvalidArgument(f"SoundCloud users have no {listing!r} listing.",
                                  hint=f"Use one of: {', '.join(by_name)}.")
        pages: AsyncIterator[Page[Any]] = by_name[listing](user_id, limit=limit)
        return pages

    async def write(self, action: str, urn: str = "", **fields: Any) -> Any:
        """One write action with the OAuth sign-in (providers/soundcloud/writes.py)."""
        from minion_tui.providers.soundcloud.writes import Writes

        return await Writes(self.http, self._account).write(action, urn, **fields)

    def account_listing(self, listing: str, *, limit: int | None = None
                        ) -> AsyncIterator[Page[Any]]:
        """The signed-in user's own listings (providers/soundcloud/account.py)."""
        return my_listing(self, self._account, listing, limit=limit)

    async def session_user(self, token: str) -> User:
        """Who a pasted web-session token belongs to (api-v2 ``GET /me``, §1), checked
        before it is kept: AuthError when api-v2 refuses it."""
        probe = Api(self.http, self.client_ids, oauth_token=token)
        return parse.user(await probe.get("/me"))

    async def _session_token(self) -> str | None:
        return await self._account.token("soundcloud", "session") if self._account else None

    def track_listing(self, listing: str, track_id: str, *, limit: int | None = None
                      ) -> AsyncIterator[Page[Any]]:
        by_name: dict[str, _Listing] = {"related": self.related, "station": self.station,
                                        "comments": self.comments}
        if listing not in by_name:
            raise InvalidArgument(f"SoundCloud tracks have no {listing!r} listing.",
                                  hint=f"Use one of: {', '.join(by_name)}.")
        pages: AsyncIterator[Page[Any]] = by_name[listing](track_id, limit=limit)
        return pages

    def trending(self, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        return self._listing("/charts", "track", limit=limit,
                             params={"kind": "trending", "genre": TRENDING_GENRE})

    def related(self, track_id: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        return self._listing(f"/tracks/{_plain_id(track_id, 'tracks')}/related", "track",
                             limit=limit)

    def station(self, track_id: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        tid = _plain_id(track_id, "tracks")
        return self._listing(f"/stations/soundcloud:track-stations:{tid}/tracks", "track",
                             limit=limit)

    def comments(self, track_id: str, *, limit: int | None = None
                 ) -> AsyncIterator[Page[Comment]]:
        # NewPipe's parameters (recorded in NPREC): top-level comments only.
        return self._listing(f"/tracks/{_plain_id(track_id, 'tracks')}/comments", "comment",
                             limit=limit, params={"threaded": "0", "filter_replies": "1"})

    def tag(self, tag: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        slug = tag.strip().lstrip("#")
        if not slug:
            raise InvalidArgument("The tag is empty.", hint="Give a tag, e.g. deep-house.")
        return self._listing(f"/recent-tracks/{quote(slug, safe='')}", "track", limit=limit)

    # -- streams ------------------------------------------------------------------------------

    async def stream(self, track: Track | str, *, require_full: bool = False,
                     prefer: str | None = None) -> StreamChoice:
        """A signed, playable stream. Raises GeoBlocked, DrmOnly, PreviewOnly (when
        ``require_full``) or NotFound; never returns an encrypted stream."""
        source, fresh = await self._source_for(track)
        if streams.preview_only(source, prefer):
            # A Go+ preview on api-v2: signed in, the official API gives the whole track
            # (docs/soundcloud.md §5, soundcloud/api#510).
            full = await official_stream(self, self._account, source.track_urn, prefer=prefer)
            if full is not None:
                return full
        try:
            return await streams.choose(self.api, source, require_full=require_full,
                                        prefer=prefer)
        except AuthError:
            if fresh:
                raise
            # The track JSON may be old (track_authorization expires): fetch it again, once.
            source = await self._fresh_source(source.track_urn)
            return await streams.choose(self.api, source, require_full=require_full,
                                        prefer=prefer)

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        """A new signed URL for the same transcoding, after the CDN answered 403 (expired)."""
        if choice.preset in OFFICIAL_PRESETS:
            again = await official_stream(self, self._account, choice.track_urn,
                                          prefer=choice.codec if choice.codec == "mp3"
                                          else None)
            if again is not None:
                return again
        source = self._sources.get(choice.track_urn)
        if source is not None:
            try:
                again = await streams.resign(self.api, source, choice)
            except AuthError:
                again = None
            if again is not None:
                return again
        source = await self._fresh_source(choice.track_urn)
        again = await streams.resign(self.api, source, choice)
        if again is None:
            raise StreamExpired(
                f"The {choice.preset} stream of {choice.track_urn} expired and SoundCloud no "
                "longer signs it.", hint="Start playback or the download again.")
        return again

    async def _source_for(self, track: Track | str) -> tuple[StreamSource, bool]:
        if isinstance(track, str):
            text = track.strip()
            resolved: Resource = await (self.track(text) if text.isdigit() else
                                        self.resolve(text))
            if not isinstance(resolved, Track):
                raise InvalidArgument(f"{track} is a {resolved.kind}, not a track.",
                                      hint="Pass the URL or URN of a single track.")
            return self._keep_source(resolved), True
        if isinstance(track.raw.get("media"), dict):
            return self._keep_source(track), False
        return await self._fresh_source(track.urn), True

    async def _fresh_source(self, urn: str) -> StreamSource:
        parsed = urls.parse_urn(urn)
        if parsed is None or parsed[0] != "tracks":
            raise InvalidArgument(f"{urn} is not a SoundCloud track URN.")
        return self._keep_source(await self.track(parsed[1]))

    def _keep_source(self, track: Track) -> StreamSource:
        source = StreamSource.from_track(track.raw, urn=track.urn, title=track.title)
        bounded_put(self._sources, track.urn, source, _REMEMBERED)
        return source

    # -- pictures, waveforms, originals ---------------------------------------------------------

    def artwork_url(self, track: Track, size: str) -> str | None:
        user = track.raw.get("user")
        avatar = user.get("avatar_url") if isinstance(user, dict) else None
        url = track.artwork_url or (avatar if isinstance(avatar, str) else None)
        if not url or "default_avatar" in url:  # the grey placeholder is no picture
            return None
        # Every size but "original" is a JPEG, whatever the listed URL's suffix (§2.1).
        suffix = _ARTWORK_SIZES.get(size, _ARTWORK_SIZES["small"])
        return re.sub(r"-[0-9a-z]+\.(jpg|png)$", f"-{suffix}.jpg", url)

    def waveform_url(self, track: Track) -> str | None:
        """The waveform JSON (§2.1: ``{width, height, samples[]}``). Older answers name the
        PNG (``..._m.png``); the JSON lives beside it under the same name."""
        url = track.raw.get("waveform_url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return None
        return url[: -len(".png")] + ".json" if url.endswith(".png") else url

    async def original_unavailable(self, track: Track) -> str | None:
        try:
            signed = await self.download_token()
        except AuthRequired as lapsed:  # a sign-in that can no longer be renewed
            return lapsed.message.rstrip(".")
        if signed is None:
            return "the original file needs a signed-in SoundCloud account"
        return originals.offers_original(track)

    async def original_url(self, track: Track) -> str:
        signed = await self.download_token()
        if signed is None:
            # The endpoint is login-only (§3.4): asking anonymously only earns a 401.
            raise OriginalUnavailable(
                f"{track.title}: the original file needs a signed-in SoundCloud account.",
                hint=originals.SIGN_IN)
        return await originals.original_url(self, track, signed)

    async def download_token(self) -> tuple[str, str] | None:
        """The user token ``/tracks/{id}/download`` is asked with, and its kind: a
        configured ``soundcloud.access_token``, else the web session pasted with ``auth
        token`` (api-v2's own kind, §1), else the ``auth login`` sign-in (refreshed before
        it expires); None when there is none."""
        if self._configured_token:
            return self._configured_token, "configured"
        session = await self._session_token()
        if session:
            return session, "session"
        signed = await oauth_token(self._account, self.name)
        return (signed, "oauth") if signed else None

    # -- links --------------------------------------------------------------------------------


    def url_for(self, urn: str) -> str:
        """The permalink of a resource seen this session, else its API ``uri`` form (which
        ``resolve`` accepts back)."""
        return self._links.get(urn) or urls.api_uri(urn)

    def _note(self, resource: R) -> R:
        url = getattr(resource, "url", "")
        urn = getattr(resource, "urn", "")
        if url and urn:
            bounded_put(self._links, urn, url, _REMEMBERED)
        return resource


def _full_tracks(data: Any) -> list[Track]:
    items = data.get("tracks") if isinstance(data, dict) else None
    found: list[Track] = []
    for entry in items if isinstance(items, list) else []:
        if isinstance(entry, dict) and not parse.is_stub(entry):
            try:
                found.append(parse.track(entry))
            except parse.MalformedResponse:
                continue
    return found


def _plain_id(value: str, collection: urls.Collection) -> str:
    """``123`` or ``soundcloud:tracks:123`` → ``123``; anything else is refused up front."""
    text = str(value).strip()
    if text.isdigit():
        return text
    parsed = urls.parse_urn(text)
    if parsed is not None and parsed[0] == collection:
        return parsed[1]
    raise InvalidArgument(f"{value!r} is not a SoundCloud {collection[:-1]} id.",
                          hint=f"Pass a numeric id or a soundcloud:{collection}:<id> URN.")


__all__ = ["SoundCloud"]
