"""The album tag: the set's title for any set, the label's album for a track on its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from mutagen.id3 import ID3
from mutagen.mp4 import MP4

from minion_tui.downloads.tags import TrackTags, write_tags
from minion_tui.downloads.targets import Wanted
from minion_tui.models import Playlist, Track


def _track(raw: dict[str, Any] | None = None) -> Track:
    return Track(provider="soundcloud", id="7", urn="soundcloud:tracks:7", url="", title="Jóga",
                 artist="Björk", uploader="bjork", duration_ms=1000, raw=raw or {})


def _set(is_album: bool) -> Playlist:
    return Playlist(provider="soundcloud", id="9", urn="soundcloud:playlists:9",
                    title="Late Night Mix", url="", uploader="dj", track_count=1,
                    duration_ms=1000, is_album=is_album)


LABEL = {"publisher_metadata": {"id": 1, "album_title": "Homogenic", "isrc": "GBAAA9700001"}}


@pytest.mark.parametrize(("wanted", "album"), [
    (Wanted(_track(), _set(is_album=False), 1), "Late Night Mix"),  # a playlist counts too
    (Wanted(_track(LABEL), _set(is_album=True), 1), "Late Night Mix"),
    (Wanted(_track(LABEL)), "Homogenic"),  # a single track: the publisher's album
    (Wanted(_track({"publisher_metadata": {"id": 1, "contains_music": True}})), ""),
    (Wanted(_track({"publisher_metadata": None})), ""),
])
def test_album_of_a_wanted_track(wanted: Wanted, album: str) -> None:
    assert wanted.album == album


def _silence(path: Path, fmt: str, codec: str) -> None:
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=44100)
        size = stream.codec_context.frame_size or 1024
        for n in range(20):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, size * 2), dtype=np.int16),
                                               format="s16", layout="stereo")
            frame.sample_rate, frame.pts = 44100, n * size
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def test_album_tag_reads_back_for_a_playlist_and_a_single(tmp_path: Path) -> None:
    in_playlist = Wanted(_track(), _set(is_album=False), 1)
    mp3 = tmp_path / "a.mp3"
    _silence(mp3, "mp3", "libmp3lame")
    write_tags(mp3, "mp3", TrackTags.of(in_playlist.track, album=in_playlist.album), None)
    assert str(ID3(mp3)["TALB"]) == "Late Night Mix"

    single = Wanted(_track(LABEL))
    m4a = tmp_path / "b.m4a"
    _silence(m4a, "mp4", "aac")
    write_tags(m4a, "m4a", TrackTags.of(single.track, album=single.album), None)
    assert MP4(m4a).tags is not None and MP4(m4a).tags["\xa9alb"] == ["Homogenic"]
