"""What a download target names: the tracks to fetch, with the set they belong to.

``expand`` turns each TARGET given to ``minion-tui download`` into items in order:

* a track or set URL / URN → :class:`Wanted` (a set's tracks in its order);
* a profile URL: ``…/USER`` or ``…/USER/tracks`` → their tracks, ``…/USER/likes`` → their likes
  (a liked set → its tracks), ``…/USER/sets`` / ``…/USER/albums`` → every track of every set,
  ``…/USER/popular-tracks``, ``…/USER/reposts``; a user URN → their tracks;
* a search URL ``https://soundcloud.com/search/sounds?q=QUERY`` → the first ``limit`` results
  (``/search/sets`` and ``/search/albums``: the first ``limit`` sets, expanded);
* a direct ``.m3u8`` / ``.mp3`` / ``.m4a`` URL → :class:`Direct` (downloaded by direct.py);
* a text file of such targets, one per line (``#`` comments and blank lines ignored): a bad line
  becomes a :class:`Refused` saying ``line N: …`` and the other lines go on; a path to a file
  that is not there (or to a folder) is refused saying so — ``invalid_url`` as before, since
  it is no link either (a file that is there but cannot be read is ``invalid_argument``).

Anything else is a :class:`Refused` saying why; the batch reports it and goes on.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from minion_tui.errors import InvalidArgument, InvalidURL, MinionError, NotFound
from minion_tui.models import Page, Playlist, Track, User
from minion_tui.net.endpoints import display_url
from minion_tui.providers.registry import web_ref

Resolve = Callable[[str], Awaitable[object]]

DEFAULT_LIMIT = 50
DIRECT_SUFFIXES = {".m3u8": "hls", ".mp3": "mp3", ".m4a": "m4a"}


@runtime_checkable
class Catalog(Protocol):
    """What expansion needs from the service (Service satisfies it)."""

    async def resolve(self, target: str) -> Any: ...

    def browse(self, listing: str, target: str | None = None, *,
               limit: int | None = None) -> AsyncIterator[Page[Any]]: ...

    def search(self, query: str, *, kind: str = "tracks",
               limit: int | None = None) -> AsyncIterator[Page[Any]]: ...


@dataclass(frozen=True)
class Wanted:
    """One track to download; ``playlist``/``index`` place it in its set (index from 1)."""

    track: Track
    playlist: Playlist | None = None
    index: int = 0

    @property
    def album(self) -> str:
        """The album tag ("album = set or publisher album"): the title of the set
        the track is downloaded from, whether a playlist or an album; for a track on its own,
        the label's album from ``publisher_metadata.album_title`` (docs/soundcloud.md §2:
        only label releases carry it), else nothing."""
        if self.playlist is not None:
            return self.playlist.title
        publisher = self.track.raw.get("publisher_metadata") or {}
        album = publisher.get("album_title") if isinstance(publisher, dict) else None
        return str(album or "").strip()


@dataclass(frozen=True)
class Direct:
    """A bare media URL: ``kind`` is "hls" (.m3u8), "mp3" or "m4a" (progressive)."""

    url: str
    kind: str


@dataclass(frozen=True)
class Refused:
    """A target that names nothing downloadable, why, and the error ``type`` the batch's
    ``failed`` event reports (errors.py)."""

    target: str
    reason: str
    error_type: str = InvalidURL.type


Item = Wanted | Direct | Refused


def direct_kind(target: str) -> str | None:
    """"hls", "mp3" or "m4a" when ``target`` is an http(s) URL whose path ends in
    .m3u8/.mp3/.m4a (the query, e.g. a CDN signature, does not count); None otherwise."""
    try:
        parts = urlsplit(target.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    path = unquote(parts.path).lower()
    return next((kind for suffix, kind in DIRECT_SUFFIXES.items() if path.endswith(suffix)),
                None)


async def expand(source: Catalog | Resolve, targets: Sequence[str], *,
                 limit: int = DEFAULT_LIMIT) -> AsyncIterator[Item]:
    """Each target's items in order (see the module docstring), or why it was refused.

    ``source`` is the Service. A bare ``resolve`` function is still accepted (batch.py's older
    call): when it is a bound method of a catalog (``service.resolve``) that catalog is used;
    otherwise profile lists and searches are refused. Direct media URLs are yielded as
    :class:`Direct` only when ``source`` is the catalog itself, since an older batch cannot run
    them. ``limit`` caps search results (profile lists and sets are taken whole). A track
    named twice (e.g. liked and listed) is yielded once per set it is in.
    """
    catalog, directs = _catalog_of(source)
    seen: set[tuple[str, str]] = set()
    for target in targets:
        path = _list_file(target)
        missing = None if path is not None else _missing_file(target)
        if path is not None:
            items = _listed(catalog, source, path, limit, directs)
        elif missing is not None:
            yield missing
            continue
        else:
            items = _one(catalog, source, target.strip(), limit, directs)
        async for item in items:
            if isinstance(item, Wanted):
                key = (item.track.urn, item.playlist.urn if item.playlist else "")
            elif isinstance(item, Direct):
                key = ("direct", item.url)  # the same URL twice would be one file twice
            else:
                yield item
                continue
            if key in seen:
                continue
            seen.add(key)
            yield item


def _catalog_of(source: Catalog | Resolve) -> tuple[Catalog | None, bool]:
    if isinstance(source, Catalog):
        return source, True
    owner = getattr(source, "__self__", None)  # service.resolve → service
    return (owner if isinstance(owner, Catalog) else None), False


def _list_file(target: str) -> Path | None:
    """The path when ``target`` is an existing file (a text file of targets), else None."""
    if "://" in target or target.lower().startswith("soundcloud:"):
        return None
    path = Path(target).expanduser()
    return path if path.is_file() else None


#: Suffixes of the text files a list of targets is kept in: ``download mine.txt`` names a
#: file even when it is not there (no link ends like this).
LIST_SUFFIXES = frozenset({".txt", ".list", ".lst", ".csv", ".tsv", ".urls", ".m3u", ".m3u8"})


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def _missing_file(target: str) -> Refused | None:
    """Why ``target`` cannot be read when it names a file that is not there, or a folder; None
    when it does not look like a path at all (a link, a URN, a word: the catalog says why).

    A path is what starts with ``/``, ``./``, ``../`` or ``~``, what has a folder in front
    (``lists/mine.txt``, but not ``soundcloud.com/artist``, whose first part is a host), or a
    name ending like a list file (:data:`LIST_SUFFIXES`)."""
    text = target.strip()
    if not text or _SCHEME.match(text):  # https://…, soundcloud:tracks:1, data:…: a link
        return None
    path = Path(text).expanduser()
    head, slash, _ = text.partition("/")
    if not text.startswith(("/", "./", "../", "~")):
        if slash and "." in head:  # soundcloud.com/…, on.soundcloud.com/…: a link
            return None
        if not slash and path.suffix.lower() not in LIST_SUFFIXES and not path.is_dir():
            return None
    where = Path(os.path.abspath(path))  # ../x as the folder it lands in
    if path.is_dir():
        return Refused(text, f"{where} is a folder, not a text file of links; give the file "
                       "in it (one link per line) or a SoundCloud link.")
    if path.exists():  # not a regular file: _list_file took it otherwise
        return Refused(text, f"{where} is not a regular file (a FIFO, device or socket); "
                       "save the links to a text file and give that.")
    return Refused(text, f"There is no file {text} (looked for {where}). Check the name and "
                   "the folder you run from, or give a SoundCloud link or URN instead.")


def _read_lines(path: Path) -> list[bytes]:
    # A list of URLs is small: reading it on the loop thread costs less than a thread hop.
    # Split as bytes and decoded line by line: one byte that is not UTF-8 spoils its own
    # line, not the whole file.
    data = path.read_bytes()
    return data.removeprefix(b"\xef\xbb\xbf").splitlines()


def _decoded(line: bytes) -> str | UnicodeDecodeError:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        return error


async def _listed(catalog: Catalog | None, source: Catalog | Resolve, path: Path, limit: int,
                  directs: bool) -> AsyncIterator[Item]:
    """A text file of targets: bad lines are refused with their line number, the rest go on."""
    try:
        lines = _read_lines(path)
    except OSError as error:
        yield Refused(str(path), f"cannot read {path}: {error}", InvalidArgument.type)
        return
    for number, raw in enumerate(lines, start=1):
        line = _decoded(raw)
        if isinstance(line, UnicodeDecodeError):
            bad = raw[line.start:line.start + 1].hex()
            yield Refused(f"{path}:{number}", f"line {number}: not UTF-8 text (byte 0x{bad} at "
                          f"column {line.start + 1}); save the file as UTF-8 or fix that "
                          "line.", InvalidArgument.type)
            continue
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        async for item in _one(catalog, source, text, limit, directs):
            if isinstance(item, Refused):
                yield Refused(f"{path}:{number}", f"line {number}: {item.reason}",
                              item.error_type)
            else:
                yield item


async def _one(catalog: Catalog | None, source: Catalog | Resolve, target: str, limit: int,
               directs: bool) -> AsyncIterator[Item]:
    kind = direct_kind(target)
    if kind is not None:
        if "@" in urlsplit(target.strip()).netloc:
            # Its password would be echoed in every event, row and message about the item.
            yield Refused(display_url(target.strip()), "the link carries a user name or "
                          "password, which the downloader does not send; remove the part "
                          "before the @ (and change that password if it was a real one).")
        elif directs:
            yield Direct(target, kind)
        else:
            yield Refused(target, "direct media URLs are not supported by this downloader.")
        return
    search = _search_of(target)
    try:
        if search is not None:
            if catalog is None:
                yield Refused(target, "search URLs need the service to expand them.")
                return
            query, search_kind, what = search
            async for item in _search_results(catalog, target, query, search_kind, what,
                                              limit):
                yield item
            return
        resolve = catalog.resolve if catalog is not None else source
        assert callable(resolve)
        resource = await resolve(target)
        if isinstance(resource, Track):
            yield Wanted(resource)
        elif isinstance(resource, Playlist):
            for item in _set(resource):
                yield item
        elif isinstance(resource, User):
            if catalog is None:
                yield Refused(target, "profile URLs need the service to expand them.")
                return
            async for item in _profile(catalog, target, resource):
                yield item
        else:
            yield Refused(target, f"{target} is not a track, a set or a profile.")
    except MinionError as error:
        yield Refused(target, error.text, error.type)


def _set(playlist: Playlist) -> list[Item]:
    if not playlist.tracks:
        return [Refused(playlist.url or playlist.urn, f"the set {playlist.title!r} is empty.",
                        NotFound.type)]
    return [Wanted(track, playlist, number) for number, track in
            enumerate(playlist.tracks, start=1)]


def _search_of(target: str) -> tuple[str, str, str] | None:
    """(query, search kind, the page's name) for a search page URL (the provider says which
    kind it lists: "" for none), else None."""
    ref = web_ref(target)
    if ref is None or ref.kind != "search":
        return None
    return ref.target, ref.listing, ref.page


async def _search_results(catalog: Catalog, target: str, query: str, kind: str, what: str,
                          limit: int) -> AsyncIterator[Item]:
    if not kind:
        yield Refused(target, f"a search for {what or 'this'} lists no tracks to download; "
                              "use …/search/sounds?q=… or …/search/sets?q=….")
        return
    if not query.strip():
        yield Refused(target, "the search URL has no query (…?q=words).")
        return
    taken = 0
    async for page in catalog.search(query, kind=kind, limit=limit):
        for found in page.items[:limit - taken]:
            taken += 1
            async for item in _listed_item(catalog, target, found):
                yield item
        if taken >= limit:
            return
    if not taken:
        yield Refused(target, f"the search for {query!r} found nothing.", NotFound.type)


async def _profile(catalog: Catalog, target: str, user: User) -> AsyncIterator[Item]:
    ref = web_ref(target)
    tab = ref.page if ref is not None and ref.kind == "user" else None
    listing = ref.listing if ref is not None and ref.kind == "user" and tab else "tracks"
    if not listing:
        yield Refused(target, f"{user.username}'s {tab} lists no tracks; use their profile, "
                              "…/likes, …/sets or …/albums URL.")
        return
    found_any = False
    async for page in catalog.browse(listing, user.urn):
        for found in page.items:
            found_any = True
            async for item in _listed_item(catalog, target, found):
                yield item
    if not found_any:
        yield Refused(target, f"{user.username} has no {tab or 'tracks'} to download.",
                      NotFound.type)


async def _listed_item(catalog: Catalog, target: str, found: object) -> AsyncIterator[Item]:
    """A track from a list as it is; a set from a list re-resolved with all its tracks."""
    if isinstance(found, Track):
        yield Wanted(found)
    elif isinstance(found, Playlist):
        try:
            full = await catalog.resolve(found.urn)
        except MinionError as error:
            yield Refused(found.url or found.urn, error.text, error.type)
            return
        for item in _set(full if isinstance(full, Playlist) else found):
            yield item
