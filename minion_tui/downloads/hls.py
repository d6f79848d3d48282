"""HLS fetching: segments in parallel, each to its own file, assembled in playlist order.

Design (docs/downloads.md §1.7, §3 and TL;DR 4): like N_m3u8DL-RE, every segment is
written to ``NNNNN.seg.tmp`` and renamed to ``NNNNN.seg`` once its length is verified, so the
segment folder *is* the journal: after a crash or SIGKILL a restart fetches only the missing
indexes. A 403 means the signed URL expired (§1.6): the stream is re-signed once for all workers,
the playlist re-read, and only the missing segments are fetched from the new URLs.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from minion_tui.downloads import preload
from minion_tui.downloads.playlist import (
    DEFAULT_LIMITS,
    Cipher,
    MediaPlaylist,
    PlaylistLimits,
    Segment,
    parse_playlist,
)
from minion_tui.errors import (
    DownloadError,
    HTTPAuthError,
    HTTPStatusError,
    MinionError,
    NetworkError,
    NotFound,
)
from minion_tui.models import StreamChoice
from minion_tui.net import Http, StreamError, TransportError

CHUNK = 64 * 1024
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class SegmentProgress:
    """One finished segment: what a progress listener needs for bytes, count, speed and ETA."""

    index: int
    size: int
    done: int
    total: int


Refresh = Callable[[StreamChoice], Awaitable[StreamChoice]]
# Opens a file for writing (path, mode). The seam for simulating write errors such as a full
# disk (ENOSPC) in tests, instead of patching internals; the default is the builtin open.
Opener = Callable[[Path, str], BinaryIO]


def open_file(path: Path, mode: str) -> BinaryIO:
    return cast(BinaryIO, open(path, mode))


ProgressListener = Callable[[SegmentProgress], None]


def decrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    """AES-128-CBC with PKCS#7 padding, as HLS encrypts whole segments."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher as AesCipher
    from cryptography.hazmat.primitives.ciphers import algorithms, modes

    if len(data) % 16:
        raise ValueError(f"{len(data)} bytes is not a whole number of AES blocks")
    decryptor = AesCipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


