"""End to end in a real terminal: `minion-tui --demo` in tmux, driven by keys, read back with
`capture-pane` — rows appear, a rating badge changes, `q` restores the terminal."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import sys
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
    screen = server.wait_for("Trending:", timeout=60)
    for _ in range(300):
        if "Trending: loading" not in screen:
            break
        screen = server.wait_for("Trending:")
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
    tmux.wait_for("Trending: ", timeout=60)
    listed = _rows(tmux)
    assert "Nothing to browse yet" not in listed and " tracks" in listed
    assert "♥" not in listed

    tmux("send-keys", "-t", "app", "l")
    tmux.wait_for("♥")
    assert len(_liked(data)) == 1  # the badge shows only after the commit returned

    tmux("send-keys", "-t", "app", "q")
    after = tmux.wait_for("EXIT=")
    assert "EXIT=0" in after and "Traceback" not in after
    assert "Trending:" not in after  # the app's screen is gone: back on the shell's screen
    assert tmux("display", "-p", "-t", "app", "#{alternate_on}").strip() == "0"
