"""Downloading one track to its final name: stream choice, fetch, join, tag, atomic rename.

Invariant (docs/downloads.md §3.4): nothing exists under the final name until the file is
complete — the audio is assembled and tagged in ``<name>.part``, fsynced, then ``os.replace``d.
The segment folder ``.<name>.parts/`` is the resume journal (hls.py) and is removed only after
the rename.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from minion_tui.downloads import hls, remux
from minion_tui.downloads.chapters import Chapter, fetch_chapters, write_cue
from minion_tui.downloads.durable import rename_durably
from minion_tui.downloads.jobs import Meter
from minion_tui.downloads.journal import drop_if_unused, open_journal, stream_identity
from minion_tui.downloads.lock import target_lock
from minion_tui.downloads.naming import DEFAULT_TEMPLATE, render
from minion_tui.downloads.playlist import DEFAULT_LIMITS, MediaPlaylist, PlaylistLimits
from minion_tui.downloads.progressive import fetch_progressive
from minion_tui.downloads.ranges import fetch_in_ranges
from minion_tui.downloads.remux_process import RemuxProcess
from minion_tui.downloads.tags import Cover, InSet, TrackTags, id3_tag, mp4_room, write_tags
from minion_tui.errors import InvalidMedia, MinionError
from minion_tui.models import DownloadEvent, StreamChoice, Track
from minion_tui.net import Http

# --format -> the stream preference. "opus" insists on the legacy opus_0_0 HLS (the provider
# refuses the track when it is not offered rather than saving AAC under .opus); its Ogg
# segments are consecutive pages of one stream, so they are joined by concatenation.
PREFER = {"best": None, "mp3": "mp3", "m4a": "aac", "opus": "opus", "original": None}
CONTAINER = {"mp3": "mp3", "aac": "m4a", "opus": "opus"}


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
    # The caps on an HLS playlist (downloads.max_playlist_bytes, max_segments,
    # max_duration_hours): past one, the download fails before anything is queued.
    limits: PlaylistLimits = DEFAULT_LIMITS
    # --convert (downloads.convert): "mp3" | "m4a" | "opus" | "flac" re-encodes the finished
    # file when it is in another format (convert.py); None keeps it as downloaded.
    convert: str | None = None


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
                          album: str = "", gate: asyncio.Semaphore | None = None,
                          playlist: MediaPlaylist | None = None,
                          identity: str | None = None, in_set: InSet | None = None) -> Path:
    """Download ``choice`` into ``target`` (complete or absent); resumable after any crash.
    ``in_set``: the track's place in the set it is downloaded from (its track, disc and
    album artist tags; tags.py).
    ``playlist``: the HLS media playlist of ``choice`` when the caller has already read it.
    ``identity``: what the stream is (journal.py; by default the track's URN and the
    transcoding): a journal left by another source under the same name is not resumed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target_lock(target):  # another process on the same file: DownloadBusy
        return await _download_locked(source, track, choice, target, options,
                                      tags=TrackTags.of(track, album=album, in_set=in_set),
                                      gate=gate, playlist=playlist,
                                      identity=identity or stream_identity(track, choice))


