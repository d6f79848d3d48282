"""Safe names leave room for the partial names, and refuse invisible or reserved ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from minion_tui.downloads.engine import DownloadOptions, final_path, partial_paths
from minion_tui.downloads.naming import (
    DEFAULT_SET_TEMPLATE,
    MAX_COMPONENT_BYTES,
    render,
    safe_component,
)
from minion_tui.models import StreamChoice, Track

CJK_TITLE = "東京の夜" * 25  # 100 characters, 300 bytes of UTF-8


def _track(title: str, artist: str = "アーティスト") -> Track:
    return Track(provider="soundcloud", id="1", urn="soundcloud:tracks:1", url="", title=title,
                 artist=artist, uploader=artist, duration_ms=1000)


@pytest.mark.parametrize("codec", ["mp3", "aac", "opus"])
def test_a_300_byte_cjk_title_leaves_room_for_every_partial_name(tmp_path: Path,
                                                                  codec: str) -> None:
    choice = StreamChoice("hls", codec, "test", "https://example.invalid/x.m3u8")
    target = final_path(_track(CJK_TITLE), choice, DownloadOptions(directory=tmp_path))
    part, work = partial_paths(target)
    # Every name the engine and progressive.py derive must be creatable (ENAMETOOLONG else).
    work.mkdir()
    (work / "00000.seg.tmp").write_bytes(b"s")
    part.write_bytes(b"p")
    part.with_name(part.name + ".validator").write_text('"etag"')
    target.write_bytes(b"f")
    derived = [target.name, part.name, work.name, part.name + ".validator"]
    assert max(len(name.encode()) for name in derived) <= MAX_COMPONENT_BYTES
    assert len(target.name.encode()) > 200  # cut, not emptied
    assert target.suffix == "." + {"aac": "m4a"}.get(codec, codec)
    # Cut on a character boundary: what is left of the title is whole characters.
    stem = target.name.removeprefix("アーティスト - ").removesuffix(target.suffix)
    assert stem and CJK_TITLE.startswith(stem)


def test_set_folder_keeps_255_bytes_and_the_file_leaves_room() -> None:
    path = render(DEFAULT_SET_TEMPLATE, {"playlist": "é" * 200, "index": 1, "artist": "a",
                                         "title": "🎵" * 100, "ext": "mp3"})
    folder, name = path.parts
    assert folder == "é" * 127  # 254 bytes: a 2-byte character is not split at 255
    assert len(name.encode()) <= 240 and name.endswith(".mp3") and "🎵" in name


@pytest.mark.parametrize("name", [
    "CON .mp3", "con.txt", "CON", "Con  ", "CONIN$", "conout$.m4a", "COM1.mp3", "lpt9",
    "COM¹.mp3", "LPT³", "nul.tar.gz", "AUX.", "PRN . .",
])
def test_reserved_windows_names_are_never_produced(name: str) -> None:
    safe = safe_component(name)
    assert safe.startswith("_")
    assert not safe.endswith((".", " "))


@pytest.mark.parametrize("name", ["CONSOLE.mp3", "COM10", "Concerto.mp3", "LPT", "com"])
def test_names_that_only_look_reserved_are_kept(name: str) -> None:
    assert safe_component(name) == name


def test_c1_and_bidi_controls_are_removed_but_emoji_and_letters_stay() -> None:
    assert safe_component("a\x85b\x9fc.mp3") == "a_b_c.mp3"
    # U+202E would make "evil\u202egpj.mp3" display as "evil3pm.jpg".
    assert safe_component("evil\u202egpj.mp3") == "evilgpj.mp3"
    assert safe_component("\u200e\u2066Björk 🎧 東京\u2069\u200f.opus") == "Björk 🎧 東京.opus"


@pytest.mark.parametrize(("name", "safe"), [
    ("track. . .", "track"), ("track .", "track"), ("  spaced  ", "spaced"), ("...", "_"),
    ("\u202e", "_"),
])
def test_trailing_dots_and_spaces_go(name: str, safe: str) -> None:
    assert safe_component(name) == safe


def test_a_cut_name_does_not_end_in_a_dot_or_space_before_its_extension() -> None:
    cut = safe_component("a" * 230 + " . " + "b" * 30 + ".mp3")
    assert cut.endswith(".mp3") and not cut[:-4].endswith((" ", "."))
    assert len(cut.encode()) <= 240
