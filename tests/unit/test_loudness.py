"""Integrated loudness (analysis/loudness.py) against what ITU-R BS.1770-4 and the EBU Tech
3341 test cases say synthesised signals must read, the ReplayGain 2.0 and R128 gains, and the
tags of each container read back (downloads/tags.py write_gain)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minion_tui.analysis.loudness import (
    HIGHPASS_48K,
    RATE,
    SHELF_48K,
    Meter,
    gated_loudness,
    k_weighting,
    meter_rate,
    r128_gain,
    replaygain,
)
from minion_tui.analysis.measure import analyse_file, combine, loudness_part, meter_for
from minion_tui.downloads.tags import gain_text, write_gain, write_sound
from tests.analysis_audio import encode, make_track


def _sine(dbfs: float, seconds: float, freq: float = 1000.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return 10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t)


def _measure(*sections: tuple[float | None, float], channels: int = 2,
             freq: float = 1000.0) -> float | None:
    """The loudness of the sections (dBFS of a sine, or None for digital silence; seconds),
    fed in 1,024-sample chunks as a decode would."""
    parts = [np.zeros(round(s * RATE)) if db is None else _sine(db, s, freq)
             for db, s in sections]
    signal = np.vstack([np.concatenate(parts)] * channels)
    meter = Meter(channels)
    for at in range(0, signal.shape[1], 1024):
        meter.feed(signal[:, at:at + 1024])
    return gated_loudness(meter.blocks())


def test_a_997_hz_sine_at_minus_20_dbfs_in_both_channels_reads_minus_20_lufs() -> None:
    # Each channel's mean square is A²/2 = -23.01 dB; K-weighting adds ~0.69 dB at 1 kHz,
    # which the -0.691 of the formula takes off; the two channels' powers add: +3.01 dB.
    assert _measure((-20.0, 20.0), freq=997.0) == pytest.approx(-20.0, abs=0.05)


def test_the_same_sine_in_mono_reads_3_db_less() -> None:
    # BS.1770-4 sums the channels' powers: one channel is half the power of two.
    assert _measure((-20.0, 20.0), channels=1, freq=997.0) == pytest.approx(-23.01, abs=0.05)


@pytest.mark.parametrize(("sections", "expected"), [
    # EBU Tech 3341 (2016) Table 1, the cases made of stereo 1 kHz sines, ±0.1 LU.
    pytest.param(((-23.0, 20.0),), -23.0, id="case 1"),
    pytest.param(((-33.0, 20.0),), -33.0, id="case 2"),
    pytest.param(((-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)), -23.0, id="case 3"),
    pytest.param(((-72.0, 10.0), (-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0), (-72.0, 10.0)),
                 -23.0, id="case 4"),
    pytest.param(((-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)), -23.0, id="case 5"),
])
def test_the_ebu_tech_3341_sine_cases(sections: tuple, expected: float) -> None:
    assert _measure(*sections) == pytest.approx(expected, abs=0.1)


def test_silence_is_gated_out_and_all_silence_has_no_loudness() -> None:
    # Digital silence around the tone: every silent block is under the absolute gate.
    assert _measure((None, 10.0), (-23.0, 20.0), (None, 30.0)) == pytest.approx(-23.0, abs=0.1)
    assert _measure((None, 10.0)) is None
    assert _measure((-80.0, 10.0)) is None  # -80 LUFS is under the -70 gate
    assert _measure((-20.0, 0.3)) is None  # shorter than one 400 ms block


def test_without_the_relative_gate_quiet_passages_would_pull_the_figure_down() -> None:
    # Half at -23, half at -40: -40 is more than 10 LU under, so only -23 counts.
    assert _measure((-23.0, 20.0), (-40.0, 20.0)) == pytest.approx(-23.0, abs=0.1)
    # -30 is within 10 LU of the ungated mean: it counts, and the figure is their mean power.
    both = _measure((-23.0, 20.0), (-30.0, 20.0))
    mean = 10 * np.log10((10 ** (-2.3) + 10 ** (-3.0)) / 2)
    assert both == pytest.approx(mean, abs=0.1)


def test_replaygain_and_r128_gains() -> None:
    assert replaygain(-11.48) == -6.52  # -18 - (-11.48)
    assert replaygain(-18.0) == 0.0 and replaygain(None) is None
    assert gain_text(-11.48) == "-6.52 dB" and gain_text(-25.0) == "7.00 dB"
    assert r128_gain(-23.0) == 0
    assert r128_gain(-14.0) == -9 * 256  # 9 dB too loud: -2304 in Q7.8
    assert r128_gain(-200.0) == 32767  # clamped to 16 bits


def _stereo_flac(path: Path, dbfs: float, seconds: float, rate: int = 44100) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    tone = (10 ** (dbfs / 20) * np.sin(2 * np.pi * 997.0 * t)).astype(np.float32)
    return encode(np.vstack([tone, tone]), path, rate=rate)


def test_a_file_is_measured_whole_at_its_own_rate_in_the_same_pass(tmp_path: Path) -> None:
    path = _stereo_flac(tmp_path / "tone.flac", -20.0, 30.0)
    # Tempo and key read only 5 s; the loudness still covers the whole 30 s.
    result = analyse_file(path, 5.0)
    assert result["seconds_analysed"] == 5.0
    assert result["loudness_lufs"] == pytest.approx(-20.0, abs=0.1)
    assert result["peak"] == pytest.approx(0.1, abs=0.002)
    without = analyse_file(path, 5.0, loudness=False)
    assert (without["loudness_lufs"], without["peak"]) == (None, None)
    assert without["bpm"] == result["bpm"] and without["key"] == result["key"]


@pytest.mark.parametrize("suffix", ["mp3", "m4a", "opus", "flac"])
def test_the_gain_and_peak_are_read_back_from_each_container(tmp_path: Path,
                                                             suffix: str) -> None:
    import mutagen

    path = make_track(tmp_path / f"t.{suffix}", 128.0, 6, True, 4.0, style="four")
    assert write_sound(path, 127.8, "F# minor")
    assert write_gain(path, -11.48, 0.988123)
    assert write_gain(path, -12.0, 0.99, album=True)
    tags = mutagen.File(path).tags
    if suffix == "mp3":
        assert str(tags["TXXX:REPLAYGAIN_TRACK_GAIN"]) == "-6.52 dB"
        assert str(tags["TXXX:REPLAYGAIN_TRACK_PEAK"]) == "0.988123"
        assert str(tags["TXXX:REPLAYGAIN_ALBUM_GAIN"]) == "-6.00 dB"
        assert str(tags["TKEY"]) == "F#m"  # the tags before are kept
    elif suffix == "m4a":
        base = "----:com.apple.iTunes:replaygain_"
        assert bytes(tags[base + "track_gain"][0]) == b"-6.52 dB"
        assert bytes(tags[base + "track_peak"][0]) == b"0.988123"
        assert bytes(tags[base + "album_peak"][0]) == b"0.990000"
        assert tags["tmpo"] == [128]
    elif suffix == "opus":
        # RFC 7845 §5.2.1: Q7.8 dB to -23 LUFS, and no REPLAYGAIN_ tags beside it.
        assert tags["R128_TRACK_GAIN"] == [str(round((-23 + 11.48) * 256))]
        assert tags["R128_ALBUM_GAIN"] == ["-2816"]
        assert not [k for k in tags.keys() if k.upper().startswith("REPLAYGAIN")]
        assert tags["INITIALKEY"] == ["F#m"]
    else:
        assert tags["REPLAYGAIN_TRACK_GAIN"] == ["-6.52 dB"]
        assert tags["REPLAYGAIN_TRACK_PEAK"] == ["0.988123"]
        assert tags["REPLAYGAIN_ALBUM_GAIN"] == ["-6.00 dB"]
        assert tags["BPM"] == ["128"]
    assert not write_gain(tmp_path / "t.wav", -11.48, 0.5)


def test_the_filters_designed_for_48_khz_are_the_printed_ones() -> None:
    shelf, highpass = k_weighting(48000)
    for got, printed in ((shelf, SHELF_48K), (highpass, HIGHPASS_48K)):
        for row, want in zip(got, printed, strict=True):
            assert row == pytest.approx(want, abs=1e-12)
    # At 44.1 kHz the same prototypes give other coefficients (not the 48 kHz table's).
    assert k_weighting(44100)[0][0][1] != pytest.approx(SHELF_48K[0][1], abs=1e-3)
    assert (meter_rate(44100), meter_rate(48000), meter_rate(11025)) == (44100, 48000, 48000)
    with pytest.raises(ValueError, match="11025"):
        Meter(2, 11025)


@pytest.mark.parametrize("rate", [44100, 32000])
def test_a_sine_reads_the_same_at_other_rates(rate: int) -> None:
    t = np.arange(20 * rate) / rate
    tone = 10 ** (-20 / 20) * np.sin(2 * np.pi * 997.0 * t)
    meter = Meter(2, rate)
    for at in range(0, t.size, 1024):
        meter.feed(np.vstack([tone[at:at + 1024]] * 2).astype(np.float32))
    assert meter.step == rate // 10
    assert gated_loudness(meter.blocks()) == pytest.approx(-20.0, abs=0.05)


def _levels(path: Path, seconds: float) -> Path:
    """Stereo music whose level moves every few seconds (so every block differs), with a
    quiet passage the relative gate drops."""
    from tests.analysis_audio import render

    mono = render(124.0, 9, False, seconds).astype(np.float64)
    t = np.arange(mono.size) / 44100
    level = 0.4 + 0.3 * np.sin(2 * np.pi * t / 7.3)
    level[(t > 12) & (t < 15)] = 0.01
    left, right = mono * level, np.roll(mono, 300) * level * 0.8
    return encode(np.vstack([left, right]).astype(np.float32), path)


@pytest.mark.parametrize("suffix", ["mp3", "flac", "m4a"])
def test_a_file_measured_in_parts_reads_as_the_file_measured_whole(tmp_path: Path,
                                                                  suffix: str) -> None:
    from minion_tui.analysis.decode import decode_mono

    path = _levels(tmp_path / f"levels.{suffix}", 40.0)
    whole = analyse_file(path, 5.0)
    # Joins off the 100 ms grid, one inside the quiet passage.
    parts = [loudness_part(path, 0.0, 13.37), loudness_part(path, 13.37, 27.01),
             loudness_part(path, 27.01, None)]
    joined = combine(parts)
    meter = meter_for(path)
    decode_mono(path, max_seconds=1.0, meter=meter)
    steps = meter.steps()
    together = np.concatenate([p["steps"] for p in parts])
    # Every 100 ms step once, none twice or lost at the joins: 134 + 136 + the rest.
    assert [p["steps"].size for p in parts[:2]] == [134, 136]
    assert together.size == steps.size
    if suffix != "m4a":
        assert joined == {"loudness_lufs": whole["loudness_lufs"], "peak": whole["peak"]}
        np.testing.assert_allclose(together, steps, rtol=1e-3, atol=1e-9)
    else:
        # FFmpeg's AAC decoder fills noise-substituted (PNS) bands from a random generator
        # carried from frame to frame: decoded from a seek, they are other noise of the same
        # power. The loudness holds to its printed 0.01 dB; a sample peak is one draw.
        assert joined["loudness_lufs"] == pytest.approx(whole["loudness_lufs"], abs=0.015)
        assert joined["peak"] == pytest.approx(whole["peak"], rel=0.1)
        np.testing.assert_allclose(together, steps, rtol=0.05, atol=1e-9)
