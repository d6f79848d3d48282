"""api.mixcloud.com as emulated (docs/mixcloud.md §1–§2), over loopback HTTP with httpx."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from tests.emulator.conftest import McHttp

USER = "/NightShiftRadio/"
SHOW = "/NightShiftRadio/night-shift-300/"
_CLOUDCAST_ITEM = {"key", "url", "name", "slug", "type", "created_time", "updated_time",
                   "audio_length", "play_count", "favorite_count", "listener_count",
                   "repost_count", "comment_count", "tags", "user", "pictures"}
_USER_ITEM = {"key", "url", "name", "username", "pictures", "type"}
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _walk(mc: McHttp, first_url: str) -> tuple[list[dict], list[str]]:
    """Every item of a list, following paging.next exactly as given; and the links seen."""
    items, links, url = [], [], first_url
    while url:
        page = mc.get(url)
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["data"])
        url = body["paging"].get("next")
        if url:
            links.append(url)
        assert len(links) < 50
    return items, links


def test_user_has_the_full_fields_and_connections(mc: McHttp) -> None:
    answer = mc.api(USER, metadata=1)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    user = answer.json()
    assert user["key"] == USER and user["username"] == "NightShiftRadio"
    assert user["url"] == "https://www.mixcloud.com/NightShiftRadio/"
    assert user["type"] == "user" and user["name"] == "Night Shift Radio"
    assert user["city"] == "London" and user["country"] == "GB"
    assert user["cloudcast_count"] == 45
    assert user["follower_count"] >= 25
    assert set(user["pictures"]) == {"small", "thumbnail", "medium_mobile", "medium", "large",
                                     "320wx320h", "extra_large", "640wx640h"}
    assert user["pictures"]["large"].startswith(
        "https://thumbnailer.mixcloud.com/unsafe/300x300/profile/")
    assert set(user["cover_pictures"]) == {"835wx120h", "1113wx160h", "1670wx240h"}
    assert _ISO.match(user["created_time"])
    connections = user["metadata"]["connections"]
    assert connections["cloudcasts"] == "https://api.mixcloud.com/NightShiftRadio/cloudcasts/"
    assert set(connections) >= {"followers", "favorites", "following", "cloudcasts", "listens",
                                "comments", "feed", "playlists"}
    assert "metadata" not in mc.api(USER).json()


def test_cloudcast_full_object_fields_to_the_letter(mc: McHttp) -> None:
    show = mc.api(SHOW, metadata=1).json()
    assert set(show) >= _CLOUDCAST_ITEM | {"description", "is_exclusive", "sections",
                                           "picture_primary_color", "metadata"}
    assert show["key"] == SHOW and show["slug"] == "night-shift-300"
    assert show["name"] == "Night Shift 300" and show["audio_length"] == 62 * 60
    assert show["type"] == "cloudcast" and show["is_exclusive"] is False
    assert show["sections"] == []  # today's REST has no tracklists (§2.8)
    assert show["comment_count"] == 25
    assert [t["name"] for t in show["tags"]] == ["Deep House", "House", "Disco"]
    assert show["tags"][0] == {"key": "/discover/deep-house/", "type": "tag", "name": "Deep House",
                               "url": "https://www.mixcloud.com/discover/deep-house/"}
    assert len(show["pictures"]) == 10 and "1024wx1024h" in show["pictures"]
    assert set(show["user"]) == _USER_ITEM
    assert set(show["metadata"]["connections"]) == {"favorites", "listeners", "comments",
                                                    "similar"}
    assert re.fullmatch(r"[0-9a-f]{6}", show["picture_primary_color"])
    assert mc.api("/NightShiftRadio/night-shift-select-exclusive/").json()["is_exclusive"]


def test_the_old_sections_shape_on_request(mc: McHttp) -> None:
    mc.emulator.mixcloud.old_rest_sections = True
    sections = mc.api(SHOW).json()["sections"]
    assert sections[1] == {"start_time": 300, "section_type": "track", "track": {
        "name": "Song 2 (Extended Mix)", "artist": {"name": "Artist 2", "slug": "artist-2"}}}


def test_list_items_have_no_description(mc: McHttp) -> None:
    page = mc.api("/NightShiftRadio/cloudcasts/").json()
    assert page["name"] == "Night Shift Radio's Cloudcasts"
    assert all(set(item) == _CLOUDCAST_ITEM for item in page["data"])


def test_date_paging_walks_every_show_once(mc: McHttp) -> None:
    items, links = _walk(mc, "https://api.mixcloud.com/NightShiftRadio/cloudcasts/?metadata=1")
    assert len(items) == 45 and len({i["key"] for i in items}) == 45
    dates = [i["created_time"] for i in items]
    assert dates == sorted(dates, reverse=True)
    assert len(links) == 2
    query = parse_qs(urlsplit(links[0]).query)
    assert query["limit"] == ["20"] and query["metadata"] == ["1"] and "offset" not in query
    # The date is the oldest item's, with "+" for the space (§1.4).
    oldest = items[19]["created_time"].replace("T", "+").replace("Z", "").replace(":", "%3A")
    assert links[0] == ("https://api.mixcloud.com/NightShiftRadio/cloudcasts/?limit=20"
                        f"&metadata=1&until={oldest}")


def test_previous_link_pages_back_by_since(mc: McHttp) -> None:
    first = mc.api("/NightShiftRadio/cloudcasts/").json()
    second = mc.get(first["paging"]["next"]).json()
    assert "previous" not in first["paging"]
    back = mc.get(second["paging"]["previous"]).json()
    assert "since=" in second["paging"]["previous"]
    assert [i["key"] for i in back["data"]] == [i["key"] for i in first["data"]]


def test_offset_zero_switches_to_offset_links(mc: McHttp) -> None:
    page = mc.api("/NightShiftRadio/cloudcasts/", offset=0, limit=10).json()
    assert page["paging"] == {
        "next": "https://api.mixcloud.com/NightShiftRadio/cloudcasts/?limit=10&offset=10"}
    items, links = _walk(mc, page["paging"]["next"])
    assert len(items) == 35 and all("offset=" in link for link in links)
    third = mc.api("/NightShiftRadio/cloudcasts/", offset=20, limit=10).json()
    assert third["paging"]["previous"].endswith("?limit=10&offset=10")


def test_paging_links_may_be_http(mc: McHttp) -> None:
    mc.emulator.mixcloud.paging_scheme = "http"
    link = mc.api("/quietlistener/favorites/").json()["paging"]["next"]
    assert link.startswith("http://api.mixcloud.com/quietlistener/favorites/?")
    assert mc.get(link).json()["data"]


def test_every_user_list(mc: McHttp) -> None:
    favorites, _ = _walk(mc, "https://api.mixcloud.com/quietlistener/favorites/")
    assert len(favorites) == 60 and all(i["type"] == "cloudcast" for i in favorites)
    for kind in ("followers", "following"):
        people = mc.api(f"{USER}{kind}/").json()["data"]
        assert all(set(p) == _USER_ITEM for p in people)
    assert mc.api(f"{USER}followers/").json()["data"]
    assert mc.api("/quietlistener/following/").json()["data"]
    assert mc.api("/quietlistener/listens/").json()["data"][0]["type"] == "cloudcast"
    feed = mc.api("/quietlistener/feed/").json()["data"]
    assert feed and all(i["type"] == "cloudcast" for i in feed)
    comments = mc.api(f"{USER}comments/").json()
    assert "data" in comments and comments["name"].endswith("Comments")
    playlists = mc.api("/selva_sessions/playlists/").json()["data"]
    for playlist in playlists:
        assert set(playlist) == {"key", "url", "name", "slug", "owner"}
        shows = mc.api(f"{playlist['key']}cloudcasts/").json()["data"]
        assert shows and all(s["user"]["username"] == "selva_sessions" for s in shows)
    for kind in ("cloudcasts", "favorites", "listens", "following", "feed", "playlists"):
        assert mc.api(f"/nobody_uploads/{kind}/").json()["data"] == []


def test_every_cloudcast_list(mc: McHttp) -> None:
    count = mc.api(SHOW).json()["favorite_count"]
    favorites, _ = _walk(mc, f"https://api.mixcloud.com{SHOW}favorites/")
    assert count >= 10 and len(favorites) == count
    assert all(set(u) == _USER_ITEM for u in favorites)
    assert mc.api(f"{SHOW}listeners/").json()["data"]
    comments, _ = _walk(mc, f"https://api.mixcloud.com{SHOW}comments/")
    assert len(comments) == 25
    assert set(comments[0]) == {"comment", "submit_date", "user", "key", "url", "type"}
    assert comments[0]["type"] == "comment" and comments[0]["key"].startswith("/comments/cr/")
    similar = mc.api(f"{SHOW}similar/").json()["data"]
    assert similar and all({"Deep House", "House", "Disco"} & {t["name"] for t in s["tags"]}
                           for s in similar)
    assert SHOW not in {s["key"] for s in similar}


def test_favourites_overlap_between_users(mc: McHttp) -> None:
    """A hit is favourited by many users; each of them lists it among their favourites."""
    fans = [u["username"] for u in mc.api(f"{SHOW}favorites/", limit=100).json()["data"]]
    assert len(fans) >= 10
    for fan in fans[:3]:
        keys = {i["key"] for i in _walk(mc, f"https://api.mixcloud.com/{fan}/favorites/")[0]}
        assert SHOW in keys


def test_search_by_type(mc: McHttp) -> None:
    shows = mc.api("/search/", q="selva marathon", type="cloudcast").json()["data"]
    assert [s["key"] for s in shows] == ["/selva_sessions/selva-sessions-marathon/"]
    many = mc.api("/search/", q="night shift", type="cloudcast").json()["data"]
    assert len(many) == 20 and all(s["user"]["username"] == "NightShiftRadio" or
                                   "night" in s["name"].lower() for s in many)
    users = mc.api("/search/", q="selva", type="user").json()["data"]
    assert [u["username"] for u in users] == ["selva_sessions"]
    tags = mc.api("/search/", q="house", type="tag").json()["data"]
    assert {t["name"] for t in tags} == {"House", "Deep House"}
    assert all(t["type"] == "tag" for t in tags)
    bad = mc.api("/search/", q="x", type="upload")
    assert bad.status_code == 400 and bad.json()["error"]["type"]


def test_popular_hot_new(mc: McHttp) -> None:
    popular = mc.api("/popular/").json()
    assert popular["name"] == "Popular Cloudcasts"
    plays = [s["play_count"] for s in popular["data"]]
    assert plays == sorted(plays, reverse=True) and "offset=20" in popular["paging"]["next"]
    hot = mc.api("/popular/hot/").json()
    assert hot["name"] == "Hot Cloudcasts" and len(hot["data"]) == 20
    new = mc.api("/new/").json()
    dates = [s["created_time"] for s in new["data"]]
    assert dates == sorted(dates, reverse=True) and "until=" in new["paging"]["next"]


def test_tags_under_discover_and_genres(mc: McHttp) -> None:
    tag = mc.api("/discover/deep-house/", metadata=1).json()
    assert tag["name"] == "Deep House shows" and tag["type"] == "tag"
    assert tag["metadata"]["connections"] == {
        "popular": "https://api.mixcloud.com/discover/deep-house/popular/",
        "latest": "https://api.mixcloud.com/discover/deep-house/latest/"}
    assert mc.api("/genres/deep-house/").json()["key"] == "/genres/deep-house/"
    for prefix in ("discover", "genres"):
        latest = mc.api(f"/{prefix}/deep-house/latest/").json()["data"]
        assert latest and all("Deep House" in {t["name"] for t in s["tags"]} for s in latest)
    popular = mc.api("/discover/deep-house/popular/").json()["data"]
    assert [s["play_count"] for s in popular] == sorted((s["play_count"] for s in popular),
                                                        reverse=True)
    london = mc.api("/discover/city:london/latest/").json()["data"]
    assert SHOW in {s["key"] for s in london}
    assert mc.api("/discover/no-such-genre/").status_code == 404


def test_a_path_without_its_slash_is_redirected(mc: McHttp) -> None:
    answer = mc.get("https://api.mixcloud.com/NightShiftRadio/cloudcasts?limit=5")
    assert answer.status_code == 301
    assert answer.headers["location"] == (
        "https://api.mixcloud.com/NightShiftRadio/cloudcasts/?limit=5")


def test_error_bodies(mc: McHttp) -> None:
    missing = mc.api("/NightShiftRadio/no-such-show/")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/javascript")
    assert set(missing.json()) == {"error"}
    assert missing.json()["error"]["type"] == "NotFoundException"
    assert mc.api("/nobody-here-at-all/").json()["error"]["type"] == "NotFoundException"
    me = mc.api("/me/")
    assert me.status_code == 400 and me.json() == {"error": {
        "type": "OAuthException",
        "message": "An access_token is required to access this resource."}}
    bad = mc.api("/NightShiftRadio/cloudcasts/", until="yesterday")
    assert bad.status_code == 400 and "until" in bad.json()["error"]["message"]


def test_jsonp(mc: McHttp) -> None:
    text = mc.api(USER, callback="handle").text
    assert text.startswith("handle(") and text.endswith(");")
    assert json.loads(text[len("handle("):-2])["username"] == "NightShiftRadio"


def test_rate_limit_is_a_403_with_retry_after(mc: McHttp) -> None:
    mc.emulator.mixcloud.set_faults("mc-rate-limit:n=3:window=120")
    assert [mc.api(USER).status_code for _ in range(3)] == [200, 200, 200]
    limited = mc.api(USER)
    assert limited.status_code == 403
    retry = int(limited.headers["retry-after"])
    assert 1 <= retry <= 120
    assert limited.json() == {"error": {
        "type": "RateLimitException", "retry_after": retry,
        "message": f"You have hit your rate limit. Retry after {retry} seconds."}}
    mc.emulator.mixcloud.set_faults("")
    assert mc.api(USER).status_code == 200
