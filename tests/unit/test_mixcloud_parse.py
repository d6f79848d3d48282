"""parse.py against REST and GraphQL shapes written by hand from docs/mixcloud.md §2 and §4
(not from the emulator), and hypothesis mutations of them: dropped keys, nulls and wrong
types never raise anything but our errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minion_tui.errors import MinionError
from minion_tui.models import Availability, Section
from minion_tui.providers.mixcloud import parse

PIC = "https://thumbnailer.mixcloud.com/unsafe/{0}x{0}/extaudio/a/b/c/d/1234-abcd"
SIZES = {"small": 25, "thumbnail": 50, "medium_mobile": 80, "medium": 100, "large": 300,
         "320wx320h": 320, "extra_large": 600, "640wx640h": 640, "768wx768h": 768,
         "1024wx1024h": 1024}


def pictures(count: int = 10) -> dict[str, str]:
    return {k: PIC.format(v) for k, v in list(SIZES.items())[:count]}


def list_user() -> dict[str, Any]:
    """docs/mixcloud.md §2.2, list item (8 picture keys)."""
    return {"username": "Spartacus", "name": "Spartacus Radio",
            "url": "https://www.mixcloud.com/Spartacus/", "key": "/Spartacus/", "type": "user",
            "pictures": pictures(8)}


def full_user() -> dict[str, Any]:
    return {**list_user(), "biog": "Mixes.", "city": "Berlin", "country": "Germany",
            "created_time": "2012-03-01T10:00:00Z", "updated_time": "2026-01-01T10:00:00Z",
            "follower_count": 1234, "following_count": 56, "cloudcast_count": 78,
            "favorite_count": 9, "listen_count": 10, "is_pro": True, "is_premium": False}


def cloudcast() -> dict[str, Any]:
    """docs/mixcloud.md §2.1, list item."""
    return {"key": "/Spartacus/Party-Time/", "url": "https://www.mixcloud.com/Spartacus/Party-Time/",
            "name": "Party Time", "slug": "Party-Time", "type": "cloudcast",
            "created_time": "2017-09-29T07:15:37Z", "updated_time": "2017-09-30T07:15:37Z",
            "audio_length": 3723, "play_count": 5012, "favorite_count": 321,
            "listener_count": 4000, "repost_count": 12, "comment_count": 7,
            "tags": [{"key": "/discover/electronica/",
                      "url": "https://www.mixcloud.com/discover/electronica/",
                      "name": "Electronica", "type": "tag"},
                     {"key": "/discover/deep-house/", "url": "", "name": "Deep House",
                      "type": "tag"}],
            "user": list_user(), "pictures": pictures()}


def full_cloudcast() -> dict[str, Any]:
    return {**cloudcast(), "description": "Two hours.", "is_exclusive": False, "sections": [],
            "picture_primary_color": "0a0b0c"}


def test_a_cloudcast_is_a_track_per_the_contract() -> None:
    t = parse.track(cloudcast())
    assert t.to_json()["provider"] == "mixcloud" and t.to_json()["kind"] == "track"
    assert (t.id, t.urn) == ("Spartacus/Party-Time", "mixcloud:cloudcasts:Spartacus/Party-Time")
    assert t.url == "https://www.mixcloud.com/Spartacus/Party-Time/"
    assert (t.title, t.uploader, t.artist) == ("Party Time", "Spartacus Radio", "Spartacus Radio")
    assert t.duration_ms == 3_723_000
    assert t.tags == ("Electronica", "Deep House")
    assert t.created_at == "2017-09-29T07:15:37Z"
    assert t.artwork_url == PIC.format(1024)
    assert t.to_json()["counts"] == {"plays": 5012, "likes": 321, "reposts": 12, "comments": 7}
    assert t.availability is Availability.FULL and t.description == ""
    assert t.uploader_urn == "mixcloud:users:Spartacus"
    assert t.uploader_url == "https://www.mixcloud.com/Spartacus/"


def test_the_full_object_adds_the_description_and_exclusives() -> None:
    full = parse.track(full_cloudcast())
    assert full.description == "Two hours."
    exclusive = parse.track({**full_cloudcast(), "is_exclusive": True})
    assert exclusive.availability is Availability.EXCLUSIVE
    assert exclusive.to_json()["availability"] == "exclusive"


def test_dates_with_offsets_become_utc_with_z() -> None:
    t = parse.track({**cloudcast(), "created_time": "2017-09-29T09:15:37+02:00"})
    assert t.created_at == "2017-09-29T07:15:37Z"
    assert parse.track({**cloudcast(), "created_time": "yesterday"}).created_at is None


def test_the_url_is_always_the_www_one() -> None:
    mobile = parse.track({**cloudcast(), "url": "https://m.mixcloud.com/Spartacus/Party-Time/"})
    assert mobile.url == "https://www.mixcloud.com/Spartacus/Party-Time/"
    assert parse.track({**cloudcast(), "url": None}).url == mobile.url
    assert parse.user({**list_user(), "url": ""}).url == "https://www.mixcloud.com/Spartacus/"


def test_the_id_comes_from_the_url_when_the_key_is_missing() -> None:
    data = cloudcast()
    del data["key"]
    assert parse.track(data).id == "Spartacus/Party-Time"
    with pytest.raises(parse.MalformedResponse):
        parse.track({"name": "no key, no url"})


def test_a_user_per_the_contract() -> None:
    u = parse.user(full_user())
    assert (u.id, u.urn, u.username, u.full_name) == (
        "Spartacus", "mixcloud:users:Spartacus", "Spartacus", "Spartacus Radio")
    assert u.url == "https://www.mixcloud.com/Spartacus/"
    assert (u.followers_count, u.followings_count, u.track_count) == (1234, 56, 78)
    assert (u.city, u.country) == ("Berlin", "Germany")
    assert u.avatar_url == PIC.format(640)  # users carry 8 keys
    listed = parse.user(list_user())
    assert listed.followers_count is None and listed.city is None


def test_a_comment_in_the_existing_form() -> None:
    c = parse.comment({"comment": "Great mix!", "submit_date": "2010-03-29T19:12:50Z",
                       "user": list_user(), "key": "/comments/cr/214/78/c8952637/",
                       "url": "https://www.mixcloud.com/comments/cr/214/78/c8952637/",
                       "type": "comment"})
    out = c.to_json()
    assert out["kind"] == "comment" and out["body"] == "Great mix!"
    assert out["created_at"] == "2010-03-29T19:12:50Z"
    assert out["user"]["urn"] == "mixcloud:users:Spartacus"
    assert c.id == "comments/cr/214/78/c8952637"


def test_tags_and_playlists() -> None:
    tag = parse.tag({"key": "/discover/funk/", "url": "https://www.mixcloud.com/discover/funk/",
                     "name": "Funk shows", "type": "tag"})
    assert tag.to_json() == {"provider": "mixcloud", "kind": "tag", "name": "Funk shows",
                             "slug": "funk", "url": "https://www.mixcloud.com/discover/funk/"}
    pl = parse.playlist({"key": "/Spartacus/playlists/summer/",
                         "url": "https://www.mixcloud.com/Spartacus/playlists/summer/",
                         "name": "Summer", "slug": "summer",
                         "owner": {"username": "Spartacus", "name": "Spartacus Radio"}},
                        [parse.track(cloudcast())])
    assert (pl.urn, pl.title, pl.uploader, pl.track_count, pl.duration_ms) == (
        "mixcloud:playlists:Spartacus/summer", "Summer", "Spartacus Radio", 1, 3_723_000)


def test_lists_and_errors() -> None:
    page = {"data": [cloudcast()], "name": "Popular Cloudcasts",
            "paging": {"next": "http://api.mixcloud.com/popular/?limit=20&until=2017-09-29+07%3A15%3A37",
                       "previous": "https://api.mixcloud.com/popular/?since=1"}}
    items, following, name = parse.envelope(page)
    assert len(items) == 1 and name == "Popular Cloudcasts"
    assert following == "http://api.mixcloud.com/popular/?limit=20&until=2017-09-29+07%3A15%3A37"
    assert parse.envelope({"data": [], "paging": {}})[1] is None
    assert parse.envelope({"data": [], "paging": {"next": None}})[1] is None
    assert parse.error({"error": {"type": "RateLimitException", "retry_after": 452,
                                  "message": "You have hit your rate limit."}}) == (
        "RateLimitException", "You have hit your rate limit.", 452.0)
    assert parse.error("<html>") == ("", "", None)


def test_feed_items_give_the_cloudcasts_they_name() -> None:
    show = cloudcast()
    assert parse.feed_cloudcasts(show) == [show]
    assert parse.feed_cloudcasts({"type": "upload", "cloudcast": show}) == [show]
    assert parse.feed_cloudcasts({"cloudcasts": [show, "x"]}) == [show]
    assert parse.feed_cloudcasts({"type": "follow", "user": list_user()}) == []


def test_rest_sections_old_and_upload_forms() -> None:
    data = {"sections": [
        {"start_time": 0, "track": {"name": "Song A", "artist": {"name": "Artist A",
                                                                "slug": "artist-a"}}},
        {"start_time": 312, "artist": "Artist B", "song": "Song B"},
        {"start_time": 600, "chapter": "Interview"},
        {"track": None}, "A chapter name", 7,
    ]}
    assert parse.rest_sections(data) == [
        Section("track", 0, "Artist A", "Song A"),
        Section("track", 312_000, "Artist B", "Song B"),
        Section("chapter", 600_000, "", "Interview"),
        Section("chapter", None, "", "A chapter name"),
    ]
    assert parse.rest_sections({"sections": []}) == []


def test_graphql_sections_with_missing_starts() -> None:
    lookup = {"canShowTracklist": True, "sections": [
        {"__typename": "TrackSection", "artistName": "Artist A", "songName": "Song A",
         "startSeconds": 0},
        {"__typename": "ChapterSection", "chapter": "Talk", "startSeconds": None},
        {"artistName": "Artist C", "songName": "Song C", "startSeconds": 95.5},
        {"chapter": "Outro"},
        {"__typename": "TrackSection", "startSeconds": -3},
    ]}
    got = parse.graphql_sections(lookup)
    assert got == [Section("track", 0, "Artist A", "Song A"), Section("chapter", None, "", "Talk"),
                   Section("track", 95_500, "Artist C", "Song C"),
                   Section("chapter", None, "", "Outro")]
    assert got[1].to_json() == {"kind": "chapter", "start_ms": None, "artist": "",
                                "title": "Talk"}
    assert parse.graphql_sections({"sections": None}) == []


def _mutations() -> st.SearchStrategy[Any]:
    values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                       st.text(max_size=8), st.lists(st.integers(), max_size=2),
                       st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
    return st.dictionaries(st.sampled_from([*sorted(full_cloudcast()), "user.name", "user"]),
                           st.one_of(st.just("<drop>"), values), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_hostile_values_never_crash(changes: dict[str, Any]) -> None:
    data = copy.deepcopy(full_cloudcast())
    for key, value in changes.items():
        where, name = (data["user"], "name") if key == "user.name" and isinstance(
            data.get("user"), dict) else (data, key)
        if value == "<drop>":
            where.pop(name, None)
        else:
            where[name] = value
    for parser in (parse.track, parse.user, parse.comment, parse.tag, parse.playlist,
                   parse.rest_sections, parse.graphql_sections):
        try:
            out = parser(data)
        except MinionError:
            continue
        if hasattr(out, "to_json"):
            out.to_json()
    try:
        track = parse.track(data)
    except parse.MalformedResponse:
        return
    assert track.duration_ms >= 0 and isinstance(track.tags, tuple)
    assert track.created_at is None or track.created_at.endswith("Z")
