"""MCP server benchmark: cold start to initialized, and what a tool call costs on top of the
service call it makes.

Figures, in one run:

- **cold start**: the SDK's bare low-level server on stdio (the floor, started alike),
  ``minion-tui mcp`` and ``mcp --demo`` (which also starts the emulator), each a subprocess
  on fresh XDG folders; milliseconds from spawning it to the answer of ``initialize`` read
  on its stdout, median of ``--starts``; the CPU the process used in all (user + sys, to its
  exit on stdin's end) beside it, since the wall time stretches with the machine's load
  (shown). Target: < 1 s (without the demo).
- **tool-call overhead**: in-process, a real SDK ``ClientSession`` over the memory streams to
  our server over a service against the emulator; each round trip paired with the direct
  service call it makes (alternately), the overhead being their difference: p50 and p99 for
  a small result (``now_playing``: player status) and a 200-item one (``queue_list`` of a
  queue of 200 tracks, each with its whole track). Target: p50 < 5 ms. Measured without and
  with the SDK client's own check of each result against the output schema (jsonschema in
  the client: its cost, shown apart).
- **stdio round trip**: the same small call over the subprocess's pipes (JSON-RPC lines), for
  what the transport adds.

    .venv/bin/python bench/mcp.py [--starts 5] [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This file's folder comes first on sys.path, and this file is named like the SDK's package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "mcp.json"
TARGET_START_MS = 1000.0
TARGET_OVERHEAD_MS = 5.0
#: The floor: the SDK's own low-level server on stdio with nothing in it, started alike.
BARE = """
import anyio
from mcp.server.lowlevel.server import Server
from mcp.server.stdio import stdio_server

async def main():
    server = Server("bare")
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())

