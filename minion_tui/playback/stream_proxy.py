"""A loopback HTTP proxy between mpv and the CDN.

Why it exists (ARCHITECTURE.md rule 3): mpv must not fetch CDN URLs itself. HLS playlists carry
absolute REAL-origin segment URLs, so against the emulator (or a replay) mpv could not follow
them, and it would bypass the endpoint map and the rate limits of ``net/``. Instead mpv plays
``http://127.0.0.1:<port>/s/<token>/...``; the proxy fetches through :class:`Http`, rewrites
every URI of a playlist (segments, ``EXT-X-MAP``, keys) to proxy URLs and streams bodies back
(Range passed through for progressive MP3).

Expiry (docs/soundcloud.md §3.1): signed URLs die (the CDN answers 403) after roughly the
track's duration + 120 s; the web player re-requests the playlist. The proxy does the same: on a
403 it asks the provider to re-sign (``refresh``), re-reads the playlist and serves the same URI
index from the fresh playlist, so mpv never sees the expiry.

HLS segments are served to mpv as MPEG-TS: libavformat's HLS demuxer cannot seek in fMP4 or
raw MP3 segments (transport_stream.py explains the failure), so the playlist names ``.ts``
segments (without ``EXT-X-MAP``) and each one is converted, losslessly, as mpv fetches it.

Mixcloud's ``index.m3u8`` is a master playlist whose variants carry AAC in MPEG-TS
(docs/mixcloud.md §4.5). The proxy follows a master to its highest-bandwidth variant itself
(at the start and after every re-signing, since a fresh URL names the master again), so mpv
gets one media playlist and the URI indices stay those of the variant; segments that already
are MPEG-TS (sync byte 0x47 every 188 bytes) are passed through unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from minion_tui.downloads.hls import read_playlist
from minion_tui.downloads.playlist import DEFAULT_LIMITS, PlaylistLimits
from minion_tui.errors import InvalidPlaylist, PlaylistTooLarge
from minion_tui.models import StreamChoice
from minion_tui.playback.fmp4_audio import AacInit, aac_segment
from minion_tui.playback.mp3_audio import mp3_segment

if TYPE_CHECKING:
    from minion_tui.net import Http, RequestSpec, Response, StreamResponse

log = logging.getLogger(__name__)

Refresh = Callable[[StreamChoice], Awaitable[StreamChoice]]
_URI_ATTR = re.compile(r'URI="([^"]+)"')
_RANGE = re.compile(r"bytes=(\d+)-(\d*)$")
_PASS_HEADERS = ("content-type", "content-length", "content-range", "accept-ranges")
_CHUNK = 64 * 1024
_BANDWIDTH = re.compile(r"(?:^|[:,])BANDWIDTH=(\d+)")
_TS_PACKET = 188


@dataclass
class _Session:
    """One stream handed to mpv: its current choice and the real URIs its playlist names."""

    choice: StreamChoice
    uris: list[str] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    refreshes: int = 0
    # HLS segments are converted to MPEG-TS: by URI index, where each media segment starts
    # (seconds, from the #EXTINF sums), and the fMP4 init segment's index, if there is one
    starts: dict[int, float] = field(default_factory=dict)
    init_index: int | None = None
    init: AacInit | None = None  # parsed once: re-signing does not change the init segment


class StreamProxy:
    """Serves streams to mpv on 127.0.0.1; runs on the asyncio loop it was started on."""

    def __init__(self, http: Http, refresh: Refresh,
                 limits: PlaylistLimits = DEFAULT_LIMITS) -> None:
        self._http = http
        self._refresh = refresh
        self._limits = limits  # the downloads' caps on a playlist apply to playback too
        self._sessions: dict[str, _Session] = {}
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    def add(self, choice: StreamChoice) -> str:
        """Register a stream; returns the loopback URL mpv should open."""
        token = secrets.token_urlsafe(8)
        self._sessions[token] = _Session(choice)
        tail = "playlist.m3u8" if choice.protocol == "hls" else "file"
        return f"http://127.0.0.1:{self.port}/s/{token}/{tail}"

    @property
    def total_refreshes(self) -> int:
        """How many times streams were re-signed after a 403 (for tests and logs)."""
        return sum(session.refreshes for session in self._sessions.values())

    # -- HTTP ------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in lines[1:] if line)
            }
            await self._route(method, path, headers, writer)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass  # mpv closed the connection (seek, stop): nothing to answer
        except Exception as exc:  # keep the proxy alive; mpv reports the failed open
            log.warning("stream proxy: %s", exc)
            with contextlib.suppress(Exception):
                await self._reply(writer, 502, {"content-type": "text/plain"}, str(exc).encode())
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _route(
        self, method: str, path: str, headers: dict[str, str], writer: asyncio.StreamWriter
    ) -> None:
        parts = path.split("?", 1)[0].strip("/").split("/")
        session = self._sessions.get(parts[1]) if len(parts) >= 3 and parts[0] == "s" else None
        if session is None or method not in ("GET", "HEAD"):
            await self._reply(writer, 404, {"content-type": "text/plain"}, b"unknown stream")
            return
        if parts[2] == "playlist.m3u8":
            body = await self._playlist(session, parts[1])
            await self._reply(writer, 200, {"content-type": "application/vnd.apple.mpegurl"}, body)
        elif parts[2] == "u" and len(parts) == 4:
            index = int(parts[3].split(".", 1)[0])
            if index in session.starts:
                await self._transmux(session, index, headers.get("range"), writer)
            else:
                await self._relay(session, index, headers.get("range"), writer)
        else:
            await self._relay(session, -1, headers.get("range"), writer)

    async def _reply(
        self, writer: asyncio.StreamWriter, status: int, headers: dict[str, str], body: bytes
    ) -> None:
        await self._head(writer, status, {**headers, "content-length": str(len(body))})
        writer.write(body)
        await writer.drain()

    @staticmethod
    async def _head(writer: asyncio.StreamWriter, status: int, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()]
        lines.append("connection: close")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()

    # -- playlists and bodies ---------------------------------------------------------------

    async def _playlist(self, session: _Session, token: str) -> bytes:
        text, base = await self._media_playlist(session.choice.url)
        plan = _rewrite(text, base, self.port, token)
        session.uris, session.starts, session.init_index = plan.uris, plan.starts, plan.init_index
        return plan.text.encode()

    async def _read_playlist(self, url: str) -> str:
        """The playlist's text within the caps (docs/downloads.md §1.8): its bytes while it
        arrives, its segments before it is rewritten; mpv gets the error as a 502."""
        text = await read_playlist(self._http, url, self._limits)
        count = text.count("#EXTINF")
        if count > self._limits.max_segments:
            raise PlaylistTooLarge(
                f"The playlist {self._http.public_url(url)} lists {count} segments; the limit "
                f"is {self._limits.max_segments} (downloads.max_segments).")
        return text

    async def _media_playlist(self, url: str) -> tuple[str, str]:
        """(text, URL) of the media playlist at ``url``: a master playlist is followed to its
        highest-bandwidth variant (one level: a variant naming variants is an error)."""
        text = await self._read_playlist(url)
        variant = best_variant(text, url)
        if variant is None:
            return text, url
        text = await self._read_playlist(variant)
        if best_variant(text, variant) is not None:
            raise InvalidPlaylist(
                f"The HLS variant {self._http.public_url(variant)} is itself a master "
                "playlist.", hint="The stream cannot be played; try another show.")
        return text, variant

    async def _refresh_session(self, session: _Session, stale: StreamChoice) -> None:
        async with session.lock:
            if session.choice is not stale:
                return  # another request re-signed it already
            log.info("stream expired (403); re-signing %s", stale.track_urn)
            session.choice = await self._refresh(stale)
            session.refreshes += 1
            if session.choice.protocol == "hls":
                text, base = await self._media_playlist(session.choice.url)
                session.uris = _rewrite(text, base, self.port, "").uris

    async def _relay(
        self, session: _Session, index: int, range_: str | None, writer: asyncio.StreamWriter
    ) -> None:
        cap = session.choice.max_range_bytes
        if index < 0 and cap:
            await self._relay_in_ranges(session, range_, cap, writer)
            return
        headers = {"Range": range_} if range_ else None
        for attempt in range(2):
            stale = session.choice
            url = stale.url if index < 0 else session.uris[index]
            async with self._http.stream("GET", url, headers=headers) as response:
                if response.status_code == 403 and attempt == 0:
                    pass  # re-sign below, outside the open response
                else:
                    out = {k: response.headers[k] for k in _PASS_HEADERS if k in response.headers}
                    await self._head(writer, response.status_code, out)
                    async for chunk in response.aiter_raw(_CHUNK):
                        writer.write(chunk)
                        await writer.drain()
                    return
            await self._refresh_session(session, stale)

    async def _relay_in_ranges(self, session: _Session, range_: str | None, cap: int,
                               writer: asyncio.StreamWriter) -> None:
        """A progressive file asked of a CDN that throttles long answers (Mixcloud past
        ~5 MB, docs/mixcloud.md §4.5): mpv asks ``bytes=N-`` and gets one answer, fetched
        upstream in ranges of at most ``cap`` bytes, one after the other."""
        wanted = _RANGE.match(range_.strip()) if range_ else None
        first = int(wanted.group(1)) if wanted else 0
        last = int(wanted.group(2)) if wanted and wanted.group(2) else None
        position, started = first, False
        while last is None or position <= last:
            stop = position + cap - 1 if last is None else min(last, position + cap - 1)
            for attempt in range(2):
                stale = session.choice
                asked = {"Range": f"bytes={position}-{stop}"}
                async with self._http.stream("GET", stale.url, headers=asked) as response:
                    status = response.status_code
                    if status == 403 and attempt == 0:
                        pass  # re-sign below, outside the open response
                    elif status != 206 or not (total := _range_total(response)):
                        if not started:  # no ranges here: the answer as it is
                            out = {k: response.headers[k] for k in _PASS_HEADERS
                                   if k in response.headers}
                            await self._head(writer, status, out)
                            async for chunk in response.aiter_raw(_CHUNK):
                                writer.write(chunk)
                                await writer.drain()
                        return
                    else:
                        if not started:
                            last = total - 1 if last is None else min(last, total - 1)
                            await self._head(writer, 206 if wanted else 200,
                                             _whole_head(response, first, last, total, wanted))
                            started = True
                        before = position
                        async for chunk in response.aiter_raw(_CHUNK):
                            writer.write(chunk)
                            position += len(chunk)
                            await writer.drain()
                        if position == before:
                            return  # an empty answer: stop rather than ask again forever
                        break
                await self._refresh_session(session, stale)

    async def _transmux(
        self, session: _Session, index: int, range_: str | None, writer: asyncio.StreamWriter
    ) -> None:
        """A media segment, fetched whole and served as an MPEG-TS segment."""
        data = await self._fetch(session, index)
        if is_transport_stream(data):
            body = data  # already MPEG-TS (Mixcloud's HLS): mpv demuxes it as it is
        elif session.init_index is None:
            body = mp3_segment(data, session.starts[index])
        else:
            if session.init is None:
                session.init = AacInit.parse(await self._fetch(session, session.init_index))
            body = aac_segment(session.init, data)
        status, headers = 200, {"content-type": "video/mp2t", "accept-ranges": "bytes"}
        wanted = _RANGE.match(range_.strip()) if range_ else None
        if wanted and (int(wanted.group(1)) > 0 or wanted.group(2)):
            # a reconnect resumes mid-segment: the conversion is deterministic, so slice it
            first = int(wanted.group(1))
            last = min(int(wanted.group(2) or len(body) - 1), len(body) - 1)
            headers["content-range"] = f"bytes {first}-{last}/{len(body)}"
            status, body = 206, body[first:last + 1]
        await self._reply(writer, status, headers, body)

    async def _fetch(self, session: _Session, index: int) -> bytes:
        """The whole body of URI ``index``, with net/'s retries; a 403 re-signs the stream."""
        stale = session.choice

        async def resign(response: Response, spec: RequestSpec) -> RequestSpec:
            await self._refresh_session(session, stale)
            return dataclasses.replace(spec, url=session.uris[index])

        return await self._http.get_bytes(session.uris[index], auth_hook=resign)


