"""Joining segments without re-encoding (docs/downloads.md §2).

MP3: byte concatenation with every leading ID3v2 block stripped (§2.1). AAC in fMP4 or TS:
remuxed with PyAV (stream copy) into a plain MP4 with ``+faststart``, because mutagen cannot
tag a fragmented MP4 reliably (§2.5). The demuxer reads the segment files in order through
:class:`SegmentReader`, one seekable stream over the journal, so no joined copy of the whole
track is ever written (one pass over the bytes less, and half the temporary disk space).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import io
import math
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from minion_tui.downloads.hls import Opener, kept, open_file, strip_id3
from minion_tui.downloads.media_check import check_first_segment
from minion_tui.errors import InvalidMedia

if TYPE_CHECKING:
    import av
    import av.container

#: The join hands what it appended to the disk every this many bytes (fdatasync, on its own
#: thread while the fetch goes on), so the fsync before the rename (engine._publish) finds
#: only the last few MB unwritten: 15 ms less at the end of a 60-minute MP3 on the CI machine.
SYNC_EVERY = 8 << 20


def concatenate(segments: Sequence[Path] | SegmentFeed, target: Path, *, mp3: bool,
                opener: Opener = open_file, head: Future[bytes] | None = None) -> int:
    """Append the segments to ``target`` in playlist order; returns the byte count.

    From a :class:`SegmentFeed` each segment is appended as soon as it and every one before
    it are on disk, so the join overlaps the download (:class:`JoinThread`) and only the
    last few segments are left to append when the fetch ends. ``head`` (an MP3's ID3 tag,
    known once the artwork is in) is written first. Synced as it grows (SYNC_EVERY); the
    engine fsyncs the file once more before the rename (engine._publish).
    """
    feed = segments if isinstance(segments, SegmentFeed) else SegmentFeed(segments)
    with opener(target, "wb") as out, _Syncing(target, enabled=True) as syncing:
        if head is not None:
            tag = head.result()
            out.write(tag)
            syncing.wrote(len(tag))
        for index, segment in enumerate(feed.paths):
            feed.wait(segment)
            data = segment.read_bytes()
            if mp3:
                data = strip_id3(data)
            if index == 0:  # before a byte of it is appended: is this audio at all?
                check_first_segment(data, mp3=mp3, where=target.name.removesuffix(".part"))
            out.write(data)
            out.flush()  # on disk segment by segment, not held in a buffer until the end
            syncing.wrote(len(data))
    return syncing.written


class JoinThread:
    """MP3 and Opus segments appended to ``target`` by a worker thread while they arrive:
    the same start / ready / finish / stop cycle as the AAC remux child
    (remux_process.RemuxProcess), so the engine drives both alike. A thread suffices here:
    the loop is reads and writes, which release the GIL, not Python work per packet."""

    def __init__(self, paths: Sequence[Path], target: Path, *, mp3: bool,
                 opener: Opener = open_file, head: Future[bytes] | None = None) -> None:
        self.feed = SegmentFeed(paths)
        self.target = target
        self.mp3 = mp3
        self.opener = opener
        self.head = head
        self._join: asyncio.Future[int] | None = None

    async def start(self) -> None:
        self._join = asyncio.ensure_future(asyncio.to_thread(
            concatenate, self.feed, self.target, mp3=self.mp3, opener=self.opener,
            head=self.head))

    def ready(self, path: Path) -> None:
        self.feed.ready(path)

    async def finish(self) -> None:
        """Every segment is ready: wait for the last ones to be appended (raises a write
        error such as a full disk)."""
        assert self._join is not None
        await self._join

    async def stop(self) -> None:
        """The download stopped: wake the thread and wait for it to end."""
        self.feed.abort("the download stopped before every segment arrived")
        if self.head is not None and not self.head.done():  # set on this loop's thread too
            self.head.set_exception(OSError("the download stopped before its tag was known"))
        if self._join is not None:
            with contextlib.suppress(Exception):
                await self._join


class _OneFileAtATime(io.RawIOBase):
    """A read-only stream over segment files, holding one of them open at a time."""

    def __init__(self) -> None:
        super().__init__()
        self._file: io.BufferedReader | None = None

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        super().close()


class SegmentReader(_OneFileAtATime):
    """The files ``paths`` read back to back as one seekable, read-only stream."""

    def __init__(self, paths: Sequence[Path]) -> None:
        super().__init__()
        self._paths = list(paths)
        self._starts: list[int] = []
        self._ends: list[int] = []
        size = 0
        for path in self._paths:
            self._starts.append(size)
            size += path.stat().st_size
            self._ends.append(size)
        self._size = size
        self._pos = 0
        self._open_index = -1

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` across file boundaries (short only at the end of the stream)."""
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self._pos < self._size:
            index = bisect.bisect_right(self._starts, self._pos) - 1
            while self._ends[index] <= self._pos:
                index += 1  # skip empty files
            if index != self._open_index:
                if self._file is not None:
                    self._file.close()
                self._file = open(self._paths[index], "rb")
                self._open_index = index
            assert self._file is not None
            self._file.seek(self._pos - self._starts[index])
            want = min(len(view) - filled, self._ends[index] - self._pos)
            count = self._file.readinto(view[filled:filled + want])
            if not count:
                raise OSError(f"{self._paths[index]} shrank while being read")
            self._pos += count
            filled += count
        return filled


