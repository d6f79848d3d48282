"""Music the analysis tests make: drum patterns, a bass line and chords with harmonics in a
known key at a known tempo, with some noise, encoded by PyAV in the codecs downloads meet.

Not pure sines: a pitched kick (a falling sine with a click), a snare (noise through a
resonance plus a body tone), hats (short high noise), a bass of the progression's roots with
their harmonics, chords of three voices with eight decaying harmonics each and a slow attack,
a little detuning, and noise under everything — so the key must be found through drums and
the tempo through chords, as on real records.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

RATE = 44100

# Progressions as (semitones above the tonic, minor chord?) per bar.
MINOR_PROGRESSION = ((0, True), (8, False), (5, True), (7, True))  # i VI iv v
MAJOR_PROGRESSION = ((0, False), (7, False), (9, True), (5, False))  # I V vi IV

# Drum patterns over one bar of 16 steps (sixteenth notes): kick, snare, closed hat.
PATTERNS = {
    "four": ("x...x...x...x...", "....x.......x...", "..x...x...x...x."),
    "dnb": ("x.........x.....", "....x.......x...", "x.x.x.x.x.x.x.x."),
    "halftime": ("x.........x.....", "........x.......", "x.x.x.x.x.x.x.x."),
    "hiphop": ("x......x..x.....", "....x.......x...", "x.x.x.x.x.x.x.x."),
    "techno": ("x...x...x...x...", "................", "xxxxxxxxxxxxxxxx"),
}


def _kick(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.35 * RATE)) / RATE
    freq = 48 + 110 * np.exp(-t * 28)
    phase = 2 * np.pi * np.cumsum(freq) / RATE
    body = np.sin(phase) * np.exp(-t * 9)
    click = rng.standard_normal(t.size) * np.exp(-t * 400) * 0.3
    return (body + click).astype(np.float64)


def _snare(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.22 * RATE)) / RATE
    noise = rng.standard_normal(t.size)
    noise = noise - np.convolve(noise, np.ones(6) / 6, mode="same")  # brighter
    tone = np.sin(2 * np.pi * 185 * t) * np.exp(-t * 30)
    return (0.55 * noise * np.exp(-t * 22) + 0.5 * tone)


def _hat(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.05 * RATE)) / RATE
    noise = rng.standard_normal(t.size)
    noise = np.diff(noise, prepend=0.0)
    return 0.18 * noise * np.exp(-t * 90)


def _tone(freq: float, seconds: float, harmonics: int, decay: float, attack: float,
          rng: np.random.Generator) -> np.ndarray:
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    detune = 1 + rng.uniform(-0.0015, 0.0015)
    for h in range(1, harmonics + 1):
        f = freq * h * detune
        if f > RATE / 2 - 500:
            break
        out += (decay ** (h - 1)) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    env = np.minimum(1.0, t / attack) * np.minimum(1.0, (seconds - t) / 0.05).clip(0, 1)
    return out * env


def _midi_hz(note: float) -> float:
    return float(440.0 * 2 ** ((note - 69) / 12))


def render(bpm: float, tonic: int, minor: bool, seconds: float = 30.0, *,
           style: str = "four", seed: int = 1, chords: bool = True,
           drums: bool = True, tuning_cents: float = 0.0) -> np.ndarray:
    """Mono float32 at 44.1 kHz: ``seconds`` of a loop at ``bpm`` in the key of ``tonic``
    (0 = C) and mode, ``style`` naming the drum pattern."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    out = np.zeros(n + RATE)
    step = 60.0 / bpm / 4  # a sixteenth
    bar = 16 * step
    kick, snare, hat = _kick(rng), _snare(rng), _hat(rng)
    kicks, snares, hats = PATTERNS[style]
    progression = MINOR_PROGRESSION if minor else MAJOR_PROGRESSION
    shift = tuning_cents / 100.0

    def put(sound: np.ndarray, at: float, gain: float) -> None:
        i = max(0, int(at * RATE))
        if i >= out.size:
            return
        end = min(out.size, i + sound.size)
        out[i:end] += gain * sound[: end - i]

    bars = int(np.ceil(seconds / bar))
    for b in range(bars):
        start = b * bar
        degree, chord_minor = progression[b % len(progression)]
        root = 36 + (tonic + degree) % 12 + shift  # C2 … B2
        if drums:
            for s in range(16):
                at = start + s * step
                swing = rng.normal(0, 0.002)
                if kicks[s] == "x":
                    put(kick, at + swing, 0.9)
                if snares[s] == "x":
                    put(snare, at + swing, 0.55)
                if hats[s] == "x":
                    put(hat, at + swing, 0.5 + 0.3 * (s % 2 == 0))
        # Bass: the root on each beat's offbeat eighth, the fifth on the last.
        for beat in range(4):
            note = root + (7 if beat == 3 else 0)
            put(_tone(_midi_hz(note), step * 1.8, 6, 0.55, 0.005, rng),
                start + beat * 4 * step + 2 * step, 0.35)
        if chords:
            third = 3 if chord_minor else 4
            for interval in (0, third, 7):
                note = root + 24 + interval  # C4 … B4
                put(_tone(_midi_hz(note), bar * 0.95, 8, 0.65, 0.08, rng), start, 0.12)
    out = out[:n]
    out += rng.standard_normal(n) * 0.01
    peak = float(np.abs(out).max()) or 1.0
    return (0.8 * out / peak).astype(np.float32)


