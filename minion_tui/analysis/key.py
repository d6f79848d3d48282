"""Key: a harmonic pitch class profile (HPCP) of the whole excerpt, matched against key
profiles.

1. **Spectral peaks**: 16,384-sample frames (0.74 s at 22,050 Hz: 1.35 Hz a bin, enough to
   tell semitones apart down to 50 Hz) every 8,192 samples, Hann-windowed; in each, the 60
   strongest local maxima between 50 Hz and 3.5 kHz within 60 dB of the frame's peak, their
   frequency and level interpolated on a parabola through the log magnitudes. Peaks, not
   bins: noise and drums spread energy over bins, tones concentrate it.
2. **Tuning**: the peaks' deviations from 440 Hz equal temperament, as a magnitude-weighted
   circular mean in cents; everything below is read against that reference, so a track
   mastered a quarter tone off keeps its key.
3. **HPCP**: each peak adds its (square-root compressed) magnitude to its pitch class with a
   cos² weight over a semitone window, and to the pitch classes of the fundamentals it could
   be the 2nd–4th harmonic of (weights 0.6ⁿ), which moves a tone's harmonics (its fifth, its
   third) back onto its root. Each frame is normalised to its maximum (breakdowns' pads count
   as much as a drop's bass), frames with no tonal peaks are left out, and the mean is taken.
4. **Profiles**: the 12-bin mean is correlated (Pearson) with the 24 rotations of a major
   and a minor key profile; the best is the key. The default ``bgate`` profile, and
   ``edma``, are Faraldo et al.'s profiles for electronic dance music (2016; the numbers as
   published with essentia's Key algorithm); ``temperley`` (Temperley's MIREX 2005 profile,
   from the Kostka–Payne corpus: essentia's ``temperley2005``) and ``krumhansl`` (Krumhansl
   & Kessler 1982) suit other music.
   Sources and the choice: docs/analysis.md.

Confidence is the winning correlation (0–1), lowered when the runner-up is close.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_FFT = 16384
HOP = 8192
MIN_HZ, MAX_HZ = 50.0, 3500.0
MAX_PEAKS = 60
HARMONICS = 4
HARMONIC_DECAY = 0.6
_BLOCK = 64  # frames per FFT block: 4 MB of float32

# Major then minor, tonic first, one value per semitone above it. Checked against essentia's
# src/algorithms/tonal/key.cpp (sdist 2.1b6.dev234: ``profileTypes`` and
# ``profileTypesWithOther``) and found, as float32, in the _essentia module of the current
# wheel (2.1b6.dev1389): bgate and edma are its ``profileTypesWithOther`` rows (their third
# "other" row unused here), temperley its ``temperley2005``, krumhansl its ``krumhansl``.
PROFILES: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "bgate": (
        (1.00, 0.00, 0.42, 0.00, 0.53, 0.37, 0.00, 0.77, 0.00, 0.38, 0.21, 0.30),
        (1.00, 0.00, 0.36, 0.39, 0.00, 0.38, 0.00, 0.74, 0.27, 0.00, 0.42, 0.23),
    ),
    "edma": (
        (1.00, 0.29, 0.50, 0.40, 0.60, 0.56, 0.32, 0.80, 0.31, 0.45, 0.42, 0.39),
        (1.00, 0.31, 0.44, 0.58, 0.33, 0.49, 0.29, 0.78, 0.43, 0.29, 0.53, 0.32),
    ),
    "temperley": (
        (0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400),
        (0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330),
    ),
    "krumhansl": (
        (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
        (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17),
    ),
}
DEFAULT_PROFILE = "bgate"


@dataclass(frozen=True, slots=True)
class KeyEstimate:
    tonic: int  # pitch class, 0 = C
    minor: bool
    confidence: float
    chroma: np.ndarray  # (12,) the mean HPCP, C first, max 1
    tuning_cents: float


def _peaks(samples: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frame index, frequency Hz, linear magnitude) of every kept spectral peak."""
    if samples.size < N_FFT:
        samples = np.pad(samples, (0, N_FFT - samples.size))
    lo = max(2, int(MIN_HZ * N_FFT / rate))
    hi = min(N_FFT // 2 - 1, int(MAX_HZ * N_FFT / rate) + 1)
    window = np.hanning(N_FFT).astype(np.float32)
    view = np.lib.stride_tricks.sliding_window_view(samples, N_FFT)[::HOP]
    frames, freqs, mags = [], [], []
    for start in range(0, len(view), _BLOCK):
        block = view[start:start + _BLOCK] * window
        spectrum = np.abs(np.fft.rfft(block, axis=1)[:, lo - 1:hi + 1]).astype(np.float32)
        db = 20.0 * np.log10(spectrum + 1e-9)
        mid = db[:, 1:-1]
        is_peak = (mid > db[:, :-2]) & (mid >= db[:, 2:])
        is_peak &= mid > (db.max(axis=1, keepdims=True) - 60.0)
        is_peak &= mid > -100.0
        masked = np.where(is_peak, mid, -np.inf)
        keep = min(MAX_PEAKS, masked.shape[1])
        top = np.argpartition(-masked, keep - 1, axis=1)[:, :keep]
        rows = np.repeat(np.arange(len(block)), keep)
        cols = top.reshape(-1)
        valid = np.isfinite(masked[rows, cols])
        rows, cols = rows[valid], cols[valid]
        a, b, c = db[rows, cols], db[rows, cols + 1], db[rows, cols + 2]
        denom = a - 2 * b + c
        offset = np.where(denom < 0, 0.5 * (a - c) / np.where(denom < 0, denom, -1.0), 0.0)
        level = b - 0.25 * (a - c) * offset
        frames.append(rows + start)
        freqs.append((lo + cols + offset) * rate / N_FFT)
        mags.append(10.0 ** (level / 20.0))
    if not frames:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty, empty
    return np.concatenate(frames), np.concatenate(freqs), np.concatenate(mags)


def _tuning(freqs: np.ndarray, mags: np.ndarray) -> float:
    if freqs.size == 0:
        return 0.0
    cents = 1200.0 * np.log2(freqs / 440.0)
    angle = 2 * np.pi * cents / 100.0
    weights = np.sqrt(mags)
    x, y = float((weights * np.cos(angle)).sum()), float((weights * np.sin(angle)).sum())
    if np.hypot(x, y) < 0.05 * float(weights.sum()):
        return 0.0  # no agreement among the peaks: keep the standard reference
    return float(np.arctan2(y, x) * 100.0 / (2 * np.pi))


def hpcp(samples: np.ndarray, rate: int) -> tuple[np.ndarray, float]:
    """The mean 12-bin HPCP of ``samples`` (C first, max 1; zeros for no tonal content) and
    the tuning offset in cents."""
    frames, freqs, mags = _peaks(samples, rate)
    tuning = _tuning(freqs, mags)
    count = int(frames.max()) + 1 if frames.size else 0
    per_frame = np.zeros((count, 12))
    weight = np.sqrt(mags)
    for h in range(1, HARMONICS + 1):
        pitch = 12.0 * np.log2(freqs / h / 440.0) - tuning / 100.0 + 69.0
        nearest = np.rint(pitch)
        distance = pitch - nearest
        contribution = weight * (HARMONIC_DECAY ** (h - 1)) * np.cos(np.pi * distance) ** 2
        pcs = nearest.astype(np.int64) % 12
        np.add.at(per_frame, (frames, pcs), contribution)
    peaks = per_frame.max(axis=1, keepdims=True)
    tonal = peaks[:, 0] > 0
    if not tonal.any():
        return np.zeros(12), tuning
    mean = (per_frame[tonal] / peaks[tonal]).mean(axis=0)
    return mean / mean.max(), tuning


def match(chroma: np.ndarray, profile: str = DEFAULT_PROFILE) -> tuple[int, bool, float, float]:
    """(tonic, minor, best correlation, runner-up correlation) of a 12-bin chroma."""
    major, minor = (np.asarray(p, dtype=np.float64) for p in PROFILES[profile])
    best = (-2.0, 0, False)
    second = -2.0
    x = chroma - chroma.mean()
    xnorm = float(np.linalg.norm(x))
    if xnorm == 0:
        return 0, False, 0.0, 0.0
    for is_minor, shape in ((False, major), (True, minor)):
        for tonic in range(12):
            y = np.roll(shape, tonic)
            y = y - y.mean()
            r = float(x @ y) / (xnorm * float(np.linalg.norm(y)))
            if r > best[0]:
                second = best[0]
                best = (r, tonic, is_minor)
            elif r > second:
                second = r
    return best[1], best[2], best[0], second


def estimate(samples: np.ndarray, rate: int, profile: str = DEFAULT_PROFILE) -> KeyEstimate:
    chroma, tuning = hpcp(samples, rate)
    tonic, minor, r1, r2 = match(chroma, profile)
    margin = max(0.0, r1 - r2)
    confidence = float(np.clip(r1, 0.0, 1.0) * min(1.0, 0.5 + 5.0 * margin))
    return KeyEstimate(tonic=tonic, minor=minor, confidence=confidence, chroma=chroma,
                       tuning_cents=tuning)
