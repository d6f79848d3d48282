"""Download paths through the engine against a local server: MP3 HLS with per-segment ID3,
AAC in MPEG-TS HLS remuxed to a faststart .m4a, a master playlist, a direct .m4a URL, and the
one connection cap of a batch (counted at the server)."""

from __future__ import annotations

import re
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import av
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from minion_tui.downloads.batch import download_batch
from minion_tui.downloads.direct import download_direct
from minion_tui.downloads.engine import DownloadOptions, download_stream
from minion_tui.downloads.targets import Direct
from minion_tui.models import Playlist, StreamChoice, Track
from minion_tui.net import Http, HttpOptions
from tests.integration.local_server import QuietHandler, serving_with

SECONDS = 6.0
TONE = f"sine=frequency=440:duration={SECONDS}:sample_rate=44100"
# What Apple's segmenter (and SoundCloud's MP3 HLS) put before every packed-audio segment: an
# ID3v2.4 tag with the PRIV transport stream timestamp (RFC 8216 §3.4).
_OWNER = b"com.apple.streaming.transportStreamTimestamp\x00"


def _syncsafe(size: int) -> bytes:
    return bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))


def _id3_priv(timestamp: int) -> bytes:
    body = _OWNER + struct.pack(">Q", timestamp)
    frame = b"PRIV" + _syncsafe(len(body)) + b"\x00\x00" + body
    return b"ID3\x04\x00\x00" + _syncsafe(len(frame)) + frame


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", TONE, "-ac", "2",
                    *args], check=True)


@dataclass(frozen=True)
class Media:
    root: Path

    def mp3_segments(self, variant: str) -> list[Path]:
        return sorted((self.root / variant).glob("seg*.mp3"))


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    root = tmp_path_factory.mktemp("media")
    for variant, rate in (("hi", "192k"), ("mid", "128k"), ("lo", "64k")):
        folder = root / variant
        folder.mkdir()
        _ffmpeg("-c:a", "libmp3lame", "-b:a", rate, "-f", "segment", "-segment_time", "1",
                "-segment_format", "mp3", "-segment_format_options",
                "write_xing=0:id3v2_version=0", str(folder / "raw%03d.mp3"))
        raws = sorted(folder.glob("raw*.mp3"))
        for n, raw in enumerate(raws):
            (folder / f"seg{n:03d}.mp3").write_bytes(_id3_priv(n * 90_000) + raw.read_bytes())
            raw.unlink()
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2",
                 "#EXT-X-MEDIA-SEQUENCE:0"]
        for n in range(len(raws)):
            lines += ["#EXTINF:1.0,", f"seg{n:03d}.mp3"]
        (folder / "index.m3u8").write_text("\n".join([*lines, "#EXT-X-ENDLIST", ""]))
    (root / "master.m3u8").write_text("\n".join([
        "#EXTM3U",
        '#EXT-X-STREAM-INF:BANDWIDTH=128000,CODECS="mp4a.40.34"', "mid/index.m3u8",
        '#EXT-X-STREAM-INF:BANDWIDTH=192000,CODECS="mp4a.40.34"', "hi/index.m3u8",
        '#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.34"', "lo/index.m3u8", ""]))
    ts = root / "ts"
    ts.mkdir()
    _ffmpeg("-c:a", "aac", "-b:a", "128k", "-f", "hls", "-hls_time", "1",
            "-hls_segment_type", "mpegts", "-hls_playlist_type", "vod",
            "-hls_segment_filename", str(ts / "s%03d.ts"), str(ts / "index.m3u8"))
    _ffmpeg("-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", str(root / "tone.m4a"))
    _ffmpeg("-c:a", "libmp3lame", "-b:a", "128k", str(root / "tone.mp3"))
    return media_of(root)


def media_of(root: Path) -> Media:
    return Media(root)


@dataclass
class Server:
    """Static files with Range support; counts the requests in flight at once."""

    root: Path
    delay: float = 0.0
    slow: dict[str, float] = field(default_factory=dict)  # path → its own delay
    paths: list[str] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def started(self, path: str) -> None:
        with self.lock:
            self.paths.append(path)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)

    def ended(self) -> None:
        with self.lock:
            self.in_flight -= 1


@contextmanager
def serving(state: Server) -> Iterator[str]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            state.started(path)
            try:
                time.sleep(state.slow.get(path, state.delay))  # slow: requests overlap
                file = state.root / path.lstrip("/")
                if not file.is_file():
                    return self.answer(404, b"", {})
                body = file.read_bytes()
                wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
                if wanted:
                    start = int(wanted.group(1))
                    end = min(int(wanted.group(2) or len(body) - 1), len(body) - 1)
                    return self.answer(206, body[start:end + 1], {
                        "Content-Range": f"bytes {start}-{end}/{len(body)}"})
                return self.answer(200, body, {})
            finally:
                state.ended()  # after the whole body was written: the response has ended

    with serving_with(Handler) as base:
        yield f"{base}"