def _range_total(response: StreamResponse) -> int | None:
    """The full length a 206's ``Content-Range: bytes a-b/total`` gives (None if unknown)."""
    total = response.headers.get("content-range", "").rpartition("/")[2]
    return int(total) if total.isdigit() else None


def _whole_head(response: StreamResponse, first: int, last: int, total: int,
                ranged: object) -> dict[str, str]:
    out = {"content-type": response.headers.get("content-type", "application/octet-stream"),
           "accept-ranges": "bytes", "content-length": str(last - first + 1)}
    if ranged:
        out["content-range"] = f"bytes {first}-{last}/{total}"
    return out


def best_variant(text: str, base: str) -> str | None:
    """The absolute URL of the highest-BANDWIDTH variant a master playlist names (the first
    of equals; one without BANDWIDTH counts as 0), or None when ``text`` is a media playlist."""
    best: tuple[int, str] | None = None
    pending: int | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#EXT-X-STREAM-INF"):
            found = _BANDWIDTH.search(stripped.partition(":")[2])
            pending = int(found.group(1)) if found else 0
        elif stripped and not stripped.startswith("#") and pending is not None:
            if best is None or pending > best[0]:
                best = (pending, urljoin(base, stripped))
            pending = None
    return best[1] if best else None


def is_transport_stream(data: bytes) -> bool:
    """Whether a segment is MPEG-TS: a sync byte at the start of its first packets."""
    if len(data) < _TS_PACKET or data[0] != 0x47:
        return False
    return all(data[i] == 0x47 for i in range(0, min(len(data), 4 * _TS_PACKET), _TS_PACKET))


