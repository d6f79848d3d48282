"""Original files: the uploader's own file, byte for byte.

Taken with ``--format original``, and by default (``best``) whenever the provider says the
track's original can be had (on SoundCloud: the track offers it and an OAuth token is
configured; :func:`original_by_default`); ``--format mp3|m4a|opus`` never takes it. The file
is fetched from the signed URL the provider hands out (docs/soundcloud.md §3.4) and saved
under the uploader's file name from ``Content-Disposition``
with its real extension (wav, flac, aiff, mp3…), sanitised by naming.py. The bytes are kept
exactly as served: no tags are written into an original (``--convert`` makes a new file
from it, tagged like a stream's, and removes the original once that is complete). Otherwise
:class:`OriginalUnavailable` says why and the batch falls back to the best stream with that
note.

Like every download, the file is written to ``<name>.part`` (Range-resumed by progressive.py
after a crash) and appears under its final name only once complete and fsynced.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import unquote

from minion_tui.downloads.convert import SAME
from minion_tui.downloads.durable import rename_durably
from minion_tui.downloads.engine import DownloadOptions, convert_finished, fetch_cover
from minion_tui.downloads.lock import target_lock
from minion_tui.downloads.naming import render
from minion_tui.downloads.progressive import fetch_progressive
from minion_tui.downloads.tags import TrackTags
from minion_tui.errors import OriginalUnavailable
from minion_tui.models import DownloadEvent, StreamChoice, Track

if TYPE_CHECKING:
    from minion_tui.net import Http

PRESET = "original"

__all__ = ["OriginalSource", "OriginalUnavailable", "download_original",
           "original_by_default", "try_original"]


_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(r'filename\s*=\s*(?:"([^"]*)"|([^;]+))', re.IGNORECASE)


@runtime_checkable
class OriginalSource(Protocol):
    """What an original download needs from the service: the HTTP client, and the track's
    provider's word on its original."""

    @property
    def http(self) -> Http: ...

    async def original_unavailable(self, track: Track) -> str | None:
        """Why the original cannot be had (None: ask original_url)."""
        ...

    async def original_url(self, track: Track) -> str:
        """The signed URL of the original (OriginalUnavailable saying why otherwise)."""
        ...


async def download_original(source: OriginalSource, track: Track, options: DownloadOptions, *,
                            playlist: str = "", index: int = 0,
                            gate: asyncio.Semaphore | None = None) -> Path:
    """Download ``track``'s original into ``options.directory`` (a set's into its folder, as
    ``NN - <original name>``); returns the final path. Raises OriginalUnavailable (fall back
    to a stream), another MinionError (the download failed) or OSError."""
    emit = options.listener or (lambda event: None)
    url = await source.original_url(track)
    name = await _name_of(source.http, url, track)
    template = "{playlist}/{index:02d} - {name}" if playlist else "{name}"
    target = options.directory.expanduser() / render(
        template, {"playlist": playlist, "index": index, "name": f"{name.stem}.{name.ext}"})
    if target.exists():
        if options.convert and SAME.get(name.ext.lower()) != options.convert:
            # Complete but not converted (a kill stopped the conversion): finish it.
            return await _converted(source, track, target, name.ext, options, playlist,
                                    size=0)
        emit(DownloadEvent("skipped", track.urn, track.title, str(target),
                           reason="already downloaded"))
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    choice = StreamChoice("progressive", name.ext, PRESET, url, track_urn=track.urn)

    async def renew(_expired: StreamChoice) -> StreamChoice:
        # The signed URL expired mid-way: ask for a new one; the .part resumes by Range.
        return StreamChoice("progressive", name.ext, PRESET,
                            await source.original_url(track), track_urn=track.urn)

    with target_lock(target):  # another process on the same file: DownloadBusy
        emit(DownloadEvent("start", track.urn, track.title, str(target)))
        # Each request holds the batch's connection cap (progressive.py), like a stream's.
        await fetch_progressive(source.http, choice, part, refresh=renew, gate=gate,
                                source=track.urn,
                                on_bytes=lambda done, total: emit(DownloadEvent(
                                    "bytes", track.urn, track.title, str(target),
                                    bytes_done=done, bytes_total=total)))
        size = await asyncio.to_thread(_publish, part, target)
    if options.convert:
        return await _converted(source, track, target, name.ext, options, playlist, size=size)
    emit(DownloadEvent("done", track.urn, track.title, str(target), bytes_done=size,
                       bytes_total=size))
    return target


async def _converted(source: OriginalSource, track: Track, target: Path, ext: str,
                     options: DownloadOptions, playlist: str, *, size: int) -> Path:
    """``--convert`` of a complete original: the original is the uploader's bytes and stays
    untagged, but the file made from it is ours, tagged like a stream's (engine.py)."""
    assert options.convert is not None
    emit = options.listener or (lambda event: None)
    cover = await fetch_cover(source.http, track)
    with target_lock(target):
        final, converted_from, note = await convert_finished(
            target, ext.lower(), options.convert, TrackTags.of(track, album=playlist), cover)
    if converted_from:
        size = (await asyncio.to_thread(final.stat)).st_size
    emit(DownloadEvent("done", track.urn, track.title, str(final), bytes_done=size,
                       bytes_total=size, reason=note, converted_from=converted_from))
    return final


