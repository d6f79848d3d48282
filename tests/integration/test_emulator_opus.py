"""The emulator's legacy ``opus_0_0`` HLS (docs/soundcloud.md §2.2, §3.1): which tracks list it, the
signed URL on cf-hls-opus-media.sndcdn.com, and segments that are consecutive pages of one
valid Ogg Opus stream."""

from __future__ import annotations

import io
import struct
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import mutagen.ogg

from minion_tui.emulator.media.opus import PRE_SKIP

if TYPE_CHECKING:
    from tests.integration.conftest import EmulatorHttp

OPUS_MIME = 'audio/ogg; codecs="opus"'


def _opus(http: EmulatorHttp, name: str) -> tuple[Any, list[Any]]:
    track = http.json("/resolve", url=http.emulator.examples[name])
    return track, [t for t in track["media"]["transcodings"] if t["preset"].startswith("opus")]


def _segments(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def test_only_older_clear_uploads_list_the_legacy_opus(sc_http: EmulatorHttp) -> None:
    track, [opus] = _opus(sc_http, "track_opus")
    assert (opus["preset"], opus["format"], opus["is_legacy_transcoding"]) == (
        "opus_0_0", {"protocol": "hls", "mime_type": OPUS_MIME}, True)
    assert track["created_at"] < "2020-01-01"
    assert opus["duration"] == track["duration"]
    for name in ("track_full", "track_drm", "track_preview", "track_blocked"):
        assert _opus(sc_http, name)[1] == [], name
    assert "https://cf-hls-opus-media.sndcdn.com" in sc_http.emulator.endpoints


def test_opus_segments_join_into_one_ogg_opus_stream(sc_http: EmulatorHttp) -> None:
    track, [opus] = _opus(sc_http, "track_opus")
    url = sc_http.json(opus["url"], track_authorization=track["track_authorization"])["url"]
    parts = urlsplit(url)
    assert parts.hostname == "cf-hls-opus-media.sndcdn.com"
    assert parts.path.startswith("/playlist/") and parts.path.endswith(".64.opus/playlist.m3u8")
    assert {"Policy", "Signature", "Key-Pair-Id"} <= {p.split("=")[0]
                                                     for p in parts.query.split("&")}
    playlist = sc_http.get(url)
    assert playlist.status_code == 200 and playlist.text.startswith("#EXTM3U")
    assert "#EXT-X-ENDLIST" in playlist.text
    seconds = sum(float(line[len("#EXTINF:"):].rstrip(","))
                  for line in playlist.text.splitlines() if line.startswith("#EXTINF:"))
    assert abs(seconds - track["duration"] / 1000) < 0.01
    bodies = []
    for segment in _segments(playlist.text):
        response = sc_http.get(segment)
        assert response.status_code == 200 and response.headers["content-type"] == "audio/ogg"
        bodies.append(response.content)
    assert len(bodies) > 2 and all(body[:4] == b"OggS" for body in bodies)
    joined = io.BytesIO(b"".join(bodies))
    pages = []
    while True:
        try:
            pages.append(mutagen.ogg.OggPage(joined))
        except EOFError:
            break
    assert [p.sequence for p in pages] == list(range(len(pages)))
    assert len({p.serial for p in pages}) == 1
    assert pages[0].first and pages[-1].last and not any(p.last for p in pages[:-1])
    assert pages[0].packets[0][:8] == b"OpusHead"
    assert struct.unpack_from("<H", pages[0].packets[0], 10)[0] == PRE_SKIP
    assert pages[1].packets[0][:8] == b"OpusTags"
    granules = [p.position for p in pages[2:]]
    assert granules == sorted(granules)
    assert granules[-1] - PRE_SKIP == round(track["duration"] * 48)  # trimmed to the ms
    # Every page's CRC is right: mutagen writes each page back byte for byte.
    joined.seek(0)
    data = joined.read()
    assert all(data[p.offset:p.offset + len(p.write())] == p.write() for p in pages)


def test_opus_urls_are_signed_and_expire(sc_http: EmulatorHttp) -> None:
    _, [opus] = _opus(sc_http, "track_opus")
    url = sc_http.json(opus["url"])["url"]
    bare = url.split("?", 1)[0]
    assert sc_http.get(bare).status_code == 403
    playlist = sc_http.get(url).text
    first = _segments(playlist)[0]
    assert sc_http.get(first.split("?", 1)[0]).status_code == 403
    other = url.replace("/playlist/", "/playlist/0")  # the policy names this stream only
    assert sc_http.get(other).status_code == 403
    sc_http.emulator.state.media_ttl = -10.0  # already expired
    expired = sc_http.json(opus["url"])["url"]
    assert sc_http.get(expired).status_code == 403