async def _download_locked(source: StreamSource, track: Track, choice: StreamChoice,
                           target: Path, options: DownloadOptions, *, tags: TrackTags,
                           gate: asyncio.Semaphore | None, playlist: MediaPlaylist | None,
                           identity: str) -> Path:
    emit = options.listener or (lambda event: None)
    part, work = partial_paths(target)
    open_journal(work, part, identity)
    container = CONTAINER.get(choice.codec, choice.codec)
    emit(DownloadEvent("start", track.urn, track.title, str(target)))
    # The artwork (one to three requests: original, t500x500, as given) is fetched beside the
    # audio rather than after it, where each of its round trips would delay the finished file.
    cover_fetch = asyncio.ensure_future(fetch_cover(source.http, track))
    # The tracklist too (one GraphQL request for a Mixcloud show) is fetched beside the audio.
    chapters_fetch = asyncio.ensure_future(fetch_chapters(source, track))
    job = _Job(source, choice, track, target, part, work, container, options, emit, gate,
               playlist, cover_fetch, tags, chapters_fetch)
    if container == "mp3" and choice.protocol == "hls":
        # The join writes the ID3 tag first, once the artwork is in, instead of the tagger
        # inserting it in front of the whole file at the end (a rewrite of every byte).
        job.head = _tag_when_covered(cover_fetch, chapters_fetch, tags)
    try:
        await _fetch_audio(job)
        cover = await cover_fetch
        tags = dataclasses.replace(tags, chapters=await chapters_fetch)
    except InvalidMedia:
        # The journal holds bytes that are not audio: a resume would only assemble them again.
        await asyncio.to_thread(discard_partial, target)
        raise
    except BaseException:
        drop_if_unused(work)  # failed before a segment landed: nothing to resume from
        raise
    finally:
        chapters_fetch.cancel()  # never fails (fetch_chapters): nothing to retrieve
        if not cover_fetch.done():
            cover_fetch.cancel()
        elif not cover_fetch.cancelled():
            cover_fetch.exception()  # retrieved: the audio's own error is the one reported
    if job.head is None:
        await asyncio.to_thread(write_tags, part, container, tags, cover)
    size = await asyncio.to_thread(_publish, part, target, work)
    final, converted_from, note = target, "", ""
    if options.convert:
        final, converted_from, note = await convert_finished(target, container,
                                                             options.convert, tags, cover)
        size = (await asyncio.to_thread(final.stat)).st_size
    if tags.chapters:
        await asyncio.to_thread(write_cue, final, title=tags.title, performer=tags.artist,
                                chapters=tags.chapters)
    # The HLS segments (the init segment counted, as the segment events count it; 0 for a
    # progressive file, which has none) and the mean rate of this run's transfer.
    emit(DownloadEvent("done", track.urn, track.title, str(final),
                       bytes_done=size, bytes_total=size, segments_done=job.segments,
                       segments_total=job.segments, speed=job.rate(), eta=0.0,
                       reason=note, converted_from=converted_from))
    return final


async def convert_finished(target: Path, container: str, fmt: str, tags: TrackTags,
                           cover: Cover | None) -> tuple[Path, str, str]:
    """``download --convert``: the complete, tagged ``target`` (a ``container`` file)
    re-encoded as ``fmt`` in a child process, tagged with the same ``tags`` and ``cover``,
    renamed into place; the original is removed only then (convert.py). Returns the file,
    the container it was converted from ("" when it was already ``fmt``) and what the
    output says of it."""
    from minion_tui.downloads import convert

    if convert.SAME.get(container) == fmt:
        return target, "", f"already {fmt}: not re-encoded"
    final = await asyncio.to_thread(convert.converted_name, target, fmt)
    part = convert.converting_path(final)
    await convert.encode_in_child(target, part, fmt)
    try:
        await asyncio.to_thread(write_tags, part, fmt, tags, cover)
        await asyncio.to_thread(convert.publish, part, final, target)
    except BaseException:
        part.unlink(missing_ok=True)  # the original is still the download
        raise
    return final, container, (f"converted from {container} to {fmt} "
                              f"({convert.FORMATS[fmt].described}, PyAV)")


def needs_conversion(choice: StreamChoice, options: DownloadOptions) -> bool:
    """Whether --convert asks for another format than ``choice``'s."""
    from minion_tui.downloads.convert import SAME

    container = CONTAINER.get(choice.codec, choice.codec)
    return options.convert is not None and SAME.get(container) != options.convert


async def convert_complete(source: StreamSource, track: Track, choice: StreamChoice,
                           target: Path, options: DownloadOptions, *, album: str = "",
                           in_set: InSet | None = None) -> Path:
    """A file already complete under its final name, converted as ``options.convert`` asks
    (a run a kill stopped mid-conversion left the original: this finishes it). Emits the
    done event itself."""
    assert options.convert is not None
    container = CONTAINER.get(choice.codec, choice.codec)
    tags = TrackTags.of(track, album=album, in_set=in_set)
    with target_lock(target):
        cover = await fetch_cover(source.http, track)
        final, converted_from, note = await convert_finished(target, container,
                                                             options.convert, tags, cover)
    size = (await asyncio.to_thread(final.stat)).st_size
    emit = options.listener or (lambda event: None)
    emit(DownloadEvent("done", track.urn, track.title, str(final), bytes_done=size,
                       bytes_total=size, eta=0.0, reason=note, converted_from=converted_from))
    return final


