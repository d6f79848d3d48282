"""Mixcloud download benchmark: a 2-hour show from the emulated CDN, ours vs yt-dlp.

The emulator runs in this process with 50 ms added to every request (its ``latency_ms``, the
same knob the fault profiles use), so the API, the GraphQL lookup, the ranges and the segments
all pay one RTT. Ours runs as a user types it, ``minion-tui download SHOW_URL --dir D`` (the
whole CLI: start, resolve, GraphQL stream lookup, fetch, remux, tags with cover and chapters,
fsync, rename), once over the progressive file in parallel 5 MiB ranges (the emulator's
``offer_hls`` off) and once over HLS (AAC in TS, remuxed to .m4a). yt-dlp (from .venv-peers,
``make peers``) fetches the same show's decoded URLs from the same server in the same run: its
Mixcloud extractor is bound to the real GraphQL host, so it gets the stream URLs ours
decoded, each with its defaults (HLS: one fragment at a time, then ffmpeg's remux) and the
progressive file with ``--http-chunk-size 5M`` (without it the CDN throttles it after 5 MiB,
which only makes yt-dlp slower still).

Every download runs with ``[analysis] after_download = false`` (yt-dlp analyses nothing);
one more row times the default, the show downloaded and then analysed (tempo and key of the
first two minutes, the loudness of all two hours, measured in halves on the two cores, the
tags written in place): that row is the analysis's cost, not a download target.

Latency limit: bytes / bandwidth + the round trips nothing can avoid — the show's lookup and
its stream lookup (2), then one per wave of ranges (ranges / concurrency) or segments, plus
the HLS master and variant playlists. Bandwidth is measured with the latency off, one
connection fetching the whole file in ranges. Peak RSS: VmHWM of the tool's processes.

    .venv/bin/python bench/download_mixcloud.py [--runs 1] [--segments 8] [--yt-dlp PATH]
                                                [--skip-slow]

Figures on a shared 2-core machine are noisy: take them as such (PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "download_mixcloud.json"
RTT_MS = 50.0
SHOW = "mc_show_two_hours"
#: The row of the default settings: the download, then its analysis.
ANALYSED = "ours progressive + analysis (the default)"
#: perf_counter of each request the emulator received (log_arrivals): a run's first one
#: splits its wall time into the tool's start-up and the rest.
ARRIVALS: list[float] = []


def log_arrivals(emu: Any) -> None:
    """Wrap the emulator's app (new connections) to note when each request arrives."""
    config = emu._server.config
    inner = config.loaded_app

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            ARRIVALS.append(time.perf_counter())
        await inner(scope, receive, send)

    config.loaded_app = app


def _sibling() -> Any:
    """bench/download.py: its peer lookup and /proc high-water reading."""
    if "bench_download" in sys.modules:
        return sys.modules["bench_download"]
    spec = importlib.util.spec_from_file_location("bench_download", ROOT / "bench" / "download.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_download"] = module
    spec.loader.exec_module(module)
    return module


def run(cmd: list[str], out: Path, env: dict[str, str] | None = None, fresh: bool = False
        ) -> tuple[bool, float, float, float]:
    """(ok, wall seconds, peak RSS MB, seconds from the first request to the exit) of one
    run of ``cmd`` into the empty folder ``out`` (``fresh``: with the data folder of ``env``
    emptied first, so nothing comes from its cache)."""
    shutil.rmtree(out, ignore_errors=True)
    if fresh and env:
        shutil.rmtree(env["XDG_DATA_HOME"], ignore_errors=True)
    out.mkdir(parents=True)
    ARRIVALS.clear()
    ok, start, end, peak_mb = _sibling().watched_run(cmd, env, said=400)
    return ok, end - start, peak_mb, end - min(ARRIVALS, default=start)


def runs_of(figures: dict[str, Any], name: str) -> float:
    """The median seconds of the case ``name`` measured so far (nan before)."""
    return float(figures["runs"].get(name, {}).get("median_s", float("nan")))


def local(url: str, endpoints: dict[str, str]) -> str:
    for origin, replacement in endpoints.items():
        if url.startswith(origin + "/"):
            return replacement + url[len(origin):]
    raise SystemExit(f"not an emulated origin: {url}")


