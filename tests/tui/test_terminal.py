"""In a real terminal (tmux): `q` quits and leaves the terminal as it found it."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

APP = """
import sys
from pathlib import Path
from minion_tui.service import Service
from minion_tui.tui.run import run_app
sys.exit(run_app(Service.open(data_dir=Path(sys.argv[1]))))
"""


class Tmux:
    """A private tmux server (its own socket), so parallel tests never meet."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def __call__(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True,
                             text=True, check=True, timeout=10)
        return out.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    server = Tmux(tmp_path / "tmux.sock")
    yield server
    subprocess.run(["tmux", "-S", str(server.socket), "kill-server"], capture_output=True,
                   check=False)


def test_q_quits_and_restores_the_terminal(tmux: Tmux, tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text(APP, encoding="utf-8")
    command = (f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} "
               f"{shlex.quote(str(tmp_path / 'data'))}; echo EXIT=$?; stty -a; sleep 60")
    tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", command)
    started = tmux.wait_for("Trending")
    assert "minion-tui" in started
    assert tmux("display", "-p", "-t", "app", "#{alternate_on}").strip() == "1"

    tmux("send-keys", "-t", "app", "q")
    after = tmux.wait_for("EXIT=")
    assert "EXIT=0" in after
    assert "Traceback" not in after
    flags = "#{alternate_on} #{mouse_any_flag} #{mouse_all_flag} #{cursor_flag}"
    # Back on the main screen, mouse reporting off, the cursor shown again.
    assert tmux("display", "-p", "-t", "app", flags).split() == ["0", "0", "0", "1"]
    stty = tmux.wait_for("icanon").split()
    assert {"icanon", "echo", "isig"} <= set(stty)  # cooked mode again
