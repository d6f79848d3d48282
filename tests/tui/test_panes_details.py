"""What the details panel says about a track (pure text; the flow test covers the widget)."""

from __future__ import annotations

from minion_tui.models import Availability, Counts, Judgment, Track
from minion_tui.tui.widgets.details import availability_text, details_text


def _track(**changes: object) -> Track:
    base: dict[str, object] = dict(
        provider="soundcloud", id="1", urn="soundcloud:tracks:1", url="https://x/y",
        title="Night Drive", artist="Moth Nomad", uploader="moth", duration_ms=3_914_000,
        genre="Ambient", tags=("dusk", "synth"), created_at="2024-05-01T10:00:00Z",
        counts=Counts(plays=12345, likes=None, reposts=3), license="cc-by",
        description="Recorded at night.")
    base.update(changes)
    return Track(**base)  # type: ignore[arg-type]


def test_availability_is_said_plainly() -> None:
    assert availability_text(_track(availability=Availability.PREVIEW, preview_ms=30_000)) == (
        "Preview only: Go+ track, 30\u00a0s")
    assert availability_text(_track(availability=Availability.DRM)) == (
        "DRM-protected: can't be played or downloaded here")
    assert availability_text(_track(availability=Availability.BLOCKED)) == (
        "Not available in your country")
    assert availability_text(_track()) == "Full track"


def test_details_list_counts_tags_license_rating_and_description() -> None:
    lines = details_text(_track(judgment=Judgment.NOT_QUITE)).splitlines()
    assert lines[:2] == ["Night Drive", "by Moth Nomad"]
    assert "Length     1:05:14" in lines
    assert "Plays      12,345   Likes —   Reposts 3" in lines
    assert "Tags       dusk, synth" in lines
    assert "License    cc-by" in lines
    assert "Created    2024-05-01" in lines
    assert "Rating     not quite" in lines
    assert lines[-1] == "Recorded at night."
