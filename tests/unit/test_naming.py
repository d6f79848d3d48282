from __future__ import annotations

from pathlib import PurePosixPath

import pytest

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


@pytest.mark.parametrize("title", ["..", ".", "...", " . ", ". .", "  ", "\u202e", "\u200e\u200f"])
def test_a_title_of_dots_spaces_or_nothing_keeps_its_extension(title: str) -> None:
    # ".." used to give "mp3": the stem's dots were stripped together with the extension's.
    assert render("{title}.{ext}", {"title": title, "ext": "mp3"}) == PurePosixPath("_.mp3")


@pytest.mark.parametrize(("title", "name"), [("CON", "_CON.mp3"), ("con .", "_con.mp3"),
                                             ("nul. ", "_nul.mp3"), ("LPT\u00b9", "_LPT\u00b9.mp3"),
                                             ("a.", "a.mp3"), (".hidden", "hidden.mp3")])
def test_reserved_and_dotted_stems_keep_their_extension(title: str, name: str) -> None:
    assert render("{title}.{ext}", {"title": title, "ext": "mp3"}) == PurePosixPath(name)


@pytest.mark.parametrize("url", ["http://h/...m3u8", "http://h/%2E%2E.m3u8", "http://h/.m3u8",
                                 "http://h/%20.m3u8"])
def test_a_direct_url_named_only_dots_keeps_its_extension(url: str) -> None:
    from pathlib import Path

    from minion_tui.downloads.direct import direct_target
    from minion_tui.downloads.targets import Direct
    from minion_tui.models import StreamChoice

    choice = StreamChoice("hls", "mp3", "direct", url)
    assert direct_target(Direct(url, "hls"), choice, Path("/d")).name in ("_.mp3", "download.mp3")


def test_numbered_names_keep_the_number_and_the_extension_within_the_budget() -> None:
    from minion_tui.downloads.naming import MAX_NAME_BYTES, numbered

    assert numbered("index.mp3", 1) == "index.mp3"
    assert numbered("index.mp3", 2) == "index (2).mp3"
    long = "東" * 80 + ".m4a"
    cut = numbered(long, 12)
    assert cut.endswith(" (12).m4a") and len(cut.encode()) <= MAX_NAME_BYTES
