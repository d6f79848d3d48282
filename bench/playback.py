"""Playback figures through the real app (issue 5): MinionApp headless (120x40) over a real
Service, against the in-process emulator with 30 ms added latency per request, real libmpv
with ao=null.

    .venv/bin/python bench/playback.py [--play-seconds 5] [--warm-runs 3]

What it does, as a user would: wait for Trending (the app opens it at start), move the cursor
to a full track (j), press enter. Figures:

* enter -> first audio position > 0: from the keypress to the first player event of the new
  file with a position > 0 (seen by a listener on the app's loop, which is where the bar
  learns it too). Printed beside it: mpv's own open time (mpv's start-file event -> that
  first position), the rest being the app's share (resolve, stream proxy, loadfile). Measured
  once cold (the first enter of the session: libmpv and the stream proxy are created) and
  ``--warm-runs`` times on other full tracks while one plays (median and max). Target < 700 ms.
* The worst stall of every key pressed (the j moves, each enter, space; and Trending's
  start-up listing, which no key starts),
  from the keypress until what it started is done, with its cause: a GC pause, the loop busy
  (its own CPU; where it was, from a sampler thread), the loop's thread blocked in native
  code (the sampler ran meanwhile), or starved (the GIL held elsewhere: the sampler stalled
  too; what the other threads were doing just before). Target: no key stalls the loop more
  than 50 ms.
* UI event-loop stalls while playing: a task on the app's own loop sleeps 5 ms over and over
  and records how late each wake-up is, while the track plays for ``--play-seconds`` with the
  now-playing bar repainting. Max and p99; target max < 20 ms. Printed for the enters too.
* CPU while paused for 30 s (issue 5's window; target < 1 % of a core): after `space`, the app
  idle and mpv paused; CPU time of this whole process (the in-process emulator serving mpv's
  read-ahead included; the per-thread split is printed) over wall time. The window is fixed:
  a shorter one would hide the work mpv's cache does as it keeps reading ahead after the
  pause.

The emulator's synthesised audio is prepared before the app starts (from its on-disk cache;
the very first run on a machine spends ~20 s encoding it): that work is the fake CDN's, not
the app's. For the same reason the emulator's objects are frozen out of the cyclic GC
(gc.freeze) before the app starts; the GC pauses are recorded and printed beside the stalls.
Writes bench/results/playback.json. Total run time about 45 s.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENTER_TARGET_MS = 700.0
STALL_TARGET_MS = 20.0
KEY_STALL_TARGET_MS = 50.0
SAMPLE_EVERY = 0.002  # the cause sampler's period
CPU_TARGET_PERCENT = 1.0
PAUSED_SECONDS = 30.0  # issue 5's window for "idle CPU while paused"
TICK = 0.005
SIZE = (120, 40)
RESULTS = Path(__file__).parent / "results" / "playback.json"


class GcPauses:
    """Every cyclic-GC run as (end time, generation, ms): a full collection is the usual
    cause of a busy stall of the loop."""

    def __init__(self) -> None:
        self.runs: list[tuple[float, int, float]] = []
        self._began = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            now = time.perf_counter()
            self.runs.append((now, info["generation"], (now - self._began) * 1000))

    def longest(self, start: float, end: float) -> float:
        return max((ms for t, _, ms in self.runs if start <= t <= end), default=0.0)

    def generation(self, start: float, end: float) -> int | None:
        """The generation of the longest collection in the window."""
        runs = [(ms, gen) for t, gen, ms in self.runs if start <= t <= end]
        return max(runs)[1] if runs else None


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISSED"


@dataclass
class StallProbe:
    """Lateness of a 5 ms ticker on the running loop: how long the loop was blocked."""

    # (when, lateness s, CPU s of the loop thread during the tick)
    samples: list[tuple[float, float, float]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            expected, cpu = loop.time() + TICK, time.thread_time()
            await asyncio.sleep(TICK)
            now = loop.time()
            # The loop thread's own CPU over the tick tells a busy loop (our code running)
            # from a starved one (the GIL held by another thread, or the OS scheduler).
            self.samples.append((time.perf_counter(), max(0.0, now - expected),
                                 time.thread_time() - cpu))

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    def worst(self, start: float, end: float) -> tuple[float, float, float, float]:
        """The latest tick in the window as (began, ended, lateness s, loop CPU s)."""
        ticks = [(late, t, cpu) for t, late, cpu in self.samples if start <= t <= end]
        if not ticks:
            return (start, start, 0.0, 0.0)
        late, t, cpu = max(ticks)
        return (t - late - TICK, t, late, cpu)

    def window(self, start: float, end: float) -> dict[str, float]:
        ticks = [(late, cpu) for t, late, cpu in self.samples if start <= t <= end]
        if not ticks:
            return {"max_ms": 0.0, "p99_ms": 0.0, "ticks": 0, "worst_tick_loop_cpu_ms": 0.0}
        late = sorted(s for s, _ in ticks)
        p99 = late[min(len(late) - 1, int(len(late) * 0.99))]
        worst = max(ticks)
        return {"max_ms": late[-1] * 1000, "p99_ms": p99 * 1000, "ticks": len(late),
                "worst_tick_loop_cpu_ms": worst[1] * 1000}


def _where(frame: Any) -> str:
    """The innermost frame of the app or its libraries (not asyncio's or the stdlib's)."""
    inner = frame
    while frame is not None:
        name = frame.f_code.co_filename
        if "site-packages" in name or "/minion_tui/" in name:
            return f"{frame.f_code.co_name} ({Path(name).name}:{frame.f_lineno})"
        frame = frame.f_back
    return f"{inner.f_code.co_name} ({Path(inner.f_code.co_filename).name}:{inner.f_lineno})"


class CauseSampler:
    """A thread that notes, every 2 ms, where each thread is. A stall of the loop is then
    explained by what the loop was doing (busy or blocked in native code) or, when the
    sampler could not run either (the GIL held), by what the others did just before."""

    def __init__(self, loop_thread: int) -> None:
        self.loop_thread = loop_thread
        # (when, CPU time of the whole process, where each thread is)
        self.samples: list[tuple[float, float, dict[int, str]]] = []
        self._stop = threading.Event()
        self._names: dict[int, str] = {}
        self._thread = threading.Thread(target=self._run, name="bench-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(SAMPLE_EVERY):
            frames = sys._current_frames()
            self.samples.append((time.perf_counter(), time.process_time(), {
                tid: _where(frame) for tid, frame in frames.items() if tid != me}))

    def thread_name(self, tid: int) -> str:
        if tid not in self._names:
            self._names.update({t.ident or 0: t.name for t in threading.enumerate()})
        return self._names.get(tid, str(tid))

    def explain(self, start: float, end: float, loop_cpu: float, gc_ms: float,
                gc_generation: int | None = None) -> str:
        stall = end - start
        inside = [frames for t, _, frames in self.samples if start <= t <= end]
        loop_at = [f[self.loop_thread] for f in inside if self.loop_thread in f]
        places = sorted(set(loop_at), key=loop_at.count, reverse=True)[:3]
        where = ", ".join(places) or "?"
        if gc_ms >= stall * 1000 / 2:
            kind = ("a full collection" if gc_generation == 2
                    else f"generation {gc_generation}")
            return f"a GC pause of {gc_ms:.0f} ms ({kind})"
        if loop_cpu >= stall / 2:
            return f"the loop busy ({loop_cpu * 1000:.0f} ms CPU) in {where}"
        if len(inside) >= stall / SAMPLE_EVERY / 3:
            return f"the loop's thread blocked (not on the CPU) in {where}"
        # The sampler could not run either: the GIL was held by another of our threads, or
        # the OS ran other processes; the process's CPU over the gap tells which.
        before = [(t, cpu) for t, cpu, _ in self.samples if t <= start][-1:]
        after = [(t, cpu) for t, cpu, _ in self.samples if t >= end][:1]
        if before and after:
            used = (after[0][1] - before[0][1]) / max(after[0][0] - before[0][0], 1e-9)
            if used < 0.5:
                return (f"starved by the OS (the process ran {used * 100:.0f} % of the gap: "
                        "other processes had the cores)")
        last = [frames for t, _, frames in self.samples if t <= start][-1:]
        others = sorted({f"{self.thread_name(tid)}: {at}" for frames in last
                         for tid, at in frames.items() if tid != self.loop_thread
                         and not at.startswith(("wait (", "_worker (", "select ("))})
        return ("the GIL held by another thread (the sampler stalled too); just before: "
                + ("; ".join(others) or "?"))


@dataclass
class KeyStall:
    """What one key press cost the loop, from the press until what it started was done."""

    key: str
    start: float
    end: float
    #: objects the cyclic GC tracks once the key is done (frozen ones not counted): what a
    #: full collection walks
    tracked: int = field(default_factory=lambda: len(gc.get_objects()))


@dataclass
class EnterTiming:
    """Timestamps of one play: enter pressed, mpv's start-file, first position > 0."""

    pressed: float
    start_file: float | None = None
    first_position: float | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def total_ms(self) -> float:
        assert self.first_position is not None
        return (self.first_position - self.pressed) * 1000

    def mpv_ms(self) -> float:
        assert self.first_position is not None and self.start_file is not None
        return (self.first_position - self.start_file) * 1000


