"""Entry point used by the CLI: run the TUI over an open service."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minion_tui.service import Service


def run_app(service: Service) -> int:
    """Run the TUI until the user quits; the app closes the service on the way out.
    Returns the process exit code (0 on a normal quit, 1 if the app crashed)."""
    # Imported here so the CLI can build its parser (and answer --help) without Textual.
    from minion_tui.tui.app import MinionApp

    app = MinionApp(service)
    app.run()
    return app.return_code if app.return_code is not None else 0