class Source:
    """The engine's StreamSource: a plain Http; nothing here expires."""

    def __init__(self) -> None:
        self._http = Http(HttpOptions(rate_limit=0, cdn_rate_limit=0))

    @property
    def http(self) -> Http:
        return self._http

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        raise AssertionError("nothing expires here")


def _track(n: int, title: str = "") -> Track:
    return Track(provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}", url="",
                 title=title or f"Tone {n}", artist="Sine", uploader="sine",
                 duration_ms=int(SECONDS * 1000))


def _decoded_seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        samples, rate = 0, 0
        for frame in container.decode(audio=0):
            samples += frame.samples
            rate = frame.sample_rate
    return samples / rate


def _boxes(path: Path) -> list[str]:
    """The top-level MP4 box types in file order."""
    data, offset, kinds = path.read_bytes(), 0, []
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8:offset + 16])[0]
        kinds.append(kind.decode("latin-1"))
        offset += size if size else len(data)
    return kinds


async def _download(url: str, codec: str, folder: Path, track: Track) -> Path:
    source = Source()
    try:
        choice = StreamChoice("hls", codec, "test", url, track_urn=track.urn)
        target = folder / "music" / f"out.{'m4a' if codec == 'aac' else codec}"
        return await download_stream(source, track, choice, target,
                                     DownloadOptions(directory=folder, segments=4))
    finally:
        await source.http.aclose()


async def test_mp3_hls_strips_every_segment_id3_and_keeps_only_ours(media: Media,
                                                                     tmp_path: Path) -> None:
    state = Server(media.root)
    with serving(state) as base:
        out = await _download(f"{base}/hi/index.m3u8", "mp3", tmp_path, _track(1))
    data = out.read_bytes()
    assert _OWNER not in data  # no segment's tag survived the join
    assert data.count(b"ID3") == 1 and data.startswith(b"ID3\x04")  # ours, v2.4, first
    tag_end = 10 + sum(b << s for b, s in zip(data[6:10], (21, 14, 7, 0), strict=True))
    assert data[tag_end] == 0xFF and data[tag_end + 1] & 0xE0 == 0xE0  # then MPEG audio
    audio = b"".join(seg.read_bytes()[len(_id3_priv(0)):] for seg in media.mp3_segments("hi"))
    assert data[tag_end:].rstrip(b"\0") == audio.rstrip(b"\0")  # byte for byte, in order
    assert str(ID3(out)["TIT2"]) == "Tone 1"
    assert abs(_decoded_seconds(out) - SECONDS) <= 0.1


async def test_aac_in_mpeg_ts_hls_becomes_a_faststart_m4a(media: Media, tmp_path: Path) -> None:
    state = Server(media.root)
    with serving(state) as base:
        out = await _download(f"{base}/ts/index.m3u8", "aac", tmp_path, _track(2))
    kinds = _boxes(out)
    assert kinds[0] == "ftyp" and kinds.index("moov") < kinds.index("mdat")
    assert MP4(out).tags is not None and MP4(out).tags["\xa9nam"] == ["Tone 2"]
    with av.open(str(out)) as container:
        assert container.streams.audio[0].codec_context.name == "aac"
    assert abs(_decoded_seconds(out) - SECONDS) <= 0.1
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no partial left


async def test_master_playlist_downloads_the_highest_bandwidth_variant(media: Media,
                                                                        tmp_path: Path) -> None:
    state = Server(media.root)
    with serving(state) as base:
        out = await _download(f"{base}/master.m3u8", "mp3", tmp_path, _track(3))
    segments = [p for p in state.paths if p.endswith(".mp3")]
    assert segments and all(p.startswith("/hi/") for p in segments)
    assert len(segments) == len(media.mp3_segments("hi"))
    data = out.read_bytes()
    tag_end = 10 + sum(b << s for b, s in zip(data[6:10], (21, 14, 7, 0), strict=True))
    audio = b"".join(seg.read_bytes()[len(_id3_priv(0)):] for seg in media.mp3_segments("hi"))
    assert data[tag_end:].rstrip(b"\0") == audio.rstrip(b"\0")


