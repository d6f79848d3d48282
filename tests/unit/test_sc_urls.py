"""What users paste → targets (urls.py) and the provider registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from minion_tui.errors import InvalidURL, MinionError
from minion_tui.providers.registry import provider_for
from minion_tui.providers.soundcloud.urls import Target, api_uri, parse_target, parse_urn
from tests.unit.link_texts import link_like_text

BIG = "3021453337"


def _track(url: str, **more: str) -> Target:
    return Target("permalink", url=url, collection="tracks", **more)


def _set(url: str, **more: str) -> Target:
    return Target("permalink", url=url, collection="playlists", **more)


@pytest.mark.parametrize(("text", "expected"), [
    ("https://soundcloud.com/nightdrive/neon-harbour",
     _track("https://soundcloud.com/nightdrive/neon-harbour")),
    ("https://m.soundcloud.com/nightdrive/neon-harbour?utm_source=clipboard&si=abc#t=1:02",
     _track("https://soundcloud.com/nightdrive/neon-harbour")),
    ("soundcloud.com/nightdrive/neon-harbour/s-AbC12xyz",
     _track("https://soundcloud.com/nightdrive/neon-harbour/s-AbC12xyz",
            secret_token="s-AbC12xyz")),
    ("https://www.soundcloud.com/nightdrive/sets/late-night",
     _set("https://soundcloud.com/nightdrive/sets/late-night")),
    ("https://soundcloud.com/nightdrive/sets/late-night/s-QQQ1",
     _set("https://soundcloud.com/nightdrive/sets/late-night/s-QQQ1", secret_token="s-QQQ1")),
    ("https://soundcloud.com/nightdrive", Target("permalink", url="https://soundcloud.com/nightdrive")),
    ("https://soundcloud.com/nightdrive/likes",
     Target("permalink", url="https://soundcloud.com/nightdrive")),
    ("https://soundcloud.com/nightdrive/neon-harbour/recommended",
     _track("https://soundcloud.com/nightdrive/neon-harbour")),
    ("https://on.soundcloud.com/aBc123XyZ", Target("short", url="https://on.soundcloud.com/aBc123XyZ")),
    (f"soundcloud:tracks:{BIG}", Target("urn", collection="tracks", id=BIG)),
    ("soundcloud:users:42", Target("urn", collection="users", id="42")),
    ("  SOUNDCLOUD:Playlists:7 ", Target("urn", collection="playlists", id="7")),
    (f"https://api.soundcloud.com/tracks/soundcloud%3Atracks%3A{BIG}",
     Target("urn", collection="tracks", id=BIG)),
    ("https://api.soundcloud.com/playlists/soundcloud:playlists:99",
     Target("urn", collection="playlists", id="99")),
    (f"https://api-v2.soundcloud.com/tracks/{BIG}", Target("urn", collection="tracks", id=BIG)),
])
def test_targets(text: str, expected: Target) -> None:
    assert parse_target(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("", "empty"),
    ("https://soundcloud.com/discover", "not a track"),
    ("https://soundcloud.com/search?q=x", "not a track"),
    ("https://soundcloud.com/", "home page"),
    ("https://example.com/a/b", "not a SoundCloud address"),
    ("ftp://soundcloud.com/a/b", "Not a SoundCloud link"),
    ("soundcloud:tracks:abc", "Malformed SoundCloud URN"),
    ("soundcloud:comments:1", "Malformed SoundCloud URN"),
    ("https://on.soundcloud.com/", "no code"),
    ("https://soundcloud.com/a/b/c/d", "Unrecognised"),
    ("https://api.soundcloud.com/me", "API URL"),
    ("http://[::1", "Malformed URL"),
])
def test_invalid_targets_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidURL, match=reason) as err:
        parse_target(text)
    assert err.value.hint and "soundcloud" in err.value.hint.lower()


def test_urn_round_trip_through_the_api_uri_form() -> None:
    uri = api_uri(f"soundcloud:tracks:{BIG}")
    assert uri == f"https://api.soundcloud.com/tracks/soundcloud%3Atracks%3A{BIG}"
    assert parse_target(uri).urn == f"soundcloud:tracks:{BIG}"
    assert parse_urn("soundcloud:track:5") == ("tracks", "5")


@pytest.mark.parametrize("text", [
    "https://soundcloud.com/a/b", "https://on.soundcloud.com/x", "soundcloud:users:1",
    "m.soundcloud.com/a", "https://api.soundcloud.com/tracks/1",
])
def test_registry_routes_soundcloud(text: str) -> None:
    assert provider_for(text) == "soundcloud"


@pytest.mark.parametrize(("text", "reason"), [
    ("https://soundcloud.com/discover", "not a track"),
    ("https://www.mixcloud.com/discover/", "a Mixcloud page"),
    ("hello", "Not a link the app understands"),
])
def test_registry_refuses_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidURL, match=reason):
        provider_for(text)


@settings(max_examples=400, deadline=None)
@given(link_like_text("soundcloud", ["soundcloud.com", "m.soundcloud.com", "on.soundcloud.com",
                                      "api.soundcloud.com", "x.soundcloud.com"],
                      "abc-_/%:s0123?#&=", id_size=10))
def test_parsing_never_raises_anything_but_invalid_url(text: str) -> None:
    try:
        target = parse_target(text)
    except InvalidURL:
        return
    assert target.kind in ("urn", "permalink", "short")
    if target.kind == "urn":
        assert target.id and target.id.isdigit()
    else:
        assert target.url.startswith("https://")
    try:
        assert provider_for(text) == "soundcloud"
    except MinionError as exc:  # pragma: no cover - must not happen for a parsed target
        pytest.fail(f"registry refused a parsable target: {exc}")


def test_soundcloud_satisfies_the_provider_protocol(tmp_path: Path) -> None:
    from minion_tui.net import Http
    from minion_tui.providers.base import Provider
    from minion_tui.providers.soundcloud.client import SoundCloud

    sc = SoundCloud(Http(), cache_dir=tmp_path)
    assert isinstance(sc, Provider) and sc.name == "soundcloud"
    assert sc.url_for("soundcloud:users:5") == (
        "https://api.soundcloud.com/users/soundcloud%3Ausers%3A5")
