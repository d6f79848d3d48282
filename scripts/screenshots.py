"""Regenerate the README screenshots: one SVG per pane, 120x40, theme minion-dark.

    .venv/bin/python scripts/screenshots.py [--out screenshots]      (or: make screenshots)

Runs the offline demo the way ``minion-tui --demo`` does (the emulator in-process, data in a
temporary directory) and drives the app headless with Textual's ``run_test`` through keys
only, the way a person would: Enter opens Trending, j/k move, l rates, a queues, d downloads,
2 searches, 3 and 4 show the Queue and Downloads panes, ? the help. Waits are for visible
results (rows in the focused track list), with a time limit so a slow step degrades a picture
instead of hanging the script.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from minion_tui import config
from minion_tui.config import DownloadSettings, Settings, UiSettings
from minion_tui.emulator.server import run_in_thread
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from minion_tui.tui.widgets.track_list import TrackList

SIZE = (120, 40)
THEME = "minion-dark"


async def wait_for(pilot: Pilot[None], ready: Callable[[], bool], what: str,
                   within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if ready():
            return True
        await pilot.pause(0.05)
    print(f"  ! gave up waiting for {what}; the picture may be incomplete", file=sys.stderr)
    return False


def shown_rows(app: MinionApp) -> int:
    """Rows in the track lists currently on screen."""
    return max((len(t.tracks) for t in app.query(TrackList) if t.display and t.region.area),
               default=0)


async def settle(pilot: Pilot[None], seconds: float = 0.6) -> None:
    """Let workers finish painting (details, toasts fading in) before the picture."""
    await pilot.pause(seconds)


def save(app: MinionApp, out: Path, name: str) -> None:
    for widget in app.query("Input"):
        widget.cursor_blink = False  # type: ignore[attr-defined]
    path = app.save_screenshot(f"{name}.svg", str(out))
    print(f"  {path}")


async def shoot(app: MinionApp, out: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        # Browse: Trending (Enter on the highlighted first source), a row highlighted with
        # its details, one track rated liked, three tracks queued, one downloading.
        await pilot.press("enter")
        await wait_for(pilot, lambda: shown_rows(app) > 5, "Trending rows")
        await pilot.press("j", "j", "l")
        await pilot.press("a", "j", "a", "j", "a")
        await pilot.press("d")
        await pilot.press("k", "k")
        if app.service.player.audio_output is not None:
            await pilot.press("enter")  # play it: the now-playing bar fills
            await pilot.pause(2.0)
            await pilot.press("space")
        await settle(pilot, 1.5)
        save(app, out, "browse")

        # Help for the focused pane.
        await pilot.press("question_mark")
        await settle(pilot)
        save(app, out, "help")
        await pilot.press("escape")

        # Search with results.
        # Enter runs the query; Escape leaves the box, so the results take focus when they
        # arrive and the digit keys switch panes again instead of typing into the query.
        await pilot.press("2", "slash", *"deep", "enter", "escape")
        await wait_for(pilot, lambda: shown_rows(app) > 0, "search results")
        await settle(pilot, 0.3)
        if not isinstance(app.focused, TrackList):  # the results beat the Escape
            for tracks in app.query(TrackList):
                if tracks.display and tracks.region.area:
                    tracks.focus()
        await pilot.press("j", "j")
        await settle(pilot, 1.0)
        save(app, out, "search")

        await pilot.press("3")
        await settle(pilot, 1.0)
        save(app, out, "queue")

        await pilot.press("4")
        await settle(pilot, 2.0)
        save(app, out, "downloads")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix="minion-screenshots-"))
    emulator = run_in_thread(cache_dir=config.cache_dir() / "emulator")  # as --demo does
    try:
        settings = Settings(ui=UiSettings(theme=THEME),
                            downloads=DownloadSettings(dir=temp / "Music"),
                            path=temp / "config.toml")
        service = Service.open(settings=settings, demo=True, data_dir=temp / "data",
                               endpoints=emulator.endpoints)
        try:
            import mpv  # noqa: F401  (only to learn whether the now-playing bar can fill)

            service.player.audio_output = "null"
        except (OSError, ImportError):
            print("  libmpv not found: the now-playing bar stays empty", file=sys.stderr)
        asyncio.run(shoot(MinionApp(service), out))
    finally:
        emulator.stop()
        shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
