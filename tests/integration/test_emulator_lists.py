"""Pagination as the real api-v2 does it (docs/soundcloud.md §1.5): cursor offsets on user
tabs, next_href without client_id, empty pages that still carry a next_href, no next_href on
the last page, limit <= 200."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

if TYPE_CHECKING:
    from tests.integration.conftest import EmulatorHttp

CURSOR = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,tracks,\d{20}$")
LIKES_CURSOR = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,user-track-likes,000-\d{20}-\d{20}$")


def user_id(http: EmulatorHttp, name: str = "user") -> int:
    return int(http.json("/resolve", url=http.emulator.examples[name])["id"])


def query(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_user_tracks_use_cursor_offsets_and_cover_every_track(sc_http: EmulatorHttp) -> None:
    uid = user_id(sc_http)
    pages = sc_http.pages(f"/users/{uid}/tracks", limit=200, linked_partitioning=1)
    hrefs = [p["next_href"] for p in pages[:-1]]
    assert len(pages) == 3
    for href in hrefs:
        assert href.startswith(f"https://api-v2.soundcloud.com/users/{uid}/tracks?")
        assert "client_id" not in query(href)
        assert CURSOR.match(query(href)["offset"][0])
    assert pages[-1]["next_href"] is None
    ids = [t["id"] for p in pages for t in p["collection"]]
    assert len(ids) == len(set(ids)) == sc_http.json(f"/users/{uid}")["track_count"]
    dates = [t["created_at"] for p in pages for t in p["collection"]]
    assert dates == sorted(dates, reverse=True)


def test_empty_pages_still_carry_next_href(sc_http: EmulatorHttp) -> None:
    uid = user_id(sc_http, "user_empty_pages")
    pages = sc_http.pages(f"/users/{uid}/tracks", limit=50)
    empty = [p for p in pages if not p["collection"]]
    assert empty and all(p["next_href"] for p in empty)
    assert pages[-1]["collection"] and pages[-1]["next_href"] is None
    total = sum(len(p["collection"]) for p in pages)
    assert total == sc_http.json(f"/users/{uid}")["track_count"]
    # even at the maximum page size one page comes back empty
    biggest = sc_http.pages(f"/users/{uid}/tracks", limit=200)
    assert any(not p["collection"] and p["next_href"] for p in biggest)


def test_handmade_numeric_offset_on_a_cursor_list_is_400(sc_http: EmulatorHttp) -> None:
    uid = user_id(sc_http)
    response = sc_http.get(f"/users/{uid}/tracks", offset=50)
    assert response.status_code == 400 and "invalid cursor format" in response.text
    assert sc_http.get(f"/users/{uid}/tracks", offset=0).status_code == 200


@pytest.mark.parametrize("limit", [0, 201, "many"])
def test_limit_outside_1_to_200_is_400(sc_http: EmulatorHttp, limit: Any) -> None:
    uid = user_id(sc_http)
    assert sc_http.get(f"/users/{uid}/tracks", limit=limit).status_code == 400
    assert sc_http.get("/search/tracks", q="a", limit=limit).status_code == 400


def test_likes_mix_tracks_and_playlists_without_tracks(sc_http: EmulatorHttp) -> None:
    uid = user_id(sc_http)
    pages = sc_http.pages(f"/users/{uid}/likes", limit=100)
    assert LIKES_CURSOR.match(query(pages[0]["next_href"])["offset"][0])
    items = [i for p in pages for i in p["collection"]]
    assert {i["kind"] for i in items} == {"like"}
    tracks = [i for i in items if "track" in i]
    playlists = [i for i in items if "playlist" in i]
    assert tracks and playlists
    assert all("tracks" not in i["playlist"] for i in playlists)
    user = sc_http.json(f"/users/{uid}")
    assert len(tracks) == user["likes_count"]
    assert len(playlists) == user["playlist_likes_count"]


@pytest.mark.parametrize("tab", ["followings", "followers"])
def test_follow_lists_are_users_and_match_counts(sc_http: EmulatorHttp, tab: str) -> None:
    uid = user_id(sc_http)
    pages = sc_http.pages(f"/users/{uid}/{tab}", limit=25)
    users = [u for p in pages for u in p["collection"]]
    assert {u["kind"] for u in users} == {"user"}
    assert len(users) == sc_http.json(f"/users/{uid}")[f"{tab}_count"] > 25


def test_offset_tabs_toptracks_albums_playlists(sc_http: EmulatorHttp) -> None:
    uid = user_id(sc_http)
    top = sc_http.json(f"/users/{uid}/toptracks", limit=10)
    plays = [t["playback_count"] for t in top["collection"]]
    assert plays == sorted(plays, reverse=True) and len(plays) == 10
    assert query(top["next_href"])["offset"] == ["10"]
    albums = [a for p in sc_http.pages(f"/users/{uid}/albums", limit=2) for a in p["collection"]]
    assert albums and all(a["is_album"] for a in albums)
    others = [a for p in sc_http.pages(f"/users/{uid}/playlists_without_albums")
              for a in p["collection"]]
    assert others and not any(a["is_album"] for a in others)
    assert len(albums) + len(others) == sc_http.json(f"/users/{uid}")["playlist_count"]


def test_reposts_stream(sc_http: EmulatorHttp) -> None:
    uid = user_id(sc_http)
    pages = sc_http.pages(f"/stream/users/{uid}/reposts", limit=20)
    items = [i for p in pages for i in p["collection"]]
    assert {i["type"] for i in items} == {"track-repost", "playlist-repost"}
    for item in items:
        target = item["track"] if item["type"] == "track-repost" else item["playlist"]
        kind = "tracks" if item["type"] == "track-repost" else "playlists"
        assert item["reposted"]["target_urn"] == f"soundcloud:{kind}:{target['id']}"
        assert item["user"]["id"] == uid
    everything = [i for p in sc_http.pages(f"/stream/users/{uid}", limit=200)
                  for i in p["collection"]]
    assert {"track", "playlist", "track-repost"} <= {i["type"] for i in everything}


def test_unknown_user_is_404(sc_http: EmulatorHttp) -> None:
    response = sc_http.get("/users/1/tracks")
    assert (response.status_code, response.json()) == (404, {})
