"""Music-like PCM for the emulated CDN: a seamlessly looping phrase per (style, variant).

A phrase is a few bars of chords, bass, an arpeggio and drums, rendered with numpy into a
buffer whose length is a multiple of 9216 samples (the least common multiple of the MP3
frame of 1152 and the AAC frame of 1024 samples), so both encoders can cut it into whole
frames. Note tails that run past the end wrap around to the start, which makes the phrase
periodic: tiling it end to end is seamless. Everything is derived from (style, variant)
through a seeded generator, so the same inputs give the same samples.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 44100
# lcm(1152, 1024): a phrase of this granularity is whole MP3 frames and whole AAC frames.
FRAME_LCM = 9216
VARIANTS = 4


@dataclass(frozen=True)
class Groove:
    """How a style sounds: tempo, length, which parts play and how."""

    name: str
    bpm: float
    bars: int
    four_on_floor: bool  # kick on every beat (house/techno) instead of a broken pattern
    breakbeat: bool  # dnb-style kick/snare placement
    hats_per_beat: int  # 0 = no hats
    swing: float  # delay of every second hat, fraction of a hat interval
    pad: bool  # sustained chords instead of short stabs
    minor: bool


GROOVES: dict[str, Groove] = {
    "house": Groove("house", 124, 8, True, False, 2, 0.0, False, False),
    "techno": Groove("techno", 130, 8, True, False, 4, 0.0, False, True),
    "dnb": Groove("dnb", 174, 16, False, True, 4, 0.0, True, True),
    "ambient": Groove("ambient", 72, 8, False, False, 0, 0.0, True, False),
    "hiphop": Groove("hiphop", 90, 8, False, False, 2, 0.3, False, True),
    "pop": Groove("pop", 112, 8, False, False, 2, 0.0, True, False),
}

_STYLE_WORDS: tuple[tuple[str, str], ...] = (
    ("house", "house"), ("disco", "house"), ("dance", "house"), ("edm", "house"),
    ("techno", "techno"), ("trance", "techno"), ("electro", "techno"), ("minimal", "techno"),
    ("dnb", "dnb"), ("drum", "dnb"), ("jungle", "dnb"), ("bass", "dnb"), ("dubstep", "dnb"),
    ("ambient", "ambient"), ("chill", "ambient"), ("classical", "ambient"),
    ("piano", "ambient"), ("soundtrack", "ambient"), ("lo-fi", "hiphop"), ("lofi", "hiphop"),
    ("hip", "hiphop"), ("rap", "hiphop"), ("trap", "hiphop"), ("beat", "hiphop"),
    ("r&b", "hiphop"), ("pop", "pop"), ("rock", "pop"), ("indie", "pop"), ("folk", "pop"),
)


def groove_name(style: str) -> str:
    """Map a free-text genre ("Dance & EDM", "deep house", "") onto one of GROOVES."""
    text = style.strip().lower()
    if text in GROOVES:
        return text
    for word, name in _STYLE_WORDS:
        if word in text:
            return name
    digest = hashlib.sha256(text.encode()).digest()
    names = sorted(GROOVES)
    return names[digest[0] % len(names)]


def phrase_length(groove: Groove) -> int:
    """Samples in one phrase: the groove's bars at (about) its tempo, in whole FRAME_LCMs."""
    seconds = groove.bars * 4 * 60.0 / groove.bpm
    return max(1, round(seconds * SAMPLE_RATE / FRAME_LCM)) * FRAME_LCM


_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)
# Chord progressions as scale degrees (0-based), four chords per phrase.
_PROGRESSIONS = ((0, 5, 3, 4), (0, 3, 4, 3), (5, 3, 0, 4), (0, 4, 5, 3))


def _midi_hz(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69) / 12.0))


class _Mix:
    """A stereo buffer into which events are added with wrap-around at the phrase end."""

    def __init__(self, length: int) -> None:
        self.length = length
        self.buffer = np.zeros((2, length), dtype=np.float64)

    def add(self, start: float, mono: np.ndarray, gain: float, pan: float) -> None:
        begin = round(start) % self.length
        left = gain * (1.0 - pan) * 0.5 * 2 ** 0.5
        right = gain * (1.0 + pan) * 0.5 * 2 ** 0.5
        position, remaining = begin, mono[: self.length]
        while remaining.size:
            take = min(remaining.size, self.length - position)
            self.buffer[0, position : position + take] += left * remaining[:take]
            self.buffer[1, position : position + take] += right * remaining[:take]
            remaining = remaining[take:]
            position = 0


def _envelope(n: int, attack: float, decay: float) -> np.ndarray:
    t = np.arange(n) / SAMPLE_RATE
    rise = np.minimum(1.0, t / max(attack, 1e-4))
    return rise * np.exp(-t / decay)


def _tone(freq: float, n: int, harmonics: tuple[float, ...], detune: float = 0.0) -> np.ndarray:
    t = np.arange(n) / SAMPLE_RATE
    wave = np.zeros(n)
    for index, weight in enumerate(harmonics, start=1):
        wave += weight * np.sin(2 * np.pi * freq * index * t)
        if detune:
            wave += weight * 0.5 * np.sin(2 * np.pi * freq * (1 + detune) * index * t)
    return wave


def _kick(n: int) -> np.ndarray:
    t = np.arange(n) / SAMPLE_RATE
    # Pitch glides from ~150 Hz down to ~48 Hz: the phase is the integral of the frequency.
    phase = 2 * np.pi * (48 * t + (150 - 48) * 0.04 * (1 - np.exp(-t / 0.04)))
    return np.sin(phase) * np.exp(-t / 0.18)


