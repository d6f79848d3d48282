"""app.mixcloud.com/graphql as emulated (docs/mixcloud.md §4, §5), with yt-dlp's query text,
the site's POST with variables, and the answers the notes describe."""

from __future__ import annotations

import base64

from minion_tui.emulator.mixcloud.xor import reveal
from tests.emulator.conftest import McHttp

_FIELDS = """audioLength
    comments(first: 100) { edges { node { comment created user { displayName username } } }
      totalCount }
    description
    favorites { totalCount }
    featuringArtistList
    isExclusive
    name
    owner { displayName url username }
    picture(width: 1024, height: 1024) { url }
    plays
    publishDate
    reposts { totalCount }
    streamInfo { dashUrl hlsUrl url }
    tags { tag { name } }
    restrictedReason
    id"""
_SECTIONS = """sections { __typename ... on TrackSection { artistName songName startSeconds }
    ... on ChapterSection { chapter startSeconds } } canShowTracklist"""


def ytdlp_query(username: str, slug: str, fields: str = _FIELDS) -> str:
    """The query text yt-dlp builds (GET, no variables)."""
    head = f'cloudcastLookup(lookup: {{username: "{username}", slug: "{slug}"}})'
    return "{\n  " + head + "\n  {\n    " + fields + "\n  }\n}"


def lookup(mc: McHttp, slug: str, fields: str, username: str = "NightShiftRadio") -> dict:
    answer = mc.graphql(ytdlp_query(username, slug, fields))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "errors" not in body, body
    return body["data"]["cloudcastLookup"]


def test_ytdlp_query_answers_every_field_it_names(mc: McHttp) -> None:
    show = lookup(mc, "night-shift-300", _FIELDS)
    assert set(show) == {"audioLength", "comments", "description", "favorites",
                         "featuringArtistList", "isExclusive", "name", "owner", "picture",
                         "plays", "publishDate", "reposts", "streamInfo", "tags",
                         "restrictedReason", "id"}
    assert show["name"] == "Night Shift 300" and show["audioLength"] == 3720
    assert show["owner"] == {"displayName": "Night Shift Radio", "username": "NightShiftRadio",
                             "url": "https://www.mixcloud.com/NightShiftRadio/"}
    assert show["comments"]["totalCount"] == 25
    assert len(show["comments"]["edges"]) == 25
    assert set(show["comments"]["edges"][0]["node"]) == {"comment", "created", "user"}
    assert [t["tag"]["name"] for t in show["tags"]] == ["Deep House", "House", "Disco"]
    assert show["picture"]["url"].startswith(
        "https://thumbnailer.mixcloud.com/unsafe/1024x1024/extaudio/")
    assert base64.b64decode(show["id"]).decode().startswith("Cloudcast:")
    assert show["isExclusive"] is False and show["restrictedReason"] is None
    assert show["publishDate"] == "2026-08-17T12:00:00Z"
    urls = {k: reveal(v) for k, v in show["streamInfo"].items()}
    assert urls["url"].startswith("https://stream")
    assert ".mixcloud.com/secure/c/m4a/64/" in urls["url"] and "?sig=" in urls["url"]
    assert urls["hlsUrl"].endswith(".m4a/index.m3u8") and "/secure/hls/" in urls["hlsUrl"]
    assert urls["dashUrl"].endswith(".m4a/manifest.mpd") and "/secure/dash2/" in urls["dashUrl"]
    path = urls["url"].split("/secure/c/m4a/64/")[1].split(".m4a")[0]
    assert path in urls["hlsUrl"] and path in urls["dashUrl"]  # "<same path>" (§4.5)


def test_only_the_named_fields_come_back(mc: McHttp) -> None:
    assert lookup(mc, "night-shift-300", "name") == {"name": "Night Shift 300"}
    aliased = lookup(mc, "night-shift-300", "title: name length: audioLength")
    assert aliased == {"title": "Night Shift 300", "length": 3720}


