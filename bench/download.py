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

The peers are named by path, never looked up on PATH: yt-dlp from .venv-peers/ (`make peers`
installs its current release from PyPI there), ffmpeg the system's. Each figure is printed
with the version of the tool that made it, and all of them go into bench/results/download.json.

    .venv/bin/python bench/download.py [--minutes 60] [--skip-slow] [--runs 3]
                                       [--yt-dlp PATH] [--ffmpeg PATH]

Latency limit (issue 6 proof): segments / concurrency x RTT + bytes / throughput, with
throughput measured by one no-delay GET of all bytes. Targets: >= 5x yt-dlp default,
>= 1.2x yt-dlp -N 8, within 1.5x of the limit, peak RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
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
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "download.json"
PEER_YT_DLP = ROOT / ".venv-peers" / "bin" / "yt-dlp"


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
    ok: bool  # exit status 0: a failed run's figures say nothing about the tool
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
    ok, start, end, peak_mb = watched_run(cmd, env, said=300)
    with times.lock:
        first = min(times.arrived, default=end)
        last = max(times.answered, default=end)
    return Sample(ok, end - start, peak_mb, first - start, last - first, end - last)


def watched_run(cmd: list[str], env: dict[str, str] | None, *,
                said: int) -> tuple[bool, float, float, float]:
    """Run ``cmd`` to its exit: (ok, perf_counter at the start, at the exit, the child's peak
    RSS in MB). A failure prints the last ``said`` characters of its stderr."""
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
    _, stderr = proc.communicate()
    end = time.perf_counter()
    watcher.join()
    if proc.returncode != 0:
        print(f"  ! {cmd[0]} failed: {stderr.decode(errors='replace')[-said:]}")
    return proc.returncode == 0, start, end, peak_kb[0] / 1024


def ours_command(url: str, folder: Path, segments: int) -> list[str]:
    """The installed console script, as a user runs it (else the module)."""
    script = Path(sys.executable).with_name("minion-tui")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "minion_tui"]
    return [*head, "download", url, "--dir", str(folder), "--segments", str(segments)]


def peer_version(cmd: list[str]) -> tuple[str, str]:
    """The version a peer reports and the line it was read from (yt-dlp's ``--version``
    prints it alone; ffmpeg's ``-version`` starts with "ffmpeg version X Copyright ...")."""
    said = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    line = said.splitlines()[0].strip() if said.strip() else ""
    words = line.split()
    version = words[2] if len(words) > 2 and words[1] == "version" else line
    return version or "unknown", line


def find_peers(yt_dlp: str | None, ffmpeg: str | None) -> dict[str, dict[str, str]]:
    """Path and version of each peer; exits with the way to install one that is missing."""
    paths = {"yt-dlp": yt_dlp or str(PEER_YT_DLP), "ffmpeg": ffmpeg or shutil.which("ffmpeg")}
    hints = {"yt-dlp": "make peers", "ffmpeg": "make system-deps"}
    peers: dict[str, dict[str, str]] = {}
    for name, path in paths.items():
        if not path or not os.access(path, os.X_OK):
            sys.exit(f"{name} not found{f' at {path}' if path else ''}: run `{hints[name]}`")
        version, line = peer_version([path, "-version" if name == "ffmpeg" else "--version"])
        peers[name] = {"path": path, "version": version, "version_line": line}
    return peers


