"""The emulated api-v2 core resources over real HTTP (plain httpx): resolve of every example
kind, exact key sets and value formats, /tracks?ids=, playlists with stubs, strictness."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.integration.conftest import EmulatorHttp

TRACK_KEYS = [
    "artwork_url", "caption", "commentable", "comment_count", "created_at", "description",
    "downloadable", "download_count", "duration", "full_duration", "embeddable_by", "genre",
    "has_downloads_left", "id", "kind", "label_name", "last_modified", "license", "likes_count",
    "permalink", "permalink_url", "playback_count", "public", "publisher_metadata",
    "purchase_title", "purchase_url", "release_date", "reposts_count", "secret_token",
    "sharing", "state", "streamable", "tag_list", "title", "uri", "urn", "user_id", "visuals",
    "waveform_url", "display_date", "media", "station_urn", "station_permalink",
    "track_authorization", "monetization_model", "policy", "user",
]
PLAYLIST_KEYS = {
    "artwork_url", "created_at", "description", "duration", "embeddable_by", "genre", "id",
    "kind", "label_name", "last_modified", "license", "likes_count", "managed_by_feeds",
    "permalink", "permalink_url", "public", "purchase_title", "purchase_url", "release_date",
    "reposts_count", "secret_token", "sharing", "tag_list", "title", "uri", "user_id",
    "set_type", "is_album", "published_at", "display_date", "user", "tracks", "track_count",
}
USER_KEYS = {
    "avatar_url", "city", "comments_count", "country_code", "created_at",
    "creator_subscriptions", "creator_subscription", "description", "followers_count",
    "followings_count", "first_name", "full_name", "groups_count", "id", "kind",
    "last_modified", "last_name", "likes_count", "playlist_likes_count", "permalink",
    "permalink_url", "playlist_count", "reposts_count", "track_count", "uri", "urn",
    "username", "verified", "visuals", "badges", "station_urn", "station_permalink",
    "date_of_birth",
}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def resolve(http: EmulatorHttp, name: str) -> Any:
    return http.json("/resolve", url=http.emulator.examples[name])


def test_full_track_has_the_recorded_keys_in_order_and_formats(sc_http: EmulatorHttp) -> None:
    track = resolve(sc_http, "track_full")
    assert list(track) == TRACK_KEYS
    assert track["kind"] == "track" and track["urn"] == f"soundcloud:tracks:{track['id']}"
    assert track["uri"] == ("https://api.soundcloud.com/tracks/soundcloud%3Atracks%3A"
                            f"{track['id']}")
    assert ISO.match(track["created_at"]) and ISO.match(track["last_modified"])
    assert re.match(r"^https://i1\.sndcdn\.com/artworks-[\w-]+-large\.jpg$", track["artwork_url"])
    assert re.match(r"^https://wave\.sndcdn\.com/\w+_m\.json$", track["waveform_url"])
    assert track["permalink_url"] == sc_http.emulator.examples["track_full"]
    assert set(track["user"]) == USER_KEYS  # the single-track form embeds the full user
    header, payload, signature = track["track_authorization"].split(".")
    assert header and payload and signature
    protocols = [(t["preset"], t["format"]["protocol"], t["is_legacy_transcoding"])
                 for t in track["media"]["transcodings"]]
    assert ("aac_160k", "hls", False) in protocols
    assert {p for _, p, legacy in protocols if legacy} == {"hls", "progressive"}
    for transcoding in track["media"]["transcodings"]:
        assert re.match(r"^https://api-v2\.soundcloud\.com/media/soundcloud:tracks:\d+/"
                        r"[0-9a-f-]{36}/stream/(hls|progressive)$", transcoding["url"])


def test_availability_cases(sc_http: EmulatorHttp) -> None:
    drm = resolve(sc_http, "track_drm")
    protocols = {t["format"]["protocol"] for t in drm["media"]["transcodings"]}
    assert {"ctr-encrypted-hls", "cbc-encrypted-hls"} <= protocols
    clear = [t for t in drm["media"]["transcodings"] if "encrypted" not in
             t["format"]["protocol"]]
    assert clear and all(t["is_legacy_transcoding"] for t in clear)
    assert drm["streamable"] is True and drm["monetization_model"] == "AD_SUPPORTED"

    preview = resolve(sc_http, "track_preview")
    assert (preview["policy"], preview["monetization_model"]) == ("SNIP", "SUB_HIGH_TIER")
    assert preview["duration"] == 30000 and preview["full_duration"] > 30000
    assert all(t["snipped"] and "/preview/" in t["url"] and t["duration"] == 30000
               for t in preview["media"]["transcodings"])

    blocked = resolve(sc_http, "track_blocked")
    assert blocked["policy"] == "BLOCK" and blocked["media"]["transcodings"] == []

    long_mix = resolve(sc_http, "track_long")
    assert long_mix["duration"] >= 2 * 3600 * 1000


def test_tags_with_spaces_are_quoted(sc_http: EmulatorHttp) -> None:
    catalog = sc_http.emulator.catalog
    track = next(t for t in catalog.listed_tracks() if any(" " in tag for tag in t.tags))
    rendered = sc_http.json(f"/tracks/{track.id}")
    multi = next(tag for tag in track.tags if " " in tag)
    assert f'"{multi}"' in rendered["tag_list"]
    parsed = [a or b for a, b in re.findall(r'"([^"]+)"|([^ ]+)', rendered["tag_list"])]
    assert parsed == list(track.tags)


def test_private_track_needs_its_secret(sc_http: EmulatorHttp) -> None:
    url = sc_http.emulator.examples["track_private"]
    track = sc_http.json("/resolve", url=url)
    assert track["sharing"] == "private" and track["secret_token"] == url.rsplit("/", 1)[1]
    assert sc_http.get("/resolve", url=url.rsplit("/", 1)[0]).status_code == 404
    assert sc_http.get(f"/tracks/{track['id']}").status_code == 404
    again = sc_http.json(f"/tracks/{track['id']}", secret_token=track["secret_token"])
    assert again["id"] == track["id"]


def test_short_link_redirects_and_resolves(sc_http: EmulatorHttp) -> None:
    short = sc_http.emulator.examples["short_link"]
    redirect = sc_http.get(short)
    assert redirect.status_code == 302
    target = redirect.headers["location"]
    assert target.startswith("https://soundcloud.com/")
    assert sc_http.json("/resolve", url=target)["kind"] == "track"
    assert sc_http.json("/resolve", url=short)["permalink_url"] == target


@pytest.mark.parametrize("name", ["set_small", "album", "set_large"])
def test_playlists_have_five_full_tracks_then_stubs(sc_http: EmulatorHttp, name: str) -> None:
    playlist = resolve(sc_http, name)
    assert set(playlist) == PLAYLIST_KEYS and playlist["kind"] == "playlist"
    tracks = playlist["tracks"]
    assert playlist["track_count"] == len(tracks)
    assert all("title" in t for t in tracks[:5])
    assert all(set(t) == {"id", "kind", "monetization_model", "policy"} for t in tracks[5:])
    if name == "set_large":
        assert len(tracks) == 500
    if name == "album":
        assert playlist["is_album"] is True and playlist["set_type"] in ("album", "ep")
    else:
        assert playlist["is_album"] is False and playlist["set_type"] == ""
    again = sc_http.json(f"/playlists/{playlist['id']}")
    assert [t["id"] for t in again["tracks"]] == [t["id"] for t in tracks]


def test_tracks_by_ids_is_a_bare_array_without_order(sc_http: EmulatorHttp) -> None:
    playlist = resolve(sc_http, "set_large")
    ids = [t["id"] for t in playlist["tracks"][:50]]
    found = sc_http.json("/tracks", ids=",".join(map(str, ids)))
    assert isinstance(found, list)
    assert sorted(t["id"] for t in found) == sorted(ids)
    assert [t["id"] for t in found] != ids  # the response order does not follow the request
    too_many = [t["id"] for t in playlist["tracks"][:51]]
    assert sc_http.get("/tracks", ids=",".join(map(str, too_many))).status_code == 400
    assert sc_http.get("/tracks").status_code == 400


def test_user_has_every_count_and_tabs_agree(sc_http: EmulatorHttp) -> None:
    user = resolve(sc_http, "user")
    assert set(user) == USER_KEYS and user["kind"] == "user"
    assert user["track_count"] > 450
    assert user["urn"] == f"soundcloud:users:{user['id']}"
    by_urn = sc_http.json(f"/users/soundcloud:users:{user['id']}")
    assert by_urn["id"] == user["id"]


@pytest.mark.parametrize("url", [
    "https://soundcloud.com/nobody-here-xyz/nothing",
    "https://soundcloud.com/nobody-here-xyz",
    "https://example.com/not/soundcloud",
    "https://soundcloud.com/discover",
])
def test_unknown_things_are_404_with_an_empty_object(sc_http: EmulatorHttp, url: str) -> None:
    response = sc_http.get("/resolve", url=url)
    assert (response.status_code, response.json()) == (404, {})


def test_response_headers_and_unknown_paths(sc_http: EmulatorHttp) -> None:
    response = sc_http.get("/tracks/1")
    assert (response.status_code, response.json()) == (404, {})
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["cache-control"] == "private, max-age=0"
    assert response.headers["server"] == "am/2"
    unknown = sc_http.get("/users/1/reposts")  # only /stream/users/{id}/reposts exists
    assert (unknown.status_code, unknown.json()) == (404, {})


def test_me_needs_an_oauth_token(sc_http: EmulatorHttp) -> None:
    assert sc_http.get("/me").status_code == 401
    me = sc_http.get("/me", headers={"Authorization": "OAuth demo-oauth-token"})
    assert me.status_code == 200 and me.json()["kind"] == "user"
