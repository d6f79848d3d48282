"""What the audio analysis (analysis/) reports: a file's or a stream's tempo and key, and the
tracks that sound like another."""

from __future__ import annotations

from dataclasses import dataclass, field

from minion_tui.models.catalog import Track
from minion_tui.models.json_form import SKIP, JsonModel


@dataclass(frozen=True, slots=True)
class SoundAnalysis(JsonModel):
    """One input's tempo (BPM, one decimal) and key ("A minor", sharps for black keys) with
    its Camelot code ("8A"); confidences 0–1; how many seconds of audio were read."""

    input: str
    bpm: float | None
    key: str | None
    camelot: str | None
    bpm_confidence: float
    key_confidence: float
    seconds_analysed: float
    #: Integrated loudness (EBU R128 / BS.1770-4) of the whole file, and its ReplayGain 2.0
    #: track gain (dB to -18 LUFS); None for a stream's excerpt or silence.
    loudness_lufs: float | None = None
    replaygain_track_gain: float | None = None
    peak: float | None = field(default=None, metadata=SKIP)
    urn: str | None = field(default=None, metadata=SKIP)
    digest: str = field(default="", metadata=SKIP)
    descriptor: tuple[float, ...] = field(default=(), metadata=SKIP)


@dataclass(frozen=True, slots=True)
class SimilarTrack(JsonModel):
    """An analysed track near another by sound: ``distance`` 0 is the same descriptor."""

    track: Track
    distance: float
