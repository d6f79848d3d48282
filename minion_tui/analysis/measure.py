"""One file's analysis, end to end: decode, tempo, key, descriptor. The function the worker
processes run (pool.py); it takes a path and returns a small dict, so nothing but a path and
a few hundred bytes cross between processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minion_tui.analysis import key as keys
from minion_tui.analysis import tempo
from minion_tui.analysis.camelot import camelot, key_name
from minion_tui.analysis.decode import (
    SAMPLE_RATE,
    Source,
    audio_digest,
    audio_shape,
    decode_mono,
    meter_span,
)
from minion_tui.analysis.loudness import Meter, blocks_of, gated_loudness, meter_rate

#: Bumped when the method changes so much that cached results should be measured again.
METHOD_VERSION = 2  # 2: loudness and peak (loudness.py)
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


def analyse_file(source: Source, max_seconds: float | None = None, *,
                 loudness: bool = True) -> dict[str, Any]:
    """Decode the first ``max_seconds`` of ``source`` (None: all) and analyse them; with
    ``loudness`` the same decode goes on to the end for the whole file's integrated
    loudness and sample peak (``loudness_lufs``, ``peak``; None when not measured or silent).
    Raises InvalidMedia for what is not audio."""
    meter = meter_for(source) if loudness else None
    samples, duration = decode_mono(source, max_seconds=max_seconds, meter=meter)
    result = analyse_samples(samples)
    result["duration"] = round(duration, 1)
    result.update(loudness_of(meter))
    return result


def meter_for(source: Source) -> Meter:
    """A loudness meter for ``source``'s channels, at the rate it can be measured at."""
    channels, rate = audio_shape(source)
    return Meter(channels, meter_rate(rate))


def loudness_of(meter: Meter | None) -> dict[str, Any]:
    """The loudness fields of a fed ``meter`` (all None without one)."""
    if meter is None:
        return {"loudness_lufs": None, "peak": None}
    blocks = meter.blocks()
    lufs = gated_loudness(blocks)
    return {"loudness_lufs": None if lufs is None else round(lufs, 2),
            "peak": round(meter.sample_peak, 6)}


def loudness_file(source: Source) -> dict[str, Any]:
    """Only the whole file's loudness and peak (for a download whose tempo and key came
    from its stream's excerpt)."""
    meter = meter_for(source)
    decode_mono(source, max_seconds=1.0, meter=meter)
    return loudness_of(meter)


def loudness_part(source: Source, start: float, end: float | None) -> dict[str, Any]:
    """One part of a long file's loudness (decode.meter_span), for :func:`combine`."""
    return meter_span(source, start, end)


def combine(parts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The whole file's loudness and peak from its parts' steps, in order: the 400 ms blocks
    across the joins are made of both sides' steps, as in one pass."""
    if not parts:
        return {"loudness_lufs": None, "peak": None}
    steps = np.concatenate([np.asarray(p["steps"], dtype=np.float64) for p in parts])
    lufs = gated_loudness(blocks_of(steps, int(parts[0]["step"])))
    return {"loudness_lufs": None if lufs is None else round(lufs, 2),
            "peak": round(max(float(p["peak"]) for p in parts), 6)}


def digest_file(source: Source) -> str:
    return audio_digest(source)


def album_loudness(sources: Sequence[Source]) -> dict[str, Any]:
    """A set's loudness: the gated loudness over all its files' blocks together (not the
    mean of theirs: a quiet interlude's blocks fall under the set's relative gate), and the
    highest peak."""
    blocks, peak = [], 0.0
    for source in sources:
        meter = meter_for(source)
        decode_mono(source, max_seconds=1.0, meter=meter)
        blocks.append(meter.blocks())
        peak = max(peak, meter.sample_peak)
    lufs = gated_loudness(np.concatenate(blocks)) if blocks else None
    return {"loudness_lufs": None if lufs is None else round(lufs, 2),
            "peak": round(peak, 6)}