# label, command, outputs removed before each run, environment, "tool version" shown beside it
Tool = tuple[str, list[str], list[Path], "dict[str, str] | None", str]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--skip-slow", action="store_true", help="skip yt-dlp's default (-N 1)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of each fast tool (the median is printed)")
    parser.add_argument("--yt-dlp", help=f"the yt-dlp to compare with (default {PEER_YT_DLP})")
    parser.add_argument("--ffmpeg", help="the ffmpeg to compare with (default: ffmpeg on PATH)")
    args = parser.parse_args()
    from minion_tui import __version__

    peers = find_peers(args.yt_dlp, args.ffmpeg)
    yt_dlp, ffmpeg = peers["yt-dlp"]["path"], peers["ffmpeg"]["path"]
    shown = {"ours": f"minion-tui {__version__}",
             **{name: f"{name} {peer['version']}" for name, peer in peers.items()}}
    print("peers: " + ", ".join(f"{shown[name]} ({peer['path']})" for name, peer in peers.items()))
    formats: dict[str, object] = {}
    results = {
        "minutes": args.minutes, "segments": args.segments, "runs": args.runs, "rtt_s": RTT,
        "ours": {"version": __version__}, "peers": peers,
        "python": platform.python_version(), "machine": platform.machine(), "formats": formats}
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
                 [ours_dir], env, shown["ours"]),
                ("yt-dlp -N 8", [yt_dlp, "-q", "--no-part", "-N", "8", "-o",
                                 str(tmp / f"ytn8.{ext}"), url], [tmp / f"ytn8.{ext}"], None,
                 shown["yt-dlp"]),
                ("ffmpeg -c copy", [ffmpeg, "-v", "error", "-y", "-i", url, "-c", "copy",
                                    str(tmp / f"ffmpeg.{ext}")], [tmp / f"ffmpeg.{ext}"], None,
                 shown["ffmpeg"]),
            ]
            if not args.skip_slow:
                tools.insert(2, ("yt-dlp (default)", [yt_dlp, "-q", "--no-part", "-o",
                                                      str(tmp / f"yt.{ext}"), url],
                                 [tmp / f"yt.{ext}"], None, shown["yt-dlp"]))
            # The two parallel downloaders run `--runs` times each, interleaved, and keep their
            # median: one run of a 3-second download is at the mercy of the machine's other
            # work. The ~20-second sequential ones run once.
            slow = ("yt-dlp (default)", "ffmpeg -c copy")
            samples: dict[str, list[Sample]] = {label: [] for label, *_ in tools}
            for _ in range(args.runs):
                for label, cmd, outputs, tool_env, _version in tools:
                    if label not in slow:
                        samples[label].append(run(cmd, outputs, times, tool_env))
            for label, cmd, outputs, tool_env, _version in tools:
                if not samples[label]:
                    samples[label].append(run(cmd, outputs, times, tool_env))
            versions = {label: version for label, *_, version in tools}
            ours_t = statistics.median(s.wall for s in samples[tools[0][0]])
            figures: dict[str, object] = {}
            for label, runs in samples.items():
                took = statistics.median(s.wall for s in runs)
                parts = {what: statistics.median(getattr(s, attr) for s in runs)
                         for what, attr in (("start", "first_request"), ("fetch", "fetch"),
                                            ("tail", "tail"))}
                split = ", ".join(f"{what} {seconds:.2f}" for what, seconds in parts.items())
                rss = max(s.rss_mb for s in runs)
                print(f"  {label:22} {took:7.2f} s  peak RSS {rss:6.1f}"
                      f" MB  (ours is {took / ours_t:5.2f}x faster)  {versions[label]}"
                      + (f"  median of {len(runs)}" if len(runs) > 1 else "")
                      + f"\n  {'':22} ({split} s)")
                figures[label] = {
                    "version": versions[label], "wall_s": took, "walls_s": [s.wall for s in runs],
                    "peak_rss_mb": rss, **{f"{what}_s": sec for what, sec in parts.items()},
                    "ours_faster_x": took / ours_t, "all_ok": all(s.ok for s in runs)}
            print(f"  ours / latency limit = {ours_t / limit:.2f}")
            formats[name] = {
                "segments": count, "bytes": size, "latency_limit_s": limit,
                "ours_over_limit": ours_t / limit, "tools": figures}
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {RESULTS}")
    finally:
        server.shutdown()
        emu.stop()  # type: ignore[attr-defined]
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
