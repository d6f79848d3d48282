"""Downloading Mixcloud shows from the emulator: the progressive file in parallel ranges, HLS,
a resume after SIGKILL, an exclusive show refused, and tags, chapters and cue sheets read
back with mutagen and PyAV."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import av
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from minion_tui.downloads.chapters import Chapter
from minion_tui.downloads.engine import DownloadOptions, download_stream, final_path
from minion_tui.downloads.mp4_moov import top_level_atoms
from minion_tui.downloads.tags import TrackTags, write_tags
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import DownloadEvent, Track
from minion_tui.service import Service
from tests.integration.downloading import (
    cli,
    download_whole,
    json_events,
    kill_download_when,
)
from tests.integration.request_log import wrap


def _decoded_seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.codec_context.sample_rate


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")
                  or p.name.endswith((".part", ".tmp")))


class RangeLog:
    """ASGI middleware: (path, Range header) of every request the emulator serves."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            self.seen.append((scope["path"], headers.get(b"range", b"").decode()))
        await self.app(scope, receive, send)

    def ranges(self, prefix: str) -> list[tuple[int, int]]:
        out = []
        for path, value in self.seen:
            if path.startswith(prefix) and value.startswith("bytes="):
                start, _, end = value[len("bytes="):].partition("-")
                out.append((int(start), int(end)))
        return out


def _range_log(emulator: RunningEmulator) -> RangeLog:
    return wrap(emulator, RangeLog)


async def test_show_url_downloads_the_progressive_file_in_ranges_with_tags_and_chapters(
        emulator: RunningEmulator, service: Service, sc_http: Any, tmp_path: Path) -> None:
    url = emulator.examples["mc_show_chapters"]
    log = _range_log(emulator)
    events: list[DownloadEvent] = []
    [outcome] = await service.downloads.download([url], directory=tmp_path / "out",
                                                 listener=events.append)
    assert outcome.state == "done", outcome.reason
    path = Path(outcome.path)
    assert path.suffix == ".m4a"
    # Ranges of at most 5 MiB, several of them, none throttled by the CDN.
    ranges = log.ranges("/mc-stream")
    assert len(ranges) >= 2
    assert all(end - start + 1 <= 5 * 1024 * 1024 for start, end in ranges)
    assert emulator.mixcloud.throttled_responses == 0
    assert not [p for p, _ in log.seen if "/secure/hls/" in p]  # the default is progressive

    track = await service.catalog.resolve(url)
    assert isinstance(track, Track)
    audio = MP4(path)
    assert audio.tags is not None
    assert audio.tags["\xa9nam"] == [track.title]
    assert audio.tags["\xa9ART"] == ["Night Shift Radio"]
    assert audio.tags["\xa9gen"] == ["; ".join(track.tags)] and track.tags
    assert track.artwork_url and "1024x1024" in track.artwork_url  # the largest picture
    # The analysis after the download (on by default) put its tempo, key and gain into the
    # same fragmented file's moov.
    [measured] = await service.analysis.analyze([str(path)])
    assert audio.tags["tmpo"] == [round(measured.bpm)]
    assert bytes(audio.tags["----:com.apple.iTunes:replaygain_track_gain"][0]).decode() == (
        f"{-18 - measured.loudness_lufs:.2f} dB")
    cover = sc_http.client.get(sc_http.local(track.artwork_url)).content
    assert bytes(audio.tags["covr"][0]) == cover
    # Two of the four sections have no start time: left out of the chapters and the cue.
    assert [(c.start, c.title) for c in audio.chapters] == [
        (0.0, "Intro"), (240.0, "Moss Garden - Lichen")]
    with av.open(str(path)) as container:
        assert [(c["start"] * c["time_base"], c["metadata"].get("title"))
                for c in container.chapters()] == [(0, "Intro"), (240, "Moss Garden - Lichen")]
    cue = path.with_suffix(".cue").read_text(encoding="utf-8")
    assert f'FILE "{path.name}" WAVE' in cue
    assert cue.count("TRACK ") == 2
    assert 'TITLE "Lichen"' in cue and 'PERFORMER "Moss Garden"' in cue
    assert "INDEX 01 04:00:00" in cue
    assert "Interview" not in cue and "Undertow" not in cue
    assert abs(_decoded_seconds(path) - track.duration_ms / 1000) < 0.5
    # The tags went into the room the .part left after the moov: the audio never moved.
    with path.open("rb") as file:  # noqa: ASYNC230
        assert [name for name, _, _ in top_level_atoms(file)[:4]] == [
            b"ftyp", b"moov", b"free", b"styp"]
    assert _leftovers(path.parent) == []
    done = [e for e in events if e.kind == "done"]
    assert done and done[0].bytes_done == os.stat(path).st_size


