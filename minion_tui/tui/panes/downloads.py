"""Downloads: running, waiting, finished and failed downloads with their progress.

Rows come from two places: the persisted jobs (``service.downloads.jobs()``, read when the pane
mounts and again, debounced, whenever a job appears or finishes, for its "Artist - Title" and
final path) and the live ``DownloadEvent`` stream the app forwards (progress, speed, ETA).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from minion_tui.tui.download_control import announce
from minion_tui.tui.panes.base import Pane, PaneInfo
from minion_tui.tui.widgets.download_list import DownloadList
from minion_tui.tui.widgets.download_rows import (
    ACTIVE,
    FINISHED,
    JobRow,
    apply_event,
    counts_text,
    detail_text,
    from_event,
    from_job,
    merge_job,
    row_key,
)
from minion_tui.tui.widgets.empty_state import EmptyState

if TYPE_CHECKING:
    from minion_tui.models import DownloadEvent

RELOAD_DELAY = 0.3
"""Seconds a reload of the jobs waits for more events, so a set of 500 reads the table once."""
# Programs that open a folder in the desktop's file manager, tried in order.
FOLDER_OPENERS = ("xdg-open", "open")
# Which rows each key applies to (on the others it says why, in a toast).
_RETRYABLE = frozenset({"failed", "paused", "cancelled", "skipped"})
_STOPPABLE = ACTIVE


class DownloadsPane(Pane):
    INFO = PaneInfo("downloads", "Downloads", "Download progress and finished files")

    class JobsLeft(Message):
        """The first reading of the jobs found some a crash left queued or running."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "retry", "Retry", id="downloads.retry"),
        Binding("c", "cancel", "Cancel", id="downloads.cancel"),
        Binding("p", "pause", "Pause", id="downloads.pause"),
        Binding("o", "open_folder", "Open folder", id="downloads.open_folder"),
        Binding("enter", "show_job", "Path / reason", id="downloads.show"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._reload_timer: Timer | None = None
        self._resumed = False
        self._keys_for: tuple[str, str] | None = None
        """(job, state) the footer's keys were last worked out for."""

    def compose(self) -> ComposeResult:
        # Both stay hidden until there is a job: the empty state alone says what goes here.
        title = Static("", id="downloads-title", classes="area-title", markup=False)
        title.display = False
        yield title
        yield EmptyState(
            "No downloads yet",
            "Tracks you download are listed here with their progress; finished files are "
            "tagged and saved to your download folder.",
            id="downloads-empty",
        )
        jobs = DownloadList(id="download-list")
        jobs.display = False
        yield jobs

    def on_mount(self) -> None:
        self.reload()

    def default_focus(self) -> Widget:
        jobs = self.query_one(DownloadList)
        return jobs if jobs.display else self

    @property
    def job_list(self) -> DownloadList:
        return self.query_one(DownloadList)

    @property
    def running_count(self) -> int:
        """Downloads under way or waiting for a connection (what quitting would stop)."""
        return sum(1 for row in self.job_list.rows if row.state in ACTIVE)

    # -- rows -------------------------------------------------------------------------------

    def apply_event(self, event: DownloadEvent) -> None:
        """Move a row forward (or add it, on top) for one event of any download."""
        jobs = self.job_list
        row = jobs.row(_key_of(event))
        if row is None:
            jobs.show_row(from_event(event))
        else:
            jobs.show_row(apply_event(row, event))
        self._show_list(True)
        if row is None or event.kind in FINISHED or event.kind in ("paused", "cancelled"):
            self._schedule_reload()

    def _schedule_reload(self) -> None:
        if self._reload_timer is None:
            self._reload_timer = self.set_timer(RELOAD_DELAY, self._reload_now)

    def _reload_now(self) -> None:
        self._reload_timer = None
        self.reload()

    @work(exclusive=True, group="downloads-reload", exit_on_error=False,
          description="Reading the downloads")
    async def reload(self) -> None:
        """Re-read the persisted jobs, merged with what the events said since."""
        found = await self.service.downloads.jobs()
        jobs = self.job_list
        in_table: set[str] = set()
        rows: list[JobRow] = []
        for job in found:
            row = from_job(job)
            in_table.add(row.key)
            shown = jobs.row(row.key)
            rows.append(merge_job(shown, job) if shown is not None else row)
        # Downloads without a job (a target refused before any track was known) stay on top;
        # rows of jobs past the newest `limit` the table returned stay too. Newest job first.
        unlisted = [row for row in jobs.rows if row.key not in in_table]
        loose = [row for row in unlisted if row.job_id is None]
        rows += [row for row in unlisted if row.job_id is not None]
        jobs.set_rows([*loose, *sorted(rows, key=lambda row: -(row.job_id or 0))])
        self._show_list(bool(jobs.rows))
        if not self._resumed:
            self._resumed = True
            # Jobs a crash left queued or running: the app has them continue.
            if any(row.state in ACTIVE for row in rows):
                self.post_message(self.JobsLeft())

    def _show_list(self, shown: bool) -> None:
        jobs = self.job_list
        if jobs.display == shown and self.query_one("#downloads-title").display == shown:
            return
        had_focus = self.has_focus
        jobs.display = shown
        self.query_one("#downloads-title").display = shown
        self.query_one("#downloads-empty").display = not shown
        if shown and had_focus:
            jobs.focus()
        self.refresh_bindings()

    def on_download_list_changed(self, message: DownloadList.Changed) -> None:
        message.stop()
        self._update_title()
        # Which keys apply depends on the highlighted job's state only: the footer is redrawn
        # when that changes, not on every progress tick.
        row = self.job_list.highlighted
        keys_for = (row.key, row.state) if row is not None else None
        if keys_for != self._keys_for:
            self._keys_for = keys_for
            self.refresh_bindings()

    def _update_title(self) -> None:
        counts = counts_text(self.job_list.rows)
        text = f"Downloads: {counts}" if counts else "Downloads"
        self.query_one("#downloads-title", Static).update(text)

    # -- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in ("retry", "cancel", "pause", "open_folder", "show_job"):
            return True
        row = self.job_list.highlighted if self.job_list.display else None
        if row is None:
            return False  # no jobs: the keys are left out of the footer and the help
        # A key that cannot act on this row still runs, to say why (see _cannot).
        return True

    def _cannot(self, action: str, row: JobRow) -> str | None:
        """Why ``action`` cannot act on ``row`` (None when it can)."""
        if row.job_id is None:
            return (f"{row.title} never became a download job ({row.state}), so there is "
                    "nothing to retry, pause or cancel; start it again with d.")
        if action == "retry" and row.state not in _RETRYABLE:
            return (f"{row.title} is {row.state}: r retries failed, paused, cancelled or "
                    "skipped downloads.")
        if action in ("cancel", "pause") and row.state not in _STOPPABLE:
            verb = "paused" if action == "pause" else "cancelled"
            resume = " r resumes it." if row.state == "paused" else ""
            return (f"{row.title} is {row.state}: only a waiting or running download can be "
                    f"{verb}.{resume}")
        return None

    def _actionable(self, action: str) -> JobRow | None:
        row = self.job_list.highlighted
        if row is None:
            return None
        why = self._cannot(action, row)
        if why is not None:
            self.notify(why, title="Downloads", severity="warning", timeout=6)
            return None
        return row

    def action_retry(self) -> None:
        row = self._actionable("retry")
        if row is not None:
            self.notify(f"Downloading {row.title} again.", title="Retry", timeout=4)
            self._retry(row)

    @work(group="downloads", exit_on_error=False, description="Retrying a download")
    async def _retry(self, row: JobRow) -> None:
        assert row.job_id is not None
        outcome = await self.service.downloads.retry(row.job_id)
        announce(self, row.title, [outcome])

    def action_cancel(self) -> None:
        row = self._actionable("cancel")
        if row is not None:
            self._stop(row, cancel=True)

    def action_pause(self) -> None:
        row = self._actionable("pause")
        if row is not None:
            self._stop(row, cancel=False)

    @work(group="downloads", exit_on_error=False, description="Stopping a download")
    async def _stop(self, row: JobRow, *, cancel: bool) -> None:
        assert row.job_id is not None
        if cancel:
            await self.service.downloads.cancel(row.job_id)
            # No confirmation is asked: the toast says what happened and how to undo it.
            self.notify(f"Cancelled {row.title}; its partial download was removed. Press r "
                        "to download it again.", title="Download cancelled", timeout=6)
        else:
            await self.service.downloads.pause(row.job_id)
            self.notify(f"Paused {row.title}; what was fetched is kept. Press r to resume.",
                        title="Download paused", timeout=6)

    def action_open_folder(self) -> None:
        row = self.job_list.highlighted
        folder = (Path(row.path).parent if row is not None and row.path
                  else Path(self.service.settings.downloads.dir).expanduser())
        opener = next((found for name in FOLDER_OPENERS if (found := shutil.which(name))), None)
        if opener is None:
            # No desktop (ssh, a server, a bare tty): say where the files are instead.
            self.notify(str(folder), title="Download folder", timeout=10)
            return
        self._open_folder(opener, folder)

    @work(thread=True, group="downloads-open", exit_on_error=False,
          description="Opening the download folder")
    def _open_folder(self, opener: str, folder: Path) -> None:
        subprocess.run([opener, str(folder)], check=True, timeout=30,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def action_show_job(self) -> None:
        row = self.job_list.highlighted
        if row is not None:
            self.notify(detail_text(row), title="Download", timeout=10)


def _key_of(event: DownloadEvent) -> str:
    return row_key(event.job_id, event.track_urn)
