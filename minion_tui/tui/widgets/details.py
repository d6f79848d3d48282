"""The details panel: what is known about the highlighted track, said plainly."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import Static

from minion_tui.models import Availability, Track
from minion_tui.tui.widgets.track_list import TrackList


def availability_text(track: Track) -> str:
    """Whether the track can be heard here, in words a listener understands."""
    if track.availability is Availability.PREVIEW:
        seconds = (track.preview_ms or 30_000) // 1000
        return f"Preview only: Go+ track, {seconds} s"
    if track.availability is Availability.DRM:
        return "DRM-protected: can't be played or downloaded here"
    if track.availability is Availability.BLOCKED:
        return "Not available in your country"
    if track.availability is Availability.EXCLUSIVE:
        return "Subscribers only: can't be played here"
    if track.availability is Availability.UNAVAILABLE:
        return "Nothing playable: the service offers no stream"
    return "Full track"


def _duration(ms: int) -> str:
    hours, rest = divmod(ms // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def details_text(track: Track) -> str:
    """The panel's text for ``track`` (plain, no markup: titles may contain brackets)."""
    counts = track.counts

    def n(value: int | None) -> str:
        return "—" if value is None else f"{value:,}"

    lines = [
        track.title,
        f"by {track.artist}",
        "",
        f"Length     {_duration(track.duration_ms)}",
        f"Plays      {n(counts.plays)}   Likes {n(counts.likes)}   Reposts {n(counts.reposts)}",
        f"Genre      {track.genre or '—'}",
        f"Tags       {', '.join(track.tags) or '—'}",
        f"License    {track.license or '—'}",
        f"Created    {(track.created_at or '—')[:10]}",
        f"Available  {availability_text(track)}",
        f"Rating     {track.judgment.value.replace('_', ' ') if track.judgment else 'not rated'}",
    ]
    if track.description:
        lines += ["", track.description.strip()]
    return "\n".join(lines)


class TrackDetails(Static):
    """Shows :func:`details_text` of the highlighted track (or a hint when there is none)."""

    DEFAULT_CSS = """
    TrackDetails { width: 40; height: 1fr; padding: 0 1; overflow-y: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("Highlight a track to see its details.", id=id, markup=False)
        self.track: Track | None = None

    def show_track(self, track: Track | None) -> None:
        self.track = track
        self.update(details_text(track) if track else "Highlight a track to see its details.")


def refresh_details(root: Widget) -> None:
    """Re-read the highlighted track of each list next to a details panel under ``root``
    (after a rating, so the panel's "Rating" line follows the badge)."""
    for details in root.query(TrackDetails):
        parent = details.parent
        if parent is None:
            continue
        for track_list in parent.query(TrackList):
            if track_list.display and details.track is not None:
                details.show_track(track_list.highlighted)
