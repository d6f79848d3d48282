"""Snapshots of the empty shell, one per pane plus the key help (120x40).

Regenerate after an intended change with:
    .venv/bin/python -m pytest tests/tui/test_snapshots.py --snapshot-update
and look at the SVGs in tests/tui/__snapshots__/ before committing them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from minion_tui.tui.app import MinionApp
from minion_tui.tui.panes.browse import BrowsePane
from minion_tui.tui.widgets.details import TrackDetails
from minion_tui.tui.widgets.track_list import TrackList
from tests.tui.waiting import until

SIZE = (120, 40)
AppFactory = Callable[..., MinionApp]  # the make_app fixture of conftest.py


def freeze_cursor(pilot: Pilot[None]) -> None:
    """A blinking cursor would make the screenshot depend on timing."""
    for query in pilot.app.query(Input):
        query.cursor_blink = False


async def settled(pilot: Pilot[None]) -> None:
    """Trending, open at start, has loaded, and so have the details of its first track:
    what the picture shows no longer depends on how fast the emulator answered."""
    app = pilot.app
    status = app.query_one("#browse-status", Static)
    await until(pilot, lambda: str(status.render()).startswith("Trending — ")
                and "loading" not in str(status.render()), "Trending, open at start")
    # The tags offered come from the store Trending was filling: list them once it is in.
    await app.query_one(BrowsePane)._refresh_sources().wait()
    details = app.query_one("#browse-details", TrackDetails)
    tracks = app.query_one("#browse-tracks", TrackList)
    if tracks.highlighted is not None:
        await until(pilot, lambda: details.track is tracks.highlighted
                    and bool(details.surfaced) and "loading…" not in details.text,
                    "the details of the first track")
    freeze_cursor(pilot)


@pytest.mark.parametrize(
    "press",
    [
        pytest.param((), id="browse"),
        pytest.param(("2",), id="search"),
        pytest.param(("3",), id="queue"),
        pytest.param(("4",), id="downloads"),
        pytest.param(("2", "slash", *"night drive"), id="search-typing"),
        pytest.param(("2", "question_mark"), id="help-from-search"),
    ],
)
def test_shell(snap_compare, app: MinionApp, press: tuple[str, ...]) -> None:
    assert snap_compare(app, press=press, terminal_size=SIZE, run_before=settled)


def test_demo_browse_with_notice(snap_compare, make_app: AppFactory) -> None:
    app = make_app(demo=True, demo_notice="The demo catalog is empty: it is built on first "
                   "start and will be ready in a moment.")
    assert snap_compare(app, terminal_size=SIZE, run_before=settled)