anyio.run(main)
"""
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "bench", "version": "1"}}}


def _command() -> list[str]:
    script = Path(sys.executable).with_name("minion-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "minion_tui"]


def _fresh_env(base: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SOUNDCLOUD_", "MIXCLOUD_", "MINION_"))}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        (base / var).mkdir(parents=True, exist_ok=True)
        env[var] = str(base / var)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return env


def cold_start(extra: list[str], env: dict[str, str], *, small_calls: int = 0
               ) -> tuple[float, float, list[float]]:
    """(ms to the initialize answer, CPU ms of the whole run, stdio round trips in ms);
    ``extra == ["<bare>"]`` starts the SDK's bare server instead."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    argv = ([sys.executable, "-c", BARE] if extra == ["<bare>"]
            else [*_command(), "mcp", *extra])
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(INIT) + "\n")
    proc.stdin.flush()
    answer = json.loads(proc.stdout.readline())
    ready = (time.perf_counter() - start) * 1000
    assert answer["result"]["protocolVersion"] == "2025-11-25", answer
    proc.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    trips = []
    for n in range(small_calls):
        message = {"jsonrpc": "2.0", "id": 100 + n, "method": "tools/call",
                   "params": {"name": "now_playing", "arguments": {}}}
        sent = time.perf_counter()
        proc.stdin.write(json.dumps(message) + "\n")
        proc.stdin.flush()
        reply = json.loads(proc.stdout.readline())
        trips.append((time.perf_counter() - sent) * 1000)
        assert reply["id"] == 100 + n and not reply["result"]["isError"], reply
    proc.stdin.close()
    proc.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
    return ready, cpu, trips


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextlib.contextmanager
def _stages() -> Iterator[dict[str, list[float]]]:
    """Times two stages of each tool call while in effect (ms): our ``ToolRunner.call``
    (which includes the service call) and the SDK server's ``_serialize`` of the result."""
    from mcp.server.runner import ServerRunner

    from minion_tui.mcp.server import ToolRunner

    times: dict[str, list[float]] = {"ours": [], "sdk": []}
    call, serialize = ToolRunner.call, ServerRunner._serialize

    async def timed_call(self: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await call(self, *args)
        finally:
            times["ours"].append((time.perf_counter() - t0) * 1000)

    def timed_serialize(self: Any, *args: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return serialize(self, *args)
        finally:
            times["sdk"].append((time.perf_counter() - t0) * 1000)

    ToolRunner.call = timed_call  # type: ignore[method-assign]
    ServerRunner._serialize = timed_serialize  # type: ignore[method-assign]
    try:
        yield times
    finally:
        ToolRunner.call = call  # type: ignore[method-assign]
        ServerRunner._serialize = serialize  # type: ignore[method-assign]


async def overhead(calls: int) -> dict[str, dict[str, float]]:
    from minion_tui.emulator.server import run_in_thread
    from minion_tui.mcp.tools import player, queue
    from minion_tui.service import Service
    from tests.mcp.harness import connect

    with tempfile.TemporaryDirectory(prefix="mcp-bench-") as folder:
        emulator = run_in_thread(seed=1, cache_dir=Path(folder) / "cache")
        service = Service.open(endpoints=emulator.endpoints, data_dir=Path(folder) / "data")
        try:
            async with connect(service) as session:
                found: list[str] = []
                cursor = None
                while len(found) < 200:
                    args: dict[str, Any] = {"query": "a", "limit": 100}
                    if cursor:
                        args["cursor"] = cursor
                    page = (await session.call_tool("search_tracks", args)).structured_content
                    assert page is not None
                    found += [t["urn"] for t in page["items"]]
                    cursor = page["next_cursor"]
                    if cursor is None:
                        break
                await service.player.queue_add(found[:200])
                import mcp_types as types

                from minion_tui.mcp.context import Cursors, ToolContext

                ctx = ToolContext(service, Cursors(), "bench")

                def raw(name: str, arguments: dict[str, Any]) -> Any:
                    """tools/call without the SDK client's own check of the result against
                    the output schema (jsonschema, in the client): the server's and the
                    transport's part alone."""
                    request = types.CallToolRequest(
                        params=types.CallToolRequestParams(name=name, arguments=arguments))
                    return session.send_request(request, types.CallToolResult)

                big = f"{min(200, len(found))} items (queue_list)"
                cases = {
                    "small (now_playing)": (lambda: raw("now_playing", {}),
                                            lambda: player.status(ctx)),
                    big: (lambda: raw("queue_list", {"limit": 200}), lambda: queue.items(ctx)),
                    "small, SDK client validating": (
                        lambda: session.call_tool("now_playing", {}),
                        lambda: player.status(ctx)),
                    f"{big}, SDK client validating": (
                        lambda: session.call_tool("queue_list", {"limit": 200}),
                        lambda: queue.items(ctx)),
                }
                figures: dict[str, dict[str, float]] = {}
                plain: list[float] = []
                with _stages() as stages:
                    for _ in range(calls):
                        await raw("queue_list", {"limit": 200})
                        t0 = time.perf_counter()
                        await queue.items(ctx)
                        plain.append((time.perf_counter() - t0) * 1000)
                med = statistics.median
                figures[f"{big}, split"] = {
                    "ours_p50": med(stages["ours"]), "direct_p50": med(plain),
                    "sdk_serialize_p50": med(stages["sdk"])}
                for name, (through_mcp, direct) in cases.items():
                    for _ in range(20):  # warm: compiled to_json, caches, the store's pages
                        await through_mcp()
                        await direct()
                    diffs, trips = [], []
                    for _ in range(calls):
                        t0 = time.perf_counter()
                        result = await through_mcp()
                        t1 = time.perf_counter()
                        await direct()
                        t2 = time.perf_counter()
                        assert not result.is_error
                        trips.append((t1 - t0) * 1000)
                        diffs.append(((t1 - t0) - (t2 - t1)) * 1000)
                    figures[name] = {"round_trip_p50": statistics.median(trips),
                                     "overhead_p50": statistics.median(diffs),
                                     "overhead_p99": _percentile(diffs, 0.99)}
                return figures
        finally:
            await service.aclose()
            emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores")
    results: dict[str, Any] = {"load": load}
    with tempfile.TemporaryDirectory(prefix="mcp-bench-start-") as folder:
        for label, extra, runs in (("bare SDK server", ["<bare>"], args.starts),
                                   ("mcp", [], args.starts),
                                   ("mcp --demo", ["--demo"], max(1, args.starts // 2))):
            env = _fresh_env(Path(folder) / label.replace(" ", "_"))
            starts, cpus, trips = [], [], []
            small = 0 if extra == ["<bare>"] else 50
            for n in range(runs):
                ready, cpu, more = cold_start(extra, env, small_calls=small if n == 0 else 0)
                starts.append(ready)
                cpus.append(cpu)
                trips += more
            median = statistics.median(starts)
            mark = "ok" if median < TARGET_START_MS else "MISSED"
            target = (f"target < {TARGET_START_MS:.0f} ms: {mark}" if not extra
                      else "the SDK's floor" if extra == ["<bare>"] else "no target")
            print(f"cold start `{label}` to initialized: {median:.0f} ms median of {runs} "
                  f"({min(starts):.0f}-{max(starts):.0f}); CPU of the run "
                  f"{statistics.median(cpus):.0f} ms  [{target}]")
            if trips:
                print(f"  stdio round trip of now_playing: p50 {statistics.median(trips):.2f} "
                      f"ms, p99 {_percentile(trips, 0.99):.2f} ms")
            results[label] = {"start_ms": median, "cpu_ms": statistics.median(cpus),
                              "stdio_p50_ms": statistics.median(trips) if trips else None}
    figures = asyncio.run(overhead(args.calls))
    for name, f in figures.items():
        if "ours_p50" in f:
            print(f"  {name}: our ToolRunner.call p50 {f['ours_p50']:.2f} ms (the service "
                  f"call in it: p50 {f['direct_p50']:.2f} ms direct), the SDK server's "
                  f"re-validation and dump p50 {f['sdk_serialize_p50']:.2f} ms")
            continue
        mark = "ok" if f["overhead_p50"] < TARGET_OVERHEAD_MS else "MISSED"
        target = ("(the client's own cost included)" if "validating" in name
                  else f"[target p50 < {TARGET_OVERHEAD_MS:.0f} ms: {mark}]")
        print(f"tool-call overhead, {name}: p50 {f['overhead_p50']:.2f} ms, "
              f"p99 {f['overhead_p99']:.2f} ms (round trip p50 {f['round_trip_p50']:.2f} ms)"
              f"  {target}")
    results["overhead"] = figures
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