@dataclass
class _Job:
    """One track's audio fetch: what it is, where it goes, how it reports."""

    source: StreamSource
    choice: StreamChoice
    track: Track
    target: Path
    part: Path  # <name>.part, assembled untagged (or behind ``head``)
    work: Path  # the resume journal
    container: str
    options: DownloadOptions
    emit: Listener
    gate: asyncio.Semaphore | None
    playlist: MediaPlaylist | None
    cover: asyncio.Future[Cover | None]  # being fetched beside the audio
    tags: TrackTags
    chapters: asyncio.Future[tuple[Chapter, ...]]  # being fetched beside the audio
    meter: Meter = field(default_factory=Meter)
    head: Future[bytes] | None = None  # what the join writes before the audio
    # What the done event reports: segments of the stream, bytes this run fetched (not those
    # a resumed journal held) and when the fetch began and ended.
    segments: int = 0
    fetched: int = 0
    began: float = field(default_factory=time.monotonic)
    ended: float | None = None

    def rate(self) -> float | None:
        """Bytes per second over this run's transfer (None when it fetched nothing): the
        figure for the whole file, where the meter's is smoothed over the last seconds and
        absent for a transfer shorter than its first sample."""
        seconds = (self.ended or time.monotonic()) - self.began
        return self.fetched / seconds if self.fetched and seconds > 0 else None


def _tag_when_covered(cover_fetch: asyncio.Future[Cover | None],
                      chapters_fetch: asyncio.Future[tuple[Chapter, ...]], tags: TrackTags
                      ) -> Future[bytes]:
    """The ID3 tag of the finished file, set once ``cover_fetch`` and ``chapters_fetch``
    end (without a cover if it failed: the download reports that failure itself)."""
    head: Future[bytes] = Future()

    def covered(_: object) -> None:
        if head.done() or not (cover_fetch.done() and chapters_fetch.done()):
            return  # the download stopped first, or the other is still on its way
        chapters = () if chapters_fetch.cancelled() else chapters_fetch.result()
        try:
            head.set_result(id3_tag(dataclasses.replace(tags, chapters=chapters),
                                    _cover_of(cover_fetch)))
        except Exception as error:
            head.set_exception(error)

    cover_fetch.add_done_callback(covered)
    chapters_fetch.add_done_callback(covered)
    return head


async def _tag_room(job: _Job) -> int:
    """Bytes the M4A's tags will take (with the artwork once it is in; nothing is raised:
    the download reports a failed artwork fetch itself)."""
    await asyncio.wait([job.cover])
    await asyncio.wait([job.chapters])
    chapters = () if job.chapters.cancelled() else job.chapters.result()
    return mp4_room(dataclasses.replace(job.tags, chapters=chapters), _cover_of(job.cover))


def _cover_of(fetch: asyncio.Future[Cover | None]) -> Cover | None:
    """The artwork a finished fetch got; None when it failed or was cancelled."""
    if fetch.cancelled() or fetch.exception() is not None:
        return None
    return fetch.result()