async def watch_play(service: Any, timing: EnterTiming) -> None:
    """Follow the player from the keypress on. On the cold run the player does not exist yet
    (the enter creates it): wait for it with 1 ms naps, before any audio can have played
    (resolving the stream alone takes several 30 ms round trips)."""
    # No event to wait on: nothing announces the player's creation.
    while service.player.now_playing()[1] is None:  # noqa: ASYNC110
        await asyncio.sleep(0.001)
    player = (await service.player._engine()).player

    def on_event(event: Any) -> None:
        now = time.perf_counter()
        # Only the new file counts: the previous track's last time-pos events may still
        # arrive after the keypress, but never after mpv's start-file of the new one.
        if event.kind == "start-file" and timing.start_file is None:
            timing.start_file = now
        elif (timing.start_file is not None and timing.first_position is None
              and event.kind == "time-pos" and event.state.position > 0):
            timing.first_position = now
            timing.done.set()
        elif event.kind == "error":
            timing.done.set()

    stop = player.listen(on_event)
    try:
        await asyncio.wait_for(timing.done.wait(), 15)
    finally:
        stop()
    if timing.first_position is None:
        raise RuntimeError(f"no audio position after enter: {player.state.error or 'timeout'}")


async def press_enter_and_time(pilot: Any, service: Any) -> EnterTiming:
    timing = EnterTiming(pressed=time.perf_counter())
    watcher = asyncio.ensure_future(watch_play(service, timing))
    await pilot.press("enter")
    await watcher
    return timing