CODECS = {
    # suffix: (container format, codec, sample format, bit rate)
    "mp3": ("mp3", "libmp3lame", "fltp", 128_000),
    "m4a": ("mp4", "aac", "fltp", 128_000),
    "opus": ("ogg", "libopus", "flt", 96_000),
    "flac": ("flac", "flac", "s16", None),
    "wav": ("wav", "pcm_s16le", "s16", None),
}


def encode(samples: np.ndarray, path: Path, *, rate: int = RATE) -> Path:
    """Write float ``samples`` to ``path`` in the codec its suffix names: one row of them
    mono, two rows (channels × samples) stereo."""
    import av

    fmt, codec, sample_fmt, bit_rate = CODECS[path.suffix.lstrip(".")]
    rows = np.atleast_2d(samples)
    layout = "mono" if rows.shape[0] == 1 else "stereo"
    out_rate = 48000 if codec == "libopus" else rate
    if out_rate != rate:
        old = np.arange(rows.shape[1]) / rate
        new = np.arange(int(rows.shape[1] * out_rate / rate)) / out_rate
        rows = np.vstack([np.interp(new, old, row) for row in rows]).astype(np.float32)
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=out_rate)
        stream.layout = layout
        if bit_rate:
            stream.bit_rate = bit_rate
        frame_size = stream.codec_context.frame_size or 1024
        data = rows if sample_fmt.startswith("flt") else (
            np.clip(rows, -1, 1) * 32767).astype(np.int16)
        for start in range(0, data.shape[1], frame_size):
            chunk = data[:, start:start + frame_size]
            if chunk.shape[1] < frame_size and codec in ("aac", "libopus", "libmp3lame"):
                chunk = np.pad(chunk, ((0, 0), (0, frame_size - chunk.shape[1])))
            # Planar formats ("fltp") take a row per channel; packed ones, one interleaved row.
            frame = av.AudioFrame.from_ndarray(
                chunk if sample_fmt.endswith("p") else np.ascontiguousarray(
                    chunk.T.reshape(1, -1)), format=sample_fmt, layout=layout)
            frame.sample_rate = out_rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def make_track(path: Path, bpm: float, tonic: int, minor: bool, seconds: float = 30.0,
               **kwargs: object) -> Path:
    return encode(render(bpm, tonic, minor, seconds, **kwargs), path)  # type: ignore[arg-type]
