"""The first-segment check of joined streams (downloads/media_check.py): real MPEG audio
frames pass, random bytes and error pages do not."""

from __future__ import annotations

import random

import pytest

from minion_tui.downloads.media_check import check_first_segment, looks_like_mp3, mp3_frame_length
from minion_tui.errors import InvalidMedia

# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 144 * 128000 / 44100 = 417 bytes.
HEADER = b"\xff\xfb\x90\x64"


def test_frame_length_of_a_layer_iii_header() -> None:
    assert mp3_frame_length(HEADER) == 417
    assert mp3_frame_length(b"\xff\xfb\x92\x64") == 418  # the padding bit
    assert mp3_frame_length(b"\xff\xf3\x90\x64") == 72 * 80000 // 22050  # MPEG-2: 80 kbit/s
    assert mp3_frame_length(b"\xff\xfd\x90\x64") == 0  # Layer II
    assert mp3_frame_length(b"\xff\xfb\xf0\x64") == 0  # bit-rate index 15


def test_two_consecutive_frames_pass_a_lone_sync_word_does_not() -> None:
    frames = b"".join(HEADER + bytes(413) for _ in range(3))
    assert looks_like_mp3(frames)
    assert looks_like_mp3(b"\x00" * 100 + frames)  # junk before the first frame
    assert looks_like_mp3(HEADER + bytes(413))  # one frame that is the whole segment
    assert not looks_like_mp3(HEADER + bytes(1000))  # no second frame where the first ends


def test_random_bytes_are_not_mp3() -> None:
    rng = random.Random(13)
    assert not any(looks_like_mp3(rng.randbytes(8000)) for _ in range(300))


@pytest.mark.parametrize(("data", "mp3", "begins"), [
    (b"<html><body>Access denied</body></html>", True, "it begins '<html><body>Access"),
    (b"", True, "it is empty"),
    (b"\x00\x01\x02\x03" * 10, False, "bytes 00 01 02 03"),
])
def test_what_is_not_audio_is_named_in_the_error(data: bytes, mp3: bool, begins: str) -> None:
    with pytest.raises(InvalidMedia) as caught:
        check_first_segment(data, mp3=mp3, where="mix.mp3")
    assert caught.value.type == "invalid_media"
    assert "The first segment of mix.mp3 is not" in caught.value.message
    assert begins in caught.value.message


def test_an_ogg_page_passes_for_opus() -> None:
    check_first_segment(b"OggS\x00\x02" + bytes(100), mp3=False, where="mix.opus")
