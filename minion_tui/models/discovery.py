"""Discovery as the front ends see it: the sources a user follows, what a sync reports as it
goes, and its summary. Provider-neutral: a source is a user on a provider (their ``likes``
and ``reposts``, by the names of ``providers/base.py`` Capabilities), a chart or a tag."""

from __future__ import annotations

from dataclasses import dataclass

from minion_tui.models.catalog import Track
from minion_tui.models.json_form import JsonModel


@dataclass(frozen=True, slots=True)
class Activity(JsonModel):
    """A track someone acted on: ``kind`` "like" or "repost", ``at`` when (ISO 8601 UTC, as
    the service dates the item; None when it does not say)."""

    track: Track
    kind: str
    at: str | None = None


@dataclass(frozen=True, slots=True)
class FollowedSource(JsonModel):
    """One followed listing: ``kind`` "user_likes", "user_reposts", "trending" or "tag";
    ``target`` the user's URN, "trending" or the tag; ``title`` what to call it ("Likes of
    Alice"); ``tracks`` how many tracks it surfaced so far; ``synced_at`` when a sync last
    finished it and ``rewalked_at`` its last full walk (None: never); ``resumable`` when a
    sync stopped part-way and the next one goes on from there."""

    kind: str
    target: str
    title: str
    tracks: int = 0
    synced_at: str | None = None
    rewalked_at: str | None = None
    resumable: bool = False


@dataclass(frozen=True, slots=True)
class SyncEvent(JsonModel):
    """Progress of ``discover sync``: ``state`` "batch" (a page merged: ``added`` provenance
    rows, ``new_tracks`` tracks not stored before), "done" (the source is up to date;
    ``dropped`` rows a full re-walk removed) or "failed" (``message`` says why; the other
    sources go on). ``done`` and ``total`` count sources finished so far and in all."""

    event: str
    kind: str
    target: str
    title: str
    state: str
    pages: int = 0
    added: int = 0
    new_tracks: int = 0
    dropped: int = 0
    full: bool = False
    done: int = 0
    total: int = 0
    message: str = ""


@dataclass(frozen=True, slots=True)
class SyncSummary(JsonModel):
    """The last line of ``discover sync --json``: ``new_tracks`` stored for the first time,
    ``sources_updated`` sources that brought at least one new row, ``requests`` made (retries
    included), ``seconds`` of wall time, and the provenance rows ``added`` and ``dropped``."""

    event: str
    new_tracks: int
    sources_updated: int
    requests: int
    seconds: float
    sources: int = 0
    added: int = 0
    dropped: int = 0
    failed: int = 0