class SegmentFeed:
    """Segment files that appear in any order while the fetch runs, read in playlist order.

    The fetcher calls :meth:`ready` as each file is renamed into place; the remux thread
    reads through :class:`FeedReader`, waiting for the next file in order. So the remux
    overlaps the download instead of following it. :meth:`abort` (fetch failed, paused,
    cancelled) wakes the reader with an error.
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        # Already in the journal (a resume); an empty file is refetched (hls.kept).
        self._ready = kept(self.paths)
        self._cond = threading.Condition()
        self._aborted = ""

    def ready(self, path: Path) -> None:
        with self._cond:
            self._ready.add(path)
            self._cond.notify_all()

    def abort(self, reason: str) -> None:
        with self._cond:
            self._aborted = reason or "aborted"
            self._cond.notify_all()

    def wait(self, path: Path) -> None:
        with self._cond:
            while path not in self._ready and not self._aborted:
                self._cond.wait()
            if path not in self._ready:  # a file that did arrive is read even after a stop
                raise OSError(f"segment feed stopped: {self._aborted}")


class FeedReader(_OneFileAtATime):
    """A non-seekable stream over a :class:`SegmentFeed` (the demuxer then reads straight
    through, as it would a live fMP4/TS stream)."""

    def __init__(self, feed: SegmentFeed) -> None:
        super().__init__()
        self._feed = feed
        self._index = 0

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self._index < len(self._feed.paths):
            if self._file is None:
                path = self._feed.paths[self._index]
                self._feed.wait(path)
                self._file = open(path, "rb")
            count = self._file.readinto(view[filled:])
            if not count:
                self._file.close()
                self._file = None
                self._index += 1
                continue
            filled += count
        return filled


def moov_reserve(seconds: float, rate: int, frame_size: int, room: int) -> int:
    """Bytes to reserve at the front of an M4A for its moov and ``room`` bytes of tags: the
    moov of one AAC track is ~4 bytes per frame (its stsz entry; FFmpeg groups the frames
    into chunks of up to 1 MiB, so the chunk tables add little), 4.03 measured on the
    emulator's 60-minute mix; 5% and 16 KiB of slack over the playlist's duration."""
    frames = math.ceil(seconds * rate / (frame_size or 1024))
    return int(frames * 4 * 1.05) + (16 << 10) + room


def remux_to_m4a(source: Path | Sequence[Path] | SegmentFeed, target: Path, *,
                 seconds: float = 0.0, room: int = 0) -> None:
    """Stream-copy the audio of ``source`` (fMP4 or TS: one file, init + segments in order,
    or a feed of segments still arriving) into an MP4 at ``target`` with its moov first.

    Without ``seconds``, FFmpeg's faststart moves the moov to the front when the audio is
    written (a second pass over the whole file). With ``seconds`` (the playlist's duration),
    space for the moov and ``room`` bytes of tags is reserved at the front instead
    (:func:`moov_reserve`, FFmpeg's ``moov_size``): the moov is written into it and
    tags.py puts the tags in the rest, so the finished file is written once and can be
    synced as it grows. Should the reservation fall short, the remux runs again with
    faststart from the complete journal."""
    import av  # heavy: loaded only when an AAC download finishes

    files = source.paths if isinstance(source, SegmentFeed) else (
        [source] if isinstance(source, Path) else list(source))
    reader: io.RawIOBase = (FeedReader(source) if isinstance(source, SegmentFeed)
                            else SegmentReader(files))
    try:
        _remux(reader, target, seconds, room)
    except InvalidMedia:
        raise
    except av.FFmpegError:  # "reserved_moov_size is too small": written with faststart
        if not seconds:
            raise
        _remux(SegmentReader(files), target, 0.0, 0)


def _remux(reader: io.RawIOBase, target: Path, seconds: float, room: int) -> None:
    import av

    with reader, _opened(reader, target) as inp:
        in_stream = inp.streams.audio[0]
        options = {"movflags": "+faststart"}
        if seconds:
            options = {"moov_size": str(moov_reserve(
                seconds, in_stream.rate, in_stream.codec_context.frame_size, room))}
        with av.open(str(target), "w", format="mp4", options=options) as out, \
                _Syncing(target, enabled=bool(seconds)) as syncing:
            out_stream = out.add_stream_from_template(in_stream)
            for packet in _packets(inp, in_stream, target):
                if packet.dts is None:
                    continue  # the demuxer's flush packet
                packet.stream = out_stream
                out.mux(packet)
                syncing.wrote(packet.size)
    # Not fsynced whole here: the engine tags the file, then fsyncs it once before the
    # rename (engine._publish), which finds little left when the audio was synced as it grew.


_NOT_AUDIO_HINT = ("The server sent something else than audio (an error page, say); try "
                   "again later, or another --format.")


@contextlib.contextmanager
def _opened(reader: io.RawIOBase, target: Path) -> Iterator[av.container.InputContainer]:
    """The demuxer over ``reader``, with an audio stream; InvalidMedia when the segments are
    not media it can read (HTML, random bytes: av.InvalidDataError) or hold no audio."""
    import av

    name = target.name.removesuffix(".part")
    try:
        container = av.open(reader, "r")
    except av.InvalidDataError as error:
        raise InvalidMedia(f"The segments of {name} are not audio: {error.strerror}.",
                           hint=_NOT_AUDIO_HINT) from error
    with container:
        if not container.streams.audio:
            raise InvalidMedia(f"The segments of {name} hold no audio stream.",
                               hint=_NOT_AUDIO_HINT)
        yield container


def _packets(inp: av.container.InputContainer, stream: av.AudioStream, target: Path
             ) -> Iterator[av.Packet[av.AudioStream]]:
    """``inp.demux(stream)``, a segment the demuxer cannot read raising InvalidMedia."""
    import av

    try:
        yield from inp.demux(stream)
    except av.InvalidDataError as error:
        raise InvalidMedia(f"A segment of {target.name.removesuffix('.part')} is not audio: "
                           f"{error.strerror}.", hint=_NOT_AUDIO_HINT) from error


class _Syncing:
    """fdatasync ``path`` every SYNC_EVERY bytes written to it, through a descriptor of our
    own: a sync covers the file whichever descriptor wrote it (FFmpeg writes through its own,
    and creates the file only with its first packet)."""

    def __init__(self, path: Path, *, enabled: bool) -> None:
        self.path = path
        self.enabled = enabled
        self.fd = -1
        self.written = self.synced = 0

    def __enter__(self) -> _Syncing:
        return self

    def wrote(self, size: int) -> None:
        self.written += size
        if self.enabled and self.written - self.synced >= SYNC_EVERY:
            if self.fd < 0:
                self.fd = os.open(self.path, os.O_RDONLY)
            os.fdatasync(self.fd)
            self.synced = self.written

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)
