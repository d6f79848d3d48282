"""parse.py against recorded-shape JSON (docs/soundcloud.md §2), and hypothesis mutations
of those shapes: dropped keys, nulls, wrong types must never raise anything but our errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sc_shapes import (
    BIG_ID,
    comment,
    like_items,
    page,
    playlist,
    stream_items,
    stub,
    track,
    user,
)

from minion_tui.errors import MinionError
from minion_tui.models import Availability, Comment, Playlist, Track, User
from minion_tui.providers.soundcloud import parse


def test_full_track_maps_every_field() -> None:
    t = parse.track(track())
    assert t.id == str(BIG_ID) and t.urn == f"soundcloud:tracks:{BIG_ID}"
    assert t.url == "https://soundcloud.com/nightdrive/neon-harbour"
    assert (t.title, t.artist, t.uploader) == ("Neon Harbour", "Nightdrive", "Nightdrive")
    assert (t.duration_ms, t.preview_ms) == (201848, None)
    assert t.tags == ("deadmau5", "mau5trap", "raise your weapon", "noisia", "remix", "vision")
    assert t.genre == "Dance & EDM" and t.license == "all-rights-reserved"
    assert t.created_at == "2026-01-27T03:47:23Z"
    assert t.artwork_url == f"https://i1.sndcdn.com/artworks-{BIG_ID}-xyz123-t500x500.jpg"
    assert (t.counts.plays, t.counts.likes, t.counts.reposts, t.counts.comments) == (
        120034, 4521, 77, 12)
    assert t.availability is Availability.FULL and t.downloadable is False
    assert t.uploader_urn == "soundcloud:users:98765"
    assert t.raw["policy"] == "MONETIZE"


def test_snip_track_is_a_preview_with_the_full_length() -> None:
    t = parse.track(track(variant="snip"))
    assert t.availability is Availability.PREVIEW
    assert (t.duration_ms, t.preview_ms) == (201865, 30000)


def test_drm_only_track_per_the_isdrmonly_rule() -> None:
    assert parse.track(track(variant="drm")).availability is Availability.DRM
    # a clear non-legacy AAC next to the encrypted ones makes it playable again
    data = track(variant="drm")
    data["media"]["transcodings"].append(
        {**data["media"]["transcodings"][0], "format": {"protocol": "hls", "mime_type": "x"}})
    assert parse.track(data).availability is Availability.FULL


def test_blocked_track_and_avatar_fallback() -> None:
    t = parse.track(track(variant="block"))
    assert t.availability is Availability.BLOCKED
    assert t.artwork_url == "https://i1.sndcdn.com/avatars-00098765-abcdef-t500x500.jpg"


def test_publisher_artist_wins_over_the_uploader() -> None:
    data = track()
    data["publisher_metadata"] = {"id": 1, "artist": "Real Artist", "album_title": "X"}
    assert parse.track(data).artist == "Real Artist"
    data["publisher_metadata"]["artist"] = "   "
    assert parse.track(data).artist == "Nightdrive"


def test_null_counts_and_missing_media() -> None:
    data = track()
    for key in ("playback_count", "likes_count", "reposts_count", "comment_count"):
        data[key] = None
    del data["media"]
    data["artwork_url"] = None
    data["user"]["avatar_url"] = "https://a1.sndcdn.com/images/default_avatar_large.png"
    t = parse.track(data)
    assert t.counts.to_json() == {"plays": None, "likes": None, "reposts": None, "comments": None}
    assert t.availability is Availability.FULL and t.artwork_url is None


def test_favoritings_count_is_accepted_for_likes() -> None:
    data = track()
    del data["likes_count"]
    data["favoritings_count"] = 9
    assert parse.track(data).counts.likes == 9


def test_official_api_dates_and_millis_are_normalised() -> None:
    assert parse.iso_date("2019/01/15 15:40:49 +0000") == "2019-01-15T15:40:49Z"
    assert parse.iso_date("2026-01-27T03:47:23.000Z") == "2026-01-27T03:47:23Z"
    assert parse.iso_date(None) is None


def test_id_falls_back_to_the_urn_and_missing_id_is_our_error() -> None:
    data = track()
    del data["id"]
    assert parse.track(data).id == str(BIG_ID)
    del data["urn"]
    with pytest.raises(parse.MalformedResponse, match="without an id"):
        parse.track(data)
    with pytest.raises(parse.MalformedResponse):
        parse.track([1, 2])


def test_user_full_and_mini() -> None:
    u = parse.user(user())
    assert (u.id, u.username, u.full_name, u.country, u.city) == (
        "98765", "Nightdrive", "Nina Drive", "DE", "Berlin")
    assert (u.followers_count, u.followings_count, u.track_count) == (1203, 87, 41)
    assert u.avatar_url == "https://i1.sndcdn.com/avatars-00098765-abcdef-t500x500.jpg"
    assert parse.user(user(full=False)).track_count is None


def test_playlist_with_stubs_keeps_only_full_tracks_until_hydrated() -> None:
    data = playlist(n=8, album=True)
    p = parse.playlist(data)
    assert p.is_album and p.track_count == 8 and len(p.tracks) == 5
    assert parse.playlist_track_ids(data) == [str(BIG_ID + i) for i in range(8)]
    assert [parse.is_stub(t) for t in data["tracks"]] == [False] * 5 + [True] * 3
    assert p.artwork_url == p.tracks[0].artwork_url  # set without artwork: first track's
    assert parse.playlist(playlist(with_tracks=False)).track_count == 8


def test_set_type_ep_counts_as_album() -> None:
    data = playlist()
    data["is_album"] = None
    data["set_type"] = "ep"
    assert parse.playlist(data).is_album is True


def test_like_and_stream_items_unwrap_to_track_or_playlist() -> None:
    kinds = [parse.item(x)[0] for x in like_items() + stream_items()]  # type: ignore[index]
    assert kinds == ["track", "playlist", "track", "playlist"]
    chart = {"track": track(), "score": 1.5}
    assert parse.item(chart) == ("track", chart["track"])
    assert parse.item(user()) == ("user", user())
    assert parse.item({"score": 1}) is None and parse.item("x") is None


def test_comment() -> None:
    c = parse.comment(comment())
    assert (c.body, c.timestamp_ms, c.created_at) == (
        "that drop at 1:02", 62000, "2026-02-20T18:00:00Z")
    assert c.user.username == "Listener"
    bare = comment()
    del bare["user"]
    bare["timestamp"] = None
    c = parse.comment(bare)
    assert (c.user.id, c.timestamp_ms) == ("555", None)


def test_resource_by_kind_and_system_playlist() -> None:
    assert isinstance(parse.resource(track()), Track)
    assert isinstance(parse.resource(user()), User)
    system = playlist()
    system["kind"] = "system-playlist"
    del system["uri"]
    assert isinstance(parse.resource(system), Playlist)
    with pytest.raises(parse.MalformedResponse, match="cannot show"):
        parse.resource({"kind": "app", "id": 3})


def test_envelope_forms() -> None:
    assert parse.envelope([1, 2]) == ([1, 2], None, None)
    assert parse.envelope(page([1], next_href=None)) == ([1], None, None)
    assert parse.envelope(page([1])) == ([1], None, None)  # next_href absent
    assert parse.envelope(page([], next_href="https://x/y", total_results=30)) == (
        [], "https://x/y", 30)
    assert parse.envelope({"collection": None, "next_href": ""}) == ([], None, None)


def test_tags_regex_and_machine_tags() -> None:
    assert parse.tags('soundcloud:source=android-record "deep house" deep house') == (
        "soundcloud:source=android-record", "deep house", "deep", "house")
    assert parse.tags(None) == () and parse.tags(12) == ()


def test_suggestions_and_signed_url() -> None:
    data = {"collection": [{"output": "daft punk", "query": "daft"}, {"query": "dafne"}, 3]}
    assert parse.suggestions(data) == ["daft punk", "dafne"]
    assert parse.signed_url({"url": "https://cf-media.sndcdn.com/a.mp3?Policy=x"})
    assert parse.signed_url({"url": None}) is None and parse.signed_url([]) is None


# -- hypothesis: mutated recorded shapes ------------------------------------------------------

JUNK = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(),
                 st.text(max_size=8), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*prefix, i))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    data = copy.deepcopy(base)
    paths = _paths(data)
    for _ in range(draw(st.integers(1, 6))):
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            action = draw(st.sampled_from(["drop", "null", "junk"]))
            if action == "drop" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif action == "null":
                parent[path[-1]] = None
            else:
                parent[path[-1]] = draw(JUNK)
        except (KeyError, IndexError, TypeError):
            continue
    return data


SHAPES = {
    "track": (track(), parse.track), "snip": (track(variant="snip"), parse.track),
    "drm": (track(variant="drm"), parse.track), "block": (track(variant="block"), parse.track),
    "user": (user(), parse.user), "playlist": (playlist(), parse.playlist),
    "comment": (comment(), parse.comment), "resource": (track(), parse.resource),
}


@pytest.mark.parametrize("name", list(SHAPES))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutations_never_raise_anything_but_our_errors(name: str, data: st.DataObject) -> None:
    base, convert = SHAPES[name]
    value = data.draw(mutated(base))
    try:
        result = convert(value)
    except MinionError:
        return
    assert isinstance(result.to_json(), dict)  # and the model serialises


@settings(max_examples=150, deadline=None)
@given(value=mutated(page(like_items() + stream_items() + [stub(5)], next_href="x")))
def test_mutated_collections_unwrap_or_skip(value: Any) -> None:
    items, _, _ = parse.envelope(value)
    for entry in items:
        found = parse.item(entry)
        if found is None:
            continue
        try:
            parse.track(found[1]) if found[0] == "track" else parse.playlist(found[1])
        except MinionError:
            pass
        assert parse.availability(found[1]) in set(Availability)


@settings(max_examples=200, deadline=None)
@given(value=JUNK | st.recursive(JUNK, lambda c: st.dictionaries(st.text(max_size=4), c)))
def test_arbitrary_json_is_refused_cleanly(value: Any) -> None:
    for convert in (parse.track, parse.user, parse.playlist, parse.comment, parse.resource):
        try:
            result: Track | User | Playlist | Comment = convert(value)
        except MinionError:
            continue
        assert result.to_json()["kind"] in {"track", "user", "playlist", "comment"}


def test_the_memo_reuses_a_parse_only_while_what_it_came_from_is_unchanged() -> None:
    from minion_tui.providers.soundcloud.listings import TrackMemo

    memo = TrackMemo(size=2)
    first = memo.track(track())
    assert memo.track(copy.deepcopy(track())) is first  # the same track met again
    counted = track()
    counted["likes_count"] += 1  # counts move without last_modified moving
    again = memo.track(counted)
    assert again is not first and again.counts.likes == first.counts.likes + 1
    edited = track()
    edited["last_modified"] = "2026-03-01T00:00:00Z"
    edited["title"] = "Neon Harbour (edit)"
    assert memo.track(edited).title == "Neon Harbour (edit)"
    undated = track()
    del undated["last_modified"]  # nothing to tell a change by: parsed every time
    assert memo.track(undated) is not memo.track(copy.deepcopy(undated))
    assert memo.track(track()) == first  # bounded: cleared when full, parsed again
