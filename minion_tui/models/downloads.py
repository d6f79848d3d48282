"""Downloads as the front ends see them: progress events, a track's outcome, a persisted job."""

from __future__ import annotations

from dataclasses import dataclass, field

from minion_tui.models.json_form import JsonModel, json_opts


@dataclass(frozen=True)
class DownloadEvent(JsonModel):
    """A progress event a CLI or the TUI's Downloads pane subscribes to (``to_json`` for --json).

    kind: "queued" | "start" | "segment" | "bytes" | "done" | "skipped" | "failed" | "paused" |
    "cancelled". ``speed`` is smoothed bytes/s, ``eta`` seconds left (None until known);
    ``job_id`` is the persisted job (None when the download runs without a store).
    ``error_type`` (JSON ``type``) is the ``type`` of the error a ``failed`` event reports
    (errors.py: ``invalid_playlist``, ``network``, …), beside its ``reason``; "" otherwise.
    ``converted_from``: on a ``done`` event of ``download --convert``, the format the file
    was downloaded in before it was re-encoded ("m4a", "mp3", "opus"); "" when it was not
    (no --convert, or already in that format: then ``reason`` says "already mp3: …").
    """

    kind: str = field(metadata=json_opts(key="event"))
    track_urn: str
    title: str = ""
    path: str = ""
    bytes_done: int = 0
    bytes_total: int | None = None
    segments_done: int = 0
    segments_total: int = 0
    reason: str = ""
    error_type: str = field(default="", metadata=json_opts(key="type"))
    job_id: int | None = None
    speed: float | None = None
    eta: float | None = None
    converted_from: str = ""


@dataclass(frozen=True)
class Outcome(JsonModel):
    """One track's result: state is "done", "skipped", "failed", "paused" or "cancelled";
    reason says why; job_id is its persisted job (None without a store)."""

    track_urn: str
    state: str
    path: str = ""
    reason: str = ""
    job_id: int | None = None


@dataclass(frozen=True)
class DownloadJob(JsonModel):
    id: int
    track_urn: str
    title: str  # "Artist - Title" as shown to the user
    state: str  # one of downloads.jobs.JOB_STATES
    reason: str  # why failed / cancelled / skipped ("" otherwise)
    path: str  # final path (known once the stream is chosen; "" before)
    bytes_done: int
    bytes_total: int | None
    segments_done: int
    segments_total: int
    created_at: str  # ISO 8601 UTC
    updated_at: str


def done_fraction(bytes_done: int, bytes_total: int | None, segments_done: int,
                  segments_total: int) -> float | None:
    """How much of a download is done, 0..1, from whichever size is known (bytes for a
    progressive file, segments for HLS); None while neither is."""
    if bytes_total:
        return min(1.0, bytes_done / bytes_total)
    if segments_total:
        return min(1.0, segments_done / segments_total)
    return None
