"""Tempo and key of music the tests make (tests/analysis_audio.py: drums, bass and chords
with harmonics and noise), in every codec downloads meet, decoded through PyAV."""

from __future__ import annotations

from pathlib import Path

import pytest

from minion_tui.analysis.camelot import camelot, key_name
from minion_tui.analysis.measure import analyse_file
from tests.analysis_audio import make_track

# (bpm, tonic, minor, drum pattern)
CASES = [
    (128.0, 9, True, "four"),  # house, A minor
    (124.0, 0, False, "four"),  # C major
    (174.0, 2, True, "dnb"),  # drum & bass, D minor: not read as 87
    (140.0, 5, True, "halftime"),  # dubstep's half-time feel, F minor: not read as 70
    (132.0, 1, True, "techno"),  # C# minor, no snare, sixteenth hats: not read as 66
    (100.0, 10, False, "four"),  # A# major
    (138.0, 6, False, "four"),  # F# major
    (92.0, 7, False, "hiphop"),  # G major
]
CODECS = ["mp3", "m4a", "opus", "flac", "wav"]


def _octave_free(measured: float, wanted: float) -> float:
    """The relative error after the nearest of ×½, ×1, ×2: a wrong periodicity shows here."""
    return min(abs(measured * f / wanted - 1) for f in (0.5, 1.0, 2.0))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], dict]:
    folder = tmp_path_factory.mktemp("analysis-audio")
    found = {}
    for i, (bpm, tonic, minor, style) in enumerate(CASES):
        for codec in CODECS:
            path = make_track(folder / f"case{i}.{codec}", bpm, tonic, minor, 20.0,
                              style=style, seed=i)
            found[(i, codec)] = analyse_file(path)
    return found


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_tempo_is_within_two_percent_apart_from_octave_errors(
        results: dict, case: int, codec: str) -> None:
    bpm = CASES[case][0]
    measured = results[(case, codec)]["bpm"]
    assert measured is not None
    assert _octave_free(measured, bpm) < 0.02, (bpm, measured)


@pytest.mark.parametrize("codec", CODECS)
def test_octave_errors_counted_apart_there_are_none(results: dict, codec: str) -> None:
    wrong = [(CASES[i][0], results[(i, codec)]["bpm"]) for i in range(len(CASES))
             if abs(results[(i, codec)]["bpm"] / CASES[i][0] - 1) >= 0.02]
    assert wrong == []


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_key_is_exact(results: dict, case: int, codec: str) -> None:
    _, tonic, minor, _ = CASES[case]
    found = results[(case, codec)]
    assert (found["key"], found["camelot"]) == (key_name(tonic, minor), camelot(tonic, minor))
    assert 0.0 < found["key_confidence"] <= 1.0 and 0.0 < found["bpm_confidence"] <= 1.0
    assert found["seconds_analysed"] == pytest.approx(20.0, abs=0.2)


def test_a_detuned_record_keeps_its_key(tmp_path: Path) -> None:
    path = make_track(tmp_path / "detuned.flac", 126.0, 4, True, 20.0, tuning_cents=38.0)
    found = analyse_file(path)
    assert found["key"] == "E minor"
    assert found["tuning_cents"] == pytest.approx(38.0, abs=8.0)


def test_only_the_first_max_seconds_are_read(tmp_path: Path) -> None:
    path = make_track(tmp_path / "long.mp3", 120.0, 0, False, 30.0)
    found = analyse_file(path, max_seconds=12.0)
    assert found["seconds_analysed"] == pytest.approx(12.0, abs=0.05)
    assert found["duration"] == pytest.approx(30.0, abs=0.2)
    assert found["bpm"] == pytest.approx(120.0, rel=0.02)


def test_silence_has_no_key_and_no_tempo(tmp_path: Path) -> None:
    import numpy as np

    from tests.analysis_audio import encode

    path = encode(np.zeros(44100 * 8, dtype=np.float32), tmp_path / "silence.wav")
    found = analyse_file(path)
    assert found["key"] is None and found["camelot"] is None and found["bpm"] is None


def test_what_is_not_audio_is_invalid_media(tmp_path: Path) -> None:
    from minion_tui.errors import InvalidMedia

    path = tmp_path / "notes.mp3"
    path.write_text("not audio at all\n" * 100)
    with pytest.raises(InvalidMedia):
        analyse_file(path)
