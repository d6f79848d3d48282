"""Tags written by downloads/tags.py read back with mutagen, for each container."""

from __future__ import annotations

import base64
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
from minion_tui.downloads.tags import Cover, TrackTags, id3_tag, write_tags
from minion_tui.models import Track

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TAGS = TrackTags(title="Jóga", artist="Björk", album="Homogenic", genre="Electronic",
                 date="1997-09-22", bpm="92", key="Cm", comment="desc",
                 source_url="https://soundcloud.com/bjork/joga")


def _tone(path: Path, fmt: str, codec: str, rate: int) -> None:
    """One second of silence encoded with PyAV (a real, decodable file)."""
    with av.open(str(path), "w", format=fmt) as out:
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
