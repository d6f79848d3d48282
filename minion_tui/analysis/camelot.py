"""Keys as people name them, and the Camelot wheel DJs mix by. Pure Python (no numpy): the
service, the store and the front ends use it without loading the analysis.

A key is a pitch class of the tonic (0 = C … 11 = B) and a mode. Names use sharps for the
black keys ("F# major", "A# minor"), as the analysis reports them. Camelot numbers follow the
circle of fifths, one step a fifth: ``B`` for major, ``A`` for minor, a minor key sharing its
number with its relative major (8B C major, 8A A minor; 9B G major, 9A E minor; …; 1B B
major, 1A G# minor). Two keys mix when they are the same, one step round the wheel, or the
relative key (same number, other letter).
"""

from __future__ import annotations

import re

PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLATS = {"DB": "C#", "EB": "D#", "GB": "F#", "AB": "G#", "BB": "A#", "CB": "B", "FB": "E",
          "E#": "F", "B#": "C"}
_KEY_RE = re.compile(r"^\s*([A-Ga-g])\s*([#♯b♭]?)\s*(maj(?:or)?|min(?:or)?|m)?\s*$")
_CAMELOT_RE = re.compile(r"^\s*(1[0-2]|0?[1-9])\s*([ABab])\s*$")


def key_name(tonic: int, minor: bool) -> str:
    """``key_name(9, True)`` → "A minor"."""
    return f"{PITCH_NAMES[tonic % 12]} {'minor' if minor else 'major'}"


def camelot(tonic: int, minor: bool) -> str:
    """The Camelot code of a key: ``camelot(9, True)`` → "8A", ``camelot(0, False)`` → "8B"."""
    major_tonic = (tonic + 3) % 12 if minor else tonic % 12
    number = (7 * major_tonic + 7) % 12 + 1
    return f"{number}{'A' if minor else 'B'}"


def parse_key(text: str) -> tuple[int, bool] | None:
    """A key as services and tags spell it ("A minor", "Am", "F#", "Bb major", "8A"), or None
    when ``text`` names no key."""
    if not isinstance(text, str) or not text.strip():
        return None
    code = _CAMELOT_RE.match(text)
    if code:
        return from_camelot(f"{int(code.group(1))}{code.group(2).upper()}")
    match = _KEY_RE.match(text)
    if not match:
        return None
    letter, accidental, mode = match.groups()
    name = letter.upper() + {"♯": "#", "♭": "B", "b": "B"}.get(accidental, accidental)
    name = _FLATS.get(name, name)
    if name not in PITCH_NAMES:
        return None
    minor = bool(mode) and mode.lower().startswith("m") and not mode.lower().startswith("maj")
    return PITCH_NAMES.index(name), minor


def from_camelot(code: str) -> tuple[int, bool] | None:
    """The key of a Camelot code ("8A" → A minor), or None."""
    match = _CAMELOT_RE.match(code)
    if not match:
        return None
    number, letter = int(match.group(1)), match.group(2).upper()
    minor = letter == "A"
    # Inverse of camelot(): number-1 = 7·major_tonic + 7 (mod 12), and 7·7 = 1 (mod 12).
    major_tonic = (7 * (number - 1 - 7)) % 12
    return ((major_tonic - 3) % 12 if minor else major_tonic), minor


def wheel_distance(a: str, b: str) -> float:
    """Steps between two Camelot codes: round the wheel (0–6) plus 1 for the other letter,
    except between relative keys (same number), which mix and count 0.5."""
    ma, mb = _CAMELOT_RE.match(a or ""), _CAMELOT_RE.match(b or "")
    if not ma or not mb:
        return 7.0
    na, nb = int(ma.group(1)), int(mb.group(1))
    steps = min((na - nb) % 12, (nb - na) % 12)
    if ma.group(2).upper() == mb.group(2).upper():
        return float(steps)
    return 0.5 if steps == 0 else steps + 1.0


def neighbours(code: str) -> tuple[str, ...]:
    """The codes that mix with ``code``: itself, one step either way, and its relative."""
    match = _CAMELOT_RE.match(code or "")
    if not match:
        return ()
    number, letter = int(match.group(1)), match.group(2).upper()
    other = "B" if letter == "A" else "A"
    up, down = number % 12 + 1, (number - 2) % 12 + 1
    return (f"{number}{letter}", f"{up}{letter}", f"{down}{letter}", f"{number}{other}")
