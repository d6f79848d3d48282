"""Tempo: quarter notes per minute, from an onset envelope's periodicities.

1. **Onset envelope** (:func:`onset_envelope`): 1,024-sample frames every 256 samples
   (86 frames a second at 22,050 Hz) in 40 log-spaced bands from 30 Hz to 11 kHz, each
   log-compressed (``log1p(100·|X|)``, so a hat counts beside a kick); the envelope is the
   mean positive change across bands (spectral flux), its local mean (0.75 s) taken off. The
   band energies' statistics are kept as the timbre part of the similarity descriptor.
2. **Periodicity**: the envelope's autocorrelation (by FFT), read through a comb of its first
   four multiples of each candidate period (a beat period's multiples all correlate; a wrong
   one's do not), on a log grid from 60 to 200 BPM (slower periods' multiples land on
   off-beats as often as on beats).
3. **Metrical level** (the octave): the periodicity is a beat level, but which one — 64, 128
   or 256 — is the octave error every tempo estimator makes. Each related level (×½, ×⅓, ×2,
   ×3 …) inside 60–200 BPM is scored by its *pulse salience* — how strong the envelope is
   on a pulse train at that tempo, at its best phase, over the envelope's mean — times a
   log-normal prior centred at 130 BPM with a spread of 0.8 octave (house and techno at
   120–135, trance and dubstep at 140, drum & bass at 170–175 all sit near its middle); a
   level a third or three halves away scores 0.8 of that (an octave error is likelier). The
   salience breaks ties the prior cannot: drum & bass (174, a snare on 2 and 4 of each half
   bar) keeps its fast pulse, a four-on-the-floor at 128 is not read as 64.
4. **Refinement**: around the chosen level the comb is read at eight multiples (two bars),
   on a 0.05 % grid with a parabola through the peak, so a 128.0 BPM track reads 128.0.

Confidence is the comb's normalised autocorrelation at the tempo (0–1): near 1 for a steady
four-on-the-floor, low for rubato or beatless audio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_FFT = 1024
HOP = 256
BANDS = 40
_LEVEL_RANGE = (60.0, 200.0)
PRIOR_BPM = 130.0
PRIOR_OCTAVES = 0.8
_BLOCK = 2048  # frames per STFT block: ~8 MB of float32 at a time


@dataclass(frozen=True, slots=True)
class Onsets:
    envelope: np.ndarray  # one value per frame
    fps: float
    band_mean: np.ndarray  # (BANDS,) mean log band energy
    band_std: np.ndarray  # (BANDS,) its spread over time


def _band_matrix(rate: int) -> np.ndarray:
    freqs = np.fft.rfftfreq(N_FFT, 1.0 / rate)
    edges = np.geomspace(30.0, min(11000.0, rate / 2 - 1), BANDS + 2)
    matrix = np.zeros((freqs.size, BANDS), dtype=np.float32)
    for b in range(BANDS):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        up = (freqs - lo) / (mid - lo)
        down = (hi - freqs) / (hi - mid)
        matrix[:, b] = np.clip(np.minimum(up, down), 0.0, None)
    # Low bands narrower than a bin would be empty: give each at least its nearest bin.
    for b in range(BANDS):
        if not matrix[:, b].any():
            matrix[int(np.argmin(np.abs(freqs - edges[b + 1]))), b] = 1.0
    normalised: np.ndarray = matrix / matrix.sum(axis=0, keepdims=True)
    return normalised


def onset_envelope(samples: np.ndarray, rate: int) -> Onsets:
    """The spectral-flux onset envelope of mono ``samples`` and the band statistics."""
    fps = rate / HOP
    if samples.size < N_FFT:
        samples = np.pad(samples, (0, N_FFT - samples.size))
    frames_total = 1 + (samples.size - N_FFT) // HOP
    window = np.hanning(N_FFT).astype(np.float32)
    bands = _band_matrix(rate)
    view = np.lib.stride_tricks.sliding_window_view(samples, N_FFT)[::HOP]
    energies = np.empty((frames_total, BANDS), dtype=np.float32)
    for start in range(0, frames_total, _BLOCK):
        block = view[start:start + _BLOCK] * window
        mags = np.abs(np.fft.rfft(block, axis=1)).astype(np.float32)
        energies[start:start + len(block)] = np.log1p(100.0 * (mags @ bands))
    flux = np.maximum(np.diff(energies, axis=0, prepend=energies[:1]), 0.0).mean(axis=1)
    width = max(1, int(0.75 * fps))
    kernel: np.ndarray = np.ones(width, dtype=np.float64) / width
    local = np.convolve(flux, kernel, mode="same")
    envelope = np.maximum(flux - local, 0.0)
    return Onsets(envelope=envelope.astype(np.float64), fps=fps,
                  band_mean=energies.mean(axis=0), band_std=energies.std(axis=0))


def _autocorrelation(envelope: np.ndarray, max_lag: int) -> np.ndarray:
    x = envelope - envelope.mean()
    n = 1 << int(np.ceil(np.log2(2 * x.size)))
    spectrum = np.fft.rfft(x, n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), n)[:max_lag + 1]
    if acf[0] <= 0:
        return np.zeros(max_lag + 1)
    # Unbiased: each lag divided by how many products it sums, so long lags are not damped.
    counts = np.maximum(x.size - np.arange(max_lag + 1), 1)
    acf = acf / counts
    normalised: np.ndarray = acf / acf[0]
    return normalised


def _comb(acf: np.ndarray, bpm: np.ndarray, fps: float, multiples: int) -> np.ndarray:
    lags = 60.0 * fps / bpm
    total = np.zeros_like(bpm)
    grid = np.arange(acf.size)
    for k in range(1, multiples + 1):
        total += np.interp(k * lags, grid, acf, right=0.0)
    return total / multiples


def _salience(envelope: np.ndarray, bpm: float, fps: float) -> float:
    """Mean envelope on the strongest-phased pulse train at ``bpm``, over the mean; phased
    afresh every ~6 s, so a tempo a little off (or a drummer drifting) still lands on its
    beats."""
    period = 60.0 * fps / bpm
    # A local maximum over ±2 frames forgives a pulse train a little timing spread.
    padded = np.pad(envelope, 2)
    peak = np.max(np.lib.stride_tricks.sliding_window_view(padded, 5), axis=1)
    mean = float(peak.mean())
    if mean <= 0:
        return 0.0
    pulses = max(4, int(6.0 * fps / period))
    span = period * pulses
    phases = np.arange(0.0, period, 1.0)
    offsets = phases[:, None] + period * np.arange(pulses)[None, :]
    total, windows = 0.0, 0
    start = 0.0
    while start + span <= peak.size - 1:
        positions = (start + offsets).astype(np.int64)
        total += float(peak[positions].mean(axis=1).max())
        windows += 1
        start += span
    if windows == 0:
        return 0.0
    return total / windows / mean


def _prior(bpm: float) -> float:
    return float(np.exp(-0.5 * (np.log2(bpm / PRIOR_BPM) / PRIOR_OCTAVES) ** 2))


#: How much a level a third or three halves of the periodicity away must win by.
_NON_OCTAVE = 0.8
_RELATED = (1 / 4, 1 / 3, 1 / 2, 2 / 3, 1.0, 3 / 2, 2.0, 3.0, 4.0)


def estimate(onsets: Onsets) -> tuple[float, float]:
    """(BPM, confidence 0–1) of an onset envelope; (0.0, 0.0) for silence or no pulse."""
    env, fps = onsets.envelope, onsets.fps
    if env.size < 4 * fps or not np.any(env > 0):
        return 0.0, 0.0
    max_lag = int(8 * 60.0 * fps / _LEVEL_RANGE[0]) + 2
    acf = _autocorrelation(env, max_lag)
    grid = np.geomspace(*_LEVEL_RANGE, 720)
    comb = _comb(acf, grid, fps, 4)
    base = float(grid[int(np.argmax(comb))])
    candidates: list[tuple[float, float]] = []
    for ratio in _RELATED:
        if not 0.9 * _LEVEL_RANGE[0] <= base * ratio < 1.1 * _LEVEL_RANGE[1]:
            continue
        level = _refine(acf, base * ratio, fps, span=0.04, multiples=4)
        level = _refine(acf, level, fps, span=0.01, multiples=8)
        if not _LEVEL_RANGE[0] <= level < _LEVEL_RANGE[1]:
            continue
        # A related level is a real one only where the comb peaks near it.
        strength = float(_comb(acf, np.array([level]), fps, 4)[0])
        if ratio != 1.0 and strength < 0.3 * float(comb.max()):
            continue
        score = _salience(env, level, fps) * _prior(level)
        if ratio not in (0.25, 0.5, 1.0, 2.0, 4.0):
            score *= _NON_OCTAVE  # a triple relation needs clearer evidence than an octave
        candidates.append((score, level))
    if not candidates:
        level = base
        while level < _LEVEL_RANGE[0]:
            level *= 2
        while level >= _LEVEL_RANGE[1]:
            level /= 2
    else:
        level = max(candidates)[1]
    bpm = _refine(acf, level, fps, span=0.02, multiples=8)
    confidence = float(np.clip(_comb(acf, np.array([bpm]), fps, 4)[0], 0.0, 1.0))
    return bpm, confidence


def _refine(acf: np.ndarray, bpm: float, fps: float, *, span: float, multiples: int) -> float:
    # Multiples past the autocorrelation's end read 0 and would pull the peak: use fewer.
    usable = max(1, min(multiples, int((acf.size - 2) / (60.0 * fps / (bpm * (1 - span))))))
    grid = bpm * np.exp(np.linspace(np.log(1 - span), np.log(1 + span), 161))
    comb = _comb(acf, grid, fps, usable)
    i = int(np.argmax(comb))
    if 0 < i < grid.size - 1:
        a, b, c = comb[i - 1], comb[i], comb[i + 1]
        denom = a - 2 * b + c
        offset = 0.5 * (a - c) / denom if denom < 0 else 0.0
        return float(grid[i] * (grid[i + 1] / grid[i]) ** offset)
    return float(grid[i])
