"""The first frame waits for nothing it does not show (issue 14: start-up to Ready < 0.5 s,
bench/startup.py). Trending's listing, the restored track's store read and the keymap's check
start right after it; they still happen, and the screen shows their results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import minion_tui.tui.app
from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from minion_tui.tui.app import MinionApp
from tests.tui.harness import open_service
from tests.tui.waiting import listed_at_start, until


class ReadyProbe(MinionApp):
    """The real app, noting what had been started when Textual's Ready arrived (Ready is
    posted by the first layout of the screen, once the first frame has been painted)."""

    # CSS_PATH is relative to the class's own file, and this one has none.
    CSS_PATH = str(Path(minion_tui.tui.app.__file__).with_name("app.tcss"))

    def __init__(self, service: Service, emulator: RunningEmulator) -> None:
        super().__init__(service)
        self._emulator = emulator
        self.at_ready: dict[str, Any] = {}

    def on_ready(self) -> None:
        self.at_ready = {
            "workers": sorted(w.description for w in self.workers),
            "api_calls": list(self._emulator.state.api_calls),
            "toasts": [n.message for n in self._notifications],
        }


def _probe(tmp_path: Path, emulator: RunningEmulator, keymap: dict[str, str]) -> ReadyProbe:
    return ReadyProbe(open_service(emulator, tmp_path, keymap=keymap), emulator)


async def test_the_start_up_listing_and_checks_begin_after_the_first_frame(
    tmp_path: Path, emulator: RunningEmulator,
) -> None:
    emulator.state.reset_counters()
    app = _probe(tmp_path, emulator, {"list.down": "notakey!!"})
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: bool(app.at_ready), "Ready")
        at_ready = app.at_ready
        # Before the first frame: no listing started, no request, no store read for the bar,
        # no keymap toast.
        assert "Loading a source" not in at_ready["workers"]
        assert "Reading the last session's place" not in at_ready["workers"]
        assert at_ready["api_calls"] == []
        assert at_ready["toasts"] == []
        # Right after it, all of them: Trending is listed, the bad key is reported.
        await listed_at_start(pilot)
        assert any("charts" in path for path in emulator.state.api_calls)
        assert str(app.query_one("#browse-status").render()).startswith("Trending — ")
        await until(pilot, lambda: len(app._notifications) == 1, "the keymap's toast")
        assert "'notakey!!' is not a key name" in next(iter(app._notifications)).message
