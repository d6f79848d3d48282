"""The provider switch's choices and which provider claims a pasted link."""

from __future__ import annotations

import pytest

from minion_tui.service import claimed_by, provider_names


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
