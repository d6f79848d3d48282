"""A provider that lives only in the tests: an in-memory music service with three users,
their tracks and likes, one tag and one chart. Proves the seam: adding it touches this file
and one ``registry.register`` call, and the service serves it through the same calls as
SoundCloud."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from minion_tui.errors import InvalidArgument, InvalidURL, NotFound, OriginalUnavailable
from minion_tui.models import Comment, Page, Playlist, StreamChoice, Track, User
from minion_tui.providers.base import (
    Capabilities,
    ProviderContext,
    ProviderEntry,
    SearchFilter,
    WebRef,
)

NAME = "fake"
HOST = "music.fake.test"
CAPABILITIES = Capabilities(
    charts=("trending",),
    tags=True,
    user_listings=("tracks", "likes", "followings"),
    track_listings=("related", "comments"),
    search_kinds=("tracks", "users"),
    search_filters=(SearchFilter("duration", ("short", "long"), ("tracks",)),),
    stream_kinds=("progressive",),
    formats=("best", "mp3"),
)


def _user(n: int) -> User:
    return User(NAME, str(n), f"{NAME}:users:{n}", f"user{n}", url=f"https://{HOST}/user{n}")


def _track(n: int) -> Track:
    owner = _user(n % 3 + 1)
    return Track(NAME, str(n), f"{NAME}:tracks:{n}", f"https://{HOST}/{owner.username}/t{n}",
                 f"Fake track {n}", owner.username, owner.username,
                 duration_ms=60_000 * (n % 7 + 1), genre="fakehouse" if n % 2 else "",
                 tags=("fakehouse",) if n % 2 else (), uploader_urn=owner.urn)


USERS = {str(n): _user(n) for n in (1, 2, 3)}
TRACKS = {str(n): _track(n) for n in range(1, 13)}
LIKES = {"1": ["2", "5", "8"], "2": ["1"], "3": []}


def claims(target: str) -> bool:
    text = target.strip()
    return text.startswith(f"{NAME}:") or urlsplit(text).hostname == HOST


def validate(target: str) -> None:
    if _parse(target) is None:
        raise InvalidURL(f"Not a {NAME} track or user: {target!r}.")


def _parse(target: str) -> tuple[str, str] | None:
    text = target.strip()
    if text.startswith(f"{NAME}:"):
        _, collection, ident = [*text.split(":"), "", ""][:3]
        return (collection, ident) if collection in ("tracks", "users") and ident else None
    path = [p for p in urlsplit(text).path.split("/") if p]
    user = next((u for u in USERS.values() if path[:1] == [u.username]), None)
    if user is None:
        return None
    if len(path) == 1:
        return "users", user.id
    if len(path) == 2 and path[1].startswith("t") and path[1][1:] in TRACKS:
        return "tracks", path[1][1:]
    return ("users", user.id) if len(path) == 2 else None


def web_ref(text: str) -> WebRef | None:
    path = [p for p in urlsplit(text.strip()).path.split("/") if p]
    if len(path) == 2 and path[1] in ("likes", "tracks"):
        return WebRef("user", f"https://{HOST}/{path[0]}", path[1], page=path[1])
    return None


def _paged(items: Sequence[Any], limit: int | None, size: int = 2) -> AsyncIterator[Page[Any]]:
    wanted = list(items)[:limit] if limit is not None else list(items)

    async def pages() -> AsyncIterator[Page[Any]]:
        for start in range(0, max(len(wanted), 1), size):
            chunk = wanted[start:start + size]
            more = start + size < len(wanted)
            yield Page(chunk, next_href=f"https://{HOST}/page/{start + size}" if more else None)

    return pages()


class FakeProvider:
    name = NAME
    capabilities = CAPABILITIES

    def __init__(self, context: ProviderContext) -> None:
        self.context = context
        self.calls: list[str] = []

    async def resolve(self, target: str) -> Track | Playlist | User:
        self.calls.append(f"resolve {target}")
        parsed = _parse(target)
        if parsed is None:
            raise InvalidURL(f"Not a {NAME} link: {target!r}.")
        collection, ident = parsed
        return await (self.track(ident) if collection == "tracks" else self.user(ident))

    async def track(self, track_id: str) -> Track:
        if track_id not in TRACKS:
            raise NotFound(f"{NAME} has no track {track_id}.")
        return TRACKS[track_id]

    async def tracks(self, ids: Sequence[str]) -> list[Track]:
        return [TRACKS[i] for i in ids if i in TRACKS]

    async def user(self, user_id: str) -> User:
        if user_id not in USERS:
            raise NotFound(f"{NAME} has no user {user_id}.")
        return USERS[user_id]

    def search(self, query: str, *, kind: str = "tracks", limit: int | None = None,
               **filters: str) -> AsyncIterator[Page[Any]]:
        if kind not in CAPABILITIES.search_kinds:
            raise InvalidArgument(f"{NAME} cannot search {kind}.")
        duration = filters.pop("duration", None)
        if filters or (duration and duration not in ("short", "long")):
            raise InvalidArgument(f"Unknown filter for {NAME}: {filters or duration}.")
        if kind == "users":
            return _paged([u for u in USERS.values() if query in u.username], limit)
        found = [t for t in TRACKS.values() if query.lower() in t.title.lower()]
        if duration == "short":
            found = [t for t in found if t.duration_ms <= 180_000]
        elif duration == "long":
            found = [t for t in found if t.duration_ms > 180_000]
        return _paged(found, limit)

    async def autocomplete(self, query: str, *, limit: int = 10) -> list[str]:
        return []

    def chart(self, name: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        if name != "trending":
            raise InvalidArgument(f"{NAME} has no chart {name!r}.")
        return _paged(sorted(TRACKS.values(), key=lambda t: -int(t.id)), limit)

    def tag(self, tag: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]:
        return _paged([t for t in TRACKS.values() if tag in t.tags], limit)

    def user_listing(self, listing: str, user_id: str, *, limit: int | None = None
                     ) -> AsyncIterator[Page[Any]]:
        self.calls.append(f"{listing} of {user_id}")
        if listing == "tracks":
            return _paged([t for t in TRACKS.values() if t.uploader_urn == USERS[user_id].urn],
                          limit)
        if listing == "likes":
            return _paged([TRACKS[i] for i in LIKES[user_id]], limit)
        if listing == "followings":
            return _paged([u for u in USERS.values() if u.id != user_id], limit)
        raise InvalidArgument(f"{NAME} users have no {listing!r} listing.")

    def track_listing(self, listing: str, track_id: str, *, limit: int | None = None
                      ) -> AsyncIterator[Page[Any]]:
        if listing == "related":
            return _paged([t for t in TRACKS.values() if t.id != track_id][:4], limit)
        if listing == "comments":
            return _paged([Comment("c1", "nice", 1000, None, USERS["1"])], limit)
        raise InvalidArgument(f"{NAME} tracks have no {listing!r} listing.")

    async def stream(self, track: Track | str, *, require_full: bool = False,
                     prefer: str | None = None) -> StreamChoice:
        found = track if isinstance(track, Track) else await self.resolve(track)
        assert isinstance(found, Track)
        return StreamChoice("progressive", "mp3", "mp3_128", f"https://{HOST}/a/{found.id}.mp3",
                            track_urn=found.urn)

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        return choice

    def url_for(self, urn: str) -> str:
        return urn

    def artwork_url(self, track: Track, size: str) -> str | None:
        return None

    def waveform_url(self, track: Track) -> str | None:
        return None

    async def original_unavailable(self, track: Track) -> str | None:
        return f"{NAME} offers no original files"

    async def original_url(self, track: Track) -> str:
        raise OriginalUnavailable(f"{NAME} offers no original files.")


ENTRY = ProviderEntry(NAME, CAPABILITIES, claims=claims, validate=validate,
                      create=FakeProvider, web_ref=web_ref)
