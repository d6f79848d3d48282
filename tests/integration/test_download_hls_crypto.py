"""HLS encryption: AES-128 segments are decrypted into the journal; DRM is refused up front."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import SplitResult

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from minion_tui.downloads.hls import SegmentFetcher
from minion_tui.errors import DrmOnly
from minion_tui.models import StreamChoice
from minion_tui.net import Http, HttpOptions
from tests.integration.local_server import Answer, answering_server

KEY = bytes(range(16))
OTHER_KEY = bytes(range(16, 32))
EXPLICIT_IV = bytes.fromhex("0f0e0d0c0b0a09080706050403020100")


def _encrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


async def _no_refresh(choice: StreamChoice) -> StreamChoice:
    raise AssertionError("nothing expires here")


async def _fetch(url: str, folder: Path) -> list[Path]:
    http = Http(HttpOptions(rate_limit=0))
    try:
        choice = StreamChoice("hls", "mp3", "test", url, track_urn="test:1")
        fetcher = SegmentFetcher(http, choice, folder, concurrency=3, refresh=_no_refresh)
        return await fetcher.fetch_all()
    finally:
        await http.aclose()


async def test_aes_128_segments_are_decrypted(tmp_path: Path) -> None:
    clear = [os.urandom(1000 + 37 * n) for n in range(4)]
    # Segment 0 and 1: key 1 with the media sequence as IV (no IV attribute, sequence 41);
    # segment 2: key 2 with an explicit IV; segment 3: clear (METHOD=NONE).
    body = {
        "/s0.mp3": _encrypt(clear[0], KEY, (41).to_bytes(16, "big")),
        "/s1.mp3": _encrypt(clear[1], KEY, (42).to_bytes(16, "big")),
        "/s2.mp3": _encrypt(clear[2], OTHER_KEY, EXPLICIT_IV),
        "/s3.mp3": clear[3],
        "/k1": KEY,
        "/k2": OTHER_KEY,
    }
    requested: list[str] = []

    def answer(url: SplitResult) -> Answer:
        requested.append(url.path)
        if url.path == "/playlist.m3u8":
            return 200, (
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:41\n"
                '#EXT-X-KEY:METHOD=AES-128,URI="/k1"\n#EXTINF:10,\ns0.mp3\n#EXTINF:10,\ns1.mp3\n'
                f'#EXT-X-KEY:METHOD=AES-128,URI="/k2",IV=0x{EXPLICIT_IV.hex()}\n'
                "#EXTINF:10,\ns2.mp3\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:10,\ns3.mp3\n"
                "#EXT-X-ENDLIST\n").encode(), "application/vnd.apple.mpegurl"
        data = body.get(url.path)
        return (200, data, "application/octet-stream") if data is not None else (404, b"", None)

    with answering_server(answer) as base:
        files = await _fetch(f"{base}/playlist.m3u8", tmp_path / "journal")
    assert [f.read_bytes() for f in files] == clear
    assert requested.count("/k1") == 1 and requested.count("/k2") == 1  # keys fetched once


@pytest.mark.parametrize("key_line", [
    '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://key",KEYFORMAT="com.apple.streamingkeydelivery"',
    '#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;base64,AAAA"',
    '#EXT-X-KEY:METHOD=AES-128,URI="https://license.example/k",'
    'KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"',
])
async def test_drm_is_refused_before_any_segment(tmp_path: Path, key_line: str) -> None:
    requested: list[str] = []

    def answer(url: SplitResult) -> Answer:
        requested.append(url.path)
        if url.path == "/playlist.m3u8":
            return 200, (f"#EXTM3U\n#EXT-X-VERSION:5\n{key_line}\n#EXTINF:10,\ns0.m4s\n"
                         "#EXT-X-ENDLIST\n").encode(), "application/vnd.apple.mpegurl"
        return 200, b"x" * 100, "application/octet-stream"

    with answering_server(answer) as base, pytest.raises(DrmOnly) as refused:
        await _fetch(f"{base}/playlist.m3u8", tmp_path / "journal")
    assert requested == ["/playlist.m3u8"]  # nothing but the playlist was fetched
    assert "DRM" in refused.value.text
    assert not (tmp_path / "journal").exists()  # not even the journal folder
