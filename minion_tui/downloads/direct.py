"""A bare media URL (``.m3u8``, ``.mp3``, ``.m4a``) downloaded like a track.

There is no catalog entry behind such a URL, so a stand-in :class:`Track` is made from the URL
(its last path segment is the title) and the engine does the rest: HLS through the segment
fetcher (parallel, journalled, resumable), progressive through the Range-resuming fetcher, the
same atomic publish and tags. The file is named after the URL's last path segment, made safe by
naming.py. A direct URL cannot be re-signed: when it expires mid-way the download fails with a
message saying so, and a new URL resumes from the journal (same name, same segment folder).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from minion_tui.downloads import hls
from minion_tui.downloads.engine import CONTAINER, DownloadOptions, StreamSource, download_stream
from minion_tui.downloads.journal import playlist_identity, without_query
from minion_tui.downloads.naming import safe_filename
from minion_tui.downloads.playlist import DEFAULT_LIMITS, MediaPlaylist, PlaylistLimits
from minion_tui.downloads.targets import Direct
from minion_tui.errors import StreamExpired
from minion_tui.models import DownloadEvent, StreamChoice, Track
from minion_tui.net import Http

PRESET = "direct"


class DirectSource:
    """The engine's StreamSource for a URL that nobody can re-sign."""

    def __init__(self, http: Http) -> None:
        self._http = http

    @property
    def http(self) -> Http:
        return self._http

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        raise StreamExpired(
            f"The server refused {choice.url.split('?', 1)[0]} (HTTP 403): a signed URL "
            "that has expired cannot be renewed by minion_tui.",
            hint="Get a fresh URL and run the download again: it resumes where it stopped.")


def direct_track(url: str) -> Track:
    """The stand-in track: the URL is its URN and source, the file stem its title."""
    stem = PurePosixPath(unquote(urlsplit(url).path)).name.rsplit(".", 1)[0] or "download"
    ident = hashlib.sha256(url.split("?", 1)[0].encode()).hexdigest()[:16]
    return Track(provider="direct", id=ident, urn=url, url=url, title=stem, artist="",
                 uploader="", duration_ms=0)


async def choice_for(http: Http, item: Direct, *, segments: int = 1,
                     limits: PlaylistLimits = DEFAULT_LIMITS
                     ) -> tuple[StreamChoice, MediaPlaylist | None]:
    """What the engine needs to fetch ``item``: for HLS the codec is read from the playlist
    (an EXT-X-MAP init segment = AAC in fMP4; .mp3 segments = MP3; TS/ADTS taken as AAC),
    and that playlist is handed on so the engine does not request it a second time.
    ``segments``: how many segments the download will fetch at once (connections are opened
    for them while the playlist is read); ``limits``: the playlist's caps."""
    if item.kind != "hls":
        codec = "mp3" if item.kind == "mp3" else "aac"
        return StreamChoice("progressive", codec, PRESET, item.url, track_urn=item.url), None
    probe = StreamChoice("hls", "aac", PRESET, item.url, track_urn=item.url)
    # The fetcher's own playlist reader: it follows a master playlist to its best variant.
    playlist = await hls.SegmentFetcher(http, probe, Path(), concurrency=segments,
                                        refresh=DirectSource(http).refresh_stream,
                                        limits=limits).playlist()
    first = playlist.segments[0].url if playlist.segments else ""
    is_mp3 = playlist.init is None and urlsplit(first).path.lower().endswith(".mp3")
    return StreamChoice("hls", "mp3" if is_mp3 else "aac", PRESET, item.url,
                        track_urn=item.url), playlist


def direct_target(item: Direct, choice: StreamChoice, directory: Path) -> Path:
    """``directory/<last path segment's stem>.<container>``, safe on every filesystem."""
    track = direct_track(item.url)
    ext = CONTAINER.get(choice.codec, choice.codec)
    return directory.expanduser() / safe_filename(track.title, ext)


#: Picks the file a source goes to (batch.Runner.place): (target, key, sources) →
#: (the path, whether it is complete there already).
Place = Callable[[Path, str, frozenset[str]], Awaitable[tuple[Path, bool]]]


async def download_direct(source: StreamSource, item: Direct, options: DownloadOptions, *,
                          gate: asyncio.Semaphore | None = None,
                          place: Place | None = None) -> Path:
    """Download ``item`` into ``options.directory``; returns the final path. Raises
    MinionError (DownloadError, StreamExpired, DrmOnly for encrypted HLS) or OSError.
    ``place`` picks the file among those of one name (a batch's); without it the name is
    the URL's, and a file there counts as this one."""
    choice, playlist = await choice_for(source.http, item, segments=options.segments,
                                        limits=options.limits)
    target = direct_target(item, choice, options.directory)
    track = direct_track(item.url)
    key = without_query(item.url)
    if place is not None:
        target, complete = await place(target, key, frozenset({key}))
    else:
        complete = target.exists()  # complete files only ever carry a final name (engine.py)
    if complete:
        if options.listener:
            options.listener(DownloadEvent("skipped", track.urn, track.title, str(target),
                                           reason="already downloaded"))
        return target
    identity = (playlist_identity(item.url, playlist) if playlist is not None
                else key)
    return await download_stream(DirectSource(source.http), track, choice, target, options,
                                 gate=gate, playlist=playlist, identity=identity)
