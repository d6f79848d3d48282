"""Waveform JSON for wave.sndcdn.com: `{width, height, samples[]}` (docs/soundcloud.md §2.1).

Samples come from the real synthesised audio of the track (the phrase's peak level per AAC
frame, tiled the same way as the streams), so loud and quiet passages line up with what
plays. Only PCM synthesis is needed, no encoding.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from minion_tui.emulator.media.audio import AAC_FRAME, AudioSpec
from minion_tui.emulator.media.synth import render_phrase
from minion_tui.emulator.media.tiling import frames_for, start_frame

WIDTH = 1800
HEIGHT = 140


@lru_cache(maxsize=64)
def _frame_peaks(groove: str, variant: int) -> np.ndarray:
    pcm = render_phrase(groove, variant)
    mono = np.abs(pcm).max(axis=0)
    return mono.reshape(-1, AAC_FRAME).max(axis=1)


def waveform(spec: AudioSpec) -> dict[str, object]:
    peaks = _frame_peaks(spec.groove, spec.variant)
    frames = frames_for(spec.duration_ms, AAC_FRAME)
    first = start_frame(spec, len(peaks))
    levels = peaks[(first + np.arange(frames)) % len(peaks)]
    starts = (np.arange(WIDTH) * frames) // WIDTH
    columns = np.maximum.reduceat(levels, starts)
    top = float(peaks.max()) or 1.0
    samples = np.clip(np.rint(columns / top * HEIGHT), 0, HEIGHT).astype(int)
    return {"width": WIDTH, "height": HEIGHT, "samples": [int(v) for v in samples]}
