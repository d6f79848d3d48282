"""Snapshots of the empty shell, one per pane plus the key help (120x40).

Regenerate after an intended change with:
    .venv/bin/python -m pytest tests/tui/test_snapshots.py --snapshot-update
and look at the SVGs in tests/tui/__snapshots__/ before committing them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from minion_tui.tui.app import MinionApp

SIZE = (120, 40)
AppFactory = Callable[..., MinionApp]  # the make_app fixture of conftest.py


def freeze_cursor(pilot: Pilot[None]) -> None:
    """A blinking cursor would make the screenshot depend on timing."""
    for query in pilot.app.query(Input):
        query.cursor_blink = False


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
    assert snap_compare(app, press=press, terminal_size=SIZE, run_before=freeze_cursor)


def test_demo_browse_with_notice(snap_compare, make_app: AppFactory) -> None:
    app = make_app(demo=True, demo_notice="The demo catalog is empty: it is built on first "
                   "start and will be ready in a moment.")
    assert snap_compare(app, terminal_size=SIZE, run_before=freeze_cursor)