async def prepare(emu: Any, url: str) -> dict[str, Any]:
    """The show's decoded stream URLs (HLS, then progressive) and its length."""
    from minion_tui.models import Track
    from minion_tui.service import Service

    service = Service.open(endpoints=emu.endpoints, data_dir=Path(tempfile.mkdtemp()))
    try:
        track = await service.catalog.resolve(url)
        assert isinstance(track, Track)
        hls = await service.catalog.stream(track, require_full=True)
        emu.mixcloud.offer_hls = False
        progressive = await service.catalog.stream(track, require_full=True)
    finally:
        emu.mixcloud.offer_hls = True
        await service.aclose()
    urls = {"hls": local(hls.url, emu.endpoints), "progressive": local(progressive.url,
                                                                        emu.endpoints)}
    return {"urls": urls, "duration_ms": track.duration_ms}


#: One connection fetching the whole file in 5 MiB ranges: prints [bytes, seconds].
_RANGES = """
import json, sys, time, httpx
step, size, at = 5 * 1024 * 1024, 0, 0
with httpx.Client(timeout=60) as client:
    client.get(sys.argv[1], headers={"Range": "bytes=0-0"})
    began = time.perf_counter()
    while not size or at < size:
        answer = client.get(sys.argv[1], headers={"Range": f"bytes={at}-{at + step - 1}"})
        size = int(answer.headers["Content-Range"].rsplit("/", 1)[1])
        at += len(answer.content)
    print(json.dumps([size, time.perf_counter() - began]))
"""