def test_post_with_variables_and_a_named_fragment(mc: McHttp) -> None:
    query = """query PlayerHeroQuery($lookup: CloudcastLookup!) {
      cloudcastLookup(lookup: $lookup) { ...Hero }
    }
    fragment Hero on Cloudcast { name isExclusive previewUrl waveformUrl
      streamInfo { hlsUrl } }"""
    answer = mc.graphql(query, {"lookup": {"username": "selva_sessions",
                                           "slug": "selva-sessions-short"}}, post=True)
    show = answer.json()["data"]["cloudcastLookup"]
    assert show["name"] == "Selva Sessions Short"
    assert show["previewUrl"].startswith("https://audiocdn4.mixcloud.com/previews/")
    assert show["waveformUrl"].startswith("https://audiocdn4.mixcloud.com/waveforms/")
    assert "/secure/hls/" in reveal(show["streamInfo"]["hlsUrl"])


def test_a_missing_show_is_null(mc: McHttp) -> None:
    answer = mc.graphql(ytdlp_query("NightShiftRadio", "never-uploaded", "name")).json()
    assert answer == {"data": {"cloudcastLookup": None}}
    answer = mc.graphql(ytdlp_query("no-such-user-here", "x", "name")).json()
    assert answer == {"data": {"cloudcastLookup": None}}


def test_an_exclusive_show_has_no_streams(mc: McHttp) -> None:
    show = lookup(mc, "night-shift-select-exclusive",
                  "isExclusive restrictedReason streamInfo { url hlsUrl dashUrl }")
    assert show == {"isExclusive": True, "restrictedReason": None, "streamInfo": None}


def test_a_show_offered_progressively_only(mc: McHttp) -> None:
    fields = "streamInfo { url hlsUrl dashUrl }"
    offered = lookup(mc, "night-shift-300", fields)["streamInfo"]
    assert offered["url"] and offered["hlsUrl"] and offered["dashUrl"]
    mc.emulator.mixcloud.offer_hls = False
    info = lookup(mc, "night-shift-300", fields)["streamInfo"]
    assert info == {"url": offered["url"], "hlsUrl": None, "dashUrl": None}


def test_restricted_reasons(mc: McHttp) -> None:
    country = lookup(mc, "night-shift-297-licensed", "restrictedReason isPlayable "
                                                       "streamInfo { url }")
    assert country == {"restrictedReason": "tracklist", "isPlayable": False, "streamInfo": None}
    repeat = lookup(mc, "night-shift-296-repeat", "restrictedReason")
    assert repeat == {"restrictedReason": "repeat_play"}


def test_track_sections(mc: McHttp) -> None:
    show = lookup(mc, "night-shift-300", _SECTIONS)
    assert show["canShowTracklist"] is True
    assert show["sections"][0] == {"__typename": "TrackSection", "artistName": "Artist 1",
                                   "songName": "Song 1 (Extended Mix)", "startSeconds": 0}
    assert [s["startSeconds"] for s in show["sections"]] == [i * 300 for i in range(12)]


def test_chapter_sections_and_missing_start_times(mc: McHttp) -> None:
    show = lookup(mc, "night-shift-299-studio-talk", _SECTIONS)
    assert show["sections"] == [
        {"__typename": "ChapterSection", "chapter": "Intro", "startSeconds": 0},
        {"__typename": "TrackSection", "artistName": "Moss Garden", "songName": "Lichen",
         "startSeconds": 240},
        {"__typename": "ChapterSection", "chapter": "Interview", "startSeconds": None},
        {"__typename": "TrackSection", "artistName": "Tidal Glass", "songName": "Undertow",
         "startSeconds": None},
    ]


def test_a_hidden_tracklist(mc: McHttp) -> None:
    show = lookup(mc, "night-shift-298", _SECTIONS)
    assert show == {"sections": [], "canShowTracklist": False}


def test_a_field_the_schema_lacks_is_an_error(mc: McHttp) -> None:
    body = mc.graphql(ytdlp_query("NightShiftRadio", "night-shift-300", "name streamUrl")).json()
    assert "data" not in body
    assert body["errors"][0]["message"] == 'Cannot query field "streamUrl" on type "Cloudcast".'
    union = mc.graphql(ytdlp_query("NightShiftRadio", "night-shift-300",
                                   "sections { artistName }")).json()
    assert "Cannot query field" in union["errors"][0]["message"]
    broken = mc.graphql("{ cloudcastLookup(lookup: {username: \"a\"").json()
    assert broken["errors"][0]["message"].startswith("Syntax Error")
    assert mc.client.get(mc.local("https://app.mixcloud.com/graphql")).status_code == 400