async def _fetch_audio(job: _Job) -> None:
    """The audio of ``job.choice`` into ``job.part``, resumable from ``job.work``."""
    track, target, emit, meter = job.track, job.target, job.emit, job.meter
    if job.choice.protocol == "hls":
        fetched = [0]  # segments fetched by this run (the journal may hold others)

        def on_segment(p: hls.SegmentProgress) -> None:
            fetched[0] += 1
            job.ended = time.monotonic()  # the transfer ends as its last segment lands
            if assembler is not None:
                assembler.ready(fetcher.path(p.index))
            done = fetcher.bytes_fetched
            speed = meter.update(done)
            # Bytes left ≈ missing segments × the mean size of the ones fetched so far.
            left = (p.total - p.done) * done / fetched[0]
            emit(DownloadEvent("segment", track.urn, track.title, str(target),
                               bytes_done=done, segments_done=p.done, segments_total=p.total,
                               speed=speed, eta=left / speed if speed else None))

        fetcher = hls.SegmentFetcher(
            job.source.http, job.choice, job.work, concurrency=job.options.segments,
            refresh=job.source.refresh_stream, gate=job.gate, opener=job.options.opener,
            on_segment=on_segment, playlist=job.playlist, limits=job.options.limits)
        assembler: Assembler | None = None
        fragmented = (await fetcher.media()).init is not None
        if job.container == "m4a" and not fragmented:
            # AAC in MPEG-TS (no EXT-X-MAP): the TS demuxer drops frames after the first
            # when it cannot see the stream's size (a live feed), so it reads the finished
            # segments through the seekable SegmentReader instead.
            files = await fetcher.fetch_all()
            await asyncio.to_thread(remux.remux_to_m4a, files, job.part)
        else:
            # Assembled while the segments arrive, read in order straight from the journal's
            # files: AAC in fMP4 remuxed by a child process (remux_process.py: no joined copy,
            # and the remux overlaps the fetch without holding this process's GIL); MP3 and
            # Opus appended by a thread. When the last segment lands, little is left to do.
            playlist = await fetcher.media()
            files = await fetcher.files()
            if job.container == "m4a":
                # The moov's space (and the tags') reserved at the front: the file is written
                # once, never shifted to move the moov or to insert the tags.
                assembler = RemuxProcess(files, job.part, seconds=playlist.seconds,
                                         room=asyncio.ensure_future(_tag_room(job)))
            else:
                assembler = remux.JoinThread(files, job.part, mp3=job.choice.codec == "mp3",
                                             opener=job.options.opener, head=job.head)
            await fetch_while_assembling(fetcher, assembler)
        job.segments, job.fetched = len(files), fetcher.bytes_fetched
    elif job.choice.max_range_bytes:
        await _fetch_ranges(job)
    else:
        job.work.mkdir(parents=True, exist_ok=True)
        raw = job.work / "progressive"

        def on_bytes(done: int, total: int | None) -> None:
            speed = meter.update(done)
            emit(DownloadEvent("bytes", track.urn, track.title, str(target), bytes_done=done,
                               bytes_total=total, speed=speed, eta=meter.eta(done, total)))

        resumed = raw.stat().st_size if raw.exists() else 0
        # each range holds the connection cap
        await fetch_progressive(job.source.http, job.choice, raw,
                                refresh=job.source.refresh_stream, on_bytes=on_bytes,
                                gate=job.gate)
        job.ended = time.monotonic()
        job.fetched = raw.stat().st_size - resumed
        shutil.copyfile(raw, job.part)


async def _fetch_ranges(job: _Job) -> None:
    """A progressive file the provider caps per request (Mixcloud): parallel ranges written
    in place into ``job.part``, resumable from the range journal (ranges.py)."""
    track, target, emit, meter = job.track, job.target, job.emit, job.meter

    def on_bytes(done: int, total: int | None) -> None:
        speed = meter.update(done)
        emit(DownloadEvent("bytes", track.urn, track.title, str(target), bytes_done=done,
                           bytes_total=total, speed=speed, eta=meter.eta(done, total)))

    job.fetched = await fetch_in_ranges(
        job.source.http, job.choice, job.part, job.work, refresh=job.source.refresh_stream,
        concurrency=job.options.segments, duration_ms=track.duration_ms, on_bytes=on_bytes,
        gate=job.gate, mp4=job.container == "m4a")
    job.ended = time.monotonic()


class Assembler(Protocol):
    """Builds ``<name>.part`` from the journal's segments as they arrive
    (remux_process.RemuxProcess, remux.JoinThread)."""

    async def start(self) -> None: ...

    def ready(self, path: Path) -> None: ...

    async def finish(self) -> None: ...

    async def stop(self) -> None: ...


async def fetch_while_assembling(fetcher: hls.SegmentFetcher, assembler: Assembler) -> None:
    """Fetch every segment while ``assembler`` builds the output from them in order (the
    fetcher's on_segment hands it each finished file)."""
    await assembler.start()
    try:
        await fetcher.fetch_all()
    except BaseException:
        # Failed, paused or cancelled: stop the assembler, then report the fetch's own error.
        await assembler.stop()
        raise
    await assembler.finish()


def partial_paths(target: Path) -> tuple[Path, Path]:
    """``(<name>.part, .<name>.parts/)``: the file being assembled and the resume journal."""
    return target.with_name(target.name + ".part"), target.with_name(f".{target.name}.parts")


def discard_partial(target: Path) -> None:
    """Remove everything a cancelled download left (never the final file)."""
    part, work = partial_paths(target)
    part.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)


def _publish(part: Path, target: Path, work: Path) -> int:
    """fsync the finished ``.part``, rename it to its final name, then drop the journal."""
    rename_durably(part, target)
    shutil.rmtree(work, ignore_errors=True)
    return target.stat().st_size


def artwork_candidates(track: Track) -> list[str]:
    """Largest first (docs/soundcloud.md §2.1): original, then t500x500; the URL as given last.

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
            response = await http.request("GET", url, max_bytes=http.options.max_image_bytes)
        except MinionError:
            continue
        data = response.content
        mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
        if data:
            return Cover(data, mime)
    return None


