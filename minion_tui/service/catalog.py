"""Reading the services: resolve, streams, search, listings, comments and pictures, for every
provider through the registry. Tracks that pass through are stored with their judgments joined
in and with where they surfaced."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minion_tui import config
from minion_tui.errors import InvalidArgument, NetworkError, UsageError
from minion_tui.models import Comment, Page, Playlist, StreamChoice, Track, User
from minion_tui.providers.base import Capabilities

if TYPE_CHECKING:
    from minion_tui.providers.base import Provider, WebRef
    from minion_tui.service.core import Core, Resource

log = logging.getLogger(__name__)

#: JPEG, PNG, GIF and WebP (RIFF) signatures: a body without one is an error page, not art.
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"RIFF")


def _aliases(caps: Capabilities, kind: str) -> dict[str, str]:
    """A provider's own names for the listings of a user ("user") or a track ("track"),
    each → the provider-neutral listing behind it (Capabilities.user_aliases)."""
    return dict(caps.user_aliases if kind == "user" else caps.track_aliases)


def listing_words() -> tuple[str, ...]:
    """Every listing name ``browse`` accepts: the neutral ones and the providers' own."""
    from minion_tui.providers import registry

    words = dict.fromkeys(capabilities().listings())
    for entry in registry.entries():
        for kind in ("user", "track"):
            words.update(dict.fromkeys(_aliases(entry.capabilities, kind)))
    return tuple(words)


def _words_for(kind: str) -> set[str]:
    """The listing names of a user ("user") or track ("track") of any provider."""
    from minion_tui.providers import registry

    known = capabilities()
    words = set(known.user_listings if kind == "user" else known.track_listings)
    for entry in registry.entries():
        words.update(_aliases(entry.capabilities, kind))
    return words


def capabilities() -> Capabilities:
    """What the registered providers offer together: the front ends build their choices
    (listings, search kinds and filters, formats) from it."""
    from minion_tui.providers.registry import capabilities as every

    return every()


def web_ref(text: str) -> WebRef | None:
    """What a pasted page URL names when it is a listing (a user's tab, a tag, a set, a
    search page) rather than one resource; None for anything else (a track, an unknown
    host). Pure parsing: nothing is fetched."""
    from minion_tui.providers import registry

    return registry.web_ref(text)


def is_claimed(text: str) -> bool:
    """Whether any provider claims a pasted target (URL, bare host path, URN) as its own."""
    from minion_tui.providers import registry

    return any(entry.claims(text.strip()) for entry in registry.entries())


def provider_names() -> tuple[str, ...]:
    """The registered providers' names, in registration order ("soundcloud" first): the
    choices of a front end's provider switch."""
    from minion_tui.providers import registry

    return registry.names()


def provider_capabilities(name: str | None = None) -> Capabilities:
    """One provider's capabilities (None or "": the first registered's). A name no provider
    is registered under gets empty ones that show the name itself, so a row stored by a
    provider since removed still reads."""
    from minion_tui.providers import registry

    entry = registry.find(name)
    return entry.capabilities if entry is not None else Capabilities(title=name or "",
                                                                     short=(name or "")[:3])


def provider_title(name: str | None = None) -> str:
    """A provider's name as shown ("SoundCloud"); the first registered's for None or ""."""
    return provider_capabilities(name).title or (name or "")


def link_capabilities(target: str) -> Capabilities:
    """The capabilities of the provider that claims a pasted link; empty ones when none
    does (it is not checked here: what is wrong with it is reported where it is used)."""
    name = claimed_by(target)
    return provider_capabilities(name) if name is not None else Capabilities()


def validate_link(text: str) -> str:
    """The name of the provider a pasted link or URN belongs to, once that provider's own
    parser accepts it as a resource or a listing page (a tag, a search: :func:`web_ref`);
    pure parsing, nothing is fetched. InvalidURL saying what is wrong and what works
    otherwise."""
    from minion_tui.errors import InvalidURL
    from minion_tui.providers import registry

    name = claimed_by(text)
    if name is None:
        raise InvalidURL("Not a link of any service the app reads.",
                         hint=f"Paste a link of {' or '.join(provider_names())}.")
    try:
        registry.entry(name).validate(text.strip())
    except InvalidURL:
        if registry.web_ref(text.strip()) is None:
            raise  # not a listing page (a tag, a search) either
    return name


