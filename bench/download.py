"""Download benchmark: a 60-minute mix as MP3 HLS and AAC fMP4 HLS, ours vs yt-dlp and ffmpeg.

A local server (below) serves the emulator's audio with *relative* segment URLs, so yt-dlp and
ffmpeg can fetch it directly, and adds 50 ms to every request (a CDN-like RTT). Segment bytes are
loaded into the server's memory first, so every tool sees the same latency and throughput.
Every tool runs as the command a user types, as a subprocess: ours is
``minion-tui download URL --dir D --segments 8`` (a direct .m3u8 URL: the whole CLI - start,
settings, fetch, join or remux, tags, fsync, atomic rename - not the engine alone), with
fresh XDG folders and every tool's output removed before each run. Wall time runs from the spawn
to the exit; the peak RSS is that of the tool's processes (VmHWM from /proc, children included).
The server's request log splits each run: spawn -> first request ("start"), first request ->
last response ("fetch"), last response -> exit ("tail").

    .venv/bin/python bench/download.py [--minutes 60] [--skip-slow] [--runs 3]

Latency limit (issue 6 proof): segments / concurrency x RTT + bytes / throughput, with
throughput measured by one no-delay GET of all bytes. Targets: >= 5x yt-dlp default,
>= 1.2x yt-dlp -N 8, within 1.5x of the limit, peak RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RTT = 0.05


class Media:
    def __init__(self, playlist: str, blobs: dict[str, bytes]) -> None:
        self.playlist = playlist
        self.blobs = blobs


class RequestTimes:
    """When each request arrived and when its response was written (perf_counter)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrived: list[float] = []
        self.answered: list[float] = []

    def clear(self) -> None:
        with self.lock:
            self.arrived.clear()
            self.answered.clear()


def serve(media: dict[str, Media]) -> tuple[ThreadingHTTPServer, str, RequestTimes]:
    times = RequestTimes()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, a small body (the playlist)
        # then waits for the client's delayed ACK: +40 ms that no real CDN adds.
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # the http.server API name
            arrived = time.perf_counter()
            self.answer()
            with times.lock:
                times.arrived.append(arrived)
                times.answered.append(time.perf_counter())

        def answer(self) -> None:
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

    class Server(ThreadingHTTPServer):
        # socketserver's default backlog is 5: eight connections opened at once (a
        # downloader's first round) overflow it and a dropped SYN is retried only after 1 s.
        # Real servers listen with hundreds (nginx: 511).
        request_queue_size = 128

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}", times


async def prepare(minutes: float) -> tuple[dict[str, Media], object]:
    """Signed MP3 and AAC playlists of the emulator's long mix, cut to ``minutes``."""
    from minion_tui.emulator.server import run_in_thread
    from minion_tui.models import Track
    from minion_tui.service import Service

    cache = Path(tempfile.gettempdir()) / "minion-bench-emulator-cache"
    emu = run_in_thread(seed=1, cache_dir=cache)
    service = Service.open(endpoints=emu.endpoints)
    track = await service.catalog.resolve(emu.examples["track_long"])
    assert isinstance(track, Track)
    out: dict[str, Media] = {}
    for name, mime in (("mp3", "audio/mpeg;"), ("aac", "audio/mp4;")):
        [tc] = [t for t in track.raw["media"]["transcodings"]
                if t["format"]["protocol"] == "hls"
                and (t["format"]["mime_type"] + ";").startswith(mime)][:1]
        signed = await service._core.http.get_json(tc["url"],
                                                   params={"client_id": emu.state.client_id})
        text = await service._core.http.get_text(signed["url"])
        lines, blobs, seconds, n = ["#EXTM3U"], {}, 0.0, 0
        pending: list[str] = []
        for line in text.splitlines():
            if line.startswith("#EXT-X-MAP"):
                uri = re.search(r'URI="([^"]+)"', line)
                assert uri
                blobs["init.mp4"] = await service._core.http.get_bytes(uri.group(1))
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
                blobs[key] = await service._core.http.get_bytes(line)
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


@dataclass(frozen=True)
class Sample:
    wall: float
    rss_mb: float
    first_request: float  # spawn -> first request at the server
    fetch: float  # first request -> last response written
    tail: float  # last response -> exit