@dataclass(frozen=True)
class _Plan:
    uris: list[str]  # every URI of the playlist, resolved, in document order
    text: str  # the playlist mpv gets
    starts: dict[int, float]  # media segment URI index -> start time in seconds
    init_index: int | None  # the fMP4 init segment's URI index (None: raw segments)


def _rewrite(text: str, base: str, port: int, token: str) -> _Plan:
    """The playlist pointing at ``/s/<token>/u/<index>.ts`` instead of the real URIs. Indices
    follow document order, so a re-signed playlist of the same stream maps the same index to
    the same segment. ``EXT-X-MAP`` is left out: MPEG-TS segments carry their own PAT/PMT."""
    uris: list[str] = []
    starts: dict[int, float] = {}
    init_index: int | None = None
    elapsed = 0.0
    duration = 0.0
    variant = False  # the next URI is a variant playlist (master playlist), not a segment

    def proxied(uri: str, suffix: str | None = None) -> str:
        uris.append(urljoin(base, uri))
        # keep a known extension: ffmpeg's HLS demuxer refuses segments whose extension it
        # does not recognise (its allowed_segment_extensions check)
        suffix = suffix or PurePosixPath(urlsplit(uris[-1]).path).suffix
        return f"http://127.0.0.1:{port}/s/{token}/u/{len(uris) - 1}{suffix}"

    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#EXT-X-MAP:") and init_index is None:
            found = _URI_ATTR.search(stripped)
            if found:
                proxied(found.group(1))
                init_index = len(uris) - 1
                continue
        if stripped.startswith("#EXTINF:"):
            with contextlib.suppress(ValueError):
                duration = float(stripped[8:].split(",", 1)[0])
        if stripped.startswith("#"):
            variant = variant or stripped.startswith("#EXT-X-STREAM-INF")
            out.append(_URI_ATTR.sub(lambda m: f'URI="{proxied(m.group(1))}"', line))
        elif stripped and variant:
            out.append(proxied(stripped))
            variant = False
        elif stripped:
            out.append(proxied(stripped, ".ts"))
            starts[len(uris) - 1] = elapsed
            elapsed += duration
        else:
            out.append(line)
    return _Plan(uris, "\n".join(out) + "\n", starts, init_index)
