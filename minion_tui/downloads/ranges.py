"""A progressive file fetched as parallel byte ranges, written in place, resumable by a journal.

Mixcloud throttles a plain response after ~5 MB (docs/mixcloud.md §4.5), so its file is asked
for in ranges of at most ``StreamChoice.max_range_bytes``; fetched one after the other, each
range costs a round trip, so several are in flight at once (docs/downloads.md §1.5, §8.1). Every
range is written with ``pwrite`` at its own offset of ``<name>.part`` — no per-range files and
no joined copy — and recorded in the range journal (``ranges.json`` in the download's journal
folder) once its bytes are on disk (fdatasync first), so a killed download resumes with only
the ranges still missing.

The size is not known before the first answer; waiting for it would cost a round trip. The
first wave is started at once over a guessed size (duration × bitrate, ``size_hint``): a
range past the end answers 416 or comes back short, both harmless, and the first
``Content-Range`` tells the true total, after which the ranges still missing are queued.

Checks, as for one range (progressive.py, docs/downloads.md §3.1): a 206 must start where it
was asked; its total and validator must match the journal's (another file otherwise: start
over); a 200 means the server ignores ranges, and the file is fetched sequentially instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import struct
from collections.abc import Callable
from pathlib import Path

from minion_tui.downloads.hls import Refresh
from minion_tui.downloads.progressive import MAX_ATTEMPTS, MAX_RENEWALS, fetch_progressive
from minion_tui.downloads.range_journal import JOURNAL, RangeJournal, mark_tagging, moov_end
from minion_tui.errors import DownloadError
from minion_tui.models import StreamChoice
from minion_tui.net import Http, StreamError, TransportError

RANGE_SIZE = 5 * 1024 * 1024
CHUNK = 64 * 1024
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_UNSATISFIED = re.compile(r"bytes \*/(\d+)")
_KBITS = re.compile(r"(\d+)k")


def size_hint(duration_ms: int, preset: str) -> int | None:
    """The file's size guessed from its duration and the bitrate its preset names
    (``m4a_64k`` → 64 kbit/s), or None when the preset names none."""
    match = _KBITS.search(preset)
    if not match or duration_ms <= 0:
        return None
    return duration_ms * int(match.group(1)) // 8


class _Again(Exception):
    pass


class _Changed(Exception):
    """The server's file is not the one the journal describes: start over."""


class _Ignored(Exception):
    """A 200 to a range request: the server ignores ranges."""


