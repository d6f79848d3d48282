"""fMP4 AAC fragments and raw MP3 HLS segments -> MPEG-TS: every frame kept byte for byte,
with its absolute PTS. Checked by demuxing and decoding the output with libavformat (PyAV),
as mpv does."""

from __future__ import annotations

import io
import struct

import av
import pytest

from minion_tui.emulator.media.audio import AudioSpec, LoopCache
from minion_tui.emulator.media.tiling import AAC_SEGMENT_FRAMES, AacTrack, Mp3File
from minion_tui.playback import mp3_audio
from minion_tui.playback.fmp4_audio import AacInit, FragmentError, aac_segment, samples
from minion_tui.playback.mp3_audio import mp3_segment

SPEC = AudioSpec(seed=5, duration_ms=20 * 60 * 1000 + 321, style="hiphop")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> LoopCache:
    return LoopCache(tmp_path_factory.getbasetemp() / "ts-loops")


@pytest.fixture(scope="module")
def track(cache: LoopCache) -> AacTrack:
    return AacTrack.for_spec(SPEC, cache.phrase("aac", "hiphop", SPEC.variant))


@pytest.fixture(scope="module")
def mp3(cache: LoopCache) -> Mp3File:
    return Mp3File.for_spec(SPEC, cache.phrase("mp3", "hiphop", SPEC.variant))


def demux(ts: bytes) -> list[tuple[int, bytes]]:
    """(pts, payload) of each packet, as libavformat's MPEG-TS demuxer (and parser) sees it."""
    with av.open(io.BytesIO(ts), "r", format="mpegts") as container:
        return [(p.pts or 0, bytes(p)) for p in container.demux(audio=0) if p.size]


def test_init_describes_the_aac_track(track: AacTrack) -> None:
    init = AacInit.parse(track.init())
    assert (init.timescale, init.object_type, init.frequency_index, init.channels) == (
        44100, 2, 4, 2)
    assert init.default_duration == 1024


@pytest.mark.parametrize("index", [0, 57, -1])
def test_fragment_becomes_a_segment_with_the_same_frames_and_absolute_times(
    track: AacTrack, index: int
) -> None:
    index %= track.segment_count
    init = AacInit.parse(track.init())
    fragment = track.segment(index)
    frames = [s.data for s in samples(init, fragment)]
    assert len(frames) == track.segment_frames(index)
    ts = aac_segment(init, fragment)
    assert len(ts) % 188 == 0 and all(ts[i] == 0x47 for i in range(0, len(ts), 188))
    with av.open(io.BytesIO(ts), "r", format="mpegts") as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac"
        packets = [p for p in container.demux(stream) if p.size]
        pts = [p.pts for p in packets]
        payloads = [bytes(p)[7:] for p in packets]  # behind each 7-byte ADTS header
    assert payloads == frames
    start = index * AAC_SEGMENT_FRAMES * 1024
    assert pts == [(start + 1024 * i) * 90_000 // 44100 for i in range(len(frames))]


def test_segment_decodes_to_the_fragments_samples(track: AacTrack) -> None:
    init = AacInit.parse(track.init())
    ts = aac_segment(init, track.segment(3))
    with av.open(io.BytesIO(ts), "r", format="mpegts") as container:
        decoded = sum(frame.samples for frame in container.decode(audio=0))
    assert decoded == AAC_SEGMENT_FRAMES * 1024


def test_segment_converted_twice_is_identical(track: AacTrack) -> None:
    """The proxy answers a mid-segment Range by converting again and slicing."""
    init = AacInit.parse(track.init())
    assert aac_segment(init, track.segment(9)) == aac_segment(
        init, track.segment(9))


def test_not_aac_or_cut_off_is_a_clear_error(track: AacTrack) -> None:
    init = AacInit.parse(track.init())
    fragment = track.segment(1)
    with pytest.raises(FragmentError, match="past the end"):
        aac_segment(init, fragment[:-100])
    without_moov = struct.pack(">I4s", 16, b"ftyp") + bytes(8)
    with pytest.raises(FragmentError, match="no moov"):
        AacInit.parse(without_moov)


def test_mp3_segment_keeps_every_frame_at_its_time(mp3: Mp3File) -> None:
    segments = mp3.segments()
    index = 40
    seg = segments[index]
    start = sum(s.seconds for s in segments[:index])
    data = mp3.read(seg.first_byte, seg.last_byte + 1)
    ts = mp3_segment(data, start)
    packets = demux(ts)
    assert b"".join(payload for _, payload in packets) == data
    first = round(start * 90_000)
    assert [pts for pts, _ in packets] == [first + i * 1152 * 90_000 // 44100
                                           for i in range(len(packets))]
    assert len(packets) == round(seg.seconds * 44100 / 1152)


def test_mp3_slice_cut_mid_frame_loses_no_byte(mp3: Mp3File) -> None:
    """A segment boundary inside a frame: the stray bytes travel in the PES stream, where the
    MP3 parser joins them with the next segment's."""
    data = mp3.read(1000, 50_000)  # starts and ends inside frames
    frames = list(mp3_audio.frames(data, 12.5))
    assert b"".join(f.data for f in frames) == data
    assert frames[0].pts == round(12.5 * 90_000)
    packets = demux(mp3_segment(data, 12.5))
    assert len(packets) >= len(frames) - 2  # the two cut frames may not parse on their own
    pts = [p for p, _ in packets]
    assert pts == sorted(pts) and pts[-1] - pts[0] >= (len(frames) - 3) * 1152 * 90_000 // 44100


def test_mp3_id3_tag_at_the_start_is_dropped(mp3: Mp3File) -> None:
    data = mp3.read(0, 20_000)
    tag = b"ID3\x04\x00\x00" + bytes([0, 0, 0, 20]) + b"\xff\xfb" + bytes(18)
    frames = list(mp3_audio.frames(tag + data, 0.0))
    assert b"".join(f.data for f in frames) == data
