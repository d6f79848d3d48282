"""A stream's first minutes as a file the analysis can read, fetched through ``net/``.

Progressive streams are read from their start until enough bytes for ``seconds`` at a high
bit rate (320 kbit/s) have arrived; HLS streams are their init section (fMP4) and their
first segments until the EXTINFs pass ``seconds``, written one after the other (MPEG-TS,
MP3 and fMP4 segments each concatenate into a stream PyAV decodes). A master playlist is
followed to its first variant (downloads/playlist.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from minion_tui.downloads.hls import decrypt, read_playlist
from minion_tui.downloads.playlist import DEFAULT_LIMITS, parse_playlist
from minion_tui.errors import InvalidMedia, NetworkError
from minion_tui.models import StreamChoice
from minion_tui.net import Http

#: Bytes a second of the richest stream a service offers (320 kbit/s), with room to spare.
_BYTES_PER_SECOND = 42_000
_MAX_VARIANT_HOPS = 3


async def fetch(http: Http, choice: StreamChoice, seconds: float, target: Path) -> Path:
    """Write the first ``seconds`` of ``choice`` to ``target`` and return it."""
    if choice.protocol == "hls":
        parts = await _hls(http, choice.url, seconds)
    else:
        parts = await _progressive(http, choice.url, seconds)
    if not any(parts):
        raise InvalidMedia("The stream sent no audio.", hint="Try again later.")
    await asyncio.to_thread(_write, target, parts)
    return target


def _write(target: Path, parts: list[bytes]) -> None:
    with open(target, "wb") as out:
        for part in parts:
            out.write(part)


async def _progressive(http: Http, url: str, seconds: float) -> list[bytes]:
    wanted = int(seconds * _BYTES_PER_SECOND) + 65536
    got = 0
    parts: list[bytes] = []
    async with http.stream("GET", url, headers={"Range": f"bytes=0-{wanted - 1}"}
                           ) as response:
        if response.status_code >= 400:
            raise NetworkError(f"The stream answered HTTP {response.status_code}.",
                               hint="Try again later; the link may have expired.")
        async for chunk in response.aiter_bytes(65536):
            parts.append(bytes(chunk[: wanted - got]))
            got += len(chunk)
            if got >= wanted:
                break
    return parts


async def _hls(http: Http, url: str, seconds: float) -> list[bytes]:
    playlist = None
    for _ in range(_MAX_VARIANT_HOPS):
        parsed = parse_playlist(await read_playlist(http, url, DEFAULT_LIMITS), url,
                                DEFAULT_LIMITS, name=http.public_url(url))
        if isinstance(parsed, str):
            url = parsed
            continue
        playlist = parsed
        break
    if playlist is None:
        raise InvalidMedia("The stream's playlist leads only to other playlists.")
    keys: dict[str, bytes] = {}
    have = 0.0
    parts: list[bytes] = []
    if playlist.init is not None:
        parts.append(await _segment(http, playlist.init.url, playlist.init.byterange))
    for segment in playlist.segments:
        data = await _segment(http, segment.url, segment.byterange)
        if segment.cipher is not None:
            key_url = segment.cipher.key_url
            if key_url not in keys:
                keys[key_url] = await http.get_bytes(key_url, max_bytes=64)
            data = decrypt(data, keys[key_url], segment.cipher.iv)
        parts.append(data)
        have += segment.seconds or 10.0
        if have >= seconds:
            break
    return parts


async def _segment(http: Http, url: str, byterange: tuple[int, int] | None) -> bytes:
    headers = None
    if byterange is not None:
        offset, length = byterange
        headers = {"Range": f"bytes={offset}-{offset + length - 1}"}
    return await http.get_bytes(url, headers=headers, max_bytes=32 << 20)