class RangeFetcher:
    """Completes ``part`` from ``choice.url`` with ``concurrency`` ranges in flight."""

    def __init__(self, http: Http, choice: StreamChoice, part: Path, work: Path, *,
                 refresh: Refresh, concurrency: int = 8, hint: int | None = None,
                 on_bytes: Callable[[int, int | None], None] | None = None,
                 gate: asyncio.Semaphore | None = None,
                 room: Callable[[], int] | None = None) -> None:
        self.http, self.choice, self.part, self.work = http, choice, part, work
        self.refresh, self.gate, self.on_bytes = refresh, gate, on_bytes
        self.concurrency = max(1, concurrency)
        self.range_size = max(1, min(RANGE_SIZE, choice.max_range_bytes or RANGE_SIZE))
        self.hint = hint
        # An MP4's tags go into a ``free`` atom the .part leaves after the moov (the
        # server's later bytes written that much further in), so tagging moves no audio
        # (mp4_moov.py). ``room()`` says how large, asked when the moov's end is known.
        self.room = room
        self.fetched = 0  # bytes this run received
        self._generation = 0
        self._renewing = asyncio.Lock()
        self._renewals = 0

    async def run(self) -> int:
        """Fetch every missing range; the file's size. Starts over (once) when the server's
        file changed under the journal."""
        for attempt in range(3):
            try:
                return await self._run()
            except _Changed:
                if attempt == 2:
                    raise DownloadError("The file kept changing on the server while it was "
                                        "downloaded.", hint="Run the download again.") from None
                self._discard()
            except _Ignored:
                self._discard()
                return await fetch_progressive(self.http, self.choice, self.part,
                                               refresh=self.refresh, on_bytes=self.on_bytes,
                                               gate=self.gate, range_size=self.range_size)
        raise AssertionError("unreachable")

    def _discard(self) -> None:
        self.part.unlink(missing_ok=True)
        (self.work / JOURNAL).unlink(missing_ok=True)

    async def _run(self) -> int:
        self.work.mkdir(parents=True, exist_ok=True)
        journal = RangeJournal.load(self.work / JOURNAL)
        if journal.tagging or (journal.total is None and journal.done):
            self._discard()  # tagged part-way, or a journal that makes no sense: start over
            journal = RangeJournal(self.work / JOURNAL)
        self.journal = journal
        end = journal.total if journal.total is not None else max(
            self.hint or 0, self.concurrency * self.range_size)
        self.pending: list[tuple[int, int]] = [
            piece for gap in journal.missing(end) for piece in self._pieces(*gap)]
        self.claimed = end  # ranges up to here are queued, in flight or done
        self.in_flight = 0
        self.wake = asyncio.Condition()
        self.progress = journal.covered()
        self.layout = asyncio.Event()  # where the server's bytes go in the .part is known
        if self.room is None:
            journal.moov_end, journal.room = 0, 0
        if journal.moov_end is not None:
            self.layout.set()
        self.head = bytearray()  # the file's first bytes, until the moov's end is known
        flags = os.O_RDWR | os.O_CREAT
        self.fd = os.open(self.part, flags, 0o644)
        try:
            workers = [asyncio.ensure_future(self._worker()) for _ in range(self.concurrency)]
            try:
                await asyncio.gather(*workers)
            except BaseException:
                for worker in workers:
                    worker.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                raise
            if journal.total is None or not journal.complete():
                raise DownloadError("The server never said how large the file is.",
                                    hint="Run the download again; it resumes.")
            os.ftruncate(self.fd, journal.total + journal.room)
        finally:
            os.close(self.fd)
        journal.save()
        return journal.total

    def _pieces(self, start: int, end: int) -> list[tuple[int, int]]:
        return [(a, min(a + self.range_size, end)) for a in range(start, end, self.range_size)]

    def _learn_total(self, total: int) -> None:
        journal = self.journal
        if journal.total is not None and journal.total != total:
            raise _Changed()
        if journal.total is None:
            journal.total = total
            if self.claimed < total:  # the guess fell short: queue the rest
                self.pending.extend(self._pieces(self.claimed, total))
            self.claimed = max(self.claimed, total)

    async def _worker(self) -> None:
        while True:
            async with self.wake:
                while not self.pending and self.in_flight:
                    await self.wake.wait()
                if not self.pending:
                    self.wake.notify_all()
                    return
                start, end = self.pending.pop(0)
                self.in_flight += 1
            try:
                await self._range(start, end)
            finally:
                async with self.wake:
                    self.in_flight -= 1
                    self.wake.notify_all()

    async def _range(self, start: int, end: int) -> None:
        failures = 0
        reach = [start]  # where the bytes received so far stop, kept across a failure
        while True:
            start = reach[0]
            total = self.journal.total
            if total is not None:
                end = min(end, total)
                if start >= end:
                    return
            generation = self._generation
            try:
                await self._get(start, end, generation, reach)
                if reach[0] >= end:
                    return
                if reach[0] == start:
                    raise _Again(f"an empty answer for bytes {start}-{end - 1}")
                failures = 0  # a short answer: go on from where it stopped
            except (TransportError, StreamError, _Again) as error:
                failures += 1
                if failures >= MAX_ATTEMPTS:
                    raise DownloadError(f"The download kept failing: {error}",
                                        hint="Run it again later: it resumes where it "
                                             "stopped.") from error
                await asyncio.sleep(random.uniform(0, min(5.0, 0.2 * 2**failures)))
            except _Renewed:
                continue

    async def _get(self, start: int, end: int, generation: int, reach: list[int]) -> None:
        """One request for ``[start, end)``; ``reach[0]`` becomes where the bytes received
        stop (also when the answer breaks off: what arrived is valid at its offset)."""
        headers = {"Range": f"bytes={start}-{end - 1}"}
        if self.journal.validator:
            headers["If-Range"] = self.journal.validator
        at = start
        held: list[tuple[int, bytes]] = []  # arrived before the layout was known
        try:
            async with (self.gate if self.gate is not None else contextlib.nullcontext(),
                        self.http.stream("GET", self.choice.url, headers=headers) as response):
                status = response.status_code
                if status in (401, 403):
                    await self._renew(generation, status)
                    raise _Renewed()
                if status == 416:
                    size = _UNSATISFIED.fullmatch(response.headers.get("Content-Range", ""))
                    if size:
                        self._learn_total(int(size.group(1)))
                        if start >= int(size.group(1)):
                            reach[0] = end
                            return
                    raise _Again("HTTP 416 without the file's size")
                if status == 429 or status >= 500:
                    raise _Again(f"HTTP {status}")
                if status == 200:
                    raise _Ignored()
                if status != 206:
                    raise DownloadError(f"The download answered HTTP {status}.")
                match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
                if not match or int(match.group(1)) != start or match.group(3) == "*":
                    raise DownloadError(f"The server answered an unexpected range "
                                        f"({response.headers.get('Content-Range')!r}).")
                self._learn_total(int(match.group(3)))
                validator = response.headers.get("ETag") or response.headers.get(
                    "Last-Modified")
                if validator and validator.startswith("W/"):
                    validator = None  # a weak ETag may not be used in If-Range (RFC 9110)
                if validator and self.journal.validator and validator != self.journal.validator:
                    raise _Changed()
                if validator and not self.journal.validator:
                    self.journal.validator = validator
                last = min(int(match.group(2)) + 1, end)
                async for chunk in response.aiter_bytes(CHUNK):
                    piece = chunk[: max(0, last - at)]
                    if not self.layout.is_set():
                        held.append((at, piece))
                        if at == len(self.head):
                            self._learn_layout(piece)
                    else:
                        for offset, early in held:
                            self._write(early, offset)
                        held.clear()
                        self._write(piece, at)
                    at += len(piece)
                    reach[0] = at
                    self.fetched += len(piece)
                    self.progress += len(piece)
                    if self.on_bytes:
                        self.on_bytes(self.progress, self.journal.total)
                if at > start:
                    self._renewals = 0
                if held:
                    await self.layout.wait()  # the file's head is on its way
        finally:
            if held and self.layout.is_set():
                for offset, early in held:
                    self._write(early, offset)
                held.clear()
            if held:  # broke off before the layout was known: nothing was written
                reach[0] = start
                if start == 0:
                    self.head = bytearray()
            elif at > start:
                await self._record(start, at)

    def _learn_layout(self, piece: bytes) -> None:
        """The file's head so far plus ``piece``: once the moov's end shows, the layout is
        fixed, a ``free`` atom of ``room()`` bytes written after the moov."""
        self.head += piece
        end = moov_end(bytes(self.head))
        if end is None:
            return
        room = self.room() if end and self.room is not None else 0
        self.journal.moov_end, self.journal.room = end, room if room >= 8 else 0
        if self.journal.room:
            os.pwrite(self.fd, struct.pack(">I4s", self.journal.room, b"free"), end)
        self.head = bytearray()
        self.layout.set()

    def _write(self, data: bytes, offset: int) -> None:
        """``data`` of the server's file at ``offset``, where the layout puts it."""
        split, room = self.journal.moov_end or 0, self.journal.room
        if not room or offset + len(data) <= split:
            os.pwrite(self.fd, data, offset)
        elif offset >= split:
            os.pwrite(self.fd, data, offset + room)
        else:
            os.pwrite(self.fd, data[: split - offset], offset)
            os.pwrite(self.fd, data[split - offset:], split + room)

    async def _record(self, start: int, end: int) -> None:
        """Bytes on disk first, then the journal that says so."""
        await asyncio.to_thread(os.fdatasync, self.fd)
        self.journal.add(start, end)
        self.journal.save()

    async def _renew(self, generation: int, status: int) -> None:
        async with self._renewing:
            if generation != self._generation:
                return  # another range renewed it meanwhile
            self._renewals += 1
            if self._renewals > MAX_RENEWALS:
                raise DownloadError(
                    f"The server kept refusing the download (HTTP {status}) even with a "
                    f"renewed URL ({MAX_RENEWALS} times).",
                    hint="Check that the show is still available to your account and "
                         "region, then run the download again: it resumes.")
            self.choice = await self.refresh(self.choice)
            self._generation += 1


