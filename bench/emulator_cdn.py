"""Figures for the emulated CDN: cold loop encodes, a 2-hour track's playlists and segments.

Run: .venv/bin/python bench/emulator_cdn.py
(prints a table and writes bench/results/emulator_cdn.json)
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from starlette.applications import Starlette

from minion_tui.emulator.cdn.origins import Cdn
from minion_tui.emulator.media.audio import AudioSpec
from minion_tui.emulator.media.synth import GROOVES

ORIGINS = {"https://playback.media-streaming.soundcloud.cloud": "/sc-aac",
           "https://cf-hls-media.sndcdn.com": "/sc-hls", "https://cf-media.sndcdn.com": "/sc-media"}


def local(url: str) -> str:
    for origin, prefix in ORIGINS.items():
        url = url.replace(origin, "http://cdn" + prefix)
    return url


async def main() -> dict[str, float]:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache_dir:
        specs = {f"k{name}": AudioSpec(1, 2 * 3600 * 1000, name) for name in GROOVES}
        cdn = Cdn(cache_dir=Path(cache_dir), lookup=specs.get, secret=b"bench")
        for codec in ("mp3", "aac"):
            times = []
            for name in GROOVES:
                start = time.perf_counter()
                cdn.cache.phrase(codec, name, 1)
                times.append(time.perf_counter() - start)
            figures[f"cold_{codec}_loop_encode_s_mean"] = statistics.mean(times)
            figures[f"cold_{codec}_loop_encode_s_max"] = max(times)
        start = time.perf_counter()
        cdn.prepare(AudioSpec(s, 1000, "house") for s in range(4))
        figures["prepare_house_all_variants_s"] = time.perf_counter() - start
        app = Starlette(routes=cdn.mounts())
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport) as client:
            for kind in ("aac_hls", "mp3_hls"):
                url = local(cdn.signed_url(kind, "khouse", expires_at=time.time() + 9000))
                start = time.perf_counter()
                playlist = (await client.get(url)).text
                figures[f"{kind}_2h_playlist_ms"] = (time.perf_counter() - start) * 1000
                segments = [line for line in playlist.splitlines() if line.startswith("https")]
                figures[f"{kind}_segments"] = len(segments)
                latencies = []
                for segment in segments[::37]:
                    start = time.perf_counter()
                    body = (await client.get(local(segment))).content
                    latencies.append((time.perf_counter() - start) * 1000)
                    assert body
                figures[f"{kind}_segment_ms_median"] = statistics.median(latencies)
                figures[f"{kind}_segment_ms_max"] = max(latencies)
            url = local(cdn.signed_url("mp3_progressive", "khouse", expires_at=time.time() + 9000))
            start = time.perf_counter()
            response = await client.get(url, headers={"Range": "bytes=100000000-100999999"})
            figures["progressive_1MB_range_at_100MB_ms"] = (time.perf_counter() - start) * 1000
            assert response.status_code == 206
    return figures


if __name__ == "__main__":
    results = asyncio.run(main())
    for name, value in results.items():
        print(f"{name:40s} {value:10.3f}")
    out = Path(__file__).parent / "results" / "emulator_cdn.json"
    out.write_text(json.dumps(results, indent=2))