class SegmentFetcher:
    """Fetches one stream's segments into ``folder`` with bounded concurrency and retries."""

    def __init__(self, http: Http, choice: StreamChoice, folder: Path, *, concurrency: int,
                 refresh: Refresh, gate: asyncio.Semaphore | None = None,
                 on_segment: ProgressListener | None = None,
                 opener: Opener = open_file, playlist: MediaPlaylist | None = None,
                 limits: PlaylistLimits = DEFAULT_LIMITS) -> None:
        self.http = http
        self.choice = choice
        self.folder = folder
        self.concurrency = max(1, concurrency)
        self.refresh = refresh
        self.gate = gate  # the global connection cap shared by every job
        self.on_segment = on_segment
        self.opener = opener
        # A playlist the caller already read (direct.py probes a bare URL's codec with it):
        # one request less on the way to the first segment.
        self._playlist: MediaPlaylist | None = playlist
        self.limits = limits
        self._generation = 0
        self._refresh_lock = asyncio.Lock()
        self._keys: dict[str, bytes] = {}
        self._key_lock = asyncio.Lock()
        self.bytes_fetched = 0

    async def playlist(self) -> MediaPlaylist:
        url = self.choice.url
        preload.start()  # what the answer and the finished file need, imported meanwhile
        # The segments' connections are opened while the playlist is on the way (they are
        # mostly on the playlist's host: SoundCloud's and Mixcloud's CDNs serve both); the
        # playlist's own connection is the last of them once it is answered.
        self.http.warm(url, self.concurrency - 1)
        for _ in range(3):
            text = await read_playlist(self.http, url, self.limits, gate=self.gate)
            parsed = parse_playlist(text, url, self.limits, name=self.http.public_url(url))
            if isinstance(parsed, MediaPlaylist):
                self._playlist = parsed
                return parsed
            url = parsed
        raise DownloadError(f"The playlist of {self.choice.track_urn} nests too deep.")

    async def media(self) -> MediaPlaylist:
        """The media playlist, read once (refuses DRM before any write)."""
        return self._playlist or await self.playlist()

    def path(self, index: int) -> Path:
        return self.folder / ("init.seg" if index < 0 else f"{index:05d}.seg")

    async def _wanted(self) -> list[Segment]:
        """Every segment (init first), in playlist order."""
        playlist = await self.media()
        return ([playlist.init] if playlist.init else []) + list(playlist.segments)

    async def files(self) -> list[Path]:
        """The journal file of every segment (init first), in playlist order."""
        return [self.path(seg.index) for seg in await self._wanted()]

    async def fetch_all(self) -> list[Path]:
        """Every segment on disk (init first); only the missing ones are downloaded."""
        wanted = await self._wanted()
        paths = [self.path(seg.index) for seg in wanted]
        on_disk = kept(paths)
        self.folder.mkdir(parents=True, exist_ok=True)
        missing = [seg.index for seg, path in zip(wanted, paths, strict=True)
                   if path not in on_disk]
        total = len(wanted)
        done = total - len(missing)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for index in missing:
            queue.put_nowait(index)

        async def worker() -> None:
            nonlocal done
            while not queue.empty():
                index = queue.get_nowait()
                size = await self._fetch_one(index)
                done += 1
                if self.on_segment:
                    self.on_segment(SegmentProgress(index, size, done, total))

        workers = [asyncio.create_task(worker()) for _ in range(min(self.concurrency,
                                                                       len(missing) or 1))]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
        return paths

    def _segment(self, index: int) -> Segment:
        assert self._playlist is not None
        if index < 0:
            assert self._playlist.init is not None
            return self._playlist.init
        return self._playlist.segments[index]

    async def _fetch_one(self, index: int) -> int:
        last: Exception | None = None
        for attempt in range(MAX_ATTEMPTS):
            generation = self._generation
            segment = self._segment(index)
            try:
                if self.gate is not None:
                    async with self.gate:
                        return await self._get(segment)
                return await self._get(segment)
            except _Expired:
                await self._renew(generation)
            except _Retryable as error:
                last = error
                delay = error.retry_after or random.uniform(0, min(5.0, 0.2 * 2**attempt))
                await asyncio.sleep(delay)
        raise DownloadError(f"Segment {index} of {self.choice.track_urn} failed after "
                            f"{MAX_ATTEMPTS} attempts: {last}",
                            hint="Run the same download again: it resumes where it stopped.")

    async def _renew(self, generation: int) -> None:
        # One re-sign serves every worker that saw the same expired generation.
        async with self._refresh_lock:
            if generation != self._generation:
                return
            try:
                self.choice = await self.refresh(self.choice)
            except MinionError as error:
                raise DownloadError(f"The stream URL expired and could not be renewed: "
                                    f"{error.text}") from error
            old = self._playlist
            fresh = await self.playlist()
            if old is not None and len(fresh.segments) != len(old.segments):
                raise DownloadError("The stream changed while downloading (segment count "
                                    "differs); delete the partial download and retry.")
            self._generation += 1

    async def _get(self, segment: Segment) -> int:
        headers = {}
        if segment.byterange:
            offset, length = segment.byterange
            headers["Range"] = f"bytes={offset}-{offset + length - 1}"
        final = self.path(segment.index)
        tmp = final.with_suffix(".seg.tmp")
        try:
            with self.opener(tmp, "wb") as out:
                async with self.http.stream("GET", segment.url, headers=headers) as response:
                    if response.status_code in (401, 403):
                        raise _Expired()
                    if response.status_code == 429 or response.status_code >= 500:
                        raise _Retryable(f"HTTP {response.status_code}",
                                         _retry_after(response.headers.get("Retry-After")))
                    if response.status_code not in (200, 206):
                        raise DownloadError(f"Segment {segment.index} answered HTTP "
                                            f"{response.status_code}.")
                    expected = response.headers.get("Content-Length")
                    size = 0
                    async for chunk in response.aiter_bytes(CHUNK):
                        out.write(chunk)
                        size += len(chunk)
        except (TransportError, StreamError) as error:
            raise _Retryable(f"{type(error).__name__}: {error}", None) from error
        # Truncation check (§4.2): a short body is retried, never assembled.
        want = int(expected) if expected and expected.isdigit() else None
        if segment.byterange:
            want = segment.byterange[1]
        if (want is not None and size != want) or size == 0:
            tmp.unlink(missing_ok=True)
            raise _Retryable(f"segment {segment.index} truncated ({size} of {want} bytes)", None)
        if segment.cipher is not None:
            await self._decrypt(tmp, segment.cipher)
        os.replace(tmp, final)
        self.bytes_fetched += size
        return size

    async def _key(self, url: str) -> bytes:
        async with self._key_lock:  # one fetch per key, however many workers need it
            if url not in self._keys:
                try:
                    key = await self.http.get_bytes(url)
                except MinionError as error:
                    raise _Retryable(f"the AES-128 key could not be fetched: {error.text}",
                                     None) from error
                if len(key) != 16:
                    raise DownloadError(f"The AES-128 key of {self.choice.track_urn} has "
                                        f"{len(key)} bytes instead of 16.")
                self._keys[url] = key
            return self._keys[url]

    async def _decrypt(self, tmp: Path, cipher: Cipher) -> None:
        """Replace the ciphertext in ``tmp`` by the clear segment: the journal holds clear
        segments only, so a resume or the join never needs the key again."""
        key = await self._key(cipher.key_url)
        try:
            clear = decrypt(tmp.read_bytes(), key, cipher.iv)  # noqa: ASYNC240 (one segment)
        except ValueError as error:
            tmp.unlink(missing_ok=True)  # noqa: ASYNC240
            raise _Retryable(f"segment did not decrypt ({error})", None) from error
        with self.opener(tmp, "wb") as out:
            out.write(clear)


