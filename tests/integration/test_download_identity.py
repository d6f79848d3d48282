"""Which source a partial download belongs to: the HLS journal and the progressive ``.part``
record their source and start over when it differs (never a file spliced from two streams),
and a resume after re-signing still resumes (docs/downloads.md §3.4, §3.1)."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from minion_tui.downloads.engine import DownloadOptions, download_stream
from minion_tui.downloads.progressive import fetch_progressive
from minion_tui.models import DownloadEvent, StreamChoice, Track
from minion_tui.service import Service
from tests.integration.local_server import QuietHandler, serving_with

SEGMENTS = 6


def _stream(seed: int) -> list[bytes]:
    """Segments of a fake MP3 stream: MPEG-1 Layer III frame headers (128 kbit/s, 44.1 kHz,
    417 bytes a frame) around random bytes, which the join checks and concatenates."""
    rng = random.Random(seed)
    return [b"".join(b"\xff\xfb\x90\x64" + rng.randbytes(413) for _ in range(3))
            for _ in range(SEGMENTS)]


@dataclass
class Streams:
    """``/<name>/index.m3u8?sig=S`` lists ``seg00N.mp3?sig=S``; ``missing`` paths answer 404
    (a segment gone half way); every request's path is logged."""

    streams: dict[str, list[bytes]]
    missing: set[str] = field(default_factory=set)
    log: list[str] = field(default_factory=list)
    hold: dict[str, threading.Event] = field(default_factory=dict)  # path → served when set
    lock: threading.Lock = field(default_factory=threading.Lock)

    def body(self, name: str) -> bytes:
        return b"".join(self.streams[name])


@contextmanager
def serving(state: Streams) -> Iterator[str]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            with state.lock:
                state.log.append(path)
            if path in state.hold:
                state.hold[path].wait(30)
            match = re.fullmatch(r"/(\w+)/(index\.m3u8|seg(\d+)\.mp3)", path)
            if not match or path in state.missing or match.group(1) not in state.streams:
                return self.answer(404, b"")
            segments = state.streams[match.group(1)]
            if match.group(3) is None:
                sig = f"?{query}" if query else ""
                lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:10"]
                for n in range(len(segments)):
                    lines += ["#EXTINF:10.0,", f"seg{n:03d}.mp3{sig}"]
                lines.append("#EXT-X-ENDLIST")
                return self.answer(200, "\n".join(lines).encode(),
                                   {"Content-Type": "application/vnd.apple.mpegurl"})
            return self.answer(200, segments[int(match.group(3))], {"Content-Type": "audio/mpeg"})

    with serving_with(Handler) as base:
        yield base


def _audio(path: Path) -> bytes:
    """The file without our leading ID3v2.4 tag."""
    data = path.read_bytes()
    assert data[:3] == b"ID3"
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | byte
    return data[10 + size:]


async def _direct(service: Service, url: str, folder: Path) -> list[DownloadEvent]:
    events: list[DownloadEvent] = []
    await service.downloads.download([url], directory=folder, segments=2,
                                     listener=events.append)
    return events


async def test_a_journal_of_another_stream_with_the_same_name_is_not_reused(
        tmp_path: Path) -> None:
    state = Streams({"q": _stream(1), "other": _stream(2)}, missing={"/q/seg003.mp3"})
    folder = tmp_path / "music"
    service = Service.open(data_dir=tmp_path / "data")
    try:
        with serving(state) as base:
            first = await _direct(service, f"{base}/q/index.m3u8", folder)
            assert first[-1].kind == "failed" and "404" in first[-1].reason
            assert (folder / ".index.mp3.parts").is_dir()  # the failed run kept its journal
            state.log.clear()
            second = await _direct(service, f"{base}/other/index.m3u8", folder)
    finally:
        await service.aclose()
    assert [e.kind for e in second if e.kind in ("done", "failed", "skipped")] == ["done"]
    assert second[-1].path == str(folder / "index.mp3")
    # Every segment of the second stream was fetched and nothing of the first is in the file.
    # (The log is the server's: the first run's request for the segment after the missing one
    # was in flight when that run failed, and may be logged after the clear above.)
    assert sorted(p for p in state.log if p.startswith("/other/") and p.endswith(".mp3")) == [
        f"/other/seg{n:03d}.mp3" for n in range(SEGMENTS)]
    assert _audio(folder / "index.mp3") == state.body("other")


