"""The playback proxy reads an HLS playlist within the same caps as a download
(docs/downloads.md §1.8): mpv gets a 502 saying which cap, not a million rewritten segments."""

from __future__ import annotations

from typing import Any

import httpx

from minion_tui.downloads.playlist import PlaylistLimits
from minion_tui.models import StreamChoice
from minion_tui.net import Http, HttpOptions
from minion_tui.playback.stream_proxy import StreamProxy
from tests.integration.local_server import answering_server


async def _no_refresh(choice: StreamChoice) -> StreamChoice:
    raise AssertionError("nothing expires here")


async def _proxied(body: bytes, limits: PlaylistLimits) -> httpx.Response:
    asked: list[str] = []

    def answer(url: Any) -> tuple[int, bytes, str | None]:
        asked.append(url.path)
        return 200, body, "application/vnd.apple.mpegurl"

    with answering_server(answer) as base:
        http = Http(HttpOptions(rate_limit=0, cdn_rate_limit=0))
        proxy = StreamProxy(http, _no_refresh, limits)
        await proxy.start()
        try:
            url = proxy.add(StreamChoice("hls", "mp3", "test", f"{base}/x.m3u8",
                                         track_urn="soundcloud:tracks:1"))
            async with httpx.AsyncClient() as client:
                response = await client.get(url)
        finally:
            await proxy.aclose()
            await http.aclose()
    assert asked == ["/x.m3u8"]
    return response


async def test_a_million_segments_are_refused_to_mpv() -> None:
    body = ("#EXTM3U\n" + "".join(f"#EXTINF:2.0,\ns{n}.mp3\n" for n in range(1_000_000))
            + "#EXT-X-ENDLIST\n").encode()
    response = await _proxied(body, PlaylistLimits())
    assert response.status_code == 502
    assert "lists 1000000 segments" in response.text
    assert "downloads.max_segments" in response.text


async def test_a_playlist_past_the_byte_cap_is_not_read_whole() -> None:
    body = b"#EXTM3U\n" + b"#EXTINF:2.0,\ns.mp3\n" * 2000 + b"#EXT-X-ENDLIST\n"
    response = await _proxied(body, PlaylistLimits(max_bytes=4096))
    assert response.status_code == 502
    assert "4096 bytes" in response.text and "downloads.max_playlist_bytes" in response.text


async def test_a_playlist_within_the_caps_is_rewritten() -> None:
    body = b"#EXTM3U\n#EXTINF:2.0,\ns.mp3\n#EXT-X-ENDLIST\n"
    response = await _proxied(body, PlaylistLimits(max_bytes=4096, max_segments=1))
    assert response.status_code == 200
    assert "/u/0.ts" in response.text