def measure(emu: Any, urls: dict[str, str]) -> dict[str, Any]:
    """With the latency off: the HLS segments' bytes (warming the emulator's cache) and the
    bandwidth of one connection fetching the whole progressive file in 5 MiB ranges."""
    import httpx

    emu.state.latency_ms = 0.0
    try:
        with httpx.Client(timeout=60) as client:
            master = client.get(urls["hls"]).text
            variant_url = str(httpx.URL(urls["hls"]).join(
                next(line for line in master.splitlines() if line and line[0] != "#")))
            variant = client.get(variant_url).text
            segments = [str(httpx.URL(variant_url).join(line))
                        for line in variant.splitlines() if line and line[0] != "#"]
            hls_bytes = sum(len(client.get(s).content) for s in segments)
            # The bandwidth is measured from a process of its own, as the tools run: a
            # client in this one would share the emulator's interpreter lock and halve it.
            said = subprocess.run([sys.executable, "-c", _RANGES, urls["progressive"]],
                                  capture_output=True, text=True, timeout=300, check=True)
            size, seconds = json.loads(said.stdout)
    finally:
        emu.state.latency_ms = RTT_MS
    return {"segments": len(segments), "hls_bytes": hls_bytes, "size": size,
            "bandwidth": size / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--yt-dlp", dest="yt_dlp")
    parser.add_argument("--skip-slow", action="store_true",
                        help="leave out yt-dlp's HLS run (a minute at one fragment at a time)")
    args = parser.parse_args()
    sibling = _sibling()
    path = args.yt_dlp or str(sibling.PEER_YT_DLP)
    if not os.access(path, os.X_OK):
        sys.exit(f"yt-dlp not found at {path}: run `make peers`")
    yt_version = sibling.peer_version([path, "--version"])[0]

    from minion_tui import __version__
    from minion_tui.emulator.server import endpoints_env, run_in_thread

    cache = Path(tempfile.gettempdir()) / "minion-bench-emulator-cache"
    emu = run_in_thread(seed=1, cache_dir=cache, latency_ms=RTT_MS)
    tmp = Path(tempfile.mkdtemp(prefix="minion-bench-mc-"))
    try:
        show = emu.examples[SHOW]
        info = asyncio.run(prepare(emu, show))
        info.update(measure(emu, info["urls"]))
        log_arrivals(emu)
        env = dict(os.environ, MINION_ENDPOINTS=endpoints_env(emu.endpoints),
                   **{f"XDG_{kind}_HOME": str(tmp / "xdg" / kind.lower())
                      for kind in ("CONFIG", "DATA", "CACHE", "STATE")})
        own = tmp / "xdg" / "config" / "minion-tui"
        own.mkdir(parents=True)
        (own / "config.toml").write_text("[analysis]\nafter_download = false\n")
        # The default settings (the analysis on), in folders of their own: a fresh store,
        # so the show is measured, not found in the cache.
        analysed = dict(env, **{f"XDG_{kind}_HOME": str(tmp / "xdg-default" / kind.lower())
                                for kind in ("CONFIG", "DATA", "CACHE", "STATE")})
        ours = sibling.ours_command(show, tmp / "ours", args.segments)
        rtt = RTT_MS / 1000
        ranges = math.ceil(info["size"] / (5 * 1024 * 1024))
        limits = {
            "progressive": 2 * rtt + math.ceil(ranges / args.segments) * rtt
            + info["size"] / info["bandwidth"],
            "hls": 4 * rtt + math.ceil(info["segments"] / args.segments) * rtt
            + info["hls_bytes"] / info["bandwidth"],
        }
        print(f"show: {info['duration_ms'] / 60000:.0f} min, progressive {info['size'] / 1e6:.1f}"
              f" MB in {ranges} ranges, HLS {info['segments']} segments "
              f"{info['hls_bytes'] / 1e6:.1f} MB; bandwidth {info['bandwidth'] / 1e6:.0f} MB/s, "
              f"RTT {RTT_MS:.0f} ms")
        cases: list[tuple[str, str, list[str], bool]] = [
            ("ours progressive (the show URL)", "progressive", ours, True),
            (ANALYSED, "progressive", ours, True),
            # The show URL downloads the progressive file (the default); the HLS path is
            # timed on the decoded master playlist, a direct URL to the same CLI.
            ("ours HLS (direct .m3u8)", "hls",
             sibling.ours_command(info["urls"]["hls"], tmp / "ours", args.segments), True),
            (f"yt-dlp {yt_version} progressive --http-chunk-size 5M", "progressive",
             [path, "-q", "--http-chunk-size", "5M", "-o", str(tmp / "yt" / "show.%(ext)s"),
              info["urls"]["progressive"]], True),
            (f"yt-dlp {yt_version} HLS (defaults)", "hls",
             [path, "-q", "-o", str(tmp / "yt" / "show.%(ext)s"), info["urls"]["hls"]], True),
        ]
        if args.skip_slow:
            cases = [case for case in cases if "HLS (defaults)" not in case[0]]
        figures: dict[str, Any] = {"ours": __version__, "yt_dlp": yt_version, "rtt_ms": RTT_MS,
                                   "segments": args.segments, "limits_s": limits, "runs": {},
                                   **{k: v for k, v in info.items() if k != "urls"}}
        for name, kind, cmd, hls in cases:
            emu.mixcloud.offer_hls = hls
            out = tmp / ("ours" if name.startswith("ours") else "yt")
            fresh = name == ANALYSED
            samples = [run(cmd, out, analysed if fresh else env, fresh) for _ in range(args.runs)]
            emu.mixcloud.offer_hls = True
            walls = [wall for ok, wall, _, _ in samples if ok]
            wall = statistics.median(walls) if walls else float("nan")
            rest = statistics.median([r for ok, _, _, r in samples if ok] or [float("nan")])
            rss = max(r for _, _, r, _ in samples)
            figures["runs"][name] = {"kind": kind, "wall_s": walls, "median_s": wall,
                                     "after_start_s": rest, "rss_mb": rss,
                                     "vs_limit": wall / limits[kind]}
            if fresh:
                download = runs_of(figures, "ours progressive (the show URL)")
                print(f"{name:52s} {wall:7.2f} s  (the download, then {wall - download:.2f} s "
                      f"of analysis; no download target)  peak RSS {rss:6.1f} MB")
                continue
            print(f"{name:52s} {wall:7.2f} s  {wall / limits[kind]:5.2f}x limit "
                  f"({limits[kind]:.2f} s; after start-up {rest:.2f} s = "
                  f"{rest / limits[kind]:.2f}x)  peak RSS {rss:6.1f} MB")
        runs = figures["runs"]
        best_ours = min((v["median_s"], k) for k, v in runs.items()
                        if k.startswith("ours") and k != ANALYSED)
        best_yt = min((v["median_s"], k) for k, v in runs.items() if k.startswith("yt-dlp"))
        figures["speedup_vs_yt_dlp"] = best_yt[0] / best_ours[0]
        print(f"fastest ours: {best_ours[1]}; {best_yt[0] / best_ours[0]:.2f}x faster than the "
              f"fastest yt-dlp ({best_yt[1]}); targets: >= 2x, <= 1.3x limit, RSS < 150 MB. "
              "Shared 2-core machine: noisy figures.")
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        emu.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
