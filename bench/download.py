"""Download benchmark: a 60-minute mix as MP3 HLS and AAC fMP4 HLS, ours vs yt-dlp and ffmpeg.

A local server (below) serves the emulator's audio with *relative* segment URLs, so yt-dlp and
ffmpeg can fetch it directly, and adds 50 ms to every request (a CDN-like RTT). Segment bytes are
loaded into the server's memory first, so every tool sees the same latency and throughput.
Each tool runs as a subprocess; wall time and its own peak RSS (os.wait4) are printed.

    .venv/bin/python bench/download.py [--minutes 60] [--skip-slow]

Latency limit (issue 6 proof): segments / concurrency x RTT + bytes / throughput, with
throughput measured by one no-delay GET of all bytes. Targets: >= 5x yt-dlp default,
>= 1.2x yt-dlp -N 8, within 1.5x of the limit, peak RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RTT = 0.05


class Media:
    def __init__(self, playlist: str, blobs: dict[str, bytes]) -> None:
        self.playlist = playlist
        self.blobs = blobs


def serve(media: dict[str, Media]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, a small body (the playlist)
        # then waits for the client's delayed ACK: +40 ms that no real CDN adds.
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # the http.server API name
            parts = self.path.strip("/").split("/")
            body: bytes | None = None
            if parts[0] == "all" and parts[1] in media:
                body = b"".join(media[parts[1]].blobs.values())
            else:
                time.sleep(RTT)
                if len(parts) == 2 and parts[0] in media:
                    m = media[parts[0]]
                    body = (m.playlist.encode() if parts[1] == "playlist.m3u8"
                            else m.blobs.get(parts[1]))
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


async def prepare(minutes: float) -> tuple[dict[str, Media], object]:
    """Signed MP3 and AAC playlists of the emulator's long mix, cut to ``minutes``."""
    from minion_tui.emulator.server import run_in_thread
    from minion_tui.models import Track
    from minion_tui.service import Service

    cache = Path(tempfile.gettempdir()) / "minion-bench-emulator-cache"
    emu = run_in_thread(seed=1, cache_dir=cache)
    service = Service.open(endpoints=emu.endpoints)
    track = await service.resolve(emu.examples["track_long"])
    assert isinstance(track, Track)
    out: dict[str, Media] = {}
    for name, mime in (("mp3", "audio/mpeg;"), ("aac", "audio/mp4;")):
        [tc] = [t for t in track.raw["media"]["transcodings"]
                if t["format"]["protocol"] == "hls"
                and (t["format"]["mime_type"] + ";").startswith(mime)][:1]
        signed = await service.http.get_json(tc["url"], params={"client_id": emu.state.client_id})
        text = await service.http.get_text(signed["url"])
        lines, blobs, seconds, n = ["#EXTM3U"], {}, 0.0, 0
        pending: list[str] = []
        for line in text.splitlines():
            if line.startswith("#EXT-X-MAP"):
                uri = re.search(r'URI="([^"]+)"', line)
                assert uri
                blobs["init.mp4"] = await service.http.get_bytes(uri.group(1))
                lines.append('#EXT-X-MAP:URI="init.mp4"')
            elif line.startswith("#EXTINF"):
                seconds += float(line.split(":")[1].split(",")[0])
                pending = [line]
            elif line.startswith("#EXT-X-ENDLIST") or not line.strip():
                continue
            elif line.startswith("#"):
                lines.append(line) if not line.startswith("#EXTM3U") else None
            else:
                if seconds > minutes * 60 + 0.01:
                    break
                key = f"{n:05d}.{'mp3' if name == 'mp3' else 'm4s'}"
                blobs[key] = await service.http.get_bytes(line)
                lines.extend([*pending, key])
                n += 1
        lines.append("#EXT-X-ENDLIST")
        out[name] = Media("\n".join(lines) + "\n", blobs)
    await service.aclose()
    return out, emu


def _high_water_kb(pid: int) -> int:
    """VmHWM of ``pid`` plus that of its children (our AAC remux runs in one; ffmpeg's and
    yt-dlp's helpers count too)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _high_water_kb(int(child))
    except (OSError, ValueError):
        pass
    return total


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak RSS in MB of the tool's processes together."""
    # ru_maxrss of a child inherits the (large) bench process's peak at fork, so read the
    # child's own high-water mark (VmHWM, reset at exec) from /proc while it runs.
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kb = 0
    while proc.poll() is None:
        peak_kb = max(peak_kb, _high_water_kb(proc.pid))
        time.sleep(0.02)
    took = time.perf_counter() - start
    assert proc.stderr is not None
    said = proc.stderr.read().decode()
    if proc.returncode != 0:
        print(f"  ! {cmd[0]} failed: {said[-300:]}")
    elif said.startswith("fetch"):  # our own split of the time
        print(f"    ({said.strip()})")
    return took, peak_kb / 1024


