"""Audio analysis benchmark: tempo and key of a 5-minute track, ours next to librosa, and a
batch of 50 tracks on the worker pool while an event loop measures its own lateness.

Figures, in one run:

- **one track**: seconds for decode + tempo + key of a 5-minute MP3 on one core, ours
  (analysis.measure.analyse_file, the whole file) and librosa's (``librosa.load`` at 22,050 Hz
  mono, ``beat.beat_track``, ``feature.chroma_cqt`` + Krumhansl–Schmuckler), medians of
  ``--runs``; librosa's import time (numba, llvmlite) and its first, compiling call apart.
  Target: ≥ 30× real time (< 10 s) for ours.
- **agreement**: the eight synthetic tracks of the accuracy tests (20 s MP3s of known tempo
  and key), each measured by ours and by librosa: tempo Acc1 (within 2 %), Acc2 (also at
  ×½, ×2, ×⅓, ×3) and exact keys, against what was synthesised.
- **batch**: 50 analyses (10 distinct 3-minute tracks, five times each, the default first
  120 s) on the pool with 2 workers — the path in, a small dict out — while an asyncio loop
  wakes every 5 ms and records how late it is; in a process of its own, so its RSS is the
  batch's. Targets: the loop never later than 20 ms;
  peak RSS (the parent's and each worker's VmHWM) < 300 MB.

librosa runs from ``.venv-peers/`` (``make peers``), a venv of its own: it is the peer, not
a dependency (docs/analysis.md §9). Without it the peer's rows say so.

    .venv/bin/python bench/analysis.py [--runs 3] [--batch 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from minion_tui.analysis import jobs  # noqa: E402
from minion_tui.analysis.measure import analyse_file  # noqa: E402
from minion_tui.analysis.pool import AnalysisPool  # noqa: E402
from tests.analysis_audio import make_track  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "analysis.json"
PEER_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
TRACK_SECONDS = 300.0
TARGET_SPEED = 30.0
TARGET_STALL_MS = 20.0
TARGET_RSS_MB = 300.0

PEER = r"""
import json, sys, time
t0 = time.perf_counter()
import librosa
import numpy as np
imported = time.perf_counter() - t0
MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
def once(path):
    y, sr = librosa.load(path, sr=22050, mono=True)
    tempo, _ = librosa.beat.beat_track(y=y, sr=sr)
    chroma = librosa.feature.chroma_cqt(y=y, sr=sr).mean(axis=1)
    best = max(((np.corrcoef(chroma, np.roll(p, t))[0, 1], t, m)
                for m, p in (("major", MAJOR), ("minor", MINOR)) for t in range(12)))
    return float(np.atleast_1d(tempo)[0]), best[1], best[2]
if sys.argv[1] == "cases":  # one answer per file: the agreement on the test tracks
    print(json.dumps([once(path) for path in sys.argv[2:]]))
    sys.exit(0)
times = []
for _ in range(int(sys.argv[2]) + 1):
    t = time.perf_counter()
    answer = once(sys.argv[1])
    times.append(time.perf_counter() - t)
print(json.dumps({"import": imported, "first": times[0], "runs": times[1:],
                  "bpm": answer[0], "tonic": answer[1], "mode": answer[2],
                  "version": librosa.__version__}))
