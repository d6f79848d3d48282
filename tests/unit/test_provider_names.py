"""The provider switch's choices and which provider claims a pasted link."""

from __future__ import annotations

import pytest

from minion_tui.service import claimed_by, provider_capabilities, provider_names, provider_title
from minion_tui.service.catalog import link_capabilities


def test_both_built_in_providers_are_named_soundcloud_first() -> None:
    assert provider_names()[:2] == ("soundcloud", "mixcloud")


@pytest.mark.parametrize(("target", "name"), [
    ("https://soundcloud.com/echo-quartz/machine-of-brooklyn", "soundcloud"),
    ("  soundcloud:tracks:123 ", "soundcloud"),
    ("https://www.mixcloud.com/NightShiftRadio/night-shift-300/", "mixcloud"),
    ("m.mixcloud.com/NightShiftRadio", "mixcloud"),
    ("mixcloud:cloudcasts:NightShiftRadio/night-shift-300", "mixcloud"),
    ("https://example.com/a/b", None),
    ("deep house", None),
])
def test_claimed_by(target: str, name: str | None) -> None:
    assert claimed_by(target) == name


def test_each_provider_is_presented_by_its_own_declaration() -> None:
    assert (provider_title(), provider_title("mixcloud")) == ("SoundCloud", "Mixcloud")
    assert provider_capabilities("").short == "SC"
    assert provider_capabilities("mixcloud").word("likes") == "Favourites"
    assert provider_capabilities("soundcloud").word("likes") == "Likes"


def test_a_provider_no_longer_registered_reads_as_its_own_name() -> None:
    gone = provider_capabilities("bandcamp")
    assert (gone.title, gone.short, gone.user_tabs) == ("bandcamp", "ban", ())
    assert provider_title("bandcamp") == "bandcamp"


@pytest.mark.parametrize(("target", "from_link", "prefers"), [
    ("https://www.mixcloud.com/NightShiftRadio/night-shift-300/", True, "progressive"),
    ("https://soundcloud.com/echo-quartz/machine-of-brooklyn", False, None),
    ("https://example.com/a.m3u8", False, None),  # no provider claims it: nothing declared
    ("", False, None),
])
def test_link_capabilities(target: str, from_link: bool, prefers: str | None) -> None:
    caps = link_capabilities(target)
    assert (caps.stream_from_link, caps.download_prefers) == (from_link, prefers)
