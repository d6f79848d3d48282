"""Resolving a 500-track set (5 full tracks + 495 stubs) from cold must take ≤ 11 api-v2 calls
(the SoundCloud client issue): one /resolve plus ten /tracks?ids= batches of ≤ 50.

Runs the emulator in-process with 30 ms of added latency per request, resolves its
``set_large`` example with a fresh cache (so the client id is scraped first: page and assets
are not api-v2 calls and are reported separately), and prints api-v2 calls, all requests,
wall time and CPU time, with PASS/FAIL against the call limit. For comparison it also times
hydrating the same stubs one batch at a time (sequential, the naive peer).
Writes bench/results/sc_resolve_set.json. Always exits 0: a measurement, not a test.

    .venv/bin/python bench/sc_resolve_set.py [--latency-ms 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from minion_tui.emulator.server import run_in_thread
from minion_tui.models import Playlist
from minion_tui.net import EndpointMap, Http, HttpOptions
from minion_tui.providers.soundcloud import listings
from minion_tui.providers.soundcloud.client import SoundCloud

CALL_LIMIT = 11
API_HOST = "api-v2.soundcloud.com"
RESULTS = Path(__file__).resolve().parent / "results" / "sc_resolve_set.json"


async def resolve_cold(emu: Any, cache: Path) -> dict[str, Any]:
    http = Http(HttpOptions(endpoints=EndpointMap.from_dict(emu.endpoints)))
    sc = SoundCloud(http, cache_dir=cache)
    wall, cpu = time.perf_counter(), time.process_time()
    resource = await sc.resolve(emu.examples["set_large"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    emulator_calls = len(emu.state.api_calls)
    assert isinstance(resource, Playlist)
    figures = {
        "tracks": len(resource.tracks),
        "track_count": resource.track_count,
        "api_calls": http.stats.by_host.get(API_HOST, 0),
        "emulator_api_calls": emulator_calls,
        "all_requests": http.stats.requests,
        "by_host": dict(http.stats.by_host),
        "client_id_scrapes": sc.client_ids.scrapes,
        "wall_s": round(wall, 4),
        "cpu_s": round(cpu, 4),
    }
    # The naive peer: the same stubs hydrated one batch after the other (client id now warm).
    ids = [t.id for t in resource.tracks]
    start = time.perf_counter()
    for i in range(0, len(ids), listings.IDS_PER_CALL):
        await sc.tracks(ids[i:i + listings.IDS_PER_CALL])
    figures["sequential_hydration_wall_s"] = round(time.perf_counter() - start, 4)
    await http.aclose()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=30.0)
    args = parser.parse_args(argv)
    emu = run_in_thread(latency_ms=args.latency_ms)
    try:
        emu.state.reset_counters()
        with tempfile.TemporaryDirectory() as cache:
            figures = asyncio.run(resolve_cold(emu, Path(cache)))
    finally:
        emu.stop()
    calls = max(figures["api_calls"], figures["emulator_api_calls"])
    verdict = "PASS" if calls <= CALL_LIMIT and figures["tracks"] == 500 else "FAIL"
    print(f"resolve set_large from cold, {args.latency_ms:g} ms added latency per request")
    print(f"  tracks hydrated      {figures['tracks']} / {figures['track_count']}")
    print(f"  api-v2 calls         {figures['api_calls']} (emulator saw "
          f"{figures['emulator_api_calls']})  limit {CALL_LIMIT}  {verdict}")
    print(f"  all requests         {figures['all_requests']}  {figures['by_host']}")
    print(f"  wall time            {figures['wall_s']:.3f} s")
    print(f"  CPU time             {figures['cpu_s']:.3f} s")
    print(f"  peer: sequential batches (warm id) {figures['sequential_hydration_wall_s']:.3f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "sc_resolve_set", "latency_ms": args.latency_ms, "limit_calls": CALL_LIMIT,
        "verdict": verdict, **figures, "python": sys.version.split()[0],
        "platform": platform.platform(),
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