"""

# The synthetic tracks of tests/integration/test_analysis_accuracy.py: (bpm, tonic, minor,
# drum pattern), 20 s each, rendered as MP3 here.
CASES = [
    (128.0, 9, True, "four"), (124.0, 0, False, "four"), (174.0, 2, True, "dnb"),
    (140.0, 5, True, "halftime"), (132.0, 1, True, "techno"), (100.0, 10, False, "four"),
    (138.0, 6, False, "four"), (92.0, 7, False, "hiphop"),
]
NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def _ours(path: Path, runs: int) -> dict[str, float]:
    analyse_file(path, None)  # imports and caches warmed, as a worker is after its first
    times, result = [], {}
    for _ in range(runs):
        t = time.perf_counter()
        result = analyse_file(path, None)
        times.append(time.perf_counter() - t)
    return {"seconds": statistics.median(times), "bpm": result["bpm"], "key": result["key"]}


def _peer(path: Path, runs: int) -> dict[str, object] | None:
    if not PEER_PYTHON.exists():
        return None
    done = subprocess.run([str(PEER_PYTHON), "-c", PEER, str(path), str(runs)],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    found = json.loads(done.stdout.strip().splitlines()[-1])
    found["seconds"] = statistics.median(found["runs"])
    return found


def _scores(answers: list[tuple[float, str]]) -> dict[str, float]:
    """Tempo Acc1 (within 2 %), Acc2 (also at ×½, ×2, ×⅓, ×3) and exact keys over CASES."""
    acc1 = acc2 = keys = 0
    for (bpm, tonic, minor, _), (found, key) in zip(CASES, answers, strict=True):
        acc1 += abs(found / bpm - 1) < 0.02
        acc2 += any(abs(found * f / bpm - 1) < 0.02 for f in (1, 0.5, 2, 1 / 3, 3))
        keys += key == f"{NAMES[tonic]} {'minor' if minor else 'major'}"
    n = len(CASES)
    return {"acc1": acc1 / n, "acc2": acc2 / n, "key": keys / n}


def _agreement(paths: list[Path]) -> dict[str, object]:
    """Ours and librosa's tempo and key of each synthetic case, scored against the truth."""
    ours = [analyse_file(path, None) for path in paths]
    ours_answers = [(float(r["bpm"]), str(r["key"])) for r in ours]
    found: dict[str, object] = {"ours": _scores(ours_answers), "ours_answers": ours_answers}
    if PEER_PYTHON.exists():
        done = subprocess.run([str(PEER_PYTHON), "-c", PEER, "cases", *map(str, paths)],
                              capture_output=True, text=True, timeout=1800)
        if done.returncode == 0:
            peer = [(float(bpm), f"{NAMES[int(tonic)]} {mode}")
                    for bpm, tonic, mode in json.loads(done.stdout.strip().splitlines()[-1])]
            found["librosa"] = _scores(peer)
            found["librosa_answers"] = peer
        else:
            print(done.stderr[-2000:], file=sys.stderr)
    return found


