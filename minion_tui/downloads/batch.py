"""Batches: tracks and sets downloaded with a global track concurrency under one connection cap.

Previews and DRM-only tracks are skipped with their reason and the batch continues (issue 6 §7);
a file already complete under its final name is skipped (resume after a finished run costs
nothing); each downloaded set gets an M3U8 next to its tracks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from minion_tui.downloads.engine import (
    PREFER,
    DownloadEvent,
    DownloadOptions,
    StreamSource,
    download_stream,
    final_path,
)
from minion_tui.downloads.m3u import write_m3u8
from minion_tui.downloads.naming import DEFAULT_SET_TEMPLATE
from minion_tui.downloads.targets import Refused, Resolve, expand
from minion_tui.errors import MinionError
from minion_tui.models import Playlist, StreamChoice, Track

# Picks a full stream (raising PreviewOnly/DrmOnly/GeoBlocked) for a track and a preference.
Choose = Callable[[Track, str | None], Awaitable[StreamChoice]]


@dataclass(frozen=True)
class Outcome:
    """One track's result: state is "done", "skipped" or "failed"; reason says why."""

    track_urn: str
    state: str
    path: str = ""
    reason: str = ""


@dataclass(frozen=True)
class _Job:
    track: Track
    playlist: str = ""
    index: int = 0
    album: str = ""


async def download_batch(source: StreamSource, resolve: Resolve, choose: Choose,
                         targets: list[str], options: DownloadOptions, *, jobs: int = 3,
                         set_template: str = DEFAULT_SET_TEMPLATE) -> list[Outcome]:
    """Resolve every target (track or set URL) and download the tracks, ``jobs`` at a time."""
    emit = options.listener or (lambda event: None)
    work: list[_Job] = []
    sets: dict[str, tuple[Playlist, list[_Job]]] = {}
    outcomes: list[Outcome] = []
    async for item in expand(resolve, targets):
        if isinstance(item, Refused):
            outcomes.append(Outcome(item.target, "failed", reason=item.reason))
            emit(DownloadEvent("failed", item.target, reason=item.reason))
            continue
        job = _Job(item.track, item.playlist.title if item.playlist else "", item.index,
                   item.album)
        work.append(job)
        if item.playlist is not None:
            sets.setdefault(item.playlist.urn, (item.playlist, []))[1].append(job)
    tracks_at_once = asyncio.Semaphore(max(1, jobs))
    # One connection cap for every job: segment workers of all tracks share it.
    connections = asyncio.Semaphore(max(1, jobs) * max(1, options.segments))

    async def run(job: _Job) -> Outcome:
        async with tracks_at_once:
            return await _one(source, choose, job, options, set_template, connections)

    results = await asyncio.gather(*(run(job) for job in work))
    outcomes.extend(results)
    by_urn = {o.track_urn: o for o in results}
    for _playlist, members in sets.values():
        paths = [Path(by_urn[m.track.urn].path) for m in members
                 if by_urn[m.track.urn].state == "done"]
        if paths:
            folder = paths[0].parent
            write_m3u8(folder / f"{folder.name}.m3u8", paths,
                       [m.track for m in members if by_urn[m.track.urn].state == "done"])
    return outcomes


async def _one(source: StreamSource, choose: Choose, job: _Job, options: DownloadOptions,
               set_template: str, connections: asyncio.Semaphore) -> Outcome:
    emit = options.listener or (lambda event: None)
    track = job.track
    try:
        choice = await choose(track, PREFER.get(options.format))
    except MinionError as error:
        # Previews, DRM-only and blocked tracks: skipped with the reason, the batch goes on.
        emit(DownloadEvent("skipped", track.urn, track.title, reason=error.text))
        return Outcome(track.urn, "skipped", reason=error.text)
    template = set_template if job.playlist else None
    target = final_path(track, choice, options, playlist=job.playlist, index=job.index,
                        template=template)
    if target.exists():
        emit(DownloadEvent("skipped", track.urn, track.title, str(target),
                           reason="already downloaded"))
        return Outcome(track.urn, "done", str(target), "already downloaded")
    try:
        path = await download_stream(source, track, choice, target, options, album=job.album,
                                     gate=connections)
    except (MinionError, OSError) as error:
        reason = error.text if isinstance(error, MinionError) else f"{error.strerror or error}"
        emit(DownloadEvent("failed", track.urn, track.title, str(target), reason=reason))
        return Outcome(track.urn, "failed", str(target), reason)
    return Outcome(track.urn, "done", str(path))
