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
    audio at 48 kHz in its channels (mono, or stereo: more channels are mixed down)."""
    import av

    container = _open(source)
    try:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            raise InvalidMedia(f"{_name(source)} has no audio stream.")
        duration = 0.0
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration:
            duration = container.duration / 1_000_000
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        wide = None
        if meter is not None:
            from minion_tui.analysis.loudness import RATE

            wide = av.AudioResampler(format="fltp", layout="mono" if meter.channels == 1
                                     else "stereo", rate=RATE)
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


def channels_of(source: Source) -> int:
    """The first audio stream's channel count (1 or more; 2 when the container hides it)."""
    container = _open(source)
    try:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            raise InvalidMedia(f"{_name(source)} has no audio stream.")
        return int(stream.codec_context.channels or 2)
    finally:
        container.close()


def audio_digest(source: Source, *, seconds: float = DIGEST_SECONDS) -> str:
    """A SHA-256 of the first audio stream's packets over its first ``seconds``, hex: the
    same audio under other tags or another name has the same digest."""
    container = _open(source)
    try:
        stream = next((s for s in container.streams if s.type == "audio"), None)
        if stream is None:
            raise InvalidMedia(f"{_name(source)} has no audio stream.")
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
