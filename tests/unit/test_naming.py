from __future__ import annotations

from pathlib import PurePosixPath

from minion_tui.downloads.naming import (
    DEFAULT_SET_TEMPLATE,
    DEFAULT_TEMPLATE,
    render,
    safe_component,
)


def test_default_template() -> None:
    path = render(DEFAULT_TEMPLATE, {"artist": "Aphex Twin", "title": "Xtal", "ext": "mp3"})
    assert path == PurePosixPath("Aphex Twin - Xtal.mp3")


def test_set_template_makes_a_folder_and_pads_index() -> None:
    path = render(DEFAULT_SET_TEMPLATE, {"playlist": "Live Sets", "index": 3, "artist": "A",
                                         "title": "B", "ext": "m4a"})
    assert path == PurePosixPath("Live Sets/03 - A - B.m4a")


def test_values_cannot_traverse() -> None:
    path = render(DEFAULT_TEMPLATE, {"artist": "../../etc", "title": "/passwd", "ext": "mp3"})
    assert len(path.parts) == 1
    assert ".." not in path.parts
    assert not path.is_absolute()


def test_control_and_reserved_names() -> None:
    assert safe_component("a\x00b\x1fc") == "a_b_c"
    assert safe_component("CON.mp3") == "_CON.mp3"
    assert safe_component("..") == "_"
    assert safe_component("") == "_"


def test_unicode_kept_and_byte_limit() -> None:
    assert safe_component("Björk — Jóga 東京") == "Björk — Jóga 東京"
    long = "東" * 200 + ".mp3"
    cut = safe_component(long)
    assert len(cut.encode()) <= 255
    assert cut.endswith(".mp3")
    assert cut.startswith("東東")