def test_user_lookup_pages_uploads_by_cursor(mc: McHttp) -> None:
    query = """query Uploads($lookup: UserLookup!, $after: String) {
      userLookup(lookup: $lookup) { displayName
        uploads(first: 20, after: $after) { edges { node { slug } }
          pageInfo { hasNextPage endCursor } } } }"""
    slugs: list[str] = []
    after = None
    for _ in range(5):
        user = mc.graphql(query, {"lookup": {"username": "NightShiftRadio"}, "after": after},
                          post=True).json()["data"]["userLookup"]
        slugs += [e["node"]["slug"] for e in user["uploads"]["edges"]]
        if not user["uploads"]["pageInfo"]["hasNextPage"]:
            break
        after = user["uploads"]["pageInfo"]["endCursor"]
    assert len(slugs) == 45 == len(set(slugs)) and slugs[0] == "night-shift-300"


def test_live_streams_have_a_plain_hls_url(mc: McHttp) -> None:
    query = """{ viewer { live { currentLiveStreams(first: 10, orderBy: CURRENT_SPECTATORS) {
      edges { node { name streamStatus hlsUrl currentSpectators owner { username } } } } } } }"""
    edges = mc.graphql(query).json()["data"]["viewer"]["live"]["currentLiveStreams"]["edges"]
    nodes = [e["node"] for e in edges]
    assert nodes[0]["owner"]["username"] == "selva_sessions"
    assert all(n["streamStatus"] == "LIVE" for n in nodes)
    assert nodes[0]["hlsUrl"].startswith("https://live-fsn1-hez.mixcloud.com/hls/")
    assert nodes[0]["hlsUrl"].endswith("/master.m3u8")
    spectators = [n["currentSpectators"] for n in nodes]
    assert spectators == sorted(spectators, reverse=True)
    one = mc.graphql('{ userLookup(lookup: {username: "selva_sessions"}) '
                     '{ liveStream(isPublic: false) { hlsUrl } } }').json()
    assert one["data"]["userLookup"]["liveStream"]["hlsUrl"] == nodes[0]["hlsUrl"]


def test_bot_wall_fault_answers_cloudflare_html(mc: McHttp) -> None:
    mc.emulator.mixcloud.set_faults("mc-graphql-wall")
    query = ytdlp_query("NightShiftRadio", "night-shift-300", "name")
    walled = mc.graphql(query, headers={"user-agent": "python-httpx/0.27"})
    assert walled.status_code == 403 and "text/html" in walled.headers["content-type"]
    browser = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/131.0.0.0 Safari/537.36")
    assert mc.graphql(query, headers={"user-agent": browser}).json()["data"]


def test_the_old_www_graphql_is_gone(mc: McHttp) -> None:
    answer = mc.get("https://www.mixcloud.com/graphql", params={"query": "{ viewer { live "
                                                                         "{ __typename } } }"})
    assert answer.status_code == 404


def test_search_query_pages_cloudcasts(mc: McHttp) -> None:
    query = """query Search($term: String!, $after: String) { viewer { search {
      searchQuery(term: $term) { cloudcasts(first: 2, after: $after) {
        edges { node { name owner { username } } } pageInfo { hasNextPage endCursor } } } } } }"""
    first = mc.graphql(query, {"term": "selva sessions"}, post=True).json()["data"]
    found = first["viewer"]["search"]["searchQuery"]["cloudcasts"]
    assert len(found["edges"]) == 2 and found["pageInfo"]["hasNextPage"]
    after = found["pageInfo"]["endCursor"]
    second = mc.graphql(query, {"term": "selva sessions", "after": after}, post=True).json()
    more = second["data"]["viewer"]["search"]["searchQuery"]["cloudcasts"]["edges"]
    names = [e["node"]["name"] for e in found["edges"] + more]
    assert len(set(names)) == 4
    assert all(e["node"]["owner"]["username"] == "selva_sessions" for e in found["edges"])
