"""Mixcloud targets (docs/mixcloud.md §1.1): which pasted links and URNs are claimed, what each
names, what is refused and with which words; and the listing pages web_ref sees."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from minion_tui.errors import InvalidURL
from minion_tui.providers import registry
from minion_tui.providers.mixcloud import urls
from minion_tui.providers.mixcloud.entry import ENTRY
from tests.unit.link_texts import link_like_text


@pytest.mark.parametrize(("text", "kind", "user", "slug"), [
    ("https://www.mixcloud.com/spartacus/party-time/", "show", "spartacus", "party-time"),
    ("https://www.mixcloud.com/spartacus/party-time", "show", "spartacus", "party-time"),
    ("http://mixcloud.com/spartacus/party-time/", "show", "spartacus", "party-time"),
    ("m.mixcloud.com/spartacus/party-time", "show", "spartacus", "party-time"),
    ("https://app.mixcloud.com/Spartacus/Party-Time/", "show", "Spartacus", "Party-Time"),
    ("https://beta.mixcloud.com/RedLightRadio/nosedrip-15/", "show", "RedLightRadio",
     "nosedrip-15"),
    ("https://api.mixcloud.com/spartacus/party-time/", "show", "spartacus", "party-time"),
    ("https://www.mixcloud.com/spartacus/party-time/listeners/", "show", "spartacus",
     "party-time"),
    ("https://www.mixcloud.com/spartacus/caf%C3%A9-mix/", "show", "spartacus", "café-mix"),
    ("https://www.mixcloud.com/spartacus/", "user", "spartacus", ""),
    ("https://www.mixcloud.com/spartacus", "user", "spartacus", ""),
    ("www.mixcloud.com/spartacus/favorites/", "user", "spartacus", ""),
    ("https://www.mixcloud.com/spartacus/listens", "user", "spartacus", ""),
    ("https://www.mixcloud.com/spartacus/uploads/", "user", "spartacus", ""),
    ("https://www.mixcloud.com/spartacus/playlists/", "user", "spartacus", ""),
    ("https://www.mixcloud.com/spartacus/playlists/summer/", "playlist", "spartacus", "summer"),
    ("mixcloud:cloudcasts:Spartacus/Party-Time", "show", "Spartacus", "Party-Time"),
    ("mixcloud:cloudcast:spartacus/party-time", "show", "spartacus", "party-time"),
    ("mixcloud:users:spartacus", "user", "spartacus", ""),
    ("https://www.mixcloud.com/live/spartacus/", "live", "spartacus", ""),
    ("mixcloud:live:spartacus", "live", "spartacus", ""),
])
def test_targets(text: str, kind: str, user: str, slug: str) -> None:
    found = urls.parse_target(text)
    assert (found.kind, found.user, found.slug) == (kind, user, slug)
    assert ENTRY.claims(text)
    assert registry.provider_for(text) == "mixcloud"


def test_ids_urns_and_urls_keep_the_case_and_drop_the_slashes() -> None:
    show = urls.parse_target("https://m.mixcloud.com/Spartacus/Party-Time")
    assert show.id == "Spartacus/Party-Time"
    assert show.urn == "mixcloud:cloudcasts:Spartacus/Party-Time"
    assert show.web_url == "https://www.mixcloud.com/Spartacus/Party-Time/"
    assert show.api_url == "https://api.mixcloud.com/Spartacus/Party-Time/"
    user = urls.parse_target("mixcloud:users:Spartacus")
    assert (user.id, user.urn, user.path) == ("Spartacus", "mixcloud:users:Spartacus",
                                              "/Spartacus/")
    assert urls.key_id("/spartacus/party-time/") == "spartacus/party-time"
    assert urls.urn_of_key("show", "/a/b/") == "mixcloud:cloudcasts:a/b"


@pytest.mark.parametrize(("text", "words"), [
    ("https://www.mixcloud.com/", "home page"),
    ("https://www.mixcloud.com/discover/funk/", "a Mixcloud page (discover)"),
    ("https://www.mixcloud.com/genres/funk/", "a Mixcloud page (genres)"),
    ("https://www.mixcloud.com/search/?mixcloud_query=x", "a Mixcloud page (search)"),
    ("https://www.mixcloud.com/select/", "a Mixcloud page (select)"),
    ("https://www.mixcloud.com/live/", "a Mixcloud page (live)"),
    ("https://www.mixcloud.com/upload/", "a Mixcloud page (upload)"),
    ("https://www.mixcloud.com/a/b/c/d/", "Unrecognised Mixcloud link"),
    ("https://www.mixcloud.com/a/favorites/x/", "Unrecognised Mixcloud link"),
    ("https://www.mixcloud.com:8080/a/b/", "not a Mixcloud address"),
    ("https://u:pw@www.mixcloud.com/a/b/", "user name or password"),
    ("mixcloud:cloudcasts:onlyuser", "Malformed Mixcloud URN"),
    ("mixcloud:tracks:1", "Malformed Mixcloud URN"),
    ("https://www.mixcloud.com/a/b\x00/", "control character"),
    ("", "empty"),
])
def test_refusals_say_what_failed_and_what_works(text: str, words: str) -> None:
    with pytest.raises(InvalidURL) as refused:
        urls.parse_target(text)
    assert words in refused.value.message
    assert refused.value.hint
    if "password" not in words:
        assert "mixcloud.com/<user>/<show>/" in refused.value.hint


def test_the_registry_no_longer_calls_mixcloud_unsupported() -> None:
    with pytest.raises(InvalidURL) as refused:
        registry.provider_for("https://example.com/a/b")
    assert "Mixcloud link" in (refused.value.hint or "")
    assert registry.provider_of_urn("mixcloud:users:spartacus") == "mixcloud"
    assert not ENTRY.claims("https://soundcloud.com/a/b")
    assert not ENTRY.claims("https://notmixcloud.com/a/b/")


@pytest.mark.parametrize(("text", "kind", "target", "listing"), [
    ("https://www.mixcloud.com/discover/deep-house/", "tag", "deep-house", ""),
    ("https://www.mixcloud.com/genres/funk/", "tag", "funk", ""),
    ("https://www.mixcloud.com/spartacus/", "user", "https://www.mixcloud.com/spartacus/",
     "tracks"),
    ("https://m.mixcloud.com/spartacus/favorites", "user", "https://www.mixcloud.com/spartacus/",
     "likes"),
    ("https://www.mixcloud.com/spartacus/listens/", "user",
     "https://www.mixcloud.com/spartacus/", "listens"),
    ("https://www.mixcloud.com/spartacus/following/", "user",
     "https://www.mixcloud.com/spartacus/", "followings"),
    ("https://www.mixcloud.com/spartacus/stream/", "user",
     "https://www.mixcloud.com/spartacus/", "feed"),
    ("https://www.mixcloud.com/spartacus/playlists/summer/", "playlist",
     "https://www.mixcloud.com/spartacus/playlists/summer/", ""),
    ("https://www.mixcloud.com/search/?mixcloud_query=deep+house", "search", "deep house",
     "tracks"),
    ("https://www.mixcloud.com/search/users/?mixcloud_query=dj", "search", "dj", "users"),
    ("mixcloud:users:spartacus", "user", "mixcloud:users:spartacus", "tracks"),
])
def test_listing_pages(text: str, kind: str, target: str, listing: str) -> None:
    ref = urls.web_ref(text)
    assert ref is not None
    assert (ref.kind, ref.target, ref.listing) == (kind, target, listing)
    assert registry.web_ref(text) == ref


@pytest.mark.parametrize("text", [
    "https://www.mixcloud.com/spartacus/party-time/", "https://www.mixcloud.com/",
    "https://www.mixcloud.com/select/", "https://soundcloud.com/a",
])
def test_one_resource_or_another_host_is_no_listing(text: str) -> None:
    assert urls.web_ref(text) is None


@settings(max_examples=300, deadline=None)
@given(link_like_text("mixcloud", ["www.mixcloud.com", "m.mixcloud.com", "app.mixcloud.com",
                                    "mixcloud.com", "api.mixcloud.com"],
                      "ab-_/%:?#&=. \x00é", id_size=20))
def test_any_text_parses_or_is_refused_in_words(text: str) -> None:
    try:
        found = urls.parse_target(text)
    except InvalidURL as refused:
        assert refused.message and refused.hint
    else:
        assert found.kind in ("show", "user", "playlist", "live") and found.user
    urls.web_ref(text)  # never raises
