"""Downloads from the TUI: starting them (`d`, `D`), following every download's events into
the Downloads pane, the toast when one the user started has finished, and resuming the jobs a
crash left behind.

The app holds one :class:`DownloadControl` beside its PlayerControl. It knows the app only as
a Textual App (for workers and toasts) and is handed the function that shows an event, so it
imports no pane: the Downloads pane imports :func:`announce` from here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.notifications import Notification, Notify
from textual.widget import Widget

if TYPE_CHECKING:
    from minion_tui.models import DownloadEvent, Outcome
    from minion_tui.service import Service


class DownloadControl:
    """What the download keys do, and where download events go; one per app."""

    def __init__(self, app: App[Any], service: Service) -> None:
        self.app = app
        self.service = service
        self._started: Notification | None = None
        self._batch = 0
        """Downloads started since the "Downloading" toast went away with none of those
        started here running: one toast says them all, instead of one per `d`."""
        self._running = 0
        self._finished: Notification | None = None
        self._done = 0

    def follow(self, show: Callable[[DownloadEvent], None]) -> None:
        """Hand every event of every download (any thread) to ``show`` on the app's loop."""
        app = self.app

        def listener(event: DownloadEvent) -> None:
            if app._thread_id == threading.get_ident():
                show(event)
            else:
                app.call_from_thread(show, event)

        self.service.downloads.on_event(listener)

    def start(self, target: str, what: str) -> None:
        """Download a track or set (URL/URN) into the download folder; progress shows in the
        Downloads pane, one toast at the end."""
        app = self.app
        shown = self._started is not None and self._started in app._notifications
        self._batch = self._batch + 1 if (self._running or shown) else 1
        if shown and self._started is not None:
            app._unnotify(self._started, refresh=False)
        text = what if self._batch == 1 else f"{self._batch} downloads started, the last {what}"
        self._started = Notification(f"{text} — progress in Downloads (4).", "Downloading",
                                     "information", 4, markup=False)
        # Handled now, not posted: the next `d` of a burst must find this toast to replace.
        app._on_notify(Notify(self._started))
        self.download(target, what)

    def download(self, target: str, what: str) -> None:
        """:meth:`start` without the toast that says it started."""
        self._running += 1  # now, not when the worker first runs: the next `d` counts it
        self.app.run_worker(self._download(target, what), group="downloads",
                            exit_on_error=False, description="Downloading")

    async def _download(self, target: str, what: str) -> None:
        try:
            outcomes = await self.service.downloads.download([target])
        finally:
            self._running -= 1
        if len(outcomes) == 1 and outcomes[0].state == "done":
            self._announce_done(what, str(outcomes[0].path))
        else:
            announce(self.app, what, outcomes)

    def _announce_done(self, what: str, path: str) -> None:
        """One "Downloaded" toast for a batch too: each file replaces the last one's toast
        and the count goes up."""
        app = self.app
        shown = self._finished is not None and self._finished in app._notifications
        self._done = self._done + 1 if shown else 1
        if shown and self._finished is not None:
            app._unnotify(self._finished, refresh=False)
        text = f"{what}\n→ {path}" if self._done == 1 else (
            f"{self._done} files, the last {what}\n→ {path}")
        self._finished = Notification(text, "Downloaded", "information", 8, markup=False)
        app._on_notify(Notify(self._finished))

    def resume(self) -> None:
        """Continue the jobs a crash left queued or running where they stopped (the
        journal)."""
        self.app.run_worker(self._resume(), group="downloads", exit_on_error=False,
                            description="Resuming downloads")

    async def _resume(self) -> None:
        outcomes = await self.service.downloads.resume()
        if outcomes:
            announce(self.app, "Resumed downloads", outcomes)


def announce(widget: Widget | App[Any], what: str, outcomes: list[Outcome]) -> None:
    """One toast when a download the user started has finished: the file, or why not."""
    if len(outcomes) == 1:
        outcome = outcomes[0]
        if outcome.state == "done":
            widget.notify(f"{what}\n→ {outcome.path}", title="Downloaded", timeout=8)
        elif outcome.state in ("paused", "cancelled"):
            return  # the key that stopped it already said so
        else:
            widget.notify(f"{what}: {outcome.reason or outcome.state}",
                          title=f"Download {outcome.state}", severity="warning", timeout=10)
        return
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.state] = counts.get(outcome.state, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in counts.items())
    failed = counts.get("failed", 0) + counts.get("skipped", 0)
    widget.notify(f"{what}: {summary}", title="Downloads finished",
                  severity="warning" if failed else "information", timeout=10)