def _noise_hit(rng: np.random.Generator, n: int, decay: float, bright: bool) -> np.ndarray:
    noise = rng.standard_normal(n)
    if bright:  # a first difference is a cheap high-pass: hats sound thin, not like rain
        noise = np.diff(noise, prepend=0.0)
    return noise * _envelope(n, 0.001, decay)


def render_phrase(style: str, variant: int) -> np.ndarray:
    """The phrase of a (style, variant) as float32 stereo, shape (2, phrase_length)."""
    groove = GROOVES[groove_name(style)]
    digest = hashlib.sha256(f"{groove.name}:{variant}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
    length = phrase_length(groove)
    beat = length / (groove.bars * 4)
    mix = _Mix(length)
    scale = _MINOR if groove.minor else _MAJOR
    root = 45 + int(rng.integers(0, 12))  # A2 .. G#3
    progression = _PROGRESSIONS[int(rng.integers(0, len(_PROGRESSIONS)))]
    bars_per_chord = groove.bars // len(progression)

    def degree(step: int, octave: int = 0) -> int:
        return root + 12 * (octave + step // 7) + scale[step % 7]

    tone_cache: dict[tuple[int, int, str], np.ndarray] = {}

    def note(midi: int, n: int, kind: str) -> np.ndarray:
        cached = tone_cache.get((midi, n, kind))
        if cached is None:
            freq = _midi_hz(midi)
            if kind == "pad":
                cached = _tone(freq, n, (1.0, 0.35, 0.15), 0.004) * _envelope(n, 0.25, 2.5)
            elif kind == "stab":
                cached = _tone(freq, n, (1.0, 0.5, 0.3, 0.15)) * _envelope(n, 0.004, 0.12)
            elif kind == "bass":
                cached = _tone(freq, n, (1.0, 0.45, 0.1)) * _envelope(n, 0.004, 0.22)
            else:  # arpeggio pluck
                cached = _tone(freq, n, (1.0, 0.2, 0.25)) * _envelope(n, 0.002, 0.09)
            tone_cache[(midi, n, kind)] = cached
        return cached

    arp_pattern = [int(x) for x in rng.integers(0, 3, size=8)]
    bass_pattern = [bool(x) for x in rng.random(8) < 0.7]
    bass_pattern[0] = True
    for chord_index, step in enumerate(progression):
        chord_start = chord_index * bars_per_chord * 4 * beat
        chord = [degree(step + 2 * k, 1) for k in range(3)]
        beats = bars_per_chord * 4
        if groove.pad:
            n = int(beats * beat) + SAMPLE_RATE
            for voice, midi in enumerate(chord):
                mix.add(chord_start, note(midi, n, "pad"), 0.10, (voice - 1) * 0.5)
        else:
            for b in range(beats):
                n = int(0.5 * SAMPLE_RATE)
                for voice, midi in enumerate(chord):
                    mix.add(chord_start + (b + 0.5) * beat, note(midi, n, "stab"), 0.09,
                            (voice - 1) * 0.4)
        for eighth in range(beats * 2):
            if bass_pattern[eighth % 8] and groove.name != "ambient":
                n = int(0.45 * SAMPLE_RATE)
                mix.add(chord_start + eighth * beat / 2, note(degree(step, -1), n, "bass"),
                        0.30, 0.0)
            arp = chord[arp_pattern[eighth % 8]] + 12
            gain = 0.05 if groove.name == "ambient" else 0.06
            mix.add(chord_start + eighth * beat / 2, note(arp, int(0.35 * SAMPLE_RATE), "arp"),
                    gain, -0.35)

    total_beats = groove.bars * 4
    kick = _kick(int(0.5 * SAMPLE_RATE))
    snare_tone = _tone(190.0, int(0.2 * SAMPLE_RATE), (1.0,)) * _envelope(
        int(0.2 * SAMPLE_RATE), 0.001, 0.05)
    for b in range(total_beats):
        start = b * beat
        in_bar = b % 4
        if groove.four_on_floor:
            kicks = [0.0]
        elif groove.breakbeat:
            kicks = {0: [0.0], 1: [], 2: [0.5], 3: []}[in_bar] if b % 8 < 4 else (
                {0: [0.0], 1: [], 2: [0.0], 3: []}[in_bar])
        elif groove.name == "ambient":
            kicks = [0.0] if in_bar == 0 else []
        else:
            kicks = {0: [0.0], 1: [], 2: [0.0, 0.5], 3: []}[in_bar]
        for offset in kicks:
            mix.add(start + offset * beat, kick, 0.55, 0.0)
        if in_bar in (1, 3) and groove.name != "ambient":
            hit = _noise_hit(rng, int(0.2 * SAMPLE_RATE), 0.07, False) * 0.6 + snare_tone
            mix.add(start, hit, 0.22, 0.1)
        for h in range(groove.hats_per_beat):
            swing = groove.swing if h % 2 else 0.0
            offset = (h + swing) / groove.hats_per_beat
            hat = _noise_hit(rng, int(0.06 * SAMPLE_RATE), 0.012, True)
            mix.add(start + offset * beat, hat, 0.05 if h % 2 else 0.035, 0.3)

    # Soft saturation keeps peaks in range without a hard clip; then aim for -3 dBFS.
    out = np.tanh(mix.buffer * 1.2)
    peak = float(np.max(np.abs(out))) or 1.0
    return (out * (0.707 / peak)).astype(np.float32)