async def wait(pilot: Any, ready: Any, what: str, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def thread_cpu() -> dict[str, float]:
    """CPU seconds per thread name of this process (Linux /proc; empty elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found: dict[str, float] = defaultdict(float)
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return {}
    # Python threads by their Python name (the OS one is "python" for all of them).
    named = {t.native_id: t.name for t in threading.enumerate()}
    for task in tasks:
        try:
            name = named.get(int(task.name)) or (task / "comm").read_text().strip()
            stat = (task / "stat").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        name = name.rstrip("0123456789-") or name  # "minion-emulator-41233" -> one group
        found[name] += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return dict(found)


def per_thread(before: dict[str, float], after: dict[str, float], wall: float
               ) -> dict[str, float]:
    spent = {name: (after[name] - before.get(name, 0.0)) / wall * 100 for name in after}
    return {name: pct for name, pct in sorted(spent.items(), key=lambda kv: -kv[1]) if pct > 0}


async def bench(play_seconds: float, warm_runs: int, tmp: Path, *, freeze: bool = True
                ) -> dict[str, Any]:
    from minion_tui.config import Settings, UiSettings
    from minion_tui.emulator.media.audio import AudioSpec
    from minion_tui.emulator.server import default_cache_dir, run_in_thread
    from minion_tui.models import Availability
    from minion_tui.service import Service, preload_network
    from minion_tui.tui.app import MinionApp
    from minion_tui.tui.widgets.now_playing import NowPlayingBar
    from minion_tui.tui.widgets.track_list import TrackList

    audio_cache = default_cache_dir()  # before XDG_CACHE_HOME points into tmp
    for kind in ("CONFIG", "DATA", "STATE", "CACHE"):  # never touch the user's own files
        os.environ[f"XDG_{kind}_HOME"] = str(tmp / kind.lower())
    emu = run_in_thread(seed=1, latency_ms=30, cache_dir=audio_cache)
    emu.cdn.prepare(AudioSpec(seed=t.seed, duration_ms=t.duration_ms, style=t.style)
                    for t in emu.catalog.listed_tracks())
    if freeze:
        # The in-process emulator's catalog (~6k tracks, their JSON, the audio phrases) sits
        # in this heap; a user's process has none of it. Frozen, full collections skip it
        # instead of scanning it on the app's loop (measured: a full collection during an
        # enter took 116 ms with it, 40 ms without; --no-gc-freeze shows the former).
        gc.collect()
        gc.freeze()
    gc_pauses = GcPauses()
    # As `minion-tui` does before it starts the app (cli/__init__.py): the network modules
    # are imported and the HTTPS context built at start-up, not on the first key.
    preload_network()
    settings = Settings(ui=UiSettings(theme="minion-dark", artwork=False),
                        path=tmp / "config.toml")
    service = Service.open(settings=settings, data_dir=tmp / "data", endpoints=emu.endpoints)
    service.player.audio_output = "null"
    app = MinionApp(service)
    out: dict[str, Any] = {}
    probe = StallProbe()
    sampler = CauseSampler(threading.get_ident())
    keys: list[KeyStall] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            probe.start()
            sampler.start()
            tracks = app.query_one("#browse-tracks", TrackList)
            start = time.perf_counter()
            # Browse opens Trending at start, right after the first frame: no key, but the
            # loop's worst stall while it lands is reported as one.
            status = app.query_one("#browse-status")
            await wait(pilot, lambda: str(status.render()).startswith("Trending — ")
                       and "loading" not in str(status.render()), "Trending to load")
            await pilot.pause(0.5)  # let it settle (the details panel, the first paints)
            keys.append(KeyStall(f"start-up listing, Trending ({len(tracks.tracks)} tracks)",
                                 start, time.perf_counter()))
            app.set_focus(tracks)
            full = [i for i, t in enumerate(tracks.visible_tracks)
                    if t.availability is Availability.FULL]
            if len(full) < warm_runs + 1:
                raise RuntimeError(f"Trending lists only {len(full)} full tracks")
            bar = app.query_one(NowPlayingBar)

            async def play_row(row: int) -> EnterTiming:
                steps = row - tracks.cursor_row
                start = time.perf_counter()
                await pilot.press(*(["j"] * steps if steps > 0 else ["k"] * -steps))
                await pilot.pause()
                keys.append(KeyStall(f"{'j' if steps > 0 else 'k'} x{abs(steps)}", start,
                                     time.perf_counter()))
                title = tracks.highlighted.title if tracks.highlighted else "?"
                start = time.perf_counter()
                timing = await press_enter_and_time(pilot, service)
                keys.append(KeyStall(f"enter on {title[:30]!r}", start, time.perf_counter()))
                return timing

            cold = await play_row(full[0])
            warm = [await play_row(row) for row in full[1:warm_runs + 1]]
            out["enter_cold"] = {"total_ms": cold.total_ms(), "mpv_open_ms": cold.mpv_ms()}
            out["enter_warm"] = [{"total_ms": w.total_ms(), "mpv_open_ms": w.mpv_ms()}
                                 for w in warm]

            # Playing, the bar repainting: the loop's stalls over the window.
            await wait(pilot, lambda: bar.view.state == "playing", "the bar playing")
            elapsed_before = bar.view.elapsed
            threads0, start = thread_cpu(), time.perf_counter()
            await asyncio.sleep(play_seconds)
            threads1, end = thread_cpu(), time.perf_counter()
            out["stall_playing"] = probe.window(start, end)
            out["stall_playing"]["by_thread_percent"] = per_thread(threads0, threads1,
                                                                   end - start)
            out["stall_playing"]["longest_gc_ms"] = gc_pauses.longest(start, end)
            out["bar_elapsed"] = [elapsed_before, bar.view.elapsed]

            # space pauses; then the app idles and mpv holds for 30 s. The probe and the
            # sampler stop first: their wake-ups would be counted as the app's CPU.
            start = time.perf_counter()
            await pilot.press("space")
            await wait(pilot, lambda: bar.view.state == "paused", "the bar paused")
            keys.append(KeyStall("space", start, time.perf_counter()))
            await probe.stop()
            sampler.stop()
            out["key_stalls"] = [explain(k, probe, sampler, gc_pauses) for k in keys]
            threads0 = thread_cpu()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(PAUSED_SECONDS)
            wall = time.perf_counter() - wall0
            cpu = time.process_time() - cpu0
            threads1 = thread_cpu()
            out["paused"] = {
                "seconds": wall, "cpu_percent": cpu / wall * 100,
                "by_thread_percent": per_thread(threads0, threads1, wall),
            }
    finally:
        await service.aclose()
        emu.stop()
    return out


def explain(key: KeyStall, probe: StallProbe, sampler: CauseSampler, gc_pauses: GcPauses
            ) -> dict[str, Any]:
    began, ended, late, cpu = probe.worst(key.start, key.end)
    gc_ms = gc_pauses.longest(began, ended + TICK)
    generation = gc_pauses.generation(began, ended + TICK)
    cause = (sampler.explain(began, ended, cpu, gc_ms, generation)
             if late * 1000 >= STALL_TARGET_MS else "-")
    return {"key": key.key, "stall_ms": late * 1000, "loop_cpu_ms": cpu * 1000,
            "gc_ms": gc_ms, "gc_generation": generation, "cause": cause,
            "full_collections": sum(1 for t, gen, _ in gc_pauses.runs
                                    if gen == 2 and key.start <= t <= key.end),
            "gc_tracked_after": key.tracked}


def report(out: dict[str, Any], play_seconds: float) -> None:
    cold = out["enter_cold"]
    warm_totals = [w["total_ms"] for w in out["enter_warm"]]
    warm_mpv = [w["mpv_open_ms"] for w in out["enter_warm"]]
    cold_ok = cold["total_ms"] < ENTER_TARGET_MS
    warm_ok = max(warm_totals) < ENTER_TARGET_MS
    print(f"enter -> first audio position > 0 (emulator +30 ms/request, target < "
          f"{ENTER_TARGET_MS:.0f} ms):")
    print(f"  cold (first play, libmpv created): {cold['total_ms']:7.1f} ms "
          f"(mpv open {cold['mpv_open_ms']:.1f} ms)  {verdict(cold_ok)}")
    print(f"  warm ({len(warm_totals)} other tracks, one playing): median "
          f"{statistics.median(warm_totals):7.1f} ms, max {max(warm_totals):.1f} ms "
          f"(mpv open median {statistics.median(warm_mpv):.1f} ms)  {verdict(warm_ok)}")
    print(f"worst stall of each key, press to done (target < {KEY_STALL_TARGET_MS:.0f} ms):")
    for key in out["key_stalls"]:
        print(f"  {key['key']}: {key['stall_ms']:.1f} ms (loop CPU {key['loop_cpu_ms']:.1f} ms, "
              f"GC {key['gc_ms']:.1f} ms, {key['full_collections']} full, "
              f"{key['gc_tracked_after']:,} objects tracked after)  "
              f"{verdict(key['stall_ms'] < KEY_STALL_TARGET_MS)}"
              + ("" if key["cause"] == "-" else f"\n      cause: {key['cause']}"))
    stall = out["stall_playing"]
    print(f"app loop stall while playing {play_seconds:.0f} s (bar "
          f"{out['bar_elapsed'][0]} s -> {out['bar_elapsed'][1]} s, {stall['ticks']} ticks): "
          f"max {stall['max_ms']:.1f} ms, p99 {stall['p99_ms']:.1f} ms "
          f"(target max < {STALL_TARGET_MS:.0f} ms)  {verdict(stall['max_ms'] < STALL_TARGET_MS)}")
    busy = stall["worst_tick_loop_cpu_ms"]
    why = ("" if stall["max_ms"] < STALL_TARGET_MS else " = the loop busy"
           if busy >= stall["max_ms"] / 2 else " = starved by another thread or the OS")
    print(f"  loop CPU in the worst tick {busy:.1f} ms{why}; longest GC "
          f"{stall['longest_gc_ms']:.1f} ms; CPU by thread: " + ", ".join(f"{name} {pct:.1f} %"
                                 for name, pct in list(stall["by_thread_percent"].items())[:5]))
    paused = out["paused"]
    print(f"CPU while paused for {paused['seconds']:.1f} s (app idle + mpv paused): "
          f"{paused['cpu_percent']:.2f} % of a core (target < {CPU_TARGET_PERCENT:.0f} %)  "
          f"{verdict(paused['cpu_percent'] < CPU_TARGET_PERCENT)}")
    busiest = sorted(paused["by_thread_percent"].items(), key=lambda kv: -kv[1])[:5]
    print("  by thread (10 ms resolution): "
          + ", ".join(f"{name} {pct:.2f} %" for name, pct in busiest))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--play-seconds", type=float, default=5.0)
    parser.add_argument("--warm-runs", type=int, default=3)
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="leave the emulator's objects in the GC's reach (as in tests)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = asyncio.run(bench(args.play_seconds, args.warm_runs, Path(tmp),
                                freeze=not args.no_gc_freeze))
    report(out, args.play_seconds)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        **out,
        "targets": {"enter_ms": ENTER_TARGET_MS, "stall_max_ms": STALL_TARGET_MS,
                    "key_stall_max_ms": KEY_STALL_TARGET_MS,
                    "paused_cpu_percent": CPU_TARGET_PERCENT},
        "emulator_latency_ms": 30, "python": platform.python_version(),
        "machine": platform.machine(), "argv": sys.argv[1:],
        "gc_freeze_after_emulator": not args.no_gc_freeze,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
