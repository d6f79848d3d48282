"""`minion-tui download` as a subprocess: SIGKILL mid-download and resume; batches."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from tests.integration.downloading import (
    cli,
    download_whole,
    json_events,
    kill_download_when,
)
from tests.integration.request_log import install


def _jobs(data_home: Path) -> list[tuple[str, str, str]]:
    """(track_urn, state, reason) of every download job row, oldest first."""
    [path] = data_home.rglob("minion.db")
    with sqlite3.connect(path) as conn:
        return [(str(u), str(s), str(r or "")) for u, s, r in conn.execute(
            "SELECT track_urn, state, reason FROM downloads ORDER BY id")]


def test_sigkill_then_restart_is_byte_identical(sc_env: Any, tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    whole = download_whole(url, tmp_path, timeout=120)

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    log = install(sc_env)
    sc_env.state.set_faults("slow:ms=150")  # slow enough to kill it half-way
    folder = tmp_path / "killed"
    kill_download_when(url, folder, env, lambda event: event["event"] == "segment"
                       and event["segments_done"] >= 3)
    sc_env.state.set_faults("")
    assert not (folder / whole.name).exists()  # no partial file under a final name
    kept = list(folder.glob(".*.parts/*.seg"))
    assert len(kept) >= 3
    [(_, state, _)] = _jobs(tmp_path / "data")
    assert state == "running"  # what the kill left behind

    log.clear()
    again = subprocess.run(cli(url, "--json", "--dir", str(folder)), capture_output=True,
                           text=True, timeout=120, env=env)
    assert again.returncode == 0, again.stderr + again.stdout
    segments = [e for e in json_events(again.stdout) if e["event"] == "segment"]
    total = segments[-1]["segments_total"]
    # Server side: exactly the missing segments (init included) were requested again.
    fetched = [p for p in log.paths("/sc-aac/") if not p.endswith(".m3u8")]
    assert len(fetched) == total - len(kept)
    assert (folder / whole.name).read_bytes() == whole.read_bytes()
    assert (hashlib.sha256((folder / whole.name).read_bytes()).hexdigest()
            == hashlib.sha256(whole.read_bytes()).hexdigest())
    assert sorted(p.name for p in folder.iterdir()) == [whole.name]
    # The killed job's row was resumed, not duplicated.
    assert [state for _, state, _ in _jobs(tmp_path / "data")] == ["done"]


def test_archive_skips_a_track_downloaded_elsewhere(sc_env: Any, tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    first = subprocess.run(cli(url, "--json", "--dir", str(tmp_path / "a")),
                           capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert first.returncode == 0, first.stderr + first.stdout
    second = subprocess.run(cli(url, "--json", "--dir", str(tmp_path / "b")),
                            capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert second.returncode == 0, second.stderr + second.stdout
    events = json_events(second.stdout)
    assert [e["event"] for e in events if e["event"] in ("skipped", "done", "segment")] == [
        "skipped"]
    assert not (tmp_path / "b").exists() or not list((tmp_path / "b").iterdir())


def test_batch_skips_preview_and_drm_and_writes_m3u8(sc_env: Any, tmp_path: Path) -> None:
    ex = sc_env.examples
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# a comment\n{ex['track_preview']}\n{ex['track_drm']}\n",
                       encoding="utf-8")
    run = subprocess.run(cli(ex["set_small"], str(listing), "--json", "--dir",
                              str(tmp_path / "out"), "--jobs", "2"),
                         capture_output=True, text=True, timeout=180, env=os.environ.copy())
    assert run.returncode == 0, run.stderr + run.stdout
    events = json_events(run.stdout)
    skipped = [e for e in events if e["event"] == "skipped"]
    done = [Path(e["path"]) for e in events if e["event"] == "done"]
    # set_small holds 4 tracks (one of them a Go+ preview) + the two listed in the file.
    assert len(done) + len(skipped) == 6
    assert len(skipped) >= 2 and all(e["reason"] for e in skipped)
    assert len(done) >= 2
    assert not [e for e in events if e["event"] == "failed"]
    folder = done[0].parent
    assert folder.parent == tmp_path / "out"
    m3u8 = next(folder.glob("*.m3u8")).read_text(encoding="utf-8").splitlines()
    assert m3u8[0] == "#EXTM3U"
    listed = [line for line in m3u8 if not line.startswith("#")]
    assert sorted(listed) == sorted(p.name for p in done)
    assert all(name[:3] in {f"{n:02d} " for n in range(1, 10)} for name in listed)


def test_artwork_is_fetched_beside_the_audio_not_after_it(sc_env: Any, tmp_path: Path) -> None:
    # Each artwork round trip after the last segment would delay the finished file; the
    # engine asks for it as the download starts. Order checked in the server's request log.
    log = install(sc_env)
    url = sc_env.examples["track_full"]
    done = subprocess.run(cli(url, "--json", "--dir", str(tmp_path), "--segments", "2"),
                          capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert done.returncode == 0, done.stderr + done.stdout
    paths = log.paths()
    artwork = [i for i, p in enumerate(paths) if "/artworks-" in p]
    segments = [i for i, p in enumerate(paths)
                if p.endswith((".m4s", ".mp3", ".ts")) and "/artworks-" not in p]
    assert artwork and len(segments) > 4
    assert artwork[0] < segments[-1] and artwork[-1] < segments[-1]