class _Renewed(Exception):
    """The URL was re-signed: ask again."""


#: The room the .part leaves for an M4A's tags after its moov (ranges.py): the same for every
#: run, so that a resumed download is byte for byte the uninterrupted one; a 1024×1024 JPEG
#: cover and a long tracklist fit. Should it fall short, tagging moves the audio once instead
#: (mp4_moov.py); what is left stays a ``free`` atom.
TAG_ROOM = 384 * 1024


async def fetch_in_ranges(http: Http, choice: StreamChoice, part: Path, work: Path, *,
                          refresh: Refresh, concurrency: int, duration_ms: int,
                          on_bytes: Callable[[int, int | None], None] | None,
                          gate: asyncio.Semaphore | None, mp4: bool) -> int:
    """Complete ``part`` (with TAG_ROOM left after an MP4's moov) and mark the journal as
    tagging; the bytes this run fetched."""
    fetcher = RangeFetcher(http, choice, part, work, refresh=refresh, concurrency=concurrency,
                           hint=size_hint(duration_ms, choice.preset), on_bytes=on_bytes,
                           gate=gate, room=(lambda: TAG_ROOM) if mp4 else None)
    await fetcher.run()
    await asyncio.to_thread(mark_tagging, work)  # from here the .part is being tagged
    return fetcher.fetched
