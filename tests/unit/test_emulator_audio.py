"""Emulator audio: determinism, the on-disk loop cache, tiling arithmetic, fMP4 fragments,
URL signing and Range parsing."""

from __future__ import annotations

import io
import itertools
import struct
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

from minion_tui.emulator.cdn.progressive import parse_range
from minion_tui.emulator.cdn.signing import Signer
from minion_tui.emulator.media.audio import (
    AAC,
    MP3,
    AudioSpec,
    LoopCache,
    encode_phrase,
)
from minion_tui.emulator.media.synth import FRAME_LCM, groove_name, render_phrase
from minion_tui.emulator.media.tiling import AacTrack, Mp3File

TWO_HOURS = AudioSpec(seed=5, duration_ms=2 * 3600 * 1000 + 1234, style="hiphop")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> LoopCache:
    return LoopCache(tmp_path_factory.getbasetemp() / "emulator-loops")


def boxes(data: bytes) -> dict[bytes, bytes]:
    """Top-level boxes by type (the first of each), payload only."""
    found: dict[bytes, bytes] = {}
    position = 0
    while position < len(data):
        size, kind = struct.unpack_from(">I4s", data, position)
        found.setdefault(kind, data[position + 8:position + size])
        position += size
    return found


def test_styles_map_onto_grooves() -> None:
    assert groove_name("Deep House") == "house"
    assert groove_name("Drum & Bass") == "dnb"
    assert groove_name("Hip-hop & Rap") == "hiphop"
    assert groove_name("") == groove_name("")  # unknown text still picks a stable groove


def test_same_seed_gives_the_same_pcm_and_the_same_encoded_bytes() -> None:
    first, again = render_phrase("hiphop", 2), render_phrase("hiphop", 2)
    assert first.shape[1] % FRAME_LCM == 0
    assert np.array_equal(first, again)
    assert not np.array_equal(first, render_phrase("hiphop", 3))
    assert encode_phrase(MP3, first).payload == encode_phrase(MP3, again).payload
    assert encode_phrase(AAC, first).payload == encode_phrase(AAC, again).payload


def test_phrase_is_whole_frames_without_priming(cache: LoopCache) -> None:
    pcm = render_phrase("hiphop", 1)
    mp3 = cache.phrase("mp3", "hiphop", 1)
    aac = cache.phrase("aac", "hiphop", 1)
    assert mp3.frame_count * 1152 == pcm.shape[1]
    assert aac.frame_count * 1024 == pcm.shape[1]
    assert {mp3.frame_size(i) for i in range(mp3.frame_count)} <= {417, 418}  # 128k CBR
    assert aac.extradata[:2] == b"\x12\x10"  # AAC-LC, 44.1 kHz, stereo
    # A fresh cache object over the same directory loads the identical encode from disk.
    reloaded = LoopCache(cache.cache_dir).phrase("mp3", "hiphop", 1)
    assert reloaded == mp3


def test_corrupt_cache_file_is_rebuilt(tmp_path: Path, cache: LoopCache) -> None:
    good = cache.phrase("mp3", "hiphop", 1)
    fresh = LoopCache(tmp_path)
    fresh.path("mp3", "hiphop", 1).write_bytes(b"MTLOOP1\n\x00\x00")  # a torn write
    assert fresh.phrase("mp3", "hiphop", 1).payload == good.payload


def test_two_processes_building_one_cache_agree(tmp_path: Path) -> None:
    loops = tmp_path / "loops"
    script = (
        "import sys; from pathlib import Path;"
        "from minion_tui.emulator.media.audio import LoopCache;"
        "p = LoopCache(Path(sys.argv[1])).phrase('mp3', 'hiphop', 3);"
        "sys.stdout.write(str(len(p.payload)))"
    )
    workers = [subprocess.Popen([sys.executable, "-c", script, str(loops)],
                                stdout=subprocess.PIPE) for _ in range(2)]
    sizes = {worker.communicate(timeout=120)[0] for worker in workers}
    assert all(worker.returncode == 0 for worker in workers)
    assert len(sizes) == 1
    assert list(loops.iterdir()) == [LoopCache(loops).path("mp3", "hiphop", 3)]  # no temp left
    loaded = LoopCache(loops).phrase("mp3", "hiphop", 3)
    assert str(len(loaded.payload)).encode() in sizes
    assert loaded.payload == encode_phrase(MP3, render_phrase("hiphop", 3)).payload


