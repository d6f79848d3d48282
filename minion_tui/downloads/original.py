"""Original files: the uploader's own file, byte for byte (issue 6 §4).

Taken with ``--format original``, and by default (``best``) whenever the track offers it and
an OAuth token is configured (:func:`original_by_default`); ``--format mp3|m4a|opus`` never
takes it. When a track offers its original (``downloadable`` and downloads left) and an OAuth
token is configured, the file is fetched from the signed URL SoundCloud redirects to
(protocol doc §3.4) and saved under the uploader's file name from ``Content-Disposition``
with its real extension (wav, flac, aiff, mp3…), sanitised by naming.py. The bytes are kept
exactly as served: no tags are written into an original. Otherwise
:class:`OriginalUnavailable` says why and the batch falls back to the best stream with that
note.

Like every download, the file is written to ``<name>.part`` (Range-resumed by progressive.py
after a crash) and appears under its final name only once complete and fsynced.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from minion_tui.downloads.engine import DownloadEvent, DownloadOptions
from minion_tui.downloads.naming import render
from minion_tui.downloads.progressive import fetch_progressive
from minion_tui.models import StreamChoice, Track
from minion_tui.providers.soundcloud.originals import (
    OriginalName,
    OriginalUnavailable,
    extension_for,
    offers_original,
    original_name,
    original_url,
)

if TYPE_CHECKING:
    from minion_tui.config import Settings
    from minion_tui.net import Http
    from minion_tui.providers.soundcloud.client import SoundCloud

PRESET = "original"

__all__ = ["OriginalSource", "OriginalUnavailable", "download_original",
           "original_by_default", "try_original"]


@runtime_checkable
class OriginalSource(Protocol):
    """What an original download needs from the service (Service satisfies it)."""

    settings: Settings

    @property
    def http(self) -> Http: ...

    @property
    def soundcloud(self) -> SoundCloud: ...


async def download_original(source: OriginalSource, track: Track, options: DownloadOptions, *,
                            playlist: str = "", index: int = 0,
                            gate: asyncio.Semaphore | None = None) -> Path:
    """Download ``track``'s original into ``options.directory`` (a set's into its folder, as
    ``NN - <original name>``); returns the final path. Raises OriginalUnavailable (fall back
    to a stream), another MinionError (the download failed) or OSError."""
    emit = options.listener or (lambda event: None)
    if not source.settings.soundcloud.access_token:
        # The endpoint is login-only (protocol doc §3.4): asking anonymously only earns a 401.
        raise OriginalUnavailable(
            f"{track.title}: the original file needs a signed-in SoundCloud account.",
            hint="Set soundcloud.access_token (or SOUNDCLOUD_ACCESS_TOKEN).")
    url = await original_url(source.soundcloud, track)
    name = await _name_of(source.http, url, track)
    template = "{playlist}/{index:02d} - {name}" if playlist else "{name}"
    target = options.directory.expanduser() / render(
        template, {"playlist": playlist, "index": index, "name": f"{name.stem}.{name.ext}"})
    if target.exists():
        emit(DownloadEvent("skipped", track.urn, track.title, str(target),
                           reason="already downloaded"))
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    choice = StreamChoice("progressive", name.ext, PRESET, url, track_urn=track.urn)

    async def renew(_expired: StreamChoice) -> StreamChoice:
        # The signed URL expired mid-way: ask for a new one; the .part resumes by Range.
        return StreamChoice("progressive", name.ext, PRESET,
                            await original_url(source.soundcloud, track), track_urn=track.urn)

    emit(DownloadEvent("start", track.urn, track.title, str(target)))
    # Each request holds the batch's connection cap (progressive.py), like a stream's.
    await fetch_progressive(source.http, choice, part, refresh=renew, gate=gate,
                            on_bytes=lambda done, total: emit(DownloadEvent(
                                "bytes", track.urn, track.title, str(target),
                                bytes_done=done, bytes_total=total)))
    size = await asyncio.to_thread(_publish, part, target)
    emit(DownloadEvent("done", track.urn, track.title, str(target), bytes_done=size,
                       bytes_total=size))
    return target


def original_by_default(source: object, track: Track, format: str) -> bool:
    """Whether a ``format`` job takes ``track``'s original before any stream: ``original``
    always tries; the default ``best`` tries only when the track offers it and a token is
    configured (no pointless 401 round trip otherwise); ``mp3``/``m4a``/``opus`` never."""
    if format == "original":
        return True
    if format != "best" or not isinstance(source, OriginalSource):
        return False
    return bool(source.settings.soundcloud.access_token) and offers_original(track) is None


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
    downloads are left for this account (SCDL2, protocol doc §3.4)."""
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


def _publish(part: Path, target: Path) -> int:
    """fsync the finished ``.part``, rename it to its final name, make the rename durable."""
    with open(part, "rb+") as done:
        os.fsync(done.fileno())
    os.replace(part, target)
    part.with_name(part.name + ".validator").unlink(missing_ok=True)  # progressive.py's
    with contextlib.suppress(OSError):
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return target.stat().st_size
