"""`minion-tui download` as a subprocess: SIGKILL mid-download and resume; batches."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any


def _cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "minion_tui", "download", *argv]


def _events(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_sigkill_then_restart_is_byte_identical(sc_env: Any, tmp_path: Path) -> None:
    url = sc_env.examples["track_full"]
    clean = subprocess.run(_cli(url, "--json", "--dir", str(tmp_path / "clean")),
                           capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert clean.returncode == 0, clean.stderr + clean.stdout
    [whole] = [Path(e["path"]) for e in _events(clean.stdout) if e["event"] == "done"]

    sc_env.state.set_faults("slow:ms=150")  # slow enough to kill it half-way
    folder = tmp_path / "killed"
    proc = subprocess.Popen(_cli(url, "--json", "--segments", "1", "--dir", str(folder)),
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    assert proc.stdout is not None
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "segment" and event["segments_done"] >= 3:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    sc_env.state.set_faults("")
    assert not (folder / whole.name).exists()  # no partial file under a final name
    assert list(folder.glob(".*.parts/*.seg"))

    again = subprocess.run(_cli(url, "--json", "--dir", str(folder)), capture_output=True,
                           text=True, timeout=120, env=os.environ.copy())
    assert again.returncode == 0, again.stderr + again.stdout
    segments = [e for e in _events(again.stdout) if e["event"] == "segment"]
    assert len(segments) < segments[-1]["segments_total"]  # only the missing ones
    assert (folder / whole.name).read_bytes() == whole.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == [whole.name]


def test_batch_skips_preview_and_drm_and_writes_m3u8(sc_env: Any, tmp_path: Path) -> None:
    ex = sc_env.examples
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# a comment\n{ex['track_preview']}\n{ex['track_drm']}\n",
                       encoding="utf-8")
    run = subprocess.run(_cli(ex["set_small"], str(listing), "--json", "--dir",
                              str(tmp_path / "out"), "--jobs", "2"),
                         capture_output=True, text=True, timeout=180, env=os.environ.copy())
    assert run.returncode == 0, run.stderr + run.stdout
    events = _events(run.stdout)
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