async def test_a_resume_after_re_signing_still_resumes(tmp_path: Path) -> None:
    # A fresh signature changes every query string, not what the stream is: the journal's
    # segments are kept and only the missing one is fetched.
    state = Streams({"q": _stream(3)}, missing={"/q/seg004.mp3"})
    folder = tmp_path / "music"
    service = Service.open(data_dir=tmp_path / "data")
    try:
        with serving(state) as base:
            first = await _direct(service, f"{base}/q/index.m3u8?sig=one", folder)
            assert first[-1].kind == "failed"
            journal = folder / ".index.mp3.parts"
            fetched = {f"/q/seg{int(p.name[:5]):03d}.mp3" for p in journal.glob("*.seg")}
            assert fetched and "/q/seg004.mp3" not in fetched
            state.missing.clear()
            state.log.clear()
            second = await _direct(service, f"{base}/q/index.m3u8?sig=two", folder)
    finally:
        await service.aclose()
    assert second[-1].kind == "done"
    again = {p for p in state.log if p.endswith(".mp3")}
    assert "/q/seg004.mp3" in again and not again & fetched  # the kept ones not again
    assert _audio(folder / "index.mp3") == state.body("q")


async def test_a_soundcloud_journal_resumes_after_re_signing_and_restarts_for_another_preset(
        tmp_path: Path) -> None:
    # A catalog track's stream is its URN plus the transcoding (docs/soundcloud.md §3.5): a
    # new signature resumes, another transcoding of the same track starts over.
    from tests.integration.test_download_hls_paths import Source

    state = Streams({"a": _stream(4), "b": _stream(5)}, missing={"/a/seg002.mp3"})
    track = Track(provider="soundcloud", id="9", urn="soundcloud:tracks:9", url="",
                  title="Nine", artist="Sine", uploader="sine", duration_ms=60_000)
    target = tmp_path / "Sine - Nine.mp3"
    source = Source()
    try:
        with serving(state) as base:
            async def run(stream: str, preset: str, sig: str) -> None:
                choice = StreamChoice("hls", "mp3", preset, f"{base}/{stream}/index.m3u8?{sig}",
                                      mime_type="audio/mpeg", track_urn=track.urn)
                await download_stream(source, track, choice, target,
                                      DownloadOptions(directory=tmp_path, segments=1))

            with pytest.raises(Exception, match="404"):
                await run("a", "mp3_0_0", "sig=1")
            state.missing.clear()
            state.log.clear()
            with pytest.raises(Exception, match="404"):
                state.missing.add("/b/seg001.mp3")
                await run("b", "mp3_1_0", "sig=2")  # another transcoding: starts over
            assert [p for p in state.log if p.endswith(".mp3")] == ["/b/seg000.mp3",
                                                                    "/b/seg001.mp3"]
            state.missing.clear()
            state.log.clear()
            await run("b", "mp3_1_0", "sig=3")  # re-signed: resumes at segment 1
    finally:
        await source.http.aclose()
    assert [p for p in state.log if p.endswith(".mp3")] == [
        f"/b/seg{n:03d}.mp3" for n in range(1, SEGMENTS)]
    assert _audio(target) == state.body("b")


@dataclass
class File:
    """One progressive file with its validator; ``honour_if_range`` off imitates a CDN that
    ignores If-Range and answers 206 from the changed file."""

    body: bytes
    etag: str | None
    honour_if_range: bool = True
    ranges: list[str] = field(default_factory=list)


