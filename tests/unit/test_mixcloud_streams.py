"""Streams from a GraphQL ``cloudcastLookup`` answer (docs/mixcloud.md §4): yt-dlp's query
to the letter, the base64 + XOR round trip, HLS before progressive, progressive capped at
5 MiB ranges, and each refusal of §4.3 as our error."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minion_tui.errors import GeoBlocked, NotFound, Restricted, SubscriptionRequired
from minion_tui.models import Availability
from minion_tui.providers.mixcloud import parse, streams
from minion_tui.providers.mixcloud.urls import Target

SHOW = Target("show", "dholbach", "cryptkeeper")
HLS = "https://audio4.mixcloud.com/secure/hls/2/e/1/6/0f7b-4a.m4a/index.m3u8"
M4A = "https://stream12.mixcloud.com/secure/c/m4a/64/2/e/1/6/0f7b-4a.m4a?sig=abc_123"
DASH = "https://audio4.mixcloud.com/secure/dash2/2/e/1/6/0f7b-4a.m4a/manifest.mpd"
KEY = "IFYOUWANTTHEARTISTSTOGETPAIDDONOTDOWNLOADFROMMIXCLOUD"


def encoded(url: str) -> str:
    """The obfuscation written out here on its own: XOR with the key, then base64."""
    raw = bytes(ord(c) ^ ord(KEY[i % len(KEY)]) for i, c in enumerate(url))
    return base64.b64encode(raw).decode()


def lookup(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Cryptkeeper", "isExclusive": False, "restrictedReason": None,
        "owner": {"displayName": "Daniel", "url": "https://www.mixcloud.com/dholbach/",
                  "username": "dholbach"},
        "streamInfo": {"url": encoded(M4A), "hlsUrl": encoded(HLS), "dashUrl": encoded(DASH)},
    }
    data.update(changes)
    return data


def test_the_query_is_yt_dlps() -> None:
    query = streams.lookup_query(SHOW)
    assert query.startswith('{\n  cloudcastLookup(lookup: {username: "dholbach", '
                            'slug: "cryptkeeper"}) {\n    audioLength\n    comments(first: 100) {')
    assert query.endswith("    restrictedReason\n    id\n  }\n}")
    assert "    streamInfo {\n      dashUrl\n      hlsUrl\n      url\n    }\n" in query
    assert "    picture(width: 1024, height: 1024) {\n        url\n    }\n" in query


def test_a_quote_in_a_slug_cannot_end_the_string() -> None:
    query = streams.lookup_query(Target("show", 'a"b', "c\\d"))
    assert 'username: "a\\"b", slug: "c\\\\d"' in query


def test_the_key_decodes_what_the_notes_describe() -> None:
    assert parse.XOR_KEY.decode() == KEY and len(KEY) == 53
    assert parse.decode_stream_url(encoded(HLS)) == HLS
    assert parse.encode_stream_url(M4A) == encoded(M4A)


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=300))
def test_xor_round_trip(tail: str) -> None:
    url = "https://stream1.mixcloud.com/" + tail
    assert parse.decode_stream_url(parse.encode_stream_url(url)) == url
    data = url.encode()
    assert parse.xor_cipher(parse.xor_cipher(data)) == data


@pytest.mark.parametrize("value", [None, "", 5, "!!!not base64", base64.b64encode(b"\x00\x01")
                                   .decode(), encoded("ftp://x/y"), encoded("https://a b")])
def test_garbage_decodes_to_nothing(value: object) -> None:
    assert parse.decode_stream_url(value) is None


def test_hls_is_preferred_and_given_as_decoded() -> None:
    choice = streams.choose(lookup(), SHOW, urn=SHOW.urn)
    assert (choice.protocol, choice.codec, choice.url) == ("hls", "aac", HLS)
    assert choice.track_urn == "mixcloud:cloudcasts:dholbach/cryptkeeper"
    assert choice.to_json()["protocol"] == "hls"


def test_progressive_without_hls_in_ranges_of_5_mib() -> None:
    choice = streams.choose(lookup(streamInfo={"url": encoded(M4A), "hlsUrl": None}), SHOW,
                            urn=SHOW.urn)
    assert (choice.protocol, choice.codec, choice.url) == ("progressive", "aac", M4A)
    assert choice.max_range_bytes == 5 * 1024 * 1024


@pytest.mark.parametrize(("answer", "error", "words"), [
    (None, NotFound, "no show"),
    (lookup(restrictedReason="tracklist"), GeoBlocked, "unavailable in your country"),
    (lookup(restrictedReason="repeat_play"), Restricted, "play limit"),
    (lookup(restrictedReason="other"), Restricted, "restricts"),
    (lookup(isExclusive=True, streamInfo=None), SubscriptionRequired, "Mixcloud Select"),
    (lookup(streamInfo=None), NotFound, "no stream"),
])
def test_refusals(answer: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as refused:
        streams.choose(answer, SHOW, urn=SHOW.urn)
    assert words in str(refused.value)


def test_exclusive_needs_a_subscription_and_says_so() -> None:
    with pytest.raises(SubscriptionRequired) as refused:
        streams.choose(lookup(isExclusive=True, streamInfo={"url": None, "hlsUrl": None,
                                                            "dashUrl": None}), SHOW, urn=SHOW.urn)
    assert refused.value.type == "subscription_required"
    assert "subscribe" in (refused.value.hint or "").lower()


@pytest.mark.parametrize(("answer", "state"), [
    (lookup(), Availability.FULL),
    (lookup(isExclusive=True, streamInfo=None), Availability.EXCLUSIVE),
    (lookup(restrictedReason="tracklist"), Availability.BLOCKED),
    (lookup(restrictedReason="repeat_play"), Availability.UNAVAILABLE),
    (lookup(streamInfo={}), Availability.UNAVAILABLE),
    (lookup(isExclusivePreviewOnly=True), Availability.PREVIEW),
])
def test_availability_from_graphql(answer: dict[str, object], state: Availability) -> None:
    assert parse.graphql_availability(answer) is state


def test_graphql_envelopes() -> None:
    assert parse.graphql_data({"data": {"cloudcastLookup": None}}, "cloudcastLookup") == (None, [])
    value, errors = parse.graphql_data(
        {"errors": [{"message": "Cannot query field", "path": ["x"]}, "junk"]}, "cloudcastLookup")
    assert value is None and errors == ["Cannot query field"]
