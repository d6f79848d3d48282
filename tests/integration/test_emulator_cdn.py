"""The emulated CDN over real HTTP: streams decode to the right length, HLS segments join to
the progressive file, Range/If-Range semantics, signed-URL expiry, images and waveforms."""

from __future__ import annotations

import io
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av
import httpx
import pytest
import uvicorn
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from minion_tui.emulator.cdn.origins import Cdn
from minion_tui.emulator.media.audio import AudioSpec

SPECS = {
    "trackAbc123": AudioSpec(seed=7, duration_ms=183_456, style="Deep House"),
    "shortXyz789": AudioSpec(seed=11, duration_ms=21_300, style="house"),
}
ORIGINS = {
    "https://playback.media-streaming.soundcloud.cloud": "/sc-aac",
    "https://cf-hls-media.sndcdn.com": "/sc-hls",
    "https://cf-media.sndcdn.com": "/sc-media",
    "https://cf-preview-media.sndcdn.com": "/sc-preview",
    "https://i1.sndcdn.com": "/sc-img",
    "https://wave.sndcdn.com": "/sc-wave",
}


@dataclass
class Clock:
    now: float = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Served:
    cdn: Cdn
    clock: Clock
    base: str
    client: httpx.Client
    rewritten: dict[str, str]
    cache: dict[str, bytes] = field(default_factory=dict)

    def local(self, url: str) -> str:
        """What the client's endpoint map does: real origin -> this server's prefix."""
        for origin, prefix in ORIGINS.items():
            if url.startswith(origin):
                return self.base + prefix + url[len(origin):]
        raise AssertionError(f"unmapped URL {url}")

    def get(self, url: str, **kwargs: object) -> httpx.Response:
        return self.client.get(self.local(url), **kwargs)  # type: ignore[arg-type]

    def url(self, kind: str, key: str = "trackAbc123", ttl: float = 300) -> str:
        return self.cdn.signed_url(kind, key, expires_at=self.clock.now + ttl)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    clock = Clock()
    cache_dir = tmp_path_factory.getbasetemp() / "emulator-loops"
    cdn = Cdn(cache_dir=cache_dir, lookup=SPECS.get, secret=b"test-secret", clock=clock)
    rewritten: dict[str, str] = {}

    async def rewritten_playlist(request: Request) -> Response:
        return Response(rewritten[request.path_params["name"]],
                        media_type="application/vnd.apple.mpegurl")

    app = Starlette(routes=[*cdn.mounts(), Route("/rewritten/{name}.m3u8", rewritten_playlist)])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    with httpx.Client(timeout=30) as client:
        yield Served(cdn, clock, f"http://127.0.0.1:{port}", client, rewritten)
    server.should_exit = True
    thread.join(5)


def playlist_entries(text: str) -> list[tuple[float, str]]:
    lines = text.splitlines()
    return [(float(line[len("#EXTINF:"):].rstrip(",")), lines[i + 1])
            for i, line in enumerate(lines) if line.startswith("#EXTINF:")]


def decoded_seconds(data: bytes, container: str | None = None) -> tuple[str, float]:
    with av.open(io.BytesIO(data), format=container) as media:
        stream = media.streams.audio[0]
        samples = sum(frame.samples for frame in media.decode(stream))
        return stream.codec_context.name, samples / stream.codec_context.sample_rate


def progressive(served: Served, key: str = "trackAbc123") -> bytes:
    if key not in served.cache:
        response = served.get(served.url("mp3_progressive", key))
        assert response.status_code == 200
        served.cache[key] = response.content
    return served.cache[key]


def test_progressive_mp3_decodes_to_the_track_duration(served: Served) -> None:
    response = served.get(served.url("mp3_progressive"))
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.headers["accept-ranges"] == "bytes"
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.content[:2] == b"\xff\xfb"  # an MPEG-1 Layer III frame, no ID3 in front
    codec, seconds = decoded_seconds(response.content)
    assert codec.startswith("mp3")
    assert abs(seconds - 183.456) < 0.1