async def test_hls_joins_ts_segments_into_an_m4a_with_chapters(
        emulator: RunningEmulator, service: Service, tmp_path: Path) -> None:
    track = await service.catalog.resolve(emulator.examples["mc_show_tracks"])
    assert isinstance(track, Track)
    choice = await service.catalog.stream(track, require_full=True)
    assert choice.protocol == "hls"  # what playback uses; the engine takes either
    options = DownloadOptions(tmp_path, segments=8)
    target = final_path(track, choice, options)
    path = await download_stream(service.downloads._source, track, choice, target, options)
    audio = MP4(path)
    assert audio.info.codec == "mp4a.40.2"
    assert abs(audio.info.length - 3720) < 1  # a plain MP4 with its real duration
    assert [round(c.start) for c in audio.chapters] == [300 * n for n in range(12)]
    assert audio.chapters[1].title == "Artist 2 - Song 2 (Extended Mix)"
    cue = path.with_suffix(".cue").read_text(encoding="utf-8")
    assert cue.count("TRACK ") == 12 and "INDEX 01 55:00:00" in cue
    assert abs(_decoded_seconds(path) - 3720) < 0.5
    assert _leftovers(tmp_path) == []


def test_sigkill_then_resume_fetches_only_missing_ranges(sc_env: RunningEmulator,
                                                         tmp_path: Path) -> None:
    url = sc_env.examples["mc_show_tracks"]
    whole = download_whole(url, tmp_path, timeout=180)

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    sc_env.state.set_faults("slow:ms=300")  # slow enough to kill it between ranges
    folder = tmp_path / "killed"
    # Killed once the first range is recorded, the second one under way.
    kill_download_when(url, folder, env, lambda event: event["event"] == "bytes"
                       and event["bytes_done"] > 6 * 1024 * 1024)
    sc_env.state.set_faults("")
    assert not (folder / whole.name).exists()
    journal = json.loads((folder / f".{whole.name}.parts" / "ranges.json").read_text())
    kept = [tuple(span) for span in journal["done"]]
    assert kept and kept[0][0] == 0 and kept[0][1] >= 5 * 1024 * 1024
    assert kept[-1][1] < journal["total"]  # killed part-way

    log = _range_log(sc_env)
    again = subprocess.run(cli(url, "--json", "--dir", str(folder)), capture_output=True,
                           text=True, timeout=180, env=env)
    assert again.returncode == 0, again.stderr + again.stdout
    asked = log.ranges("/mc-stream")
    assert asked
    for start, end in asked:  # nothing on disk was asked for again
        assert all(end < a or start >= b for a, b in kept), (start, end, kept)
    assert (folder / whole.name).read_bytes() == whole.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [whole.name, whole.with_suffix(".cue").name])  # the journal is gone


def test_exclusive_show_is_refused_with_subscription_required(sc_env: RunningEmulator,
                                                              tmp_path: Path) -> None:
    run = subprocess.run(cli(sc_env.examples["mc_show_exclusive"], "--json", "--dir",
                              str(tmp_path / "out")),
                         capture_output=True, text=True, timeout=120, env=os.environ.copy())
    # Refused as previews and DRM-only tracks are (batch.py): skipped with the error's type
    # and reason, the batch going on; nothing is fetched or written.
    assert run.returncode == 0, run.stderr
    [refused] = [e for e in json_events(run.stdout) if e["event"] in ("skipped", "failed")]
    assert refused["event"] == "skipped"
    assert refused["type"] == "subscription_required"
    assert "Mixcloud Select exclusive" in refused["reason"]
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


async def test_mp3_chapters_are_id3_chap_and_ctoc_frames(
        emulator: RunningEmulator, service: Service, tmp_path: Path) -> None:
    """An MP3 output gets its tracklist as ID3v2 chapters (the SoundCloud MP3 stands in for
    one: Mixcloud serves AAC only)."""
    [outcome] = await service.downloads.download([emulator.examples["track_full"]],
                                                 directory=tmp_path, format="mp3")
    assert outcome.state == "done", outcome.reason
    path = Path(outcome.path)
    chapters = (Chapter(0, "Intro"), Chapter(90_000, "Lichen", "Moss Garden"))
    write_tags(path, "mp3", TrackTags("A show", "Night Shift Radio", chapters=chapters,
                                      duration_ms=200_000), None)
    tag = ID3(path)
    [toc] = tag.getall("CTOC")
    assert toc.child_element_ids == ["chp0", "chp1"]
    marks = sorted(tag.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in marks] == [
        (0, 90_000, "Intro"), (90_000, 200_000, "Lichen")]
    assert str(marks[1].sub_frames["TPE1"]) == "Moss Garden"


@pytest.fixture(autouse=True)
def _hls_back_on(emulator: RunningEmulator) -> Any:
    yield
    emulator.mixcloud.offer_hls = True