def claimed_by(text: str) -> str | None:
    """The name of the provider that claims a pasted target as its own, or None."""
    from minion_tui.providers import registry

    text = text.strip()
    return next((entry.name for entry in registry.entries() if entry.claims(text)), None)


class Catalog:
    """Everything read from the services."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def capabilities(self, provider: str | None = None) -> Capabilities:
        """One provider's capabilities, or (None) every provider's together."""
        if provider is None:
            return capabilities()
        from minion_tui.providers import registry

        return registry.entry(provider).capabilities

    async def resolve(self, target: str) -> Resource:
        """Resolve a URL, short link or URN to a track, playlist (tracks hydrated) or user."""
        core = self._core
        resource = await core.provider_for(target).resolve(target)
        if isinstance(resource, Track):
            return (await core.remember([resource]))[0]
        if isinstance(resource, Playlist):
            tracks = await core.remember(resource.tracks)
            return dataclasses.replace(resource, tracks=tuple(tracks))
        store = await core.db()
        await core.write_aside("the user seen was not saved",
                               lambda: store.upsert_users([resource]))
        return resource

    async def stream(self, target: str | Track, *, require_full: bool = False,
                     prefer: str | None = None) -> StreamChoice:
        """Pick a playable stream: never DRM; previews flagged (or refused with
        require_full); ``prefer`` asks for a codec."""
        if isinstance(target, str):
            # The provider takes the link itself: Mixcloud answers from one GraphQL call,
            # with no REST lookup first (docs/mixcloud.md §4).
            return await self._core.provider_for(target).stream(
                target, require_full=require_full, prefer=prefer)
        return await self._core.provider_of(target).stream(
            target, require_full=require_full, prefer=prefer)

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        """Re-sign a stream whose URL expired (the CDN answered 403)."""
        return await self._core.provider_of(choice.track_urn).refresh_stream(choice)

    def search(
        self,
        query: str,
        *,
        kind: str = "tracks",
        provider: str | None = None,
        genre: str | None = None,
        duration: str | None = None,
        created: str | None = None,
        license: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Page[Any]]:
        """Search one provider (default: the first registered); pages stream in as they
        arrive. The search is kept in the history (when the store can take it: a locked or
        read-only database is a warning, not a failed search)."""
        source = self._searcher(provider)
        caps = source.capabilities
        kinds = (*caps.search_kinds, *(("all",) if caps.mixed_search else ()))
        if kind not in kinds:
            raise InvalidArgument(
                f"Unknown search type {kind!r}.", hint=f"Use one of: {', '.join(kinds)}.")
        filters = {k: v for k, v in (("genre", genre), ("duration", duration),
                                      ("created", created), ("license", license)) if v}
        pages = source.search(query, kind=kind, limit=limit, **filters)
        return self._recorded_search(query, kind, filters, pages)

    def _searcher(self, provider: str | None) -> Provider:
        from minion_tui.providers import registry

        return self._core.provider(provider or registry.names()[0])

    async def _recorded_search(
        self, query: str, kind: str, filters: dict[str, str], pages: AsyncIterator[Page[Any]]
    ) -> AsyncIterator[Page[Any]]:
        store = await self._core.db()
        await self._core.write_aside(
            "the search history was not saved", lambda: store.add_search(query, kind, filters))
        from minion_tui.store.surfacing import for_search

        async for page in self._core.remembered(pages, lambda: for_search(query)):
            yield page

    async def autocomplete(self, query: str, *, limit: int = 10,
                           provider: str | None = None) -> list[str]:
        """Suggestions for a partial query, from the service."""
        source = self._searcher(provider)
        if not source.capabilities.autocomplete:
            return []
        return await source.autocomplete(query, limit=limit)

    def browse(
        self, listing: str, target: str | None = None, *, limit: int | None = None,
        provider: str | None = None, on_subject: Callable[[User | Track], object] | None = None,
    ) -> AsyncIterator[Page[Any]]:
        """A listing: a chart (``trending``, ``popular``…); ``tag`` TAG; a user's listing
        (USER a URL or URN); a track's listing. Pages stream in as they arrive; tracks are
        stored with their judgments joined in. Charts and tags read ``provider`` (default:
        the one claiming ``target``, else the first). A provider's own tab names
        (``Capabilities.user_aliases``: Mixcloud's "shows", "favorites", "following") are read as
        the neutral listing behind them for that kind of subject.

        ``on_subject`` receives the user or track the listing is about as soon as it is
        resolved (before the first page): a front end names the source by it ("Likes of
        Sister Monolith") instead of by the URL or slug it was given."""
        from minion_tui.store.surfacing import for_listing

        seen = _Seen(listing)
        pages = self._listing(listing, target, limit, provider, seen=seen,
                              on_subject=on_subject)
        return self._core.remembered(
            pages, lambda: for_listing(seen.listing, seen.subject, target,
                                       provider=seen.provider,
                                       chart=seen.listing in capabilities().charts))

    async def _listing(
        self, listing: str, target: str | None, limit: int | None, provider: str | None,
        *, seen: _Seen, on_subject: Callable[[User | Track], object] | None,
    ) -> AsyncIterator[Page[Any]]:
        # ``seen`` receives the subject, the neutral listing and the provider (provenance).
        known = capabilities()
        pages: AsyncIterator[Page[Any]]
        # "feed" is your own feed, and (Mixcloud) a user's feed when a user is given.
        named = target is not None and target.strip() != ""
        if listing in known.account_listings and not (
                named and (listing in _words_for("user") or listing in _words_for("track"))):
            seen.provider, pages = self._account_listing(listing, target, provider, limit)
        elif listing in known.charts or listing == "tag":
            source = self._searcher(provider or (claimed_by(target) if target else None))
            seen.provider = source.name
            caps = source.capabilities
            if listing == "tag":
                if not caps.tags:
                    raise InvalidArgument(f"{source.name} has no tag listings.")
                pages = source.tag(_required(target, "a tag"), limit=limit)
            elif listing in caps.charts:
                pages = source.chart(listing, limit=limit)
            else:
                others = [p for p in provider_names()
                          if listing in self.capabilities(p).charts]
                raise UsageError(
                    f"{source.name} has no {listing!r} chart.",
                    hint=f"Use one of: {', '.join(caps.charts) or '(none)'}"
                    + (f"; or add --provider {others[0]}." if others else "."))
        elif listing in _words_for("user") or listing in _words_for("track"):
            # The target says which kind of listing it is (Mixcloud's "favorites" are a
            # user's favourites and a show's favouriters); one that does not fit the kind
            # of subject is refused with the listings that do.
            wanted = _required(target, "a user or track URL or URN")
            subject = await self._core.provider_for(wanted).resolve(wanted)
            if not isinstance(subject, User | Track):
                raise InvalidArgument(
                    f"{wanted} is a {subject.kind}, not a user or a track.",
                    hint="Pass the URL or URN of a user or a track.")
            seen.subject = subject
            if on_subject is not None:
                on_subject(subject)
            source, neutral = self._declared(subject, listing)
            seen.listing, seen.provider = neutral, source.name
            pages = (source.user_listing(neutral, subject.id, limit=limit)
                     if isinstance(subject, User)
                     else source.track_listing(neutral, subject.id, limit=limit))
        else:
            raise UsageError(f"Unknown listing {listing!r}.",
                             hint=f"Use one of: {', '.join(listing_words())}.")
        async for page in pages:
            yield page

    def _account_listing(self, listing: str, target: str | None, provider: str | None,
                         limit: int | None) -> tuple[str, AsyncIterator[Page[Any]]]:
        """A listing of the signed-in user's own account (``mylikes``) on ``provider``
        (default: the first declaring it); AuthRequired when nobody is signed in there."""
        from minion_tui.providers.base import AccountReader

        if target is not None and target.strip():
            raise UsageError(f"{listing!r} lists your own account: it takes no USER or TRACK.",
                             hint=f"Leave out {target[:40]!r}; pick the service with "
                             "--provider.")
        offering = [p for p in provider_names() if listing in self.capabilities(p)
                    .account_listings]
        name = provider or (offering[0] if offering else None)
        if name is None or name not in offering:
            raise UsageError(f"{name or 'No service'} has no {listing!r} listing.",
                             hint=f"Use --provider {' or '.join(offering) or '(none)'}.")
        source = self._core.provider(name)
        if not isinstance(source, AccountReader):
            raise UsageError(f"{name} has no listings of your account.")
        return name, source.account_listing(listing, limit=limit)

    def _declared(self, subject: User | Track, listing: str) -> tuple[Provider, str]:
        """The subject's provider and the neutral listing ``listing`` names for it; a
        usage error naming the listings it has when it has none by that name."""
        source = self._core.provider_of(subject)
        kind = "user" if isinstance(subject, User) else "track"
        words = _aliases(source.capabilities, kind)
        offered: tuple[str, ...] = (source.capabilities.user_listings if kind == "user"
                                    else source.capabilities.track_listings)
        neutral = words.get(listing, listing)
        if neutral not in offered:
            names = tuple(words) or offered
            raise UsageError(
                f"{source.name} has no {listing!r} listing for a {subject.kind}.",
                hint=f"Use one of: {', '.join(names)}.")
        return source, neutral

    async def playlist_tracks(self, target: str) -> list[Track]:
        """The tracks of a playlist or album (URL or URN), stored with judgments joined in."""
        return list((await self.playlist(target)).tracks)

    async def playlist(self, target: str) -> Playlist:
        """A playlist or album (URL or URN) with its title and its tracks, stored with
        judgments joined in."""
        playlist = await self._core.resolve_as(target, Playlist)
        tracks = await self._core.remember(playlist.tracks)
        return dataclasses.replace(playlist, tracks=tuple(tracks))

    async def comments(self, track: Track, *, limit: int = 20) -> list[Comment]:
        """The first ``limit`` top-level comments on a track, as the service orders them."""
        source = self._core.provider_of(track)
        if "comments" not in source.capabilities.track_listings:
            return []
        found: list[Comment] = []
        async for page in source.track_listing("comments", track.id, limit=limit):
            found += [c for c in page.items if isinstance(c, Comment)]
            if len(found) >= limit:
                break
        return found[:limit]

    def artwork_url(self, track: Track, size: str = "small") -> str | None:
        """The ``size`` ("small" ~300 px, "large" ~500 px) variant of the track's artwork, or
        of its uploader's picture when it has none (what the services' own pages show); None
        when neither exists."""
        return self._core.provider_of(track).artwork_url(track, size)

    async def artwork(self, url: str) -> bytes:
        """The image at ``url`` (artwork or avatar): from the disk cache, else fetched once
        through the net layer and cached under the cache dir ("artwork", keyed by a hash of
        the URL, written atomically so a crash never leaves half an image)."""
        path = config.cache_dir() / "artwork" / hashlib.sha256(url.encode()).hexdigest()
        cached = await asyncio.to_thread(_read_if_exists, path)
        if cached:
            return cached
        http = self._core.http
        data = await http.get_bytes(url, max_bytes=http.options.max_image_bytes)
        if not data.startswith(_IMAGE_MAGIC):
            raise NetworkError(f"{url} did not answer with an image.",
                               hint="The artwork is left out; it is tried again next time.")
        await asyncio.to_thread(_write_atomically, path, data)
        return data

    def url_for(self, item: Track | Playlist | User) -> str:
        """A URL of the item that :meth:`resolve` accepts back."""
        return item.url or self._core.provider_of(item).url_for(item.urn)

    @staticmethod
    def m3u8(tracks: Sequence[Track]) -> str:
        """The text of an extended M3U (``.m3u8``, UTF-8) listing ``tracks`` by their web
        URLs: what ``radio --save`` writes and ``download`` reads back. Nothing is fetched."""
        from minion_tui.downloads.m3u import url_m3u8_text

        return url_m3u8_text(list(tracks))


@dataclasses.dataclass
class _Seen:
    """What a browse turned out to be about, once known: the user or track, the neutral
    listing name and the provider (the provenance of its tracks)."""

    listing: str
    subject: User | Track | None = None
    provider: str | None = None


def _required(value: str | None, what: str) -> str:
    if not value:
        raise InvalidArgument(f"This listing needs {what}.")
    return value


def _read_if_exists(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    import tempfile

    config.private_dirs(path.parent)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")  # 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