def test_mp3_file_is_the_phrase_repeated_from_its_start_frame(cache: LoopCache) -> None:
    phrase = cache.phrase("mp3", "hiphop", 1)
    file = Mp3File(phrase, 5, phrase.frame_count * 3 + 7)
    repeated = phrase.payload * 5
    start = phrase.offsets[5]
    assert file.size == len(phrase.payload) * 3 + phrase.offsets[12] - phrase.offsets[5]
    assert file.read(0, file.size) == repeated[start:start + file.size]
    wrap = len(phrase.payload) - start - 10  # a range across the end of a lap
    assert file.read(wrap, wrap + 20) == repeated[start + wrap:start + wrap + 20]


def test_two_hour_track_streams_without_building_the_file(cache: LoopCache) -> None:
    mp3 = Mp3File.for_spec(TWO_HOURS, cache.phrase("mp3", "hiphop", TWO_HOURS.variant))
    segments = mp3.segments()
    assert len(segments) == 1 + -(-(mp3.frame_count - 76) // 382)
    assert abs(sum(s.seconds for s in segments) - 7201.234) < 0.1
    assert all(b.first_byte == a.last_byte + 1 for a, b in itertools.pairwise(segments))
    assert segments[-1].last_byte == mp3.size - 1
    last = segments[-1]
    tail = mp3.read(last.first_byte, last.last_byte + 1)
    assert tail[:2] == b"\xff\xfb"  # a segment starts on a frame header

    aac = AacTrack.for_spec(TWO_HOURS, cache.phrase("aac", "hiphop", TWO_HOURS.variant))
    assert aac.segment_count == 720
    with av.open(io.BytesIO(aac.init() + aac.segment(719))) as media:
        samples = sum(frame.samples for frame in media.decode(audio=0))
    assert samples == aac.segment_frames(719) * 1024


def test_last_fragment_is_genuinely_shorter(cache: LoopCache) -> None:
    track = AacTrack(cache.phrase("aac", "hiphop", 1), 0, 431 * 2 + 17)
    assert track.segment_count == 3
    for index, expected in ((0, 431), (2, 17)):
        fragment = boxes(track.segment(index))
        moof = fragment[b"moof"]
        sequence = struct.unpack_from(">I", moof, moof.index(b"mfhd") + 8)[0]
        decode_time = struct.unpack_from(">Q", moof, moof.index(b"tfdt") + 8)[0]
        samples = struct.unpack_from(">I", moof, moof.index(b"trun") + 8)[0]
        assert (sequence, decode_time, samples) == (index + 1, index * 431 * 1024, expected)
    with pytest.raises(IndexError):
        track.segment(3)


def test_signed_query_verifies_until_the_deadline() -> None:
    signer = Signer(b"secret")
    query = signer.query("https://cf-hls-media.sndcdn.com/*/k1.128.mp3*", 1000,
                         with_expires=True)
    params = dict(part.split("=", 1) for part in query.split("&"))
    assert params["expires"] == "1000" and params["Key-Pair-Id"].startswith("APKA")
    segment = "https://cf-hls-media.sndcdn.com/media/0/31764/k1.128.mp3"
    assert signer.check(params, segment, now=999.0) is None
    assert signer.check(params, segment, now=1000.0) == "Request has expired"
    assert signer.check(params, segment.replace("k1", "k2"), now=0) is not None
    assert signer.check({**params, "expires": "2000"}, segment, now=0) is not None
    assert Signer(b"other").check(params, segment, now=0) is not None


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-99", (0, 99)),
    ("bytes=900-", (900, 999)),
    ("bytes=-100", (900, 999)),
    ("bytes=990-5000", (990, 999)),
    ("bytes=1000-1001", "unsatisfiable"),
    ("bytes=-0", "unsatisfiable"),
    ("bytes=5-1", None),
    ("bytes=0-1,5-6", None),
    ("items=0-1", None),
])
def test_parse_range(header: str, expected: object) -> None:
    assert parse_range(header, 1000) == expected
