"""Audio for the analysis: one decode through PyAV to mono float32 at 22,050 Hz.

22,050 Hz keeps everything the analysis looks at (onsets up to 11 kHz for hats, pitch up to
3.5 kHz for the key) at a quarter of a CD's samples; FFmpeg's resampler does the mixdown and
the rate change in C. The first ``max_seconds`` are enough (a track's tempo and key are set
in its first minutes; a two-hour mix would otherwise cost its full decode), so decoding stops
there.

The audio's digest (:func:`audio_digest`) hashes the demuxed packets, not the file: writing
the tags we measured (TBPM, TKEY) changes the file but not its audio, and a file analysed
once is recognised again under any name. Demuxing without decoding is cheap (a few ms for a
5-minute MP3). Runs in the analysis worker process (pool.py), never on the UI loop.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO, Any

import numpy as np

from minion_tui.errors import InvalidMedia

#: The rate everything is analysed at.
SAMPLE_RATE = 22050
#: How much of the audio the digest covers: the same span the analysis reads (a longer span
#: would make a stream's first minutes and the downloaded file's digests differ needlessly).
DIGEST_SECONDS = 60.0

Source = str | Path | IO[bytes]


def _open(source: Source) -> Any:
    import av

    try:
        return av.open(source if not isinstance(source, Path) else str(source), mode="r")
    except (av.error.FFmpegError, OSError, ValueError, UnicodeError) as exc:
        raise InvalidMedia(f"Could not read {_name(source)} as audio: {_reason(exc)}.") from exc


def _audio_stream(container: Any, source: Source) -> Any:
    """The container's first audio stream; InvalidMedia when it has none."""
    stream = next((s for s in container.streams if s.type == "audio"), None)
    if stream is None:
        raise InvalidMedia(f"{_name(source)} has no audio stream.")
    return stream


def _seconds(container: Any, stream: Any) -> float:
    """``stream``'s duration in seconds from the headers (the container's when the stream
    does not say; 0.0 when neither does)."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return container.duration / 1_000_000 if container.duration else 0.0


def _shape(stream: Any) -> tuple[int, int]:
    """``stream``'s channel count (2 when hidden) and sample rate (48,000 when hidden)."""
    context = stream.codec_context
    return int(context.channels or 2), int(context.sample_rate or 48000)


def _name(source: Source) -> str:
    return str(source) if isinstance(source, str | Path) else "the stream"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:300]


def decode_mono(source: Source, *, max_seconds: float | None = None,
                rate: int = SAMPLE_RATE, meter: Any = None) -> tuple[np.ndarray, float]:
    """The first ``max_seconds`` (None: all) of ``source``'s first audio stream, mono float32
    at ``rate``, and the stream's whole duration in seconds (0.0 when the container does not
    say). Raises InvalidMedia when there is no audio or it cannot be decoded.

    With a ``meter`` (loudness.Meter) the same pass goes on to the end, feeding it the whole
    audio at ``meter.rate`` in its channels (mono, or stereo: more are mixed down)."""
    import av

    container = _open(source)
    try:
        stream = _audio_stream(container, source)
        duration = _seconds(container, stream)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        wide = None
        if meter is not None:
            # At the meter's rate (the audio's own, mostly): then a planar float stream
            # passes through as it is.
            wide = av.AudioResampler(format="fltp", layout="mono" if meter.channels == 1
                                     else "stereo", rate=meter.rate)
        limit = None if max_seconds is None else int(max_seconds * rate)
        chunks: list[np.ndarray] = []
        have = 0
        try:
            for frame in container.decode(stream):
                if wide is not None:
                    for out in wide.resample(frame):
                        meter.feed(out.to_ndarray())
                if limit is not None and have >= limit:
                    if wide is None:
                        break
                    continue
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    have += chunk.size
                if limit is not None and have >= limit and wide is None:
                    break
            else:
                if limit is None or have < limit:
                    for out in resampler.resample(None):
                        chunk = out.to_ndarray().reshape(-1)
                        chunks.append(chunk)
                        have += chunk.size
                if wide is not None:
                    for out in wide.resample(None):
                        meter.feed(out.to_ndarray())
        except (av.error.FFmpegError, ValueError) as exc:
            if have < rate:  # a broken tail after real audio is kept; nothing at all is not
                raise InvalidMedia(
                    f"Could not decode the audio of {_name(source)}: {_reason(exc)}."
                ) from exc
    finally:
        container.close()
    if have == 0:
        raise InvalidMedia(f"{_name(source)} holds no decodable audio.")
    samples = np.concatenate(chunks) if len(chunks) > 1 else chunks[0]
    if limit is not None:
        samples = samples[:limit]
    np.nan_to_num(samples, copy=False)
    return samples.astype(np.float32, copy=False), max(duration, samples.size / rate)


