"""Search and discovery endpoints of the emulated api-v2 (docs/soundcloud.md §1.3, §1.4)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

if TYPE_CHECKING:
    from tests.integration.conftest import EmulatorHttp

QUERY_URN = re.compile(r"^soundcloud:search:[0-9a-f]{32}$")


def test_search_tracks_envelope_and_paging(sc_http: EmulatorHttp) -> None:
    first = sc_http.json("/search/tracks", q="glass", limit=10)
    assert set(first) == {"collection", "total_results", "next_href", "query_urn"}
    assert QUERY_URN.match(first["query_urn"]) and len(first["collection"]) == 10
    href = first["next_href"]
    params = parse_qs(urlsplit(href).query)
    assert params["offset"] == ["10"] and params["query_urn"] == [first["query_urn"]]
    assert params["q"] == ["glass"] and "client_id" not in params
    pages = sc_http.pages("/search/tracks", q="glass", limit=50)
    found = [t for p in pages for t in p["collection"]]
    assert len(found) == first["total_results"] == len({t["id"] for t in found})
    assert all("glass" in (t["title"] + t["user"]["username"] + t["tag_list"]).lower()
               for t in found)
    assert "next_href" not in pages[-1]  # absent, not null, on the last search page


def test_q_is_mandatory(sc_http: EmulatorHttp) -> None:
    assert sc_http.get("/search/tracks").status_code == 400
    assert sc_http.get("/search/tracks", q="").status_code == 400


def test_genre_or_tag_is_a_case_insensitive_literal(sc_http: EmulatorHttp) -> None:
    dnb = sc_http.json("/search/tracks", q="*", filter__genre_or_tag="DRUM & BASS",
                       sort="popular", limit=50)
    assert dnb["total_results"] > 50
    assert all(t["genre"] == "Drum & Bass" or '"drum & bass"' in t["tag_list"]
               for t in dnb["collection"])
    plays = [t["playback_count"] for t in dnb["collection"]]
    assert plays == sorted(plays, reverse=True)
    slug = sc_http.json("/search/tracks", q="*", filter__genre_or_tag="drum-and-bass")
    assert slug["total_results"] == 0 and slug["collection"] == []


def test_duration_created_and_license_filters(sc_http: EmulatorHttp) -> None:
    epic = sc_http.json("/search/tracks", q="*", filter__duration="epic", limit=50)
    assert epic["total_results"] > 0
    assert all(t["full_duration"] > 30 * 60_000 for t in epic["collection"])
    short = sc_http.json("/search/tracks", q="*", filter__duration="short", limit=50)
    assert all(t["full_duration"] < 2 * 60_000 for t in short["collection"])
    week = sc_http.json("/search/tracks", q="*", filter__created_at="last_week")
    year = sc_http.json("/search/tracks", q="*", filter__created_at="last_year")
    assert 0 < week["total_results"] < year["total_results"]
    shareable = sc_http.json("/search/tracks", q="*", filter__license="to_share", limit=50)
    assert shareable["total_results"] > 0
    assert all(t["license"] != "all-rights-reserved" for t in shareable["collection"])
    commercial = sc_http.json("/search/tracks", q="*", filter__license="to_use_commercially",
                              limit=50)
    assert all("-nc" not in t["license"] for t in commercial["collection"])
    preview = sc_http.json("/search/tracks", q="*", access="preview", limit=20)
    assert {t["policy"] for t in preview["collection"]} == {"SNIP"}


@pytest.mark.parametrize("param", ["filter.duration", "filter.created_at", "filter.license",
                                   "access"])
def test_unknown_filter_values_are_400(sc_http: EmulatorHttp, param: str) -> None:
    response = sc_http.get("/search/tracks", q="a", **{param.replace(".", "__"): "bogus"})
    assert response.status_code == 400


def test_search_users_playlists_albums_and_mixed(sc_http: EmulatorHttp) -> None:
    users = sc_http.json("/search/users", q="a", limit=5)
    assert len(users["collection"]) == 5 and {u["kind"] for u in users["collection"]} == {"user"}
    city = users["collection"][0]["city"] or "Berlin"
    placed = sc_http.json("/search/users", q="*", filter__place=city, limit=50)
    assert placed["collection"] and all(u["city"] == city for u in placed["collection"])
    albums = sc_http.json("/search/albums", q="*", limit=20)
    assert albums["collection"] and all(a["is_album"] for a in albums["collection"])
    playlists = sc_http.json("/search/playlists_without_albums", q="*", limit=20)
    assert not any(p["is_album"] for p in playlists["collection"])
    mixed = sc_http.json("/search", q="glass", limit=200)
    assert {"track", "playlist"} <= {i["kind"] for i in mixed["collection"]}


def test_autocomplete(sc_http: EmulatorHttp) -> None:
    found = sc_http.json("/search/queries", q="gla", limit=5)
    assert 0 < len(found["collection"]) <= 5
    assert all(set(i) == {"output", "query"} and "gla" in i["query"]
               for i in found["collection"])


def test_charts_only_trending_all_music(sc_http: EmulatorHttp) -> None:
    genre = "soundcloud:genres:all-music"
    chart = sc_http.json("/charts", kind="trending", genre=genre, limit=20)
    assert set(chart) == {"genre", "kind", "last_updated", "collection", "query_urn",
                          "next_href"}
    assert (chart["genre"], chart["kind"]) == (genre, "trending")
    assert all(set(i) == {"track", "score"} for i in chart["collection"])
    scores = [i["score"] for i in chart["collection"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 20
    pages = sc_http.pages("/charts", kind="trending", genre=genre, limit=200)
    assert len(pages) == 1 and pages[0]["next_href"] is None
    for params in ({"kind": "trending", "genre": genre, "region": "soundcloud:regions:GB"},
                   {"kind": "top", "genre": genre},
                   {"kind": "trending", "genre": "soundcloud:genres:danceedm"},
                   {"kind": "trending"}):
        response = sc_http.get("/charts", **params)
        assert (response.status_code, response.json()) == (404, {})


def test_related_station_comments_and_tag_tracks(sc_http: EmulatorHttp) -> None:
    track = sc_http.json("/resolve", url=sc_http.emulator.examples["track_full"])
    related = sc_http.json(f"/tracks/{track['id']}/related", limit=10)
    assert related["variant"] == "sim_sounds_v3" and len(related["collection"]) == 10
    assert track["id"] not in {t["id"] for t in related["collection"]}

    station = sc_http.json(f"/stations/{track['station_urn'].replace('system-playlists:', '')}"
                           "/tracks")
    assert len(station["collection"]) == 50 and station["next_href"] is None

    comments = sc_http.json(f"/tracks/{track['id']}/comments", sort="track-timestamp",
                            limit=20, offset=0, threaded=1)
    stamps = [c["timestamp"] for c in comments["collection"] if c["timestamp"] is not None]
    assert stamps == sorted(stamps) and comments["collection"][0]["kind"] == "comment"
    assert all(c["track_id"] == track["id"] and c["user"]["kind"] == "user"
               for c in comments["collection"])
    assert "client_id" in parse_qs(urlsplit(comments["next_href"]).query)  # the exception
    every = [c for p in sc_http.pages(f"/tracks/{track['id']}/comments", limit=50)
             for c in p["collection"]]
    assert len(every) == track["comment_count"]

    tag = sc_http.emulator.examples["tag"].rsplit("/", 1)[1]
    recent = sc_http.pages(f"/recent-tracks/{tag}", limit=100)
    tracks = [t for p in recent for t in p["collection"]]
    assert len(tracks) > 100
    dates = [t["created_at"] for t in tracks]
    assert dates == sorted(dates, reverse=True)


def test_likers_of_a_liked_track(sc_http: EmulatorHttp) -> None:
    user = sc_http.json("/resolve", url=sc_http.emulator.examples["user"])
    like = sc_http.json(f"/users/{user['id']}/likes", limit=1)["collection"][0]
    likers = sc_http.json(f"/tracks/{like['track']['id']}/likers", limit=200)
    assert user["id"] in {u["id"] for u in likers["collection"]}
