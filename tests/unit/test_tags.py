"""Tags written by downloads/tags.py read back with mutagen, for each container."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import av
import numpy as np
import pytest
from mutagen.flac import Picture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus

from minion_tui.downloads.engine import artwork_candidates
from minion_tui.downloads.hls import strip_id3
from minion_tui.downloads.mp4_moov import top_level_atoms
from minion_tui.downloads.tags import (
    Cover,
    InSet,
    TrackTags,
    id3_tag,
    write_tags,
)
from minion_tui.models import Track

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TAGS = TrackTags(title="Jóga", artist="Björk", album="Homogenic", genre="Electronic",
                 date="1997-09-22", bpm="92", key="Cm", comment="desc",
                 source_url="https://soundcloud.com/bjork/joga")


def _tone(path: Path, fmt: str, codec: str, rate: int,
          options: dict[str, str] | None = None) -> None:
    """One second of silence encoded with PyAV (a real, decodable file)."""
    with av.open(str(path), "w", format=fmt, options=options or {}) as out:
        stream = out.add_stream(codec, rate=rate)
        layout = "stereo"
        frame_size = stream.codec_context.frame_size or 1024
        for n in range(rate // frame_size + 1):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, frame_size * 2), dtype=np.int16), format="s16", layout=layout)
            frame.sample_rate = rate
            frame.pts = n * frame_size
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def test_id3v24_frames(tmp_path: Path) -> None:
    path = tmp_path / "a.mp3.part"
    _tone(path, "mp3", "libmp3lame", 44100)
    write_tags(path, "mp3", TAGS, Cover(PNG, "image/png"))
    id3 = ID3(path)
    assert id3.version[:2] == (2, 4)
    assert str(id3["TIT2"]) == "Jóga" and str(id3["TPE1"]) == "Björk"
    assert str(id3["TALB"]) == "Homogenic" and str(id3["TBPM"]) == "92"
    assert str(id3["TKEY"]) == "Cm" and str(id3["TDRC"]) == "1997-09-22"
    assert id3.getall("COMM")[0].text == ["desc"]
    apic = id3.getall("APIC")[0]
    assert apic.mime == "image/png" and apic.data == PNG and apic.type == 3


def test_mp4_atoms(tmp_path: Path) -> None:
    path = tmp_path / "a.m4a"
    _tone(path, "mp4", "aac", 44100)
    write_tags(path, "m4a", TAGS, Cover(b"\xff\xd8\xff" + b"\x00" * 32, "image/jpeg"))
    tags = MP4(path).tags
    assert tags is not None
    assert tags["\xa9nam"] == ["Jóga"] and tags["\xa9alb"] == ["Homogenic"]
    assert tags["tmpo"] == [92]
    assert tags["covr"][0].imageformat == tags["covr"][0].FORMAT_JPEG


def _packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size]


def test_mp4_tags_go_into_the_room_after_the_moov_without_moving_the_audio(
        tmp_path: Path) -> None:
    # remux.py reserves space after the moov (FFmpeg's moov_size): the tags fill part of it
    # and the audio stays where it is, every chunk offset still pointing at its frames.
    path = tmp_path / "a.m4a"
    _tone(path, "mp4", "aac", 44100, {"moov_size": "40000"})
    with open(path, "rb") as file:
        before = top_level_atoms(file)
    audio = _packets(path)
    size = path.stat().st_size
    cover = Cover(b"\xff\xd8\xff" + bytes(range(256)) * 40, "image/jpeg")
    write_tags(path, "m4a", TAGS, cover)
    with open(path, "rb") as file:
        after = top_level_atoms(file)
    mdat = [(offset, length) for name, offset, length in after if name == b"mdat"]
    assert mdat == [(offset, length) for name, offset, length in before if name == b"mdat"]
    assert [name for name, _, _ in after][:3] == [b"ftyp", b"moov", b"free"]
    assert path.stat().st_size == size  # written in place
    assert _packets(path) == audio
    tags = MP4(path).tags
    assert tags is not None and tags["\xa9nam"] == ["Jóga"] and tags["tmpo"] == [92]
    assert bytes(tags["covr"][0]) == cover.data
    assert tags["----:com.apple.iTunes:SOURCE"] == [TAGS.source_url.encode()]


def test_mp4_without_room_after_the_moov_is_tagged_by_inserting(tmp_path: Path) -> None:
    path = tmp_path / "a.m4a"
    _tone(path, "mp4", "aac", 44100, {"moov_size": "4000"})  # room for the moov only
    audio = _packets(path)
    size = path.stat().st_size
    write_tags(path, "m4a", TAGS, Cover(b"\xff\xd8\xff" + bytes(9000), "image/jpeg"))
    assert path.stat().st_size > size
    assert _packets(path) == audio
    tags = MP4(path).tags
    assert tags is not None and tags["\xa9ART"] == ["Björk"]


def test_mp4_with_its_moov_at_the_end_keeps_its_audio_when_retagged_smaller(
        tmp_path: Path) -> None:
    # An original .m4a may carry its moov last and bigger tags than ours: the chunk offsets
    # point before the moov and must stay as they are.
    path = tmp_path / "a.m4a"
    _tone(path, "mp4", "aac", 44100)  # PyAV's default: moov after the audio
    audio = _packets(path)
    write_tags(path, "m4a", TrackTags(title="t", artist="a", comment="x" * 20_000), None)
    write_tags(path, "m4a", TrackTags(title="t", artist="a", comment="short"), None)
    assert _packets(path) == audio
    tags = MP4(path).tags
    assert tags is not None and tags["\xa9cmt"] == ["short"]


def test_opus_vorbis_comments_and_picture(tmp_path: Path) -> None:
    path = tmp_path / "a.opus"
    try:
        _tone(path, "ogg", "libopus", 48000)
    except (av.error.FFmpegError, ValueError) as error:  # pragma: no cover - codec missing
        pytest.fail(f"PyAV cannot encode Opus here: {error}")
    write_tags(path, "opus", TAGS, Cover(PNG, "image/png"))
    audio = OggOpus(path)
    assert audio.tags is not None
    assert audio.tags["TITLE"] == ["Jóga"] and audio.tags["DATE"] == ["1997-09-22"]
    picture = Picture(base64.b64decode(audio.tags["METADATA_BLOCK_PICTURE"][0]))
    assert picture.mime == "image/png" and picture.data == PNG


IN_SET = TrackTags.of(Track(provider="soundcloud", id="1", urn="soundcloud:tracks:1",
                             url="https://soundcloud.com/bjork/joga", title="Jóga",
                             artist="Björk", uploader="bjork", duration_ms=1000),
                       album="Homogenic", in_set=InSet(3, 10, "Björk & Co"))


def test_a_set_track_carries_its_place_in_the_set_in_each_container(tmp_path: Path) -> None:
    mp3, m4a, roomy, opus = (tmp_path / name for name in ("a.mp3", "a.m4a", "b.m4a", "a.opus"))
    _tone(mp3, "mp3", "libmp3lame", 44100)
    write_tags(mp3, "mp3", IN_SET, None)
    id3 = ID3(mp3)
    assert (id3["TRCK"].text, id3["TPOS"].text, id3["TPE2"].text, id3["TALB"].text) == (
        ["3/10"], ["1/1"], ["Björk & Co"], ["Homogenic"])
    # As the join writes it (id3_tag ahead of the audio): the same frames.
    assert ID3(fileobj=io.BytesIO(id3_tag(IN_SET, None)))["TRCK"].text == ["3/10"]

    _tone(m4a, "mp4", "aac", 44100)  # tagged by inserting
    _tone(roomy, "mp4", "aac", 44100, {"moov_size": "40000"})  # tagged in the reserved room
    for path in (m4a, roomy):
        write_tags(path, "m4a", IN_SET, None)
        tags = MP4(path).tags
        assert tags is not None
        assert (tags["trkn"], tags["disk"], tags["aART"]) == ([(3, 10)], [(1, 1)],
                                                              ["Björk & Co"])

    _tone(opus, "ogg", "libopus", 48000)
    write_tags(opus, "opus", IN_SET, None)
    comments = OggOpus(opus).tags
    assert comments is not None
    assert {name: comments[name] for name in ("TRACKNUMBER", "TRACKTOTAL", "ALBUMARTIST",
                                              "DISCNUMBER", "DISCTOTAL")} == {
        "TRACKNUMBER": ["3"], "TRACKTOTAL": ["10"], "ALBUMARTIST": ["Björk & Co"],
        "DISCNUMBER": ["1"], "DISCTOTAL": ["1"]}


def test_a_track_on_its_own_has_no_set_tags(tmp_path: Path) -> None:
    alone = TrackTags.of(Track(provider="soundcloud", id="1", urn="soundcloud:tracks:1",
                               url="u", title="t", artist="a", uploader="a", duration_ms=1))
    assert (alone.track_text(), alone.disc_text(), alone.album_artist) == ("", "", "")
    path = tmp_path / "a.m4a"
    _tone(path, "mp4", "aac", 44100)
    write_tags(path, "m4a", alone, None)
    tags = MP4(path).tags
    assert tags is not None and not {"trkn", "disk", "aART"} & set(tags.keys())


def test_tags_are_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "1.mp3", tmp_path / "2.mp3"
    _tone(first, "mp3", "libmp3lame", 44100)
    second.write_bytes(first.read_bytes())
    write_tags(first, "mp3", TAGS, None)
    write_tags(second, "mp3", TAGS, None)
    write_tags(second, "mp3", TAGS, None)  # re-tagging changes nothing
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("cover", [Cover(PNG, "image/png"), None])
def test_the_tag_written_ahead_is_the_one_the_tagger_inserts(tmp_path: Path,
                                                             cover: Cover | None) -> None:
    # The MP3 join writes id3_tag() before the audio (no rewrite at the end): the finished
    # file must be byte for byte what tagging the untagged audio gives.
    encoded = tmp_path / "encoded.mp3"
    _tone(encoded, "mp3", "libmp3lame", 44100)
    audio = strip_id3(encoded.read_bytes())  # untagged, as the join leaves the segments
    assert audio[:2] == b"\xff\xfb"
    tagged = tmp_path / "tagged.mp3"
    tagged.write_bytes(audio)
    write_tags(tagged, "mp3", TAGS, cover)
    head = id3_tag(TAGS, cover)
    assert head[:3] == b"ID3" and len(head) > 100
    assert head + audio == tagged.read_bytes()


def test_artwork_largest_first_then_avatar() -> None:
    track = Track(provider="soundcloud", id="1", urn="soundcloud:tracks:1", url="u", title="t",
                  artist="a", uploader="a", duration_ms=1,
                  artwork_url="https://i1.sndcdn.com/artworks-abc-large.jpg")
    assert artwork_candidates(track) == [
        "https://i1.sndcdn.com/artworks-abc-original.jpg",
        "https://i1.sndcdn.com/artworks-abc-t500x500.jpg",
        "https://i1.sndcdn.com/artworks-abc-large.jpg",
    ]
    bare = Track(provider="soundcloud", id="2", urn="soundcloud:tracks:2", url="u", title="t",
                 artist="a", uploader="a", duration_ms=1,
                 raw={"user": {"avatar_url": "https://i1.sndcdn.com/avatars-x-large.jpg"}})
    assert artwork_candidates(bare)[0] == "https://i1.sndcdn.com/avatars-x-original.jpg"
