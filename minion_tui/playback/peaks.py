"""A track's waveform as peak levels in 0..1, left to right over the whole track.

SoundCloud offers one as JSON at the track's ``waveform_url`` (docs/soundcloud.md §2.1:
``{width, height, samples[]}`` with samples up to ``height``). Where a track offers none, the
peaks are measured from the audio itself: PyAV decodes the stream (served by the loopback stream
proxy, so the endpoint map and re-signing apply) in a worker thread, bounded by
:data:`AUDIO_PEAKS_LIMIT` seconds of track and stoppable between frames.
"""

from __future__ import annotations

import threading

#: Tracks longer than this get no audio-derived waveform: decoding a two-hour mix would cost
#: tens of seconds of a core and tens of MB of transfer for a one-line picture.
AUDIO_PEAKS_LIMIT = 30 * 60.0
#: Resolution of audio-derived peaks (the JSON's own width is 1800).
AUDIO_BUCKETS = 1800
#: Seconds PyAV waits on the (loopback) stream before giving up.
OPEN_TIMEOUT = 20.0


def peaks_from_json(data: object) -> list[float]:
    """``{width, height, samples[]}`` → peaks in 0..1 (empty when the JSON has no samples).
    Unknown or broken values count as silence rather than failing the whole picture."""
    if not isinstance(data, dict):
        return []
    samples = data.get("samples")
    if not isinstance(samples, list) or not samples:
        return []
    values = [float(s) if isinstance(s, int | float) and s > 0 else 0.0 for s in samples]
    height = data.get("height")
    top = float(height) if isinstance(height, int | float) and height > 0 else max(values)
    if top <= 0:
        return [0.0] * len(values)
    return [min(1.0, v / top) for v in values]


def peaks_from_audio(url: str, duration: float, *, buckets: int = AUDIO_BUCKETS,
                     stop: threading.Event | None = None) -> list[float]:
    """Decode the audio at ``url`` (blocking: call it in a thread) and return the loudest
    sample per bucket of ``duration / buckets`` seconds, normalised to the loudest overall.

    Returns [] for an unusable duration or when ``stop`` is set before the end."""
    import av  # lazily: PyAV is heavy and only needed here
    import numpy as np

    if duration <= 0 or buckets <= 0:
        return []
    # A bucket shorter than an audio frame (~23 ms) would stay empty; fewer buckets instead.
    buckets = max(1, min(buckets, int(duration * 20)))
    levels = np.zeros(buckets, dtype=np.float64)
    with av.open(url, timeout=OPEN_TIMEOUT) as container:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            if stop is not None and stop.is_set():
                return []
            if frame.time is None:
                continue
            samples = frame.to_ndarray()
            if not samples.size:
                continue
            # as float: abs() of int16 -32768 overflows in place
            peak = float(np.abs(samples.astype(np.float32, copy=False)).max())
            index = min(buckets - 1, max(0, int(frame.time / duration * buckets)))
            levels[index] = max(levels[index], peak)
    top = float(levels.max())
    if top <= 0:
        return []
    return [float(v) for v in levels / top]