def run(cmd: list[str], outputs: list[Path], times: RequestTimes,
        env: dict[str, str] | None = None) -> Sample:
    """One run of ``cmd``, after removing ``outputs`` (a tool that finds its file already
    there skips the download)."""
    for out in outputs:
        if out.is_dir():
            shutil.rmtree(out)
        else:
            out.unlink(missing_ok=True)
    times.clear()
    # ru_maxrss of a child inherits the (large) bench process's peak at fork, so read the
    # child's own high-water mark (VmHWM, reset at exec) from /proc while it runs, on a
    # thread: the exit itself is awaited here, not polled.
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak_kb = [0]

    def watch() -> None:
        while proc.returncode is None:
            peak_kb[0] = max(peak_kb[0], _high_water_kb(proc.pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, said = proc.communicate()
    end = time.perf_counter()
    watcher.join()
    if proc.returncode != 0:
        print(f"  ! {cmd[0]} failed: {said.decode(errors='replace')[-300:]}")
    with times.lock:
        first = min(times.arrived, default=end)
        last = max(times.answered, default=end)
    return Sample(end - start, peak_kb[0] / 1024, first - start, last - first, end - last)


def ours_command(url: str, folder: Path, segments: int) -> list[str]:
    """The installed console script, as a user runs it (else the module)."""
    script = Path(sys.executable).with_name("minion-tui")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "minion_tui"]
    return [*head, "download", url, "--dir", str(folder), "--segments", str(segments)]


Tool = tuple[str, list[str], list[Path], "dict[str, str] | None"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--skip-slow", action="store_true", help="skip yt-dlp's default (-N 1)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of each fast tool (the median is printed)")
    args = parser.parse_args()
    media, emu = asyncio.run(prepare(args.minutes))
    server, base, times = serve(media)
    tmp = Path(tempfile.mkdtemp(prefix="minion-bench-"))
    # Our CLI keeps its settings, database and log in fresh folders, away from the user's.
    env = dict(os.environ, **{f"XDG_{kind}_HOME": str(tmp / "xdg" / kind.lower())
                              for kind in ("CONFIG", "DATA", "CACHE", "STATE")})
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
            ours_dir = tmp / "ours"
            tools: list[Tool] = [
                (f"minion-tui (-N {args.segments})", ours_command(url, ours_dir, args.segments),
                 [ours_dir], env),
                ("yt-dlp -N 8", ["yt-dlp", "-q", "--no-part", "-N", "8", "-o",
                                 str(tmp / f"ytn8.{ext}"), url], [tmp / f"ytn8.{ext}"], None),
                ("ffmpeg -c copy", ["ffmpeg", "-v", "error", "-y", "-i", url, "-c", "copy",
                                    str(tmp / f"ffmpeg.{ext}")], [tmp / f"ffmpeg.{ext}"], None),
            ]
            if not args.skip_slow:
                tools.insert(2, ("yt-dlp (default)", ["yt-dlp", "-q", "--no-part", "-o",
                                                      str(tmp / f"yt.{ext}"), url],
                                 [tmp / f"yt.{ext}"], None))
            # The two parallel downloaders run `--runs` times each, interleaved, and keep their
            # median: one run of a 3-second download is at the mercy of the machine's other
            # work. The ~20-second sequential ones run once.
            slow = ("yt-dlp (default)", "ffmpeg -c copy")
            samples: dict[str, list[Sample]] = {label: [] for label, *_ in tools}
            for _ in range(args.runs):
                for label, cmd, outputs, tool_env in tools:
                    if label not in slow:
                        samples[label].append(run(cmd, outputs, times, tool_env))
            for label, cmd, outputs, tool_env in tools:
                if not samples[label]:
                    samples[label].append(run(cmd, outputs, times, tool_env))
            ours_t = statistics.median(s.wall for s in samples[tools[0][0]])
            for label, runs in samples.items():
                took = statistics.median(s.wall for s in runs)
                split = ", ".join(
                    f"{what} {statistics.median(getattr(s, attr) for s in runs):.2f}"
                    for what, attr in (("start", "first_request"), ("fetch", "fetch"),
                                       ("tail", "tail")))
                print(f"  {label:22} {took:7.2f} s  peak RSS {max(s.rss_mb for s in runs):6.1f}"
                      f" MB  (ours is {took / ours_t:5.2f}x faster)"
                      + (f"  median of {len(runs)}" if len(runs) > 1 else "")
                      + f"\n  {'':22} ({split} s)")
            print(f"  ours / latency limit = {ours_t / limit:.2f}")
    finally:
        server.shutdown()
        emu.stop()  # type: ignore[attr-defined]
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
