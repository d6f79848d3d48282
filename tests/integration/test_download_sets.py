"""Sets downloaded through the Service against the emulator: each file tagged with its place
in the set (track n/total, album artist, disc 1/1, album), read back with mutagen; two sets of
one title in two folders, each claimed for its set across restarts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from minion_tui.emulator.catalog.build import build_catalog
from minion_tui.emulator.catalog.model import TrackSet
from minion_tui.models import Outcome
from minion_tui.service import Service
from tests.integration.downloading import download_pausing_first


def _catalog_set(url: str) -> tuple[TrackSet, str, list[str]]:
    """The emulator's own record of a set (not the client's reading of it): the set, its
    owner's name and its tracks' URNs in order."""
    catalog = build_catalog(1)
    user, _, slug = urlsplit(url).path.strip("/").split("/")
    found = catalog.set_by_path(user, slug)
    assert found is not None
    return (found, catalog.artists[found.user_id].username,
            [f"soundcloud:tracks:{t}" for t in found.track_ids])


def _done(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.state == "done"]


async def _download(data: Path, out: Path, url: str, fmt: str) -> list[Outcome]:
    service = Service.open(data_dir=data)  # a new process's worth: the claims are the store's
    try:
        return await service.downloads.download([url], directory=out, format=fmt)
    finally:
        await service.aclose()


async def test_set_tracks_carry_their_place_in_the_set_mp3_and_m4a(
        sc_env: Any, tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "music"
    small, small_owner, small_urns = _catalog_set(sc_env.examples["set_small"])
    twin, twin_owner, twin_urns = _catalog_set(sc_env.examples["set_twin"])
    assert small.title == twin.title == "Four For The Road" and small_owner != twin_owner

    mp3s = _done(await _download(data, out, sc_env.examples["set_small"], "mp3"))
    assert len(mp3s) == 3  # of 4: one is a Go+ preview, skipped
    for outcome in mp3s:
        path = Path(outcome.path)
        n = small_urns.index(outcome.track_urn) + 1
        assert path.parent == out / "Four For The Road" and path.name.startswith(f"0{n} - ")
        id3 = ID3(path)
        assert id3["TRCK"].text == [f"{n}/4"]
        assert id3["TPE2"].text == [small_owner]
        assert id3["TPOS"].text == ["1/1"]
        assert id3["TALB"].text == ["Four For The Road"]

    m4as = _done(await _download(data, out, sc_env.examples["set_twin"], "m4a"))
    assert len(m4as) == 3
    for outcome in m4as:
        path = Path(outcome.path)
        n = twin_urns.index(outcome.track_urn) + 1
        assert path.parent == out / "Four For The Road (2)" and path.suffix == ".m4a"
        tags = MP4(path).tags
        assert tags is not None
        assert tags["trkn"] == [(n, 3)] and tags["disk"] == [(1, 1)]
        assert tags["aART"] == [twin_owner] and tags["\xa9alb"] == ["Four For The Road"]
    m3u8 = out / "Four For The Road (2)" / "Four For The Road (2).m3u8"
    assert [line for line in m3u8.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")] == sorted(Path(o.path).name for o in m4as)


async def test_two_sets_of_one_title_keep_their_own_folders_across_restarts(
        sc_env: Any, tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "music"
    _, _, small_urns = _catalog_set(sc_env.examples["set_small"])
    first = _done(await _download(data, out, sc_env.examples["set_small"], "mp3"))
    second = _done(await _download(data, out, sc_env.examples["set_twin"], "mp3"))
    assert {Path(o.path).parent.name for o in first} == {"Four For The Road"}
    assert {Path(o.path).parent.name for o in second} == {"Four For The Road (2)"}

    # Both folders gone, and the second set downloaded first after a restart: it goes back to
    # "(2)" — the folder is the set's, not whichever set of that title comes first.
    shutil.rmtree(out)
    again = _done(await _download(data, out, sc_env.examples["set_twin"], "mp3"))
    assert sorted(Path(o.path).relative_to(out) for o in again) == sorted(
        Path(o.path).relative_to(out) for o in second)
    assert not (out / "Four For The Road").exists()
    back = _done(await _download(data, out, sc_env.examples["set_small"], "mp3"))
    assert sorted(o.path for o in back) == sorted(o.path for o in first)
    for outcome in back:
        n = small_urns.index(outcome.track_urn) + 1
        assert ID3(outcome.path)["TRCK"].text == [f"{n}/4"]


async def test_a_track_on_its_own_has_no_track_number(sc_env: Any, tmp_path: Path) -> None:
    [outcome] = await _download(tmp_path / "data", tmp_path / "music",
                                sc_env.examples["track_full"], "mp3")
    assert outcome.state == "done"
    id3 = ID3(outcome.path)
    assert not {"TRCK", "TPE2", "TPOS"} & set(id3.keys())
    assert Path(outcome.path).parent == tmp_path / "music"


async def test_a_set_track_paused_and_retried_keeps_its_place_in_the_set(
        sc_env: Any, tmp_path: Path) -> None:
    # A retry (or a resume after a crash) runs the job from its stored plan: the set's length
    # and owner come back from the set's folder claim, so the tags are those of a whole run.
    _, owner, urns = _catalog_set(sc_env.examples["set_twin"])
    service = Service.open(data_dir=tmp_path / "data")
    # The first track to send any audio (HLS segments or progressive bytes) is paused.
    outcomes = await download_pausing_first(service, sc_env, sc_env.examples["set_twin"],
                                            ("segment", "bytes"), directory=tmp_path / "music",
                                            format="mp3", segments=1)
    await service.aclose()
    [paused] = [o for o in outcomes if o.state == "paused"]
    assert paused.job_id is not None
    service = Service.open(data_dir=tmp_path / "data")  # retried after a restart
    try:
        again = await service.downloads.retry(paused.job_id)
    finally:
        await service.aclose()
    assert again.state == "done"
    path = Path(again.path)
    n = urns.index(paused.track_urn) + 1
    assert path.parent == tmp_path / "music" / "Four For The Road"
    id3 = ID3(path)
    assert (id3["TRCK"].text, id3["TPE2"].text, id3["TPOS"].text, id3["TALB"].text) == (
        [f"{n}/3"], [owner], ["1/1"], ["Four For The Road"])


def test_the_cli_downloads_two_sets_of_one_title_into_two_folders(
        sc_env: Any, tmp_path: Path) -> None:
    # `minion-tui download SET_URL` as a user runs it, twice, then the first set again.
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    out = tmp_path / "music"

    def download(url: str) -> list[Path]:
        run = subprocess.run([sys.executable, "-m", "minion_tui", "download", url, "--json",
                              "--dir", str(out), "--format", "mp3"],
                             capture_output=True, text=True, timeout=180, env=env)
        assert run.returncode == 0, run.stderr + run.stdout
        events = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
        return [Path(e["path"]) for e in events if e["event"] in ("done", "skipped")
                and e.get("path")]

    small, twin = sc_env.examples["set_small"], sc_env.examples["set_twin"]
    assert {p.parent for p in download(small)} == {out / "Four For The Road"}
    twins = download(twin)
    assert len(twins) == 3 and {p.parent for p in twins} == {out / "Four For The Road (2)"}
    _, owner, _ = _catalog_set(twin)
    assert {ID3(p)["TPE2"].text[0] for p in twins} == {owner}
    assert {ID3(p)["TRCK"].text[0] for p in twins} == {"1/3", "2/3", "3/3"}
    # Again: each set's files are found where its own folder is (skipped, nothing fetched).
    assert {p.parent for p in download(small)} == {out / "Four For The Road"}
    assert sorted(download(twin)) == sorted(twins)


def _album_tags(path: Path) -> tuple[str, str] | None:
    id3 = ID3(path)
    if "TXXX:REPLAYGAIN_ALBUM_GAIN" not in id3:
        return None
    return (str(id3["TXXX:REPLAYGAIN_ALBUM_GAIN"]), str(id3["TXXX:REPLAYGAIN_ALBUM_PEAK"]))


async def test_a_set_downloaded_whole_gets_one_album_gain_over_all_its_blocks(
        sc_env: Any, tmp_path: Path) -> None:
    from minion_tui.analysis.loudness import Meter, gated_loudness
    from minion_tui.analysis.measure import analyse_file
    from minion_tui.downloads.tags import gain_text

    data, out = tmp_path / "data", tmp_path / "music"
    done = _done(await _download(data, out, sc_env.examples["set_twin"], "mp3"))
    assert len(done) == 3  # every track of it
    paths = [Path(o.path) for o in done]
    albums = {_album_tags(p) for p in paths}
    assert len(albums) == 1 and None not in albums  # one album gain, in each file
    [(gain, peak)] = albums
    # The set's gated loudness over all its tracks' 400 ms blocks, measured here apart.
    import av

    blocks, top = [], 0.0
    for path in paths:
        with av.open(str(path)) as container:
            rate = container.streams.audio[0].rate  # measured at its own rate, 44.1 kHz
            meter = Meter(2, rate)
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
            for frame in container.decode(audio=0):
                for piece in resampler.resample(frame):
                    meter.feed(piece.to_ndarray())
        blocks.append(meter.blocks())
        top = max(top, meter.sample_peak)
    import numpy as np

    lufs = gated_loudness(np.concatenate(blocks))
    assert lufs is not None and gain == gain_text(round(lufs, 2))
    assert float(peak) == top or abs(float(peak) - top) < 1e-5
    # Each file keeps its own track gain beside it.
    for path in paths:
        own = analyse_file(path, 1.0)["loudness_lufs"]
        assert str(ID3(path)["TXXX:REPLAYGAIN_TRACK_GAIN"]) == gain_text(own)


async def test_a_set_not_downloaded_whole_gets_no_album_gain(sc_env: Any,
                                                             tmp_path: Path) -> None:
    done = _done(await _download(tmp_path / "data", tmp_path / "music",
                                 sc_env.examples["set_small"], "mp3"))
    assert len(done) == 3  # of 4: the Go+ preview is skipped, so the set is not whole
    for outcome in done:
        assert _album_tags(Path(outcome.path)) is None
        assert "TXXX:REPLAYGAIN_TRACK_GAIN" in ID3(outcome.path)