async def ours(url: str, target: str, codec: str, segments: int) -> None:
    """Our engine's HLS path (fetch in parallel, join in order, remux AAC) without the API."""
    from minion_tui.downloads import remux
    from minion_tui.downloads.engine import fetch_while_remuxing
    from minion_tui.downloads.hls import SegmentFetcher
    from minion_tui.downloads.remux_process import RemuxProcess
    from minion_tui.models import StreamChoice
    from minion_tui.net import Http

    # The local server is a loopback host: net/ gives it the CDN budget, as the app would.
    http = Http()
    choice = StreamChoice("hls", codec, "bench", url, track_urn="bench")

    async def no_refresh(c: StreamChoice) -> StreamChoice:
        raise RuntimeError("the bench server never expires URLs")

    work = Path(target + ".parts")
    t0 = time.perf_counter()
    fetcher = SegmentFetcher(http, choice, work, concurrency=segments, refresh=no_refresh)
    # As engine.py does: AAC remuxed (in a child process) from the segment files while they
    # arrive; MP3 joined once at the end.
    if codec == "aac":
        remuxer = RemuxProcess(await fetcher.files(), Path(target))
        fetcher.on_segment = lambda p: remuxer.ready(fetcher.path(p.index))
        await fetch_while_remuxing(fetcher, remuxer)
        t1 = time.perf_counter()
    else:
        files = await fetcher.fetch_all()
        t1 = time.perf_counter()
        remux.concatenate(files, Path(target), mp3=True)
    t2 = time.perf_counter()
    shutil.rmtree(work)
    await http.aclose()
    print(f"fetch{'+remux' if codec == 'aac' else ''} {t1 - t0:.2f} s, "
          f"then join {t2 - t1:.2f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--skip-slow", action="store_true", help="skip yt-dlp's default (-N 1)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of each fast tool (the median is printed)")
    parser.add_argument("--ours", nargs=3, metavar=("URL", "TARGET", "CODEC"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours:
        asyncio.run(ours(*args.ours, args.segments))
        return
    media, emu = asyncio.run(prepare(args.minutes))
    server, base = serve(media)
    tmp = Path(tempfile.mkdtemp(prefix="minion-bench-"))
    try:
        for name, ext in (("mp3", "mp3"), ("aac", "m4a")):
            m = media[name]
            count = sum(1 for k in m.blobs if not k.startswith("init"))
            size = sum(len(b) for b in m.blobs.values())
            import httpx

            t0 = time.perf_counter()
            httpx.get(f"{base}/all/{name}", timeout=60)
            throughput = size / (time.perf_counter() - t0)
            limit = (count + 1) / args.segments * RTT + size / throughput + RTT
            url = f"{base}/{name}/playlist.m3u8"
            print(f"\n{name.upper()} HLS: {count} segments, {size / 1e6:.1f} MB, "
                  f"{args.minutes:.0f} min; latency limit ≈ {limit:.2f} s")
            tools = [
                (f"minion_tui (-N {args.segments})",
                 [sys.executable, __file__, "--segments", str(args.segments),
                  "--ours", url, str(tmp / f"ours.{ext}"), name]),
                ("yt-dlp -N 8", ["yt-dlp", "-q", "--no-part", "-N", "8", "-o",
                                 str(tmp / f"ytn8.{ext}"), url]),
                ("ffmpeg -c copy", ["ffmpeg", "-v", "error", "-y", "-i", url, "-c", "copy",
                                    str(tmp / f"ffmpeg.{ext}")]),
            ]
            if not args.skip_slow:
                tools.insert(2, ("yt-dlp (default)", ["yt-dlp", "-q", "--no-part", "-o",
                                                      str(tmp / f"yt.{ext}"), url]))
            # The two parallel downloaders run `--runs` times each, interleaved, and keep their
            # median: one run of a 3-second download is at the mercy of the machine's other
            # work. The ~20-second sequential ones run once.
            fast = [t for t in tools if t[0] not in ("yt-dlp (default)", "ffmpeg -c copy")]
            samples: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in tools}
            for _ in range(args.runs):
                for label, cmd in fast:
                    samples[label].append(run(cmd))
            for label, cmd in tools:
                if not samples[label]:
                    samples[label].append(run(cmd))
            results = {label: (statistics.median(t for t, _ in runs), max(r for _, r in runs))
                       for label, runs in samples.items()}
            ours_t = results[tools[0][0]][0]
            for label, (took, rss) in results.items():
                runs = len(samples[label])
                print(f"  {label:22} {took:7.2f} s  peak RSS {rss:6.1f} MB  "
                      f"(ours is {took / ours_t:5.2f}x faster)"
                      + (f"  median of {runs}" if runs > 1 else ""))
            print(f"  ours / latency limit = {ours_t / limit:.2f}")
    finally:
        server.shutdown()
        emu.stop()  # type: ignore[attr-defined]
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