def _vm_hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def _batch(paths: list[Path], count: int, workers: int) -> dict[str, float]:
    pool = AnalysisPool(workers)
    lateness: list[float] = []
    stop = asyncio.Event()

    async def watch() -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            expected = loop.time() + 0.005
            await asyncio.sleep(0.005)
            lateness.append(max(0.0, loop.time() - expected))

    await pool.run(jobs.method)  # the workers' start, apart from the batch
    watcher = asyncio.create_task(watch())
    await asyncio.sleep(0.05)
    start = time.perf_counter()
    gate = asyncio.Semaphore(workers * 2)

    async def one(path: Path) -> dict[str, object]:
        async with gate:
            return await pool.run(jobs.analyse, str(path), 120.0)

    results = await asyncio.gather(*(one(paths[i % len(paths)]) for i in range(count)))
    elapsed = time.perf_counter() - start
    stop.set()
    await watcher
    executor = pool._executor
    worker_rss = [_vm_hwm_mb(pid) for pid in (executor._processes or {})] if executor else []
    await asyncio.to_thread(pool.close)
    assert all(r["bpm"] for r in results)
    return {"seconds": elapsed, "per_track": elapsed / count,
            "max_stall_ms": max(lateness) * 1000,
            "p99_stall_ms": sorted(lateness)[int(0.99 * (len(lateness) - 1))] * 1000,
            "worker_rss_mb": max(worker_rss, default=0.0),
            # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child started by
            # a big parent would report the parent's peak.
            "parent_rss_mb": _vm_hwm_mb(os.getpid()),
            "load_average": os.getloadavg()[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-of", nargs="+", help=argparse.SUPPRESS)  # the child's part
    args = parser.parse_args()
    if args.batch_of:  # in a fresh process, so its RSS is the batch's alone
        loaded = asyncio.run(_batch([Path(p) for p in args.batch_of], args.batch,
                                    args.workers))
        print(json.dumps(loaded))
        return 0
    with tempfile.TemporaryDirectory(prefix="minion-bench-analysis-") as tmp:
        folder = Path(tmp)
        print("making a 5-minute MP3 and 10 three-minute tracks …", flush=True)
        long_track = make_track(folder / "five-minutes.mp3", 126.0, 9, True, TRACK_SECONDS)
        batch = [make_track(folder / f"t{i}.mp3", 118.0 + 3 * i, i, bool(i % 2), 180.0,
                            seed=i) for i in range(10)]
        cases = [make_track(folder / f"case{i}.mp3", bpm, tonic, minor, 20.0, style=style,
                            seed=i) for i, (bpm, tonic, minor, style) in enumerate(CASES)]
        ours = _ours(long_track, args.runs)
        peer = _peer(long_track, args.runs)
        agreement = _agreement(cases)
        child = subprocess.run(
            [sys.executable, __file__, "--batch", str(args.batch), "--workers",
             str(args.workers), "--batch-of", *map(str, batch)],
            capture_output=True, text=True, timeout=3600, check=True)
        loaded = json.loads(child.stdout.strip().splitlines()[-1])
    speed = TRACK_SECONDS / ours["seconds"]
    rows = [
        ("one 5-min track, ours (s)", f"{ours['seconds']:.2f}",
         f"< {TRACK_SECONDS / TARGET_SPEED:.0f} ({speed:.0f}× real time)",
         f"{ours['bpm']} BPM, {ours['key']}"),
    ]
    if peer is not None:
        mode = "minor" if peer["mode"] == "minor" else "major"
        rows += [
            (f"one 5-min track, librosa {peer.get('version', '')} (s)",
             f"{peer['seconds']:.2f}",
             f"peer ({TRACK_SECONDS / float(peer['seconds']):.0f}× real time)",
             f"{float(peer['bpm']):.1f} BPM, {NAMES[int(peer['tonic'])]} {mode}"),
            ("librosa: import, first call (s)", f"{peer['import']:.2f}, {peer['first']:.2f}",
             "peer", "numba compiles on first use"),
        ]
    else:
        rows.append(("one 5-min track, librosa (s)", "—", "peer", "not installed: make peers"))
    def scored(name: str) -> str:
        score = agreement[name]
        assert isinstance(score, dict)
        return (f"{score['acc1']:.0%} / {score['acc2']:.0%} / "
                f"{score['key']:.0%}")

    rows.append((f"{len(CASES)} test tracks, ours: Acc1/Acc2/key", scored("ours"),
                 "truth: the synthesised tempo and key", "20 s MP3s of the accuracy tests"))
    if "librosa" in agreement:
        rows.append((f"{len(CASES)} test tracks, librosa: Acc1/Acc2/key", scored("librosa"),
                     "truth: the synthesised tempo and key",
                     "beat_track; chroma_cqt + Krumhansl–Schmuckler"))
    rows += [
        (f"batch of {args.batch} on {args.workers} workers (s)", f"{loaded['seconds']:.1f}",
         "", f"{loaded['per_track']:.2f} s a track (120 s of each)"),
        ("UI loop's max stall (ms)", f"{loaded['max_stall_ms']:.1f}",
         f"≤ {TARGET_STALL_MS:.0f}", f"p99 {loaded['p99_stall_ms']:.1f} ms, machine load "
         f"{loaded['load_average']:.1f} on {os.cpu_count()} cores"),
        ("peak RSS, worker / parent (MB)",
         f"{loaded['worker_rss_mb']:.0f} / {loaded['parent_rss_mb']:.0f}",
         f"< {TARGET_RSS_MB:.0f}", ""),
    ]
    one, five, fifteen = os.getloadavg()
    rows.append(("load average 1/5/15 min", f"{one:.2f} {five:.2f} {fifteen:.2f}",
                 f"on {os.cpu_count()} cores", "a shared machine: others' work counts here"))
    width = max(len(r[0]) for r in rows)
    wide = max(len(r[1]) for r in rows)
    aim = max(len(r[2]) for r in rows)
    for name, value, target, note in rows:
        print(f"{name:<{width}}  {value:>{wide}}  {target:<{aim}}  {note}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"ours": ours, "librosa": peer, "batch": loaded,
                                   "agreement": agreement, "cpu_count": os.cpu_count(),
                                   "load_average": os.getloadavg()}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