@contextmanager
def serving_file(file: File) -> Iterator[str]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
            if_range = self.headers.get("If-Range")
            file.ranges.append(self.headers.get("Range", ""))
            headers = {"ETag": file.etag} if file.etag else {}
            stale = if_range is not None and if_range != file.etag and file.honour_if_range
            if not wanted or stale:
                return self.answer(200, file.body, headers)
            start = int(wanted.group(1))
            end = min(int(wanted.group(2) or len(file.body) - 1), len(file.body) - 1)
            return self.answer(206, file.body[start:end + 1], {
                **headers, "Content-Range": f"bytes {start}-{end}/{len(file.body)}"})

    with serving_with(Handler) as base:
        yield base


async def _complete(base: str, part: Path) -> None:
    from tests.integration.test_download_hls_paths import Source

    source = Source()
    try:
        await fetch_progressive(source.http, StreamChoice("progressive", "mp3", "t", base),
                                part, refresh=source.refresh_stream)
    finally:
        await source.http.aclose()


@pytest.mark.parametrize("etags", [('"one"', '"two"'), (None, None)],
                         ids=["validator-differs", "no-validator-total-differs"])
async def test_a_part_of_a_changed_file_starts_over_even_when_the_server_ignores_if_range(
        etags: tuple[str | None, str | None], tmp_path: Path) -> None:
    old = File(random.Random(6).randbytes(4000), etags[0])
    new = File(random.Random(7).randbytes(5000), etags[1], honour_if_range=False)
    part = tmp_path / "x.mp3.part"
    with serving_file(old) as base:
        await _complete(base, part)
    part.write_bytes(old.body[:2000])  # interrupted half way
    with serving_file(new) as base:
        await _complete(base, part)
    assert part.read_bytes() == new.body  # not old[:2000] + new[2000:]


def _segment_requests(state: Streams) -> list[str]:
    return sorted(p for p in state.log if p.endswith(".mp3"))


async def test_two_direct_urls_of_one_name_get_two_files_and_a_rerun_skips_both(
        tmp_path: Path) -> None:
    state = Streams({"a": _stream(8), "b": _stream(9)})
    folder = tmp_path / "music"
    service = Service.open(data_dir=tmp_path / "data")
    try:
        with serving(state) as base:
            urls = [f"{base}/a/index.m3u8", f"{base}/b/index.m3u8?sig=x"]
            first = await service.downloads.download(urls, directory=folder)
            state.log.clear()
            again = await service.downloads.download(urls, directory=folder)
            only_b = await service.downloads.download(urls[1:], directory=folder)
    finally:
        await service.aclose()
    assert [o.state for o in first] == ["done", "done"], first
    paths = {Path(o.path).name for o in first}
    assert paths == {"index.mp3", "index (2).mp3"}
    by_url = {o.track_urn: Path(o.path) for o in first}
    assert _audio(by_url[urls[0]]) == state.body("a")
    assert _audio(by_url[urls[1]]) == state.body("b")
    assert sorted(p.name for p in folder.iterdir()) == ["index (2).mp3", "index.mp3"]
    # A rerun knows each file by its source, whichever name it got: nothing is fetched.
    assert {(o.track_urn, o.path) for o in again} == {(u, str(p)) for u, p in by_url.items()}
    assert [o.path for o in only_b] == [str(by_url[urls[1]])]
    assert _segment_requests(state) == []