async def read_playlist(http: Http, url: str, limits: PlaylistLimits, *,
                        gate: asyncio.Semaphore | None = None) -> str:
    """The body of the playlist at ``url``, never more than ``limits.max_bytes`` of it read
    (docs/downloads.md §1.8): streamed, and refused (PlaylistTooLarge) the moment it passes
    the cap, or at once when its Content-Length does. Retried like a segment: connection
    failures, 429 and 5xx up to MAX_ATTEMPTS times; other statuses raise what net's
    ``get_text`` raises for them (NotFound, HTTPAuthError, HTTPStatusError)."""
    last: _Retryable | None = None
    for attempt in range(MAX_ATTEMPTS):
        try:
            if gate is not None:
                async with gate:  # a playlist request counts against the cap too
                    return await _read_once(http, url, limits)
            return await _read_once(http, url, limits)
        except _Retryable as error:
            last = error
            await asyncio.sleep(error.retry_after
                                or random.uniform(0, min(5.0, 0.2 * 2**attempt)))
    raise NetworkError(f"GET {http.public_url(url)} failed after {MAX_ATTEMPTS} attempts: "
                       f"{last}.", hint="Check your network and try again later.")


async def _read_once(http: Http, url: str, limits: PlaylistLimits) -> str:
    shown = http.public_url(url)
    body = bytearray()
    try:
        async with http.stream("GET", url) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                raise _Retryable(f"HTTP {status}",
                                 _retry_after(response.headers.get("Retry-After")))
            if status in (404, 410):
                raise NotFound(f"Nothing at {shown} (HTTP {status}).",
                               hint="Check the link; the item may have been deleted or made "
                                    "private.")
            if status in (401, 403):
                raise HTTPAuthError(status, shown)
            if status >= 400:
                raise HTTPStatusError(status, shown)
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) > limits.max_bytes:
                raise limits.too_many_bytes(shown, int(announced), announced=True)
            async for chunk in response.aiter_bytes(CHUNK):
                body += chunk
                if len(body) > limits.max_bytes:
                    raise limits.too_many_bytes(shown, len(body))
    except (TransportError, StreamError) as error:
        raise _Retryable(f"{type(error).__name__}: {error}", None) from error
    # RFC 8216 §4.1: a playlist is UTF-8; a stray byte is left to the checks of its line.
    return body.decode("utf-8", errors="replace")


def kept(paths: Sequence[Path]) -> set[Path]:
    """The journal segments among ``paths`` that survive: the non-empty ones. Segments are
    not fsynced one by one (docs/downloads.md §3.4: a lost segment is simply
    fetched again; the final file is fsynced before its rename): after a power loss a renamed
    segment whose data never reached the disk reads back empty (ext4 data=ordered), and is
    fetched again. One listing per folder, not a stat per segment (a fresh download's
    journal does not exist yet: nothing to look at)."""
    listings: dict[Path, dict[str, int]] = {}
    found = set()
    for path in paths:
        listing = listings.get(path.parent)
        if listing is None:
            listing = listings[path.parent] = _sizes(path.parent)
        if listing.get(path.name, 0) > 0:
            found.add(path)
    return found


def _sizes(folder: Path) -> dict[str, int]:
    try:
        with os.scandir(folder) as entries:
            return {entry.name: entry.stat().st_size for entry in entries if entry.is_file()}
    except FileNotFoundError:
        return {}


class _Expired(Exception):
    pass


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return min(float(value), 30.0)
    return None


def strip_id3(data: bytes) -> bytes:
    """Drop a leading ID3v2 block (RFC 8216 §3.4 packed audio; docs/downloads.md §2.1)."""
    if len(data) >= 10 and data[:3] == b"ID3":
        size = 0
        for byte in data[6:10]:
            size = (size << 7) | (byte & 0x7F)
        footer = 10 if data[5] & 0x10 else 0
        return data[10 + size + footer:]
    return data
