"""The endpoint map: parsing, rewriting (including URLs found inside responses), unmapping."""

from __future__ import annotations

import json

import pytest

from minion_tui.net import EndpointMap, HttpOptions, merge_query, redact_url

SPEC = (
    "https://api-v2.soundcloud.com=http://127.0.0.1:8750/sc-api-v2,"
    "https://soundcloud.com=http://127.0.0.1:8750/sc-web"
)


@pytest.fixture
def emap() -> EndpointMap:
    return EndpointMap.parse(SPEC)


def test_parse_reads_every_pair(emap: EndpointMap) -> None:
    assert dict(emap.items()) == {
        "https://api-v2.soundcloud.com": "http://127.0.0.1:8750/sc-api-v2",
        "https://soundcloud.com": "http://127.0.0.1:8750/sc-web",
    }
    assert len(emap) == 2
    assert emap


def test_to_string_round_trips(emap: EndpointMap) -> None:
    assert emap.to_string() == SPEC
    assert EndpointMap.parse(emap.to_string()) == emap
    assert EndpointMap.from_dict(dict(emap.items())) == emap


def test_parse_tolerates_spaces_and_trailing_commas() -> None:
    emap = EndpointMap.parse(" https://a.example = http://127.0.0.1:1/x/ , ")
    assert dict(emap.items()) == {"https://a.example": "http://127.0.0.1:1/x"}


def test_empty_map_is_false_and_rewrites_nothing() -> None:
    emap = EndpointMap.parse("")
    assert not emap
    assert emap.rewrite("https://soundcloud.com/a") == "https://soundcloud.com/a"
    assert HttpOptions().endpoints == emap


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("https://soundcloud.com", "not 'real=replacement'"),
        ("=http://127.0.0.1:1", "not 'real=replacement'"),
        ("ftp://soundcloud.com=http://127.0.0.1:1", "not an http(s) origin"),
        ("https://soundcloud.com=127.0.0.1:8750", "not an http(s) origin"),
        ("https://soundcloud.com/path=http://127.0.0.1:1", "has a path"),
        ("https://soundcloud.com=http://127.0.0.1:1/x?y=1", "must not carry a query"),
        ("https://a.example=http://h:1/x,https://b.example=http://h:1/x", "same replacement"),
        ("https://a.example=http://h:1/x,https://a.example=http://h:1/y", "mapped twice"),
        ("https://a.example=http://h:notaport", "not an http(s) origin"),
    ],
)
def test_parse_rejects_bad_input_with_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        EndpointMap.parse(text)
    assert fragment in str(info.value)


def test_rewrite_keeps_path_query_and_fragment(emap: EndpointMap) -> None:
    url = "https://api-v2.soundcloud.com/tracks/1/related?limit=10&offset=0#top"
    assert (
        emap.rewrite(url)
        == "http://127.0.0.1:8750/sc-api-v2/tracks/1/related?limit=10&offset=0#top"
    )
    assert emap.rewrite("https://soundcloud.com/") == "http://127.0.0.1:8750/sc-web/"
    assert emap.rewrite("https://soundcloud.com") == "http://127.0.0.1:8750/sc-web"


def test_rewrite_matches_scheme_host_and_port_exactly(emap: EndpointMap) -> None:
    for url in (
        "http://api-v2.soundcloud.com/tracks",  # other scheme
        "https://api-v2.soundcloud.com:8443/tracks",  # other port
        "https://m.soundcloud.com/x",  # other host
        "https://soundcloud.com.evil.example/x",  # suffix trick
        "not a url",
    ):
        assert emap.rewrite(url) == url
    # Case and an explicit default port do not matter: they are the same origin.
    assert emap.rewrite("HTTPS://SoundCloud.com:443/a") == "http://127.0.0.1:8750/sc-web/a"


def test_rewrite_without_prefix() -> None:
    emap = EndpointMap.from_dict({"https://i1.sndcdn.com": "http://localhost:9000"})
    assert emap.rewrite("https://i1.sndcdn.com/artworks-x-t500x500.jpg") == (
        "http://localhost:9000/artworks-x-t500x500.jpg"
    )
    assert emap.unmap("http://localhost:9000/a.jpg") == "https://i1.sndcdn.com/a.jpg"