async def original_by_default(source: object, track: Track, format: str) -> bool:
    """Whether a ``format`` job takes ``track``'s original before any stream: ``original``
    always tries; the default ``best`` tries only when the provider says it can be had (on
    SoundCloud: offered and signed in; no pointless 401 round trip otherwise);
    ``mp3``/``m4a``/``opus`` never."""
    if format == "original":
        return True
    if format != "best" or not isinstance(source, OriginalSource):
        return False
    return await source.original_unavailable(track) is None


async def try_original(source: object, track: Track, options: DownloadOptions, *,
                       playlist: str = "", index: int = 0,
                       gate: asyncio.Semaphore | None = None) -> tuple[Path | None, str]:
    """For a batch's original (see original_by_default): ``(path, "")`` when the original
    was downloaded, ``(None, note)`` when it is not available (the caller downloads the best
    stream and keeps the note as the outcome's reason). A failed download raises
    (MinionError, OSError)."""
    if not isinstance(source, OriginalSource):
        return None, "original files need the service; downloaded the best stream instead"
    try:
        path = await download_original(source, track, options, playlist=playlist, index=index,
                                       gate=gate)
    except OriginalUnavailable as error:
        why = error.message.rstrip(".")
        return None, f"original not available ({why}); downloaded the best stream"
    return path, ""


async def _name_of(http: Http, url: str, track: Track) -> OriginalName:
    """The original's file name, read from the headers of a one-byte request (the body is
    fetched by progressive.py, which does not expose headers). A 401/403 here means no
    downloads are left for this account (SCDL2, docs/soundcloud.md §3.4)."""
    async with http.stream("GET", url, headers={"Range": "bytes=0-0"}) as response:
        status = response.status_code
        headers = response.headers
    if status in (401, 403):
        raise OriginalUnavailable(f"{track.title}: the original file has no downloads left "
                                  f"for this account (HTTP {status}).")
    if status not in (200, 206):
        raise OriginalUnavailable(f"{track.title}: the original file answered HTTP {status}.")
    found = original_name(headers.get("content-disposition"), headers.get("content-type"),
                          headers.get("x-amz-meta-file-type"))
    if found is None:
        return OriginalName(track.title, extension_for(headers.get("content-type"),
                                                       headers.get("x-amz-meta-file-type")))
    return found


# MIME types and S3 file-type metadata → file extensions, for a response without a file name.
EXTENSIONS = {
    "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav",
    "audio/wave": "wav", "audio/flac": "flac", "audio/x-flac": "flac", "audio/aiff": "aiff",
    "audio/x-aiff": "aiff", "audio/mp4": "m4a", "audio/x-m4a": "m4a", "audio/aac": "aac",
    "audio/ogg": "ogg", "audio/opus": "opus",
}

@dataclass(frozen=True)
class OriginalName:
    """The uploader's file name split as we keep it: ``stem`` and ``ext`` (no dot, lower)."""

    stem: str
    ext: str



def original_name(disposition: str | None, content_type: str | None,
                  file_type: str | None = None) -> OriginalName | None:
    """The file name from ``Content-Disposition`` (RFC 6266: ``filename*`` wins over
    ``filename``); the extension from the name, else from ``x-amz-meta-file-type`` or the
    ``Content-Type``. None when no name is given."""
    name = ""
    if disposition:
        star = _FILENAME_STAR.search(disposition)
        plain = _FILENAME.search(disposition)
        if star:
            name = unquote(star.group(2).strip(), encoding=star.group(1) or "utf-8",
                           errors="replace")
        elif plain:
            name = (plain.group(1) if plain.group(1) is not None else plain.group(2)).strip()
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        return None
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext.isalnum() or len(ext) > 5:
        stem, ext = name, ""
    return OriginalName(stem, ext.lower() or extension_for(content_type, file_type))


def extension_for(content_type: str | None, file_type: str | None = None) -> str:
    """The extension ``x-amz-meta-file-type`` or the ``Content-Type`` implies ("bin" if none)."""
    kind = (file_type or "").lower().strip(". ")
    if kind.isalnum() and len(kind) <= 5:
        return kind
    return EXTENSIONS.get((content_type or "").split(";", 1)[0].strip().lower(), "bin")


def _publish(part: Path, target: Path) -> int:
    """fsync the finished ``.part``, rename it to its final name, make the rename durable."""
    rename_durably(part, target)
    part.with_name(part.name + ".validator").unlink(missing_ok=True)  # progressive.py's
    return target.stat().st_size
