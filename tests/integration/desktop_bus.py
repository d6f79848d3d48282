"""A private session bus for the desktop tests, and the tools that watch and drive it:
``dbus-daemon --session`` (what ``dbus-run-session`` starts), ``dbus-monitor``, ``playerctl``,
and a running ``minion-tui play`` in a subprocess against the emulator.

The D-Bus tests need the tools: without them they skip, unless MINION_REQUIRE_DBUS=1 (CI),
where they fail (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: Longest wait for something another process does (a hang guard, not a measurement).
PATIENCE = 30.0


def need_tools() -> None:
    missing = [t for t in ("dbus-daemon", "dbus-monitor", "playerctl") if not shutil.which(t)]
    if missing:
        pytest.fail(f"missing {missing}: apt-get install dbus-daemon dbus-bin playerctl")


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private session bus for this test; DBUS_SESSION_BUS_ADDRESS points at it."""
    need_tools()
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert daemon.stdout is not None
    address = daemon.stdout.readline().strip()
    assert address.startswith("unix:"), address
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    yield address
    daemon.terminate()
    daemon.wait(10)


def wait_for(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + PATIENCE
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def playerctl(*args: str) -> str:
    done = subprocess.run(["playerctl", "-p", "minion_tui", *args], capture_output=True,
                          text=True, timeout=PATIENCE)
    return done.stdout.strip()


def players() -> list[str]:
    done = subprocess.run(["playerctl", "-l"], capture_output=True, text=True,
                          timeout=PATIENCE)
    return done.stdout.split()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "minion_tui", *args], capture_output=True,
                          text=True, timeout=PATIENCE * 2, env=env)


def ctl_json(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    done = cli("ctl", *args, "--json", env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


@dataclass
class Playing:
    """A `minion-tui play` subprocess."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> int:
        """SIGINT (Ctrl+C), as a user stops it: its desktop side closes on the way out."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(PATIENCE)
        return self.process.returncode


def start_play(url: str, *, seconds: float = 120, env: dict[str, str] | None = None,
               debug: bool = False) -> Playing:
    args = [sys.executable, "-m", "minion_tui", "play", url, "--json", "--for", str(seconds),
            "--ao", "null", *(["--debug"] if debug else [])]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env=env)
    return Playing(process)


@dataclass
class Monitor:
    """``dbus-monitor`` watching our PropertiesChanged and Seeked signals."""

    process: subprocess.Popen[str]
    path: Path

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(PATIENCE)
        return self.path.read_text(errors="replace")


def start_monitor(out: Path) -> Monitor:
    rules = ["type='signal',interface='org.freedesktop.DBus.Properties',"
             "member='PropertiesChanged',path='/org/mpris/MediaPlayer2'",
             "type='signal',interface='org.mpris.MediaPlayer2.Player',member='Seeked'"]
    handle = out.open("w")
    process = subprocess.Popen(["dbus-monitor", "--session", *rules], stdout=handle,
                               stderr=subprocess.STDOUT, text=True)
    handle.close()
    # dbus-monitor has its match rules once it says so (its first message, NameAcquired)
    wait_for(lambda: "NameAcquired" in out.read_text(errors="replace") or
             "member=NameLost" in out.read_text(errors="replace") or
             out.stat().st_size > 0, "dbus-monitor listening")
    return Monitor(process, out)


_TOP_KEY = re.compile(r'^(\s*)dict entry\(\s*$')


def properties_changed(text: str) -> list[dict[str, str]]:
    """Each PropertiesChanged in dbus-monitor's output: the properties it carries (top-level
    keys, each with the first line of its value)."""
    signals = []
    for block in re.split(r"\n(?=signal )", text):
        if "member=PropertiesChanged" not in block.splitlines()[0]:
            continue
        lines = block.splitlines()
        indents = [len(m.group(1)) for line in lines if (m := _TOP_KEY.match(line))]
        if not indents:
            signals.append({})
            continue
        top, found = min(indents), {}
        for i, line in enumerate(lines):
            m = _TOP_KEY.match(line)
            if m and len(m.group(1)) == top and i + 2 < len(lines):
                key = lines[i + 1].strip().removeprefix("string ").strip('"')
                found[key] = lines[i + 2].strip()
        signals.append(found)
    return signals


def env_with(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env