def test_unmap_inverts_rewrite(emap: EndpointMap) -> None:
    for url in (
        "https://api-v2.soundcloud.com/search/tracks?q=dub%20techno&client_id=x",
        "https://soundcloud.com/artist/track-name",
        "https://soundcloud.com",
    ):
        assert emap.unmap(emap.rewrite(url)) == url


def test_unmap_requires_the_prefix_on_a_segment_boundary(emap: EndpointMap) -> None:
    assert emap.unmap("http://127.0.0.1:8750/sc-web-other/x") == (
        "http://127.0.0.1:8750/sc-web-other/x"
    )
    assert emap.unmap("http://127.0.0.1:8750/elsewhere") == "http://127.0.0.1:8750/elsewhere"
    assert emap.unmap("https://example.org/sc-web/x") == "https://example.org/sc-web/x"


def test_urls_found_inside_responses_are_rewritten(emap: EndpointMap) -> None:
    # A page of results as api-v2 returns it: absolute real-origin URLs in the body.
    body = json.loads(
        '{"collection": [{"permalink_url": "https://soundcloud.com/a/b",'
        ' "media": {"transcodings": [{"url":'
        ' "https://api-v2.soundcloud.com/media/soundcloud:tracks:1/abc/stream/hls"}]}}],'
        ' "next_href": "https://api-v2.soundcloud.com/search/tracks?q=x&offset=20&limit=20"}'
    )
    assert emap.rewrite(body["next_href"]) == (
        "http://127.0.0.1:8750/sc-api-v2/search/tracks?q=x&offset=20&limit=20"
    )
    transcoding = body["collection"][0]["media"]["transcodings"][0]["url"]
    assert emap.rewrite(transcoding) == (
        "http://127.0.0.1:8750/sc-api-v2/media/soundcloud:tracks:1/abc/stream/hls"
    )
    assert emap.rewrite(body["collection"][0]["permalink_url"]) == (
        "http://127.0.0.1:8750/sc-web/a/b"
    )


def test_longest_prefix_wins_on_a_shared_replacement_origin() -> None:
    emap = EndpointMap.parse("https://a.example=http://h:1,https://b.example=http://h:1/b")
    assert emap.unmap("http://h:1/b/x") == "https://b.example/x"
    assert emap.unmap("http://h:1/c/x") == "https://a.example/c/x"


def test_map_is_hashable_and_comparable() -> None:
    one, two = EndpointMap.parse(SPEC), EndpointMap.parse(SPEC)
    assert one == two and hash(one) == hash(two)
    assert one != EndpointMap()
    assert "sc-api-v2" in repr(one)


def test_merge_query_overrides_same_named_keys() -> None:
    url = "https://api-v2.soundcloud.com/tracks?client_id=old&limit=5"
    merged = merge_query(url, {"client_id": "new", "offset": "10"})
    assert merged == "https://api-v2.soundcloud.com/tracks?limit=5&client_id=new&offset=10"
    assert merge_query(url, None) == url


def test_redact_url_strips_secrets_only() -> None:
    url = (
        "https://cf-media.sndcdn.com/x.128.mp3?Policy=p&Signature=s&Key-Pair-Id=k&"
        "client_id=c&secret_token=t&limit=5"
    )
    assert redact_url(url) == "https://cf-media.sndcdn.com/x.128.mp3?limit=5"
    assert redact_url("https://soundcloud.com/a?b=1") == "https://soundcloud.com/a?b=1"


def test_redact_url_hides_the_password_of_userinfo() -> None:
    url = "https://alice:hunter2@soundcloud.com/a/b?client_id=abc&x=1"
    assert redact_url(url) == "https://alice:***@soundcloud.com/a/b?x=1"
    assert redact_url("https://alice@soundcloud.com/a") == "https://alice@soundcloud.com/a"
    assert redact_url("https://[::1/a?client_id=z") == "https://[::1/a?client_id=z"
