"""End to end in a real terminal: `minion-tui --demo` in tmux, driven by keys, read back with
`capture-pane` — rows appear, a rating badge changes, `q` restores the terminal; enter plays
Trending's first track with the list next, `>` the second, and after a restart with the same
folders `space` resumes it, the now-playing bar whole at 80×24."""

from __future__ import annotations

import re
import shlex
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from tests.tui.test_terminal import Tmux, tmux  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _liked(data: Path) -> list[str]:
    with sqlite3.connect(data / "minion.db") as db:
        return [r[0] for r in db.execute("SELECT urn FROM judgments WHERE judgment='liked'")]


def _rows(server: Tmux) -> str:
    """The screen once the Trending status says how many tracks it lists."""
    screen = server.wait_for("Trending — ", timeout=60)
    for _ in range(300):
        if "Trending — loading" not in screen:
            break
        screen = server.wait_for("Trending — ")
    return screen


def test_demo_lists_trending_rates_a_row_and_quits_cleanly(
    tmux: Tmux, tmp_path: Path  # noqa: F811
) -> None:
    data = tmp_path / "demo-data"
    cli = Path(sys.executable).with_name("minion-tui")
    command = (f"{shlex.quote(str(cli))} --demo --demo-data {shlex.quote(str(data))}; "
               "echo EXIT=$?; sleep 60")
    tmux("new-session", "-d", "-s", "app", "-x", "160", "-y", "45", command)
    # Trending, highlighted among the sources, is open at start: no key needed.
    tmux.wait_for("Trending — ", timeout=60)
    listed = _rows(tmux)
    assert "Nothing to browse yet" not in listed and " tracks" in listed
    assert "♥" not in listed

    tmux("send-keys", "-t", "app", "l")
    tmux.wait_for("♥")
    assert len(_liked(data)) == 1  # the badge shows only after the commit returned

    tmux("send-keys", "-t", "app", "q")
    after = tmux.wait_for("EXIT=")
    assert "EXIT=0" in after and "Traceback" not in after
    assert "Trending — " not in after  # the app's screen is gone: back on the shell's screen
    assert tmux("display", "-p", "-t", "app", "#{alternate_on}").strip() == "0"


def _bar(screen: str) -> tuple[str, str]:
    """The now-playing bar's two lines: the two above the footer (the screen's last line)."""
    lines = screen.removesuffix("\n").split("\n")
    return (lines[-3], lines[-2]) if len(lines) >= 3 else ("", "")


def _playing(data: Path) -> tuple[int, str, str, list[int]]:
    """The queue entry playing (or played last), its title and artist, and the queue's ids."""
    with sqlite3.connect(data / "minion.db") as db:
        current = int(db.execute(
            "SELECT value FROM app_state WHERE key = 'queue.current'").fetchone()[0])
        title, artist = db.execute(
            "SELECT title, artist FROM tracks JOIN queue ON queue.track_urn = tracks.urn "
            "WHERE queue.id = ?", (current,)).fetchone()
        ids = [r[0] for r in db.execute("SELECT id FROM queue ORDER BY position")]
    return current, title, artist, ids


def _bar_shows(server: Tmux, title: str, artist: str, icon: str = "▶") -> str:
    """Wait until the bar's first line is the whole track line — icon, title, artist, the
    time and the volume, nothing drawn over it — and, while playing, its second the waveform
    (nothing else); the line."""
    pattern = re.compile(rf"^ {icon} (.+) — (.+?) +\d+:\d\d / \d+:\d\d  vol \d+%\s*$")
    for _ in range(600):
        line, waveform = _bar(server.screen())
        found = pattern.match(line)
        drawn = waveform.strip()
        if found and title.startswith(found.group(1).rstrip("…")) and artist in line \
                and set(drawn) <= set("▁▂▃▄▅▆▇█ ") and (drawn or icon != "▶"):
            return line
        time.sleep(0.1)
    raise AssertionError(f"the bar never showed {title!r} whole:\n{server.screen()}")


@pytest.mark.mpv
def test_demo_enter_plays_trending_next_advances_and_space_resumes_after_a_restart(
    tmux: Tmux, tmp_path: Path  # noqa: F811
) -> None:
    data, config, state = tmp_path / "data", tmp_path / "config", tmp_path / "state"
    cli = Path(sys.executable).with_name("minion-tui")
    # The same data, config and state folders for both runs; mpv plays to its null output.
    command = (f"XDG_CONFIG_HOME={shlex.quote(str(config))} "
               f"XDG_STATE_HOME={shlex.quote(str(state))} MINION_MPV_AO=null "
               f"{shlex.quote(str(cli))} --demo --demo-data {shlex.quote(str(data))}; "
               "echo EXIT=$?; sleep 60")

    tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24", command)
    _rows(tmux)  # Trending is open at start, its first track highlighted
    tmux("send-keys", "-t", "app", "Enter")  # that track, the list as what plays next
    for _ in range(300):
        if (data / "minion.db").exists() and _queue_ids(data):
            break
        time.sleep(0.1)
    first, title, artist, ids = _playing(data)
    assert first == ids[0] and len(ids) > 1  # the list became the queue, from its top
    _bar_shows(tmux, title, artist)

    tmux("send-keys", "-t", "app", ">")
    for _ in range(300):
        if _playing(data)[0] != first:
            break
        time.sleep(0.1)
    second, title, artist, _ = _playing(data)
    assert second == ids[1]
    _bar_shows(tmux, title, artist)

    tmux("send-keys", "-t", "app", "q")
    assert "EXIT=0" in tmux.wait_for("EXIT=")
    tmux("kill-session", "-t", "app")

    tmux("new-session", "-d", "-s", "app", "-x", "80", "-y", "24", command)
    _bar_shows(tmux, title, artist, icon="⏸")  # what space resumes, before any key
    tmux("send-keys", "-t", "app", "Space")
    line = _bar_shows(tmux, title, artist)
    assert _playing(data)[0] == second
    tmux("send-keys", "-t", "app", "q")
    after = tmux.wait_for("EXIT=")
    assert "EXIT=0" in after and "Traceback" not in after and line


def _queue_ids(data: Path) -> list[int]:
    try:
        with sqlite3.connect(data / "minion.db") as db:
            return [r[0] for r in db.execute(
                "SELECT queue.id FROM queue JOIN app_state ON app_state.key = 'queue.current' "
                "AND app_state.value = CAST(queue.id AS TEXT)")]
    except sqlite3.OperationalError:  # the tables are not there yet
        return []