#: How much before a part's start its decode begins (meter_span): a seek lands on the packet
#: at or before the time asked, a decoder's first frame after it lacks what overlaps from
#: the one before, and the K-weighting filter needs its history (4,096 samples).
PREROLL = 1.0


def meter_span(source: Source, start: float, end: float | None) -> dict[str, Any]:
    """The loudness meter's 100 ms steps (loudness.Meter.steps) of ``source`` from ``start``
    to ``end`` seconds (None: to its end), on the whole file's grid of steps, so that the
    parts of a file measured apart and put end to end are the file measured whole:
    ``{"steps", "step", "peak"}``. Raises InvalidMedia as :func:`decode_mono`."""
    import av

    from minion_tui.analysis.loudness import Meter, meter_rate

    container = _open(source)
    try:
        stream = _audio_stream(container, source)
        channels, own_rate = _shape(stream)
        rate = meter_rate(own_rate)
        step = rate // 10
        base = stream.time_base
        # Sample positions count from the stream's start, read from each part's first
        # frame's timestamp: a part's steps start on a whole step from there.
        origin = 0 if stream.start_time is None or base is None else round(
            stream.start_time * base * rate)
        first = origin + round(start * rate / step) * step
        limit = None if end is None else round(end * rate / step) * step - (first - origin)
        if start > 0 and base is not None:
            container.seek(max(0, int((start - PREROLL) / base)), stream=stream)
        wide = av.AudioResampler(format="fltp", layout="mono" if channels == 1 else "stereo",
                                 rate=rate)
        meter: Meter | None = None
        try:
            for frame in container.decode(stream):
                for out in wide.resample(frame):
                    if meter is None:
                        at = origin if out.pts is None or out.time_base is None else round(
                            out.pts * out.time_base * rate)
                        meter = Meter(channels, rate, skip=first - at, limit=limit)
                    meter.feed(out.to_ndarray())
                if meter is not None and meter.full:
                    break
            else:
                for out in wide.resample(None):
                    if meter is not None:
                        meter.feed(out.to_ndarray())
        except (av.error.FFmpegError, ValueError) as exc:
            if meter is None or meter.samples < rate:
                raise InvalidMedia(
                    f"Could not decode the audio of {_name(source)}: {_reason(exc)}."
                ) from exc
    finally:
        container.close()
    if meter is None:
        return {"steps": np.zeros(0), "step": step, "peak": 0.0}
    return {"steps": meter.steps(), "step": step, "peak": meter.sample_peak}


def stream_duration(source: Source) -> float:
    """The first audio stream's duration in seconds from the headers (0.0 unknown)."""
    container = _open(source)
    try:
        return _seconds(container, _audio_stream(container, source))
    finally:
        container.close()


def audio_shape(source: Source) -> tuple[int, int]:
    """The first audio stream's channel count (1 or more; 2 when the container hides it)
    and sample rate (48,000 when it hides that)."""
    container = _open(source)
    try:
        return _shape(_audio_stream(container, source))
    finally:
        container.close()


def audio_digest(source: Source, *, seconds: float = DIGEST_SECONDS) -> str:
    """A SHA-256 of the first audio stream's packets over its first ``seconds``, hex: the
    same audio under other tags or another name has the same digest."""
    container = _open(source)
    try:
        stream = _audio_stream(container, source)
        digest = hashlib.sha256()
        digest.update(f"{stream.codec_context.name}:{stream.rate}:".encode())
        base = stream.time_base
        end = None if base is None else int(seconds / base)
        count = 0
        try:
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                digest.update(memoryview(packet))
                count += 1
                if end is not None and packet.pts is not None and packet.pts >= end:
                    break
                if end is None and count > seconds * 50:  # no time base: ~50 packets a second
                    break
        except Exception as exc:  # PyAV's demux errors (FFmpegError) and broken containers
            if count == 0:
                raise InvalidMedia(
                    f"Could not read the audio of {_name(source)}: {_reason(exc)}."
                ) from exc
        if count == 0:
            raise InvalidMedia(f"{_name(source)} holds no audio packets.")
    finally:
        container.close()
    return digest.hexdigest()
