"""Integrated loudness (ITU-R BS.1770-4, EBU R128) and true peak of decoded audio, for the
ReplayGain 2.0 tags (docs/analysis.md §11).

The audio arrives at 48 kHz (the decode resamples to it, so the standard's filter
coefficients apply as printed), one row per channel, in chunks; only per-100 ms sums are
kept, so a two-hour mix costs a few hundred kilobytes, not its samples.

- **K-weighting**: BS.1770-4's two biquads (the high shelf of the head, +4 dB above ~1.5 kHz,
  then the RLB high-pass at ~38 Hz), applied as their impulse response (8,192 taps, the
  high-pass's tail below -170 dB by then) by FFT overlap-save: numpy has no IIR filter
  and the loop per sample would be Python.
- **Gating**: 400 ms blocks every 100 ms (75 % overlap); a block's loudness is
  -0.691 + 10·log10 Σ Gᵢ·zᵢ (G = 1 for left, right and centre, 1.41 for the surrounds; the
  decode mixes more than two channels down to stereo); blocks under -70 LUFS are dropped
  (absolute gate), then those more than 10 LU below the mean of the rest (relative gate).
- **Peak**: the sample peak at 48 kHz (ReplayGain 2.0 takes a sample or a true peak). The
  4× oversampled true peak of BS.1770-4 Annex 2 cost as much as the rest of the analysis on
  a brick-walled master (every sample a candidate), so it is not measured.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

#: The rate the audio is measured at (BS.1770-4's coefficients are for 48 kHz).
RATE = 48000
#: 100 ms: the gating blocks' step; a block is four of them.
STEP = RATE // 10
#: The absolute gate (LUFS) and the relative gate (LU below the absolutely gated mean).
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
#: ReplayGain 2.0's reference level (LUFS), and Opus's R128 (RFC 7845 §5.2.1).
REPLAYGAIN_REFERENCE = -18.0
R128_REFERENCE = -23.0

_TAPS = 8192
_CHUNK = 1 << 17

# BS.1770-4 Table 1 (stage 1, the shelf) and Table 2 (stage 2, the RLB high-pass), 48 kHz.
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285),
          (1.0, -1.69065929318241, 0.73248077421585))
_HIGHPASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))


def _biquad(x: list[float], b: tuple[float, ...], a: tuple[float, ...]) -> list[float]:
    out = []
    x1 = x2 = y1 = y2 = 0.0
    for v in x:
        y = b[0] * v + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        x2, x1, y2, y1 = x1, v, y1, y
        out.append(y)
    return out


@lru_cache(maxsize=1)
def k_weighting_spectrum() -> np.ndarray:
    """The rfft (length ``_CHUNK + _TAPS``) of the K-weighting filter's impulse response."""
    impulse = [1.0] + [0.0] * (_TAPS - 1)
    response = _biquad(_biquad(impulse, *_SHELF), *_HIGHPASS)
    spectrum: np.ndarray = np.fft.rfft(np.asarray(response), _CHUNK + _TAPS)
    return spectrum


class Meter:
    """Feed it chunks of (channels, n) float samples at 48 kHz; read :meth:`result`."""

    def __init__(self, channels: int) -> None:
        self.channels = max(1, min(2, channels))
        self._history = np.zeros((self.channels, _TAPS), dtype=np.float64)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0
        self._weighted = np.zeros((self.channels, 0), dtype=np.float64)
        self._steps: list[float] = []  # Σ over channels of each 100 ms's sum of squares
        self.sample_peak = 0.0
        self.samples = 0

    def feed(self, chunk: np.ndarray) -> None:
        chunk = np.asarray(chunk, dtype=np.float64)
        if chunk.ndim == 1:
            chunk = chunk[None, :]
        chunk = chunk[: self.channels]
        if chunk.shape[0] < self.channels:
            chunk = np.repeat(chunk, self.channels, axis=0)
        np.nan_to_num(chunk, copy=False)
        self.samples += chunk.shape[1]
        self._pending.append(chunk)
        self._pending_size += chunk.shape[1]
        if self._pending_size >= _CHUNK:
            joined = np.concatenate(self._pending, axis=1)
            done = joined.shape[1] // _CHUNK * _CHUNK
            for at in range(0, done, _CHUNK):
                self._filter(joined[:, at:at + _CHUNK])
            rest = joined[:, done:]
            self._pending, self._pending_size = [rest], rest.shape[1]

    def _peaks(self, chunk: np.ndarray) -> None:
        if chunk.size:
            self.sample_peak = max(self.sample_peak, float(np.abs(chunk).max()))

    def _filter(self, chunk: np.ndarray) -> None:
        self._peaks(chunk)
        n = chunk.shape[1]
        joined = np.concatenate([self._history, chunk], axis=1)
        self._history = joined[:, -_TAPS:]
        spectrum = k_weighting_spectrum()
        out = np.fft.irfft(np.fft.rfft(joined, _CHUNK + _TAPS, axis=1) * spectrum,
                           _CHUNK + _TAPS, axis=1)[:, _TAPS:_TAPS + n]
        self._weighted = np.concatenate([self._weighted, out], axis=1)
        whole = self._weighted.shape[1] // STEP
        if whole:
            squares = (self._weighted[:, :whole * STEP] ** 2).reshape(
                self.channels, whole, STEP).sum(axis=2).sum(axis=0)
            self._steps.extend(float(v) for v in squares)
            self._weighted = self._weighted[:, whole * STEP:]

    def finish(self) -> None:
        """Filter what is left (the last partial 100 ms is dropped, as a block needs it
        whole)."""
        if self._pending_size:
            self._filter(np.concatenate(self._pending, axis=1))
            self._pending, self._pending_size = [], 0

    def blocks(self) -> np.ndarray:
        """Each 400 ms block's mean square, Σ over channels (G = 1 for both)."""
        self.finish()
        steps = np.asarray(self._steps, dtype=np.float64)
        if steps.size < 4:
            return np.zeros(0)
        sums = steps[:-3] + steps[1:-2] + steps[2:-1] + steps[3:]
        out: np.ndarray = sums / (4 * STEP)
        return out


def gated_loudness(blocks: np.ndarray) -> float | None:
    """BS.1770-4 §2.8's integrated loudness of block mean squares, or None when every block
    is under the absolute gate (silence)."""
    if blocks.size == 0:
        return None
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10 * np.log10(blocks)
    kept = blocks[loud > ABSOLUTE_GATE]
    if kept.size == 0:
        return None
    relative = -0.691 + 10 * math.log10(float(kept.mean())) + RELATIVE_GATE
    kept = blocks[(loud > ABSOLUTE_GATE) & (loud > relative)]
    return -0.691 + 10 * math.log10(float(kept.mean()))


def replaygain(lufs: float | None) -> float | None:
    """ReplayGain 2.0 gain in dB: -18 LUFS less the loudness, two decimals."""
    return None if lufs is None else round(REPLAYGAIN_REFERENCE - lufs, 2)


def r128_gain(lufs: float) -> int:
    """RFC 7845 §5.2.1 R128_TRACK_GAIN: the gain to -23 LUFS in Q7.8 (1/256 dB), clamped to
    a signed 16-bit integer."""
    return max(-32768, min(32767, round((R128_REFERENCE - lufs) * 256)))
