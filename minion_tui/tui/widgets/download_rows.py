"""What one row of the Downloads pane shows, as plain data: built from a persisted
:class:`~minion_tui.models.DownloadJob`, moved forward by each
:class:`~minion_tui.models.DownloadEvent`, and turned into the texts of its cells.

No Textual here, so the arithmetic (fractions, the bar, merging a database reload with
fresher events) is tested without an app.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from minion_tui.models import done_fraction, format_duration

if TYPE_CHECKING:
    from minion_tui.models import DownloadEvent, DownloadJob

# Event kind -> the state the row is in afterwards. "skipped" is not a job state of the engine
# (previews and DRM-only tracks end "failed" with the reason there) but the event says it
# more precisely, so the row shows it until the database says otherwise.
EVENT_STATES = {
    "queued": "queued", "start": "running", "segment": "running", "bytes": "running",
    "done": "done", "skipped": "skipped", "failed": "failed", "paused": "paused",
    "cancelled": "cancelled",
}
FINISHED = frozenset({"done", "failed", "cancelled", "skipped"})
ACTIVE = frozenset({"queued", "running"})
STATE_GLYPHS = {"queued": "…", "running": "↓", "paused": "‖", "done": "✓", "failed": "✗",
                "cancelled": "⊘", "skipped": "↷"}
# The order of the counts in the pane title.
COUNTED = ("running", "queued", "paused", "done", "skipped", "failed", "cancelled")

BAR_WIDTH = 20
_BAR_EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True)
class JobRow:
    """One download as the pane shows it. ``key`` identifies it across events: the job id,
    or the track URN for events of an engine without persisted jobs."""

    key: str
    title: str
    state: str
    track_urn: str = ""
    job_id: int | None = None
    reason: str = ""
    path: str = ""
    bytes_done: int = 0
    bytes_total: int | None = None
    segments_done: int = 0
    segments_total: int = 0
    speed: float | None = None
    """Bytes per second, smoothed; None until measured."""
    eta: float | None = None
    """Seconds left; None when unknown."""

    @property
    def fraction(self) -> float | None:
        """How much is done, 0..1; None while nothing says how big the download is."""
        if self.state == "done":
            return 1.0
        return done_fraction(self.bytes_done, self.bytes_total, self.segments_done,
                             self.segments_total)


def row_key(job_id: int | None, track_urn: str) -> str:
    return f"job:{job_id}" if job_id is not None else f"track:{track_urn}"


def from_job(job: DownloadJob) -> JobRow:
    return JobRow(key=row_key(job.id, job.track_urn), title=job.title or job.track_urn,
                  state=job.state, track_urn=job.track_urn, job_id=job.id, reason=job.reason,
                  path=job.path, bytes_done=job.bytes_done, bytes_total=job.bytes_total,
                  segments_done=job.segments_done, segments_total=job.segments_total)


def from_event(event: DownloadEvent) -> JobRow:
    """The row of a download first heard of through an event."""
    first = JobRow(key=row_key(event.job_id, event.track_urn),
                   title=event.title or event.track_urn, state="queued",
                   track_urn=event.track_urn, job_id=event.job_id)
    return apply_event(first, event)


def apply_event(row: JobRow, event: DownloadEvent) -> JobRow:
    """The row after ``event`` (speed and ETA are the engine's, already smoothed)."""
    state = EVENT_STATES.get(event.kind, row.state)
    changes: dict[str, object] = {"state": state}
    if event.title and (not row.title or row.title == row.track_urn):
        changes["title"] = event.title
    if event.path:
        changes["path"] = event.path
    if state in FINISHED or state == "paused":
        changes.update(reason=event.reason, speed=None, eta=None)
        if state == "done":
            changes.update(bytes_done=event.bytes_done or row.bytes_done,
                           bytes_total=event.bytes_total or event.bytes_done or row.bytes_total)
        return replace(row, **changes)  # type: ignore[arg-type]
    if state == "running":
        changes["reason"] = ""
    if event.kind == "start":
        # A new run (first, retry or resume): its segment events bring the counts, the
        # journal's included; the last run's figures would only mislead.
        changes.update(bytes_done=0, segments_done=0, speed=None, eta=None)
    if event.kind in ("segment", "bytes"):
        changes.update(bytes_done=event.bytes_done, segments_done=event.segments_done,
                       segments_total=event.segments_total or row.segments_total)
        if event.bytes_total is not None:
            changes["bytes_total"] = event.bytes_total
        changes.update(speed=event.speed, eta=event.eta)
    return replace(row, **changes)  # type: ignore[arg-type]


def merge_job(row: JobRow, job: DownloadJob) -> JobRow:
    """A database reload of a row the events also move: the database knows the title and the
    path, the events are fresher about progress. A job the database still calls active keeps a
    finished state an event already reported (the engine commits and emits in either order)."""
    fresh = from_job(job)
    if job.state in ACTIVE and (row.state in FINISHED or row.state == "paused"):
        return replace(fresh, state=row.state, reason=row.reason, bytes_done=row.bytes_done,
                       bytes_total=row.bytes_total)
    if job.state == row.state and job.state in ("running", "paused"):
        # The table is written less often than events arrive: the higher count is the newer.
        return replace(fresh, bytes_done=max(row.bytes_done, job.bytes_done),
                       segments_done=max(row.segments_done, job.segments_done),
                       speed=row.speed, eta=row.eta)
    return fresh


# -- cells -----------------------------------------------------------------------------------


def progress_bar(fraction: float | None, width: int = BAR_WIDTH) -> str:
    """Block characters, eighths at the edge: "█████▌    " for 0.55 of 10 cells."""
    if fraction is None:
        return "·" * width
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_BAR_EIGHTHS[part] if part else "")
    return text.ljust(width)


def format_percent(fraction: float | None) -> str:
    return "" if fraction is None else f"{int(fraction * 100)} %"


def format_speed(speed: float | None) -> str:
    if speed is None:
        return ""
    if speed >= 1024 * 1024:
        return f"{speed / (1024 * 1024):.1f} MiB/s"
    return f"{speed / 1024:.0f} KiB/s"


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds + 0.5 >= 100 * 3600:  # a stalled start: a figure this large says nothing
        return "> 99 h"
    return format_duration(seconds + 0.5)


def detail_text(row: JobRow) -> str:
    """What enter shows about a row: where the file is, or why there is none."""
    lines = [row.title, f"State: {row.state}"]
    if row.reason:
        lines.append(f"Reason: {row.reason}")
    if row.path:
        lines.append(f"File: {row.path}")
    elif row.state in ACTIVE:
        lines.append("File: not chosen yet (the stream is being picked)")
    return "\n".join(lines)


def counts_text(rows: Iterable[JobRow]) -> str:
    """'2 running · 5 done · 1 failed' (states with no job are left out)."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    return " · ".join(f"{counts[state]} {state}" for state in COUNTED if counts.get(state))
