"""Startup to first frame: time from spawning the process to Textual's Ready event, for
minion-tui (the real app over a real Service, headless) and, in the same run, a bare
"hello world" Textual app measured the same way (the peer). Target: < 0.5 s.

Also lists the slowest imports (``python -X importtime``) of the minion-tui run.

The runs alternate (minion-tui, hello world, minion-tui, …) so that a machine whose load
changes during the benchmark weighs on both alike. ``--against DIR`` adds a third app in the
same rotation: the minion-tui of another checkout (DIR holds its ``minion_tui`` package, e.g.
the main branch's), to compare a change with what it replaces.

    .venv/bin/python bench/startup.py [--runs 5] [--against ../main]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 0.5
RESULTS = Path(__file__).parent / "results" / "startup.json"

MINION = """
import sys
from pathlib import Path
from minion_tui.config import Settings
from minion_tui.service import Service
import minion_tui.tui.app
from minion_tui.tui.app import MinionApp

class Probe(MinionApp):
    # CSS_PATH is relative to the class's file, and this one has none.
    CSS_PATH = str(Path(minion_tui.tui.app.__file__).with_name("app.tcss"))

    def on_ready(self) -> None:
        print("READY", minion_tui.tui.app.__file__, flush=True)
        self.exit()

settings = Settings(path=Path(sys.argv[1]) / "config.toml")
Probe(Service.open(settings=settings, data_dir=Path(sys.argv[1]) / "data")).run(headless=True,
                                                                               size=(120, 40))
"""

HELLO = """
from textual.app import App
from textual.widgets import Static

class Hello(App[None]):
    def compose(self):
        yield Static("hello world")
    def on_ready(self) -> None:
        print("READY", flush=True)
        self.exit()

Hello().run(headless=True, size=(120, 40))
"""


def time_to_ready(code: str, workdir: Path, *extra: str,
                  tree: Path | None = None) -> tuple[float, str]:
    """Seconds from spawning the interpreter to the child printing READY (at Ready);
    ``tree``: import minion_tui from that checkout instead."""
    env_dirs = {f"XDG_{k}_HOME": str(workdir / k.lower()) for k in
                ("CONFIG", "DATA", "STATE", "CACHE")}
    import os

    env = {**os.environ, **env_dirs}
    if tree is not None:
        env["PYTHONPATH"] = str(tree.resolve())
    start = time.perf_counter()
    # In the temporary folder: `-c` puts the current directory first on sys.path, and from
    # a checkout's root it would win over PYTHONPATH (``--against`` timed this checkout).
    proc = subprocess.Popen([sys.executable, *extra, "-c", code, str(workdir)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=workdir)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("READY"):
            elapsed = time.perf_counter() - start
            if tree is not None and not line.split(maxsplit=1)[1].startswith(
                    str(tree.resolve())):
                raise RuntimeError(f"--against {tree}: the app came from {line.split()[1]}")
            break
    else:
        raise RuntimeError(f"never reached Ready: {proc.stderr.read() if proc.stderr else ''}")
    _, stderr = proc.communicate(timeout=30)
    return elapsed, stderr


def import_offenders(stderr: str, top: int = 10) -> list[tuple[str, float]]:
    """Top-level packages by cumulative import time (from -X importtime output)."""
    found: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if not cumulative.isdigit() or name.startswith(" "):
            continue
        if name == name.lstrip():  # top-level entries only (nested ones are indented)
            found[name] = max(found.get(name, 0.0), int(cumulative) / 1e6)
    return sorted(found.items(), key=lambda item: -item[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout whose minion-tui runs in the same rotation")
    args = parser.parse_args()
    minion: list[float] = []
    hello: list[float] = []
    other: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        time_to_ready(MINION, workdir)  # warm the page cache and build the database once
        if args.against is not None:
            time_to_ready(MINION, workdir, tree=args.against)
        for _ in range(args.runs):
            minion.append(time_to_ready(MINION, workdir)[0])
            hello.append(time_to_ready(HELLO, workdir)[0])
            if args.against is not None:
                other.append(time_to_ready(MINION, workdir, tree=args.against)[0])
        _, importtime = time_to_ready(MINION, workdir, "-X", "importtime")
    m, h = statistics.median(minion), statistics.median(hello)
    textual = importlib.metadata.version("textual")  # the peer's, and the app's, Textual
    print(f"minion-tui to Ready: median {m:.3f} s over {args.runs} runs "
          f"(min {min(minion):.3f}); target < {TARGET_S} s: {'OK' if m < TARGET_S else 'MISSED'}")
    print(f"hello-world Textual {textual} to Ready: median {h:.3f} s (min {min(hello):.3f}, "
          f"peer); minion-tui costs {m - h:+.3f} s more, {m / h:.2f}x")
    if other:
        o = statistics.median(other)
        print(f"minion-tui of {args.against} to Ready: median {o:.3f} s (min {min(other):.3f});"
              f" this checkout {m - o:+.3f} s")
    print("slowest top-level imports (cumulative):")
    offenders = import_offenders(importtime)
    for name, seconds in offenders:
        print(f"  {seconds:6.3f} s  {name}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"minion_s": minion, "hello_s": hello, "target_s": TARGET_S,
                                   "median_minion_s": m, "median_hello_s": h,
                                   "against": str(args.against) if other else None,
                                   "against_s": other,
                                   "textual": textual,
                                   "imports": offenders}, indent=2) + "\n")

if __name__ == "__main__":
    main()