def test_mp3_hls_segments_join_into_the_progressive_file(served: Served) -> None:
    playlist = served.get(served.url("mp3_hls"))
    assert playlist.status_code == 200
    assert playlist.text.startswith("#EXTM3U\n")
    assert playlist.text.rstrip().endswith("#EXT-X-ENDLIST")
    entries = playlist_entries(playlist.text)
    assert 1.9 < entries[0][0] < 2.1
    assert all(abs(seconds - 9.978776) < 1e-5 for seconds, _ in entries[1:-1])
    assert abs(sum(seconds for seconds, _ in entries) - 183.456) < 0.1
    joined, expected_start = b"", 0
    for _, url in entries:
        assert url.startswith("https://cf-hls-media.sndcdn.com/media/")
        first, last = (int(part) for part in url.split("/")[4:6])
        assert first == expected_start  # contiguous inclusive byte offsets
        expected_start = last + 1
        segment = served.get(url)
        assert segment.status_code == 200
        assert len(segment.content) == last - first + 1
        joined += segment.content
    assert joined == progressive(served)


def test_aac_hls_init_and_fragments_decode_to_the_track_duration(served: Served) -> None:
    url = served.url("aac_hls")
    assert "expires=" in url and "Key-Pair-Id=APKA" in url
    playlist = served.get(url).text
    for tag in ("#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:10", "#EXT-X-PLAYLIST-TYPE:VOD",
                "#EXTINF:10.007800,", "#EXT-X-ENDLIST"):
        assert tag in playlist
    init_url = playlist.split('#EXT-X-MAP:URI="')[1].split('"')[0]
    assert "/init.mp4?" in init_url
    entries = playlist_entries(playlist)
    assert len(entries) == 19 and entries[-1][0] < 10
    init = served.get(init_url)
    assert init.status_code == 200 and init.content[4:8] == b"ftyp"
    segments = [served.get(segment_url).content for _, segment_url in entries]
    assert all(segment[4:8] == b"styp" for segment in segments)
    codec, seconds = decoded_seconds(init.content + b"".join(segments))
    assert codec == "aac"
    assert abs(seconds - 183.456) < 0.1