async def test_direct_m4a_url(media: Media, tmp_path: Path) -> None:
    tmp_path = tmp_path / "music"  # (tmp_path itself holds the test's XDG folders)
    state = Server(media.root)
    source = Source()
    try:
        with serving(state) as base:
            out = await download_direct(source, Direct(f"{base}/tone.m4a?sig=abc", "m4a"),
                                        DownloadOptions(directory=tmp_path))
    finally:
        await source.http.aclose()
    assert out == tmp_path / "tone.m4a"
    assert MP4(out).tags is not None and MP4(out).tags["\xa9nam"] == ["tone"]
    assert abs(_decoded_seconds(out) - SECONDS) <= 0.1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tone.m4a"]


async def test_direct_m3u8_url_reads_each_playlist_once(media: Media, tmp_path: Path) -> None:
    # The codec of a bare .m3u8 is read from its playlist; the engine reuses that reading
    # instead of requesting the master and the variant a second time (one RTT each).
    tmp_path = tmp_path / "music"
    state = Server(media.root)
    source = Source()
    try:
        with serving(state) as base:
            out = await download_direct(source, Direct(f"{base}/master.m3u8", "hls"),
                                        DownloadOptions(directory=tmp_path, segments=4))
    finally:
        await source.http.aclose()
    assert out == tmp_path / "master.mp3"
    playlists = [p for p in state.paths if p.endswith(".m3u8")]
    assert playlists == ["/master.m3u8", "/hi/index.m3u8"]
    assert len([p for p in state.paths if p.endswith(".mp3")]) == len(media.mp3_segments("hi"))


CJK_TITLE = "東京の夜" * 25  # 300 bytes of UTF-8: the name is cut to leave room for .part


async def test_one_connection_cap_over_a_whole_batch(media: Media, tmp_path: Path) -> None:
    """3 tracks at once × 8 segments each would be 24 requests; the cap of 3 holds for every
    segment, playlist and progressive range, counted at the server."""
    # The progressive file is slow, so it is in flight while the segments fill the cap.
    state = Server(media.root, delay=0.02, slow={"/tone.mp3": 0.4})
    tracks = (_track(11, CJK_TITLE), _track(12), _track(13))
    source = Source()
    try:
        with serving(state) as base:
            urls = {tracks[0].urn: ("hls", "mp3", f"{base}/hi/index.m3u8"),
                    tracks[1].urn: ("hls", "mp3", f"{base}/lo/index.m3u8"),
                    tracks[2].urn: ("progressive", "mp3", f"{base}/tone.mp3")}

            async def resolve(target: str) -> Playlist:
                return Playlist(provider="soundcloud", id="5", urn="soundcloud:playlists:5",
                                title="Sines", url="", uploader="sine", track_count=3,
                                duration_ms=0, tracks=tracks)

            async def choose(track: Track, prefer: str | None) -> StreamChoice:
                protocol, codec, url = urls[track.urn]
                return StreamChoice(protocol, codec, "test", url, track_urn=track.urn)

            outcomes = await download_batch(
                source, resolve, choose, ["https://soundcloud.com/sine/sets/sines"],
                DownloadOptions(directory=tmp_path, segments=8), jobs=3, connections=3)
    finally:
        await source.http.aclose()
    assert [o.state for o in outcomes] == ["done"] * 3, outcomes
    assert len(state.paths) >= 2 * 7 + 2 + 1  # segments, playlists and the file
    assert 2 <= state.peak <= 3
    folder = tmp_path / "Sines"
    first = Path(outcomes[0].path)
    assert first.parent == folder and first.name.startswith("01 - Sine - 東京の夜")
    assert len((first.name + ".part.validator").encode()) <= 255
    for outcome in outcomes:
        path = Path(outcome.path)
        assert str(ID3(path)["TALB"]) == "Sines"  # a playlist's title is the album
        assert abs(_decoded_seconds(path) - SECONDS) <= 0.1


async def test_a_batch_of_direct_urls_does_not_open_the_database(media: Media,
                                                                  tmp_path: Path) -> None:
    # Direct URLs have no job rows: their first request need not wait for SQLite. A catalog
    # target in the same batch opens it (the jobs tests cover those rows).
    from minion_tui.service import DB_FILENAME, Service

    state = Server(media.root)
    service = Service.open(data_dir=tmp_path / "data")
    try:
        with serving(state) as base:
            [outcome] = await service.downloads.download([f"{base}/hi/index.m3u8"],
                                               directory=tmp_path / "music")
    finally:
        await service.aclose()
    assert outcome.state == "done" and Path(outcome.path).stat().st_size > 0  # noqa: ASYNC240
    assert not (tmp_path / "data" / DB_FILENAME).exists()
