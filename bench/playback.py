"""Playback figures against the emulator (30 ms latency), real libmpv with ao=null.

    .venv/bin/python bench/playback.py [--play-seconds 5]

Prints: time from "enter" (service.play) to the first audio position > 0 (target < 700 ms),
with mpv's own share beside it (from loadfile to the first position); the longest event-loop
stall while playing (target < 20 ms); CPU used while paused for 30 s (issue 5: "idle CPU while
paused for 30 s", target < 1 % of a core). The window is fixed: a shorter one would hide the
work mpv's cache does as it keeps reading ahead after the pause. The figure is the CPU time of
this whole process (the in-process emulator serving those reads included) over wall time.
Total run time is about 45 s.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from minion_tui.emulator.server import run_in_thread
from minion_tui.service import Service

PAUSED_SECONDS = 30.0  # issue 5's window for "idle CPU while paused"


async def stall_probe(stop: asyncio.Event, tick: float = 0.005) -> float:
    """The worst lateness of a 5 ms ticker: how long the loop was blocked at most."""
    loop = asyncio.get_running_loop()
    worst = 0.0
    while not stop.is_set():
        expected = loop.time() + tick
        await asyncio.sleep(tick)
        worst = max(worst, loop.time() - expected)
    return worst


async def run(play_seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        emu = run_in_thread(seed=1, latency_ms=30, cache_dir=Path(tmp) / "audio")
        service = Service.open(endpoints=emu.endpoints, data_dir=Path(tmp) / "data")
        service.audio_output = "null"
        try:
            url = emu.examples["track_full"]
            await service.play(url)  # warm-up: player creation, audio cache, client_id
            playback = await service.playback()
            await playback.player.wait_for(lambda s: s.position > 0)
            playback.player.stop()
            await playback.player.wait_for(lambda s: s.idle)

            enter = time.perf_counter()
            await service.play(url)
            loaded = time.perf_counter()
            await playback.player.wait_for(lambda s: s.state == "playing" and s.position > 0)
            first = time.perf_counter()
            print(f"enter -> first audio position: {(first - enter) * 1000:7.1f} ms "
                  f"(mpv open {(first - loaded) * 1000:.1f} ms; target < 700 ms)")

            stop = asyncio.Event()
            probe = asyncio.ensure_future(stall_probe(stop))
            await asyncio.sleep(play_seconds)
            stop.set()
            print(f"max event-loop stall while playing {play_seconds:.0f} s: "
                  f"{await probe * 1000:7.1f} ms (target < 20 ms)")

            await service.pause()
            await playback.player.wait_for(lambda s: s.paused)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            await asyncio.sleep(PAUSED_SECONDS)
            wall = time.perf_counter() - wall0
            cpu = (time.process_time() - cpu0) / wall * 100
            print(f"CPU while paused for {wall:.1f} s: {cpu:7.2f} % of a core "
                  "(target < 1 %)")
        finally:
            await service.aclose()
            emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--play-seconds", type=float, default=5.0)
    args = parser.parse_args()
    asyncio.run(run(args.play_seconds))


if __name__ == "__main__":
    main()