@pytest.mark.parametrize("kind", ["aac_hls", "mp3_hls"])
def test_ffmpeg_plays_the_hls_playlist(served: Served, kind: str, tmp_path: Path) -> None:
    """ffmpeg's HLS demuxer (what mpv uses) reads the whole stream, with origins mapped."""
    text = served.get(served.url(kind)).text
    for origin, prefix in ORIGINS.items():
        text = text.replace(origin, served.base + prefix)
    playlist = tmp_path / "playlist.m3u8"
    playlist.write_text(text)
    result = subprocess.run(
        ["ffmpeg", "-v", "error", "-protocol_whitelist", "file,http,tcp", "-i", str(playlist),
         "-f", "null", "-"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.mpv
@pytest.mark.parametrize("kind", ["aac_hls", "mp3_hls", "mp3_progressive"])
def test_mpv_plays_each_stream_to_the_end(served: Served, kind: str) -> None:
    """libmpv plays every rendition to EOF without errors. HLS playlists are served with
    their origins mapped, as the client's net layer will have to hand them to mpv."""
    import mpv

    url = served.url(kind, key="shortXyz789")
    if kind.endswith("_hls"):
        text = served.get(url).text
        for origin, prefix in ORIGINS.items():
            text = text.replace(origin, served.base + prefix)
        served.rewritten[kind] = text
        target = f"{served.base}/rewritten/{kind}.m3u8"
    else:
        target = served.local(url)
    problems: list[str] = []
    ended = threading.Event()
    reasons: list[str] = []
    durations: list[float] = []
    player = mpv.MPV(ao="null", vo="null", ao_null_untimed=True, ytdl=False, loglevel="warn",
                     log_handler=lambda level, prefix, text: problems.append(
                         f"{level} {prefix} {text}") if level in ("error", "fatal") else None)
    try:
        player.observe_property("duration", lambda _name, value: durations.append(value)
                                if value is not None else None)

        @player.event_callback("end-file")
        def _finished(event: object) -> None:
            reasons.append(event.as_dict()["reason"].decode())  # type: ignore[attr-defined]
            ended.set()

        player.play(target)
        assert ended.wait(60)
    finally:
        player.terminate()
    assert reasons == ["eof"] and problems == []
    assert durations and abs(durations[-1] - 21.3) < 0.1


def test_range_request_returns_the_slice(served: Served) -> None:
    full = progressive(served)
    url = served.url("mp3_progressive")
    part = served.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(full)}"
    assert part.content == full[1000:2000]
    tail = served.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == full[-500:]
    open_ended = served.get(url, headers={"Range": f"bytes={len(full) - 10}-"})
    assert open_ended.content == full[-10:]


def test_range_beyond_the_end_is_416(served: Served) -> None:
    size = len(progressive(served))
    response = served.get(served.url("mp3_progressive"),
                          headers={"Range": f"bytes={size}-{size + 100}"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{size}"


def test_if_range_honours_only_the_current_etag(served: Served) -> None:
    full = progressive(served)
    url = served.url("mp3_progressive")
    head = served.client.head(served.local(url))
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(full)
    etag = head.headers["etag"]
    resumed = served.get(url, headers={"Range": "bytes=100-", "If-Range": etag})
    assert resumed.status_code == 206 and resumed.content == full[100:]
    stale = served.get(url, headers={"Range": "bytes=100-", "If-Range": '"not-the-etag"'})
    assert stale.status_code == 200 and stale.content == full
    by_date = served.get(url, headers={"Range": "bytes=100-",
                                       "If-Range": head.headers["last-modified"]})
    assert by_date.status_code == 206


def test_expired_urls_get_403_on_playlists_and_segments(served: Served) -> None:
    aac_url, mp3_url = served.url("aac_hls", ttl=60), served.url("mp3_hls", ttl=60)
    aac_segment = playlist_entries(served.get(aac_url).text)[3][1]
    mp3_segment = playlist_entries(served.get(mp3_url).text)[3][1]
    progressive_url = served.url("mp3_progressive", ttl=60)
    assert served.get(aac_segment).status_code == 200
    saved = served.clock.now
    served.clock.now += 61
    try:
        for url in (aac_url, aac_segment, mp3_url, mp3_segment, progressive_url):
            response = served.get(url)
            assert response.status_code == 403, url
            assert "<Code>AccessDenied</Code>" in response.text
            assert "expired" in response.text
    finally:
        served.clock.now = saved


def test_tampered_or_foreign_signatures_get_403(served: Served) -> None:
    url = served.url("mp3_progressive")
    forged = url.replace("Signature=", "Signature=AAAA")
    assert served.get(forged).status_code == 403
    other = served.url("mp3_progressive", key="shortXyz789")
    borrowed = url.split("?")[0] + "?" + other.split("?")[1]  # valid policy, other resource
    assert served.get(borrowed).status_code == 403
    assert served.get(url.split("?")[0]).status_code == 403  # unsigned


def test_unknown_track_is_404_even_when_signed(served: Served) -> None:
    assert served.get(served.url("mp3_progressive", key="noSuchKey")).status_code == 404


def test_preview_is_the_first_30_seconds(served: Served) -> None:
    preview = served.get(served.url("mp3_preview"))
    assert preview.status_code == 200
    _, seconds = decoded_seconds(preview.content)
    assert abs(seconds - 30) < 0.1
    assert progressive(served).startswith(preview.content)
    entries = playlist_entries(served.get(served.url("mp3_preview_hls")).text)
    joined = b"".join(served.get(url).content for _, url in entries)
    assert joined == preview.content
    short = served.get(served.url("mp3_preview", key="shortXyz789")).content
    assert short == progressive(served, "shortXyz789")  # shorter than 30 s: the whole track


def test_waveform_json_shape(served: Served) -> None:
    url = served.cdn.waveform_url("trackAbc123")
    assert url == "https://wave.sndcdn.com/trackAbc123_m.json"
    body = served.get(url).json()
    assert body["width"] == 1800 and body["height"] == 140
    samples = body["samples"]
    assert len(samples) == 1800 and all(isinstance(v, int) for v in samples)
    assert 0 <= min(samples) < max(samples) <= 140
    assert served.get(served.cdn.waveform_url("noSuchKey")).status_code == 404


@pytest.mark.parametrize(("size", "pixels"), [
    ("mini", 16), ("tiny", 20), ("small", 32), ("badge", 47), ("t67x67", 67), ("large", 100),
    ("t300x300", 300), ("crop", 400), ("t500x500", 500)])
def test_artwork_sizes_are_jpegs_of_the_right_size(served: Served, size: str,
                                                   pixels: int) -> None:
    response = served.get(served.cdn.artwork_url("000123-abc", size))
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "JPEG" and image.size == (pixels, pixels)


def test_original_artwork_is_png_only_and_avatars_have_their_own_tiny(served: Served) -> None:
    png = served.get(served.cdn.artwork_url("000123-abc", "original").replace(".jpg", ".png"))
    assert Image.open(io.BytesIO(png.content)).format == "PNG"
    assert served.get(served.cdn.artwork_url("000123-abc", "original")).status_code == 404
    avatar = served.get(served.cdn.avatar_url("000999-def", "tiny"))
    assert Image.open(io.BytesIO(avatar.content)).size == (18, 18)
    assert served.get(served.cdn.artwork_url("000123-abc", "t999x999")).status_code == 404
