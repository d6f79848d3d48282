"""service.analysis and the analyze / similar commands: the cache (by URN and by audio
digest), tags written into downloads, the CLI's JSON over several inputs, a track's stream
analysed through net/, and a download analysed after it finishes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from minion_tui.analysis.measure import METHOD_VERSION
from minion_tui.config import AnalysisSettings, DownloadSettings, Settings
from minion_tui.downloads.tags import write_sound
from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import InvalidArgument, NotFound
from minion_tui.models import SoundAnalysis
from minion_tui.service import Service
from minion_tui.service import analysis as service_analysis
from tests.analysis_audio import make_track

KEYS = {"input", "bpm", "key", "camelot", "bpm_confidence", "key_confidence",
        "seconds_analysed", "loudness_lufs", "replaygain_track_gain"}


async def _full_tracks(svc: Service, count: int) -> list:
    found = []
    async for page in svc.catalog.browse("trending", limit=60):
        found += [t for t in page.items if t.availability.value == "full"
                  and 60_000 < t.duration_ms < 400_000]
    assert len(found) >= count
    return found[:count]


@asynccontextmanager
async def _downloading(emulator: RunningEmulator, tmp_path: Path,
                       analysis: AnalysisSettings) -> AsyncIterator[Service]:
    """A service on the emulator downloading into ``tmp_path``/music, analysing as told;
    closed after."""
    settings = Settings(path=tmp_path / "c.toml",
                        downloads=DownloadSettings(dir=tmp_path / "music"),
                        analysis=analysis)
    svc = Service.open(settings=settings, data_dir=tmp_path / "d",
                       endpoints=emulator.endpoints)
    try:
        yield svc
    finally:
        await svc.aclose()


def _gain(path: str) -> str:
    """The ReplayGain track gain tag of the download at ``path``, as its container keeps it."""
    import mutagen

    tags = mutagen.File(path).tags
    if path.endswith(".m4a"):
        return bytes(tags["----:com.apple.iTunes:replaygain_track_gain"][0]).decode()
    return str(tags["TXXX:REPLAYGAIN_TRACK_GAIN"])


def _runs(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT key, runs FROM sounds ORDER BY key").fetchall()


def test_the_service_knows_the_method_version_without_numpy() -> None:
    assert service_analysis.METHOD_VERSION == METHOD_VERSION


async def test_a_second_run_is_answered_from_the_cache(tmp_path: Path) -> None:
    song = make_track(tmp_path / "song.mp3", 126.0, 9, True, 15.0)
    svc = Service.open(settings=Settings(path=tmp_path / "c.toml"), data_dir=tmp_path / "d")
    try:
        [first] = await svc.analysis.analyze([str(song)])
        [again] = await svc.analysis.analyze([str(song)])
        assert svc.analysis.measured == 1
    finally:
        await svc.aclose()
    assert isinstance(first, SoundAnalysis) and first == again
    assert (first.bpm, first.key, first.camelot) == (126.0, "A minor", "8A")
    # The tags we write change the file, not its audio: still the same analysis.
    assert write_sound(song, first.bpm, first.key)
    renamed = song.rename(tmp_path / "other name.mp3")
    svc = Service.open(settings=Settings(path=tmp_path / "c.toml"), data_dir=tmp_path / "d")
    try:
        [third] = await svc.analysis.analyze([str(renamed)])
        assert svc.analysis.measured == 0
    finally:
        await svc.aclose()
    assert isinstance(third, SoundAnalysis) and third.digest == first.digest
    assert _runs(tmp_path / "d" / "minion.db") == [("A minor", 1)]


async def test_bad_inputs_are_their_own_errors_and_the_rest_go_on(tmp_path: Path) -> None:
    song = make_track(tmp_path / "a.flac", 120.0, 0, False, 10.0)
    svc = Service.open(settings=Settings(path=tmp_path / "c.toml"), data_dir=tmp_path / "d")
    try:
        results = await svc.analysis.analyze(["  ", str(tmp_path / "missing.mp3"),
                                              str(tmp_path), str(song)])
    finally:
        await svc.aclose()
    assert [type(r) for r in results] == [InvalidArgument, NotFound, InvalidArgument,
                                          SoundAnalysis]


@pytest.mark.parametrize("suffix", ["mp3", "m4a", "opus", "flac"])
def test_the_tempo_and_key_are_read_back_from_each_container(tmp_path: Path,
                                                             suffix: str) -> None:
    import mutagen

    path = make_track(tmp_path / f"t.{suffix}", 128.0, 6, True, 4.0, style="four")
    assert write_sound(path, 127.8, "F# minor")
    tags = mutagen.File(path).tags
    if suffix == "mp3":
        assert (str(tags["TBPM"]), str(tags["TKEY"])) == ("128", "F#m")
    elif suffix == "m4a":
        assert tags["tmpo"] == [128]
        assert bytes(tags["----:com.apple.iTunes:initialkey"][0]) == b"F#m"
    else:
        assert (tags["BPM"], tags["INITIALKEY"]) == (["128"], ["F#m"])
    assert not write_sound(tmp_path / "t.wav", 128.0, "F# minor")


def _cli(*args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "XDG_DATA_HOME": str(env_dir / "data"),
           "XDG_CONFIG_HOME": str(env_dir / "config"), "XDG_CACHE_HOME": str(env_dir / "cache"),
           "XDG_STATE_HOME": str(env_dir / "state")}
    return subprocess.run([sys.executable, "-m", "minion_tui", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_analyze_prints_a_list_in_argument_order_with_the_bad_input_in_place(
        tmp_path: Path) -> None:
    a = make_track(tmp_path / "a.mp3", 128.0, 9, True, 20.0)
    b = make_track(tmp_path / "b.m4a", 174.0, 2, True, 20.0, style="dnb")
    done = _cli("analyze", str(a), str(tmp_path / "nope.mp3"), str(b), "--json",
                env_dir=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    first, bad, last = json.loads(done.stdout)
    assert set(first) == KEYS and set(last) == KEYS
    assert (first["input"], first["key"], first["camelot"]) == (str(a), "A minor", "8A")
    assert (last["input"], last["key"], last["camelot"]) == (str(b), "D minor", "7A")
    assert first["bpm"] == pytest.approx(128.0, rel=0.02)
    assert last["bpm"] == pytest.approx(174.0, rel=0.02)
    assert round(last["bpm"], 1) == last["bpm"]
    for found in (first, last):  # the whole file's loudness, and its gain to -18 LUFS
        assert -40 < found["loudness_lufs"] < 0
        assert found["replaygain_track_gain"] == round(-18 - found["loudness_lufs"], 2)
    assert bad["input"] == str(tmp_path / "nope.mp3")
    assert bad["error"]["type"] == "not_found" and "nope.mp3" in bad["error"]["message"]

    one = _cli("analyze", str(a), "--json", env_dir=tmp_path)
    assert one.returncode == 0 and json.loads(one.stdout)["key"] == "A minor"
    alone = _cli("analyze", str(tmp_path / "nope.mp3"), "--json", env_dir=tmp_path)
    assert alone.returncode == 1
    assert json.loads(alone.stdout)["error"]["type"] == "not_found"
    unclaimed = _cli("analyze", "https://example.com/song", "--json", env_dir=tmp_path)
    assert json.loads(unclaimed.stdout)["error"]["type"] == "invalid_url"
    table = _cli("analyze", str(a), env_dir=tmp_path)
    assert table.returncode == 0
    row = table.stdout.splitlines()[1].split("\t")
    assert (row[0], row[2], row[3]) == (str(a), "A minor", "8A")
    assert float(row[1]) == first["bpm"]


async def test_a_track_is_analysed_from_its_stream_and_then_known_by_its_urn(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    svc = Service.open(settings=Settings(path=tmp_path / "c.toml",
                                         analysis=AnalysisSettings(max_seconds=20.0)),
                       data_dir=tmp_path / "d", endpoints=emulator.endpoints)
    try:
        [track] = await _full_tracks(svc, 1)
        first = await svc.analysis.analyze_one(track.url)
        assert first.seconds_analysed > 5 and first.urn == track.urn
        # An excerpt's loudness is not the track's: none is given.
        assert (first.loudness_lufs, first.replaygain_track_gain, first.peak) == (
            None, None, None)
        assert first.to_json()["loudness_lufs"] is None
        calls = len(emulator.state.api_calls)
        again = await svc.analysis.analyze_one(track.urn)
        assert again.bpm == first.bpm and svc.analysis.measured == 1
        assert len(emulator.state.api_calls) - calls <= 1  # the lookup; no stream asked
        stored = await svc._core.track_by_urn(track.urn)
        assert (stored.bpm, stored.key, stored.camelot) == (first.bpm, first.key,
                                                            first.camelot)
        assert stored.to_json()["camelot"] == first.camelot
    finally:
        await svc.aclose()


async def test_a_finished_download_is_analysed_and_tagged(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    import mutagen

    async with _downloading(emulator, tmp_path, AnalysisSettings(max_seconds=20.0)) as svc:
        tracks = await _full_tracks(svc, 2)
        outcomes = await svc.downloads.download([t.url for t in tracks])
        assert [o.state for o in outcomes] == ["done", "done"]
        assert svc.analysis.measured == 2
        for track, outcome in zip(tracks, outcomes, strict=True):
            stored = await svc._core.track_by_urn(track.urn)
            assert stored.bpm and stored.key and stored.camelot
            tags = mutagen.File(outcome.path).tags
            [found] = await svc.analysis.analyze([outcome.path])
            assert found.loudness_lufs is not None and found.peak
            assert _gain(outcome.path) == f"{-18 - found.loudness_lufs:.2f} dB"
            if outcome.path.endswith(".m4a"):
                assert tags["tmpo"] == [round(stored.bpm)]
                peak = bytes(tags["----:com.apple.iTunes:replaygain_track_peak"][0]).decode()
            else:
                assert str(tags["TBPM"]) == str(round(stored.bpm))
                peak = str(tags["TXXX:REPLAYGAIN_TRACK_PEAK"])
            assert float(peak) == pytest.approx(found.peak)
        # similar: the other downloaded track is the only neighbour.
        near = await svc.analysis.similar(tracks[0].url, limit=5)
        assert [n.track.urn for n in near] == [tracks[1].urn]
        assert set(near[0].to_json()) == {"track", "distance"}


async def test_the_switch_off_leaves_downloads_alone(emulator: RunningEmulator,
                                                     tmp_path: Path) -> None:
    async with _downloading(emulator, tmp_path, AnalysisSettings(after_download=False)) as svc:
        [track] = await _full_tracks(svc, 1)
        [outcome] = await svc.downloads.download([track.url])
        assert outcome.state == "done" and svc.analysis.measured == 0


async def test_a_download_analysed_from_its_stream_before_gets_its_whole_loudness(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    async with _downloading(emulator, tmp_path, AnalysisSettings(max_seconds=20.0)) as svc:
        [track] = await _full_tracks(svc, 1)
        excerpt = await svc.analysis.analyze_one(track.url)
        assert excerpt.loudness_lufs is None
        [outcome] = await svc.downloads.download([track.url])
        assert outcome.state == "done" and svc.analysis.measured == 1  # tempo and key kept
        again = await svc.analysis.analyze_one(track.urn)  # the cache now has the loudness
        assert svc.analysis.measured == 1
    assert again.bpm == excerpt.bpm and again.loudness_lufs is not None
    assert _gain(outcome.path) == f"{-18 - again.loudness_lufs:.2f} dB"


async def test_a_file_whose_track_was_analysed_from_its_excerpt_gets_its_loudness(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    analysis = AnalysisSettings(max_seconds=20.0, after_download=False)
    async with _downloading(emulator, tmp_path, analysis) as svc:
        [track] = await _full_tracks(svc, 1)
        excerpt = await svc.analysis.analyze_one(track.url)
        [outcome] = await svc.downloads.download([track.url])
        found = await svc.analysis.analyze_path(Path(outcome.path), urn=track.urn)
        # Tempo and key from the cache (no second analysis); the loudness measured whole.
        assert svc.analysis.measured == 1 and found.bpm == excerpt.bpm
        assert excerpt.loudness_lufs is None and found.loudness_lufs is not None
        assert found.replaygain_track_gain == round(-18 - found.loudness_lufs, 2)
        again = await svc.analysis.analyze_one(track.urn)  # kept in the store
        assert again.loudness_lufs == found.loudness_lufs


async def test_a_long_file_is_measured_in_parts_across_the_workers(
        emulator: RunningEmulator, tmp_path: Path) -> None:
    from minion_tui.analysis.measure import analyse_file

    path = make_track(tmp_path / "long.mp3", 124.0, 2, False, 30.0, style="four")
    whole = analyse_file(path, 20.0)
    async with _downloading(emulator, tmp_path,
                            AnalysisSettings(max_seconds=20.0, workers=2)) as svc:
        svc.analysis.split_seconds = 25.0  # a two-hour mix's case, on 30 seconds
        [found] = await svc.analysis.analyze([str(path)])
        assert svc.analysis.measured == 1 and svc.analysis.measured_in_parts == 1
        # Tempo and key from the first 20 s as one decode gives them; the loudness and the
        # peak of the whole file from its two halves, as one decode gives them.
        assert (found.bpm, found.key) == (whole["bpm"], whole["key"])
        assert (found.loudness_lufs, found.peak) == (whole["loudness_lufs"], whole["peak"])
        short = make_track(tmp_path / "short.mp3", 100.0, 4, True, 20.0, style="four")
        await svc.analysis.analyze([str(short)])
        assert svc.analysis.measured == 2 and svc.analysis.measured_in_parts == 1
