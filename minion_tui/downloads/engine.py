"""Downloading one track to its final name: stream choice, fetch, join, tag, atomic rename.

Invariant (issue 6 §6): nothing exists under the final name until the file is complete — the
audio is assembled and tagged in ``<name>.part``, fsynced, then ``os.replace``d. The segment
folder ``.<name>.parts/`` is the resume journal (hls.py) and is removed only after the rename.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from minion_tui.downloads import hls, remux
from minion_tui.downloads.naming import DEFAULT_TEMPLATE, render
from minion_tui.downloads.progressive import fetch_progressive
from minion_tui.downloads.tags import Cover, TrackTags, write_tags
from minion_tui.errors import MinionError
from minion_tui.models import StreamChoice, Track
from minion_tui.net import Http

PREFER = {"best": None, "mp3": "mp3", "m4a": "aac", "opus": None, "original": None}
CONTAINER = {"mp3": "mp3", "aac": "m4a", "opus": "opus"}


@dataclass(frozen=True)
class DownloadEvent:
    """A progress event a CLI or the TUI's Downloads pane subscribes to (``to_json`` for --json).

    kind: "start" | "segment" | "bytes" | "done" | "skipped" | "failed".
    """

    kind: str
    track_urn: str
    title: str = ""
    path: str = ""
    bytes_done: int = 0
    bytes_total: int | None = None
    segments_done: int = 0
    segments_total: int = 0
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"event": self.kind, "track_urn": self.track_urn, "title": self.title,
                "path": self.path, "bytes_done": self.bytes_done,
                "bytes_total": self.bytes_total, "segments_done": self.segments_done,
                "segments_total": self.segments_total, "reason": self.reason}


Listener = Callable[[DownloadEvent], None]


class StreamSource(Protocol):
    """What the engine needs from the service (Service satisfies it)."""

    @property
    def http(self) -> Http: ...

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice: ...


@dataclass(frozen=True)
class DownloadOptions:
    directory: Path
    template: str = DEFAULT_TEMPLATE
    segments: int = 8
    format: str = "best"
    listener: Listener | None = field(default=None, compare=False)
    # Every file the engine writes is opened through this (hls.Opener): tests pass one that
    # fails with ENOSPC to prove a full disk leaves a resumable job and no final file.
    opener: hls.Opener = field(default=hls.open_file, compare=False)


def final_path(track: Track, choice: StreamChoice, options: DownloadOptions, *,
               playlist: str = "", index: int = 0, template: str | None = None) -> Path:
    ext = CONTAINER.get(choice.codec, choice.codec)
    fields: dict[str, str | int] = {
        "artist": track.artist, "title": track.title, "uploader": track.uploader,
        "id": track.id, "genre": track.genre, "playlist": playlist, "index": index, "ext": ext,
    }
    return options.directory.expanduser() / render(template or options.template, fields)


async def download_stream(source: StreamSource, track: Track, choice: StreamChoice,
                          target: Path, options: DownloadOptions, *,
                          album: str = "", gate: asyncio.Semaphore | None = None) -> Path:
    """Download ``choice`` into ``target`` (complete or absent); resumable after any crash."""
    emit = options.listener or (lambda event: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    work = target.with_name(f".{target.name}.parts")
    container = CONTAINER.get(choice.codec, choice.codec)
    emit(DownloadEvent("start", track.urn, track.title, str(target)))
    if choice.protocol == "hls":
        fetcher = hls.SegmentFetcher(
            source.http, choice, work, concurrency=options.segments,
            refresh=source.refresh_stream, gate=gate, opener=options.opener,
            on_segment=lambda p: emit(DownloadEvent(
                "segment", track.urn, track.title, str(target), bytes_done=fetcher.bytes_fetched,
                segments_done=p.done, segments_total=p.total)))
        files = await fetcher.fetch_all()
        joined = work / "joined"
        await asyncio.to_thread(remux.concatenate, files, joined, mp3=choice.codec == "mp3",
                                opener=options.opener)
        if container == "m4a":
            await asyncio.to_thread(remux.remux_to_m4a, joined, part)
            joined.unlink()
        else:
            os.replace(joined, part)
    else:
        work.mkdir(parents=True, exist_ok=True)
        raw = work / "progressive"
        await fetch_progressive(source.http, choice, raw, refresh=source.refresh_stream,
                                on_bytes=lambda done, total: emit(DownloadEvent(
                                    "bytes", track.urn, track.title, str(target),
                                    bytes_done=done, bytes_total=total)))
        shutil.copyfile(raw, part)
    cover = await fetch_cover(source.http, track)
    await asyncio.to_thread(write_tags, part, container, TrackTags.of(track, album=album), cover)
    size = await asyncio.to_thread(_publish, part, target, work)
    emit(DownloadEvent("done", track.urn, track.title, str(target),
                       bytes_done=size, bytes_total=size))
    return target


def _publish(part: Path, target: Path, work: Path) -> int:
    """fsync the finished ``.part``, rename it to its final name, then drop the journal."""
    with open(part, "rb+") as done:
        os.fsync(done.fileno())
    os.replace(part, target)
    _fsync_dir(target.parent)
    shutil.rmtree(work, ignore_errors=True)
    return target.stat().st_size


def artwork_candidates(track: Track) -> list[str]:
    """Largest first (soundcloud-protocol.md §2.1): original, then t500x500; the URL as given last.

    A track without artwork falls back to its uploader's avatar when the raw JSON carries one.
    """
    url = track.artwork_url or str((track.raw.get("user") or {}).get("avatar_url") or "")
    if not url:
        return []
    if "-large." in url:
        return [url.replace("-large.", "-original."), url.replace("-large.", "-t500x500."), url]
    return [url]


async def fetch_cover(http: Http, track: Track) -> Cover | None:
    for url in artwork_candidates(track):
        try:
            response = await http.request("GET", url)
        except MinionError:
            continue
        data = response.content
        mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
        if data:
            return Cover(data, mime)
    return None


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is (POSIX; a no-op elsewhere).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
