"""What each player event costs the UI loop (issue 14: nothing may stall it): mpv reports the
position several times a second, and following it must not search the screen for the bar
each time (a DOM query matches every widget: 3-8 ms of the loop per event in
bench/playback.py). Real libmpv (ao=null) against the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.dom import DOMNode

from minion_tui.emulator.server import RunningEmulator
from minion_tui.tui.app import MinionApp
from minion_tui.tui.widgets.now_playing import NowPlayingBar
from tests.examples import resolve_examples
from tests.tui.harness import list_in_browse, open_service
from tests.tui.waiting import listed_at_start, until


@pytest.mark.mpv
async def test_following_the_player_does_not_search_the_screen_per_event(
    emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = open_service(emulator, tmp_path, null_audio=True)
    app = MinionApp(service)
    searches: list[object] = []
    query = DOMNode.query

    def counting(node: DOMNode, selector: Any = None) -> Any:
        if selector is NowPlayingBar:
            searches.append(selector)
        return query(node, selector)

    events: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        (full,) = await resolve_examples(service, emulator, "track_full")
        await listed_at_start(pilot)
        list_in_browse(app, [full])
        await pilot.press("enter")
        bar = app.query_one(NowPlayingBar)
        await until(pilot, lambda: bar.view.title == full.title and bar.view.elapsed >= 1,
                    "the bar playing")
        monkeypatch.setattr(DOMNode, "query", counting)
        stop = service.player.listen(lambda event: events.append(event.kind))
        await until(pilot, lambda: events.count("time-pos") >= 20 and bar.view.elapsed >= 3,
                    "twenty position events")
        stop()
    assert events.count("time-pos") >= 20
    assert len(searches) <= 1  # the bar found once at most, not once per event