@pytest.mark.parametrize("with_store", [False, True], ids=["tags", "archive"])
async def test_two_tracks_that_render_to_one_name_get_two_files(with_store: bool,
                                                                tmp_path: Path) -> None:
    from minion_tui.downloads.batch import download_batch
    from minion_tui.models import Playlist
    from tests.integration.test_download_hls_paths import Source

    state = Streams({"a": _stream(10), "b": _stream(11)})
    service = Service.open(data_dir=tmp_path / "data")
    store = await service._core.db() if with_store else None
    tracks = tuple(Track(provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}",
                         url=f"https://soundcloud.com/sine/same-{n}", title="Same",
                         artist="Sine", uploader="sine", duration_ms=60_000) for n in (1, 2))
    source = Source()
    try:
        with serving(state) as base:
            streams = {tracks[0].urn: f"{base}/a/index.m3u8", tracks[1].urn: f"{base}/b/index.m3u8"}

            async def resolve(target: str) -> Playlist:
                return Playlist(provider="soundcloud", id="5", urn="soundcloud:playlists:5",
                                title="", url="", uploader="sine", track_count=2,
                                duration_ms=0, tracks=tracks)

            async def choose(track: Track, prefer: str | None) -> StreamChoice:
                return StreamChoice("hls", "mp3", "mp3_0_0", streams[track.urn],
                                    track_urn=track.urn)

            async def run() -> list[tuple[str, str, str]]:
                outcomes = await download_batch(
                    source, resolve, choose, ["https://soundcloud.com/sine/sets/x"],
                    DownloadOptions(directory=tmp_path / "music", segments=2,
                                    template="{artist} - {title}.{ext}"),
                    set_template="{artist} - {title}.{ext}", store=store)
                return [(o.track_urn, o.state, o.path) for o in outcomes]

            first = await run()
            state.log.clear()
            again = await run()
        archive: list[tuple[str, str]] = []
        if store is not None:
            def rows() -> list[tuple[str, str]]:
                with store.transaction() as conn:
                    return conn.execute("SELECT track_urn, path FROM download_archive "
                                        "ORDER BY track_urn").fetchall()

            archive = await store.call(rows)
    finally:
        await source.http.aclose()
        await service.aclose()
    assert [state for _, state, _ in first] == ["done", "done"], first
    files = {urn: Path(path) for urn, _, path in first}
    assert {p.name for p in files.values()} == {"Sine - Same.mp3", "Sine - Same (2).mp3"}
    assert _audio(files[tracks[0].urn]) == state.body("a")
    assert _audio(files[tracks[1].urn]) == state.body("b")
    assert {(urn, path) for urn, _, path in again} == {(u, str(p)) for u, p in files.items()}
    assert _segment_requests(state) == []
    if with_store:  # the archive: one row per track, each its own file
        assert [tuple(row) for row in archive] == [(u, str(files[u])) for u in sorted(files)]


def test_a_second_process_on_the_same_file_is_refused_and_corrupts_nothing(
        tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    state = Streams({"a": _stream(12)}, hold={"/a/seg003.mp3": threading.Event()})
    folder = tmp_path / "music"
    with serving(state) as base:
        argv = [sys.executable, "-m", "minion_tui", "download", f"{base}/a/index.m3u8",
                "--dir", str(folder), "--segments", "1", "--json"]
        first = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=os.environ)
        try:
            assert first.stdout is not None
            for line in first.stdout:  # until it is half way, holding the file's lock
                event = json.loads(line)
                if event.get("event") == "segment" and event["segments_done"] == 3:
                    break
            second = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        finally:
            state.hold["/a/seg003.mp3"].set()
        rest, _ = first.communicate(timeout=60)
    assert second.returncode == 1
    [failed] = [json.loads(line) for line in second.stdout.splitlines()
                if json.loads(line).get("event") == "failed"]
    assert "Another download is writing" in failed["reason"] and "index.mp3" in failed["reason"]
    assert first.returncode == 0
    assert [json.loads(line).get("event") for line in rest.splitlines()][-1] == "done"
    assert _audio(folder / "index.mp3") == state.body("a")
    assert sorted(p.name for p in folder.iterdir()) == ["index.mp3"]  # no lock, no journal
    # The refused process fetched nothing: every segment was asked for once.
    assert _segment_requests(state) == [f"/a/seg{n:03d}.mp3" for n in range(SEGMENTS)]
