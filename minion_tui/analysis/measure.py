"""One file's analysis, end to end: decode, tempo, key, descriptor. The function the worker
processes run (pool.py); it takes a path and returns a small dict, so nothing but a path and
a few hundred bytes cross between processes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minion_tui.analysis import key as keys
from minion_tui.analysis import tempo
from minion_tui.analysis.camelot import camelot, key_name
from minion_tui.analysis.decode import SAMPLE_RATE, Source, audio_digest, decode_mono

#: Bumped when the method changes so much that cached results should be measured again.
METHOD_VERSION = 1
#: The descriptor's layout: timbre (12 cepstral means, 6 spreads), then the chroma turned to
#: the tonic (12), then the onset density (1).
DESCRIPTOR_SIZE = 31


def _dct(values: np.ndarray, count: int) -> np.ndarray:
    n = values.size
    k = np.arange(count)[:, None]
    basis = np.cos(np.pi * k * (np.arange(n)[None, :] + 0.5) / n)
    out: np.ndarray = (basis @ values) * np.sqrt(2.0 / n)
    return out


def analyse_samples(samples: np.ndarray, rate: int = SAMPLE_RATE, *,
                    profile: str = keys.DEFAULT_PROFILE) -> dict[str, Any]:
    """Tempo, key and descriptor of mono float32 ``samples``."""
    onsets = tempo.onset_envelope(samples, rate)
    bpm, bpm_confidence = tempo.estimate(onsets)
    found = keys.estimate(samples, rate, profile)
    timbre_mean = _dct(onsets.band_mean.astype(np.float64), 13)[1:]
    timbre_std = _dct(onsets.band_std.astype(np.float64), 6)
    turned = np.roll(found.chroma, -found.tonic)
    density = float(onsets.envelope.mean()) if onsets.envelope.size else 0.0
    descriptor = [*timbre_mean, *timbre_std, *turned, density]
    tonal = bool(found.chroma.any())
    return {
        "bpm": round(bpm, 1) if bpm > 0 else None,
        "bpm_confidence": round(bpm_confidence, 3),
        "key": key_name(found.tonic, found.minor) if tonal else None,
        "camelot": camelot(found.tonic, found.minor) if tonal else None,
        "key_confidence": round(found.confidence, 3) if tonal else 0.0,
        "tuning_cents": round(found.tuning_cents, 1),
        "seconds_analysed": round(samples.size / rate, 1),
        "descriptor": [round(float(v), 4) for v in descriptor],
        "method": METHOD_VERSION,
    }


def analyse_file(source: Source, max_seconds: float | None = None) -> dict[str, Any]:
    """Decode the first ``max_seconds`` of ``source`` (None: all) and analyse them. Raises
    InvalidMedia for what is not audio."""
    samples, duration = decode_mono(source, max_seconds=max_seconds)
    result = analyse_samples(samples)
    result["duration"] = round(duration, 1)
    return result


def digest_file(source: Source) -> str:
    return audio_digest(source)
