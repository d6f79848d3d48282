"""The Mixcloud CLI contract (issue 16), as a script runs it: `minion-tui` in a subprocess
pointed at the emulator by MINION_ENDPOINTS, its JSON read back and checked value by value
against the emulator's own REST answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from minion_tui.emulator.server import RunningEmulator
from tests.integration import request_log

TRACK_KEYS = {"provider", "kind", "id", "urn", "url", "title", "artist", "uploader",
              "duration_ms", "tags", "created_at", "artwork_url", "counts", "availability"}
USER_KEYS = {"username", "full_name", "url", "followers_count", "followings_count",
             "track_count", "city", "country", "urn"}


@pytest.fixture
def cli(emulator: RunningEmulator, tmp_path: Path) -> Any:
    env = {**os.environ, "MINION_ENDPOINTS": emulator.endpoints_env, "MINION_MPV_AO": "null",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def run(*argv: str, as_json: bool = True) -> tuple[int, Any, str]:
        done = subprocess.run([sys.executable, "-m", "minion_tui", *argv,
                               *(["--json"] if as_json else [])],
                              capture_output=True, text=True, env=env, timeout=300,
                              cwd=tmp_path)
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        if not as_json:
            return done.returncode, done.stdout, done.stderr
        lines = done.stdout.strip()
        return done.returncode, json.loads(lines) if lines else None, done.stderr

    return run


def test_resolve_a_show_is_the_track_form(emulator: RunningEmulator, cli: Any,
                                          mc_rest: Any) -> None:
    code, show, _ = cli("resolve", emulator.examples["mc_show_tracks"])
    raw = mc_rest("/NightShiftRadio/night-shift-300/")
    assert code == 0 and TRACK_KEYS <= set(show)
    assert show["kind"] == "track" and show["provider"] == "mixcloud"
    assert show["id"] == "NightShiftRadio/night-shift-300"
    assert show["urn"] == "mixcloud:cloudcasts:NightShiftRadio/night-shift-300"
    assert show["url"] == "https://www.mixcloud.com/NightShiftRadio/night-shift-300/"
    assert show["title"] == raw["name"]
    assert show["uploader"] == show["artist"] == raw["user"]["name"]
    assert show["duration_ms"] == raw["audio_length"] * 1000
    assert show["tags"] == [t["name"] for t in raw["tags"]]
    assert show["created_at"] == raw["created_time"] and show["created_at"].endswith("Z")
    assert show["artwork_url"] == raw["pictures"]["1024wx1024h"]
    assert show["counts"] == {"plays": raw["play_count"], "likes": raw["favorite_count"],
                              "reposts": raw["repost_count"],
                              "comments": raw["comment_count"]}
    assert show["availability"] == "full"


def test_resolve_a_user_and_an_exclusive_show(emulator: RunningEmulator, cli: Any,
                                              mc_rest: Any) -> None:
    code, user, _ = cli("resolve", emulator.examples["mc_user"])
    raw = mc_rest("/NightShiftRadio/")
    assert code == 0 and USER_KEYS <= set(user) and user["kind"] == "user"
    assert {k: user[k] for k in USER_KEYS} == {
        "username": "NightShiftRadio", "full_name": raw["name"],
        "url": "https://www.mixcloud.com/NightShiftRadio/",
        "followers_count": raw["follower_count"], "followings_count": raw["following_count"],
        "track_count": raw["cloudcast_count"], "city": raw["city"],
        "country": raw["country"], "urn": "mixcloud:users:NightShiftRadio"}
    code, show, _ = cli("resolve", emulator.examples["mc_show_exclusive"])
    assert code == 0 and show["availability"] == "exclusive"


@pytest.mark.parametrize(("listing", "tab", "user"), [
    ("shows", "cloudcasts", "NightShiftRadio"), ("tracks", "cloudcasts", "NightShiftRadio"),
    ("favorites", "favorites", "quietlistener"), ("listens", "listens", "quietlistener"),
    ("followers", "followers", "NightShiftRadio"), ("following", "following", "quietlistener"),
    ("followings", "following", "quietlistener"), ("playlists", "playlists", "quietlistener"),
])
def test_browse_a_users_listing(cli: Any, mc_rest: Any, listing: str, tab: str,
                                user: str) -> None:
    code, items, _ = cli("browse", listing, f"https://www.mixcloud.com/{user}/",
                         "--provider", "mixcloud", "--limit", "3")
    raw = mc_rest(f"/{user}/{tab}/", limit=3)["data"]
    assert code == 0 and raw
    assert [i["url"] for i in items] == [r["url"] for r in raw]
    kinds = {"cloudcast": "track", "user": "user", "playlist": "playlist"}
    assert [i["kind"] for i in items] == [kinds[r.get("type", "playlist")] for r in raw]


def test_browse_a_users_feed_and_comments_with_no_provider_flag(
        emulator: RunningEmulator, cli: Any, mc_rest: Any) -> None:
    code, feed, _ = cli("browse", "feed", emulator.examples["mc_user_small"], "--limit", "2")
    assert code == 0 and feed and all(i["provider"] == "mixcloud" for i in feed)
    commented = next(u["username"] for u in mc_rest("/NightShiftRadio/followers/", limit=50)["data"]
                     if mc_rest(f"/{u['username']}/comments/")["data"])
    code, comments, _ = cli("browse", "comments", f"https://www.mixcloud.com/{commented}/")
    raw = mc_rest(f"/{commented}/comments/")["data"]
    assert code == 0 and [c["body"] for c in comments] == [r["comment"] for r in raw]
    assert all(c["kind"] == "comment" and c["created_at"].endswith("Z")
               and c["user"]["provider"] == "mixcloud" for c in comments)


@pytest.mark.parametrize("listing", ["comments", "favorites", "listeners", "similar"])
def test_browse_a_shows_listing(emulator: RunningEmulator, cli: Any, mc_rest: Any,
                                listing: str) -> None:
    code, items, _ = cli("browse", listing, emulator.examples["mc_show_tracks"],
                         "--limit", "4")
    raw = mc_rest(f"/NightShiftRadio/night-shift-300/{listing}/", limit=4)["data"]
    assert code == 0 and raw and len(items) == len(raw)
    if listing == "comments":
        assert [c["body"] for c in items] == [r["comment"] for r in raw]
        assert {"kind", "body", "created_at", "user"} <= set(items[0])
    elif listing == "similar":
        assert [t["id"] for t in items] == [r["key"].strip("/") for r in raw]
    else:  # a show's favorites and listeners are users
        assert [u["kind"] for u in items] == ["user"] * len(raw)
        assert [u["username"] for u in items] == [r["username"] for r in raw]


def test_browse_a_tracklist_of_tracks_and_chapters(emulator: RunningEmulator,
                                                   cli: Any) -> None:
    code, timed, _ = cli("browse", "tracklist", emulator.examples["mc_show_tracks"])
    assert code == 0 and len(timed) == 12
    assert all(set(s) == {"start_ms", "artist", "title", "kind"} and s["kind"] == "track"
               and isinstance(s["start_ms"], int) for s in timed)
    code, mixed, _ = cli("browse", "tracklist", emulator.examples["mc_show_chapters"])
    assert code == 0
    assert mixed[:2] == [
        {"kind": "chapter", "start_ms": 0, "artist": "", "title": "Intro"},
        {"kind": "track", "start_ms": 240000, "artist": "Moss Garden", "title": "Lichen"}]
    assert [s["start_ms"] for s in mixed].count(None) == 2


def test_the_tracklist_table_says_when_a_time_is_unknown(emulator: RunningEmulator,
                                                         cli: Any) -> None:
    code, out, _ = cli("browse", "tracklist", emulator.examples["mc_show_chapters"],
                       as_json=False)
    rows = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and rows[0] == ["time", "artist", "title", "kind"]
    assert rows[1:3] == [["00:00", "", "Intro", "chapter"],
                         ["04:00", "Moss Garden", "Lichen", "track"]]
    assert ["—", "", "Interview", "chapter"] in rows


@pytest.mark.parametrize(("chart", "path"), [
    ("popular", "/popular/"), ("hot", "/popular/hot/"), ("new", "/new/")])
def test_browse_the_charts(cli: Any, mc_rest: Any, chart: str, path: str) -> None:
    code, items, _ = cli("browse", chart, "--provider", "mixcloud", "--limit", "5")
    assert code == 0
    assert [t["id"] for t in items] == [r["key"].strip("/") for r in mc_rest(path, limit=5)["data"]]


def test_browse_a_tag_and_who_is_live(emulator: RunningEmulator, cli: Any,
                                      mc_rest: Any) -> None:
    code, tagged, _ = cli("browse", "tag", "deep-house", "--provider", "mixcloud",
                          "--limit", "3")
    raw = mc_rest("/discover/deep-house/popular/", limit=3)["data"]
    assert code == 0 and [t["id"] for t in tagged] == [r["key"].strip("/") for r in raw]
    code, live, _ = cli("browse", "live", "--provider", "mixcloud")
    assert code == 0
    assert "mixcloud:live:selva_sessions" in [t["urn"] for t in live]


@pytest.mark.parametrize(("kind", "rest_type"), [
    ("tracks", "cloudcast"), ("users", "user"), ("tags", "tag")])
def test_search_mixcloud_by_type(cli: Any, mc_rest: Any, kind: str, rest_type: str) -> None:
    query = "house" if kind == "tags" else "night"
    code, found, _ = cli("search", query, "--provider", "mixcloud", "--type", kind,
                         "--limit", "3")
    raw = mc_rest("/search/", q=query, type=rest_type, limit=3)["data"]
    assert code == 0 and raw
    assert [i["url"] for i in found] == [r["url"] for r in raw]
    if kind == "tags":
        assert found[0] == {"provider": "mixcloud", "kind": "tag", "name": raw[0]["name"],
                            "slug": raw[0]["key"].strip("/").rpartition("/")[2],
                            "url": raw[0]["url"]}


def test_the_tags_table(cli: Any) -> None:
    code, out, _ = cli("search", "house", "--provider", "mixcloud", "--type", "tags",
                       as_json=False)
    rows = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and rows[0] == ["tag", "slug", "url"]
    assert ["Deep House", "deep-house", "https://www.mixcloud.com/discover/deep-house/"] in rows


def test_stream_is_the_decoded_hls_url_then_progressive_without_hls(
        emulator: RunningEmulator, cli: Any) -> None:
    code, stream, _ = cli("stream", emulator.examples["mc_show_tracks"])
    assert code == 0
    assert (stream["protocol"], stream["codec"]) == ("hls", "aac")
    assert stream["url"].startswith("https://audio") and stream["url"].endswith(
        ".m4a/index.m3u8")
    emulator.mixcloud.offer_hls = False
    try:
        code, progressive, _ = cli("stream", emulator.examples["mc_show_tracks"])
    finally:
        emulator.mixcloud.offer_hls = True
    assert code == 0 and progressive["protocol"] == "progressive"
    assert progressive["codec"] == "aac" and ".m4a?sig=" in progressive["url"]


@pytest.mark.parametrize(("example", "error_type"), [
    ("mc_show_exclusive", "subscription_required"), ("missing", "not_found")])
def test_stream_errors(emulator: RunningEmulator, cli: Any, example: str,
                       error_type: str) -> None:
    url = emulator.examples.get(example, "https://www.mixcloud.com/NightShiftRadio/not-here/")
    code, body, _ = cli("stream", url)
    assert code == 1 and body["error"]["type"] == error_type and body["error"]["message"]
    code, body, _ = cli("resolve", "https://www.mixcloud.com/NightShiftRadio/not-here/")
    assert code == 1 and body["error"]["type"] == "not_found"


def test_a_url_of_another_provider_and_a_listing_that_does_not_fit(
        emulator: RunningEmulator, cli: Any) -> None:
    code, body, _ = cli("browse", "shows", emulator.examples["mc_user"],
                        "--provider", "soundcloud")
    assert code == 2 and body["error"]["type"] == "invalid_argument"
    assert "mixcloud URL" in body["error"]["message"]
    assert "--provider is soundcloud" in body["error"]["message"]
    code, body, _ = cli("browse", "tracklist", emulator.examples["mc_user"])
    assert code == 2 and body["error"]["type"] == "invalid_argument"
    message = body["error"]["message"]
    assert "'tracklist'" in message and "shows, tracks, favorites, listens" in message
    code, body, _ = cli("browse", "listens", emulator.examples["mc_show_tracks"])
    assert code == 2
    assert "comments, favorites, listeners, similar, tracklist" in body["error"]["message"]
    code, body, _ = cli("browse", "hot")  # SoundCloud by default: it has no "hot"
    assert code == 2 and "--provider mixcloud" in body["error"]["message"]
    code, body, _ = cli("browse", "no-such-listing", emulator.examples["mc_user"])
    assert code == 2 and body["error"]["type"] == "invalid_argument"


def test_soundcloud_forms_are_unchanged(emulator: RunningEmulator, cli: Any) -> None:
    code, likes, _ = cli("browse", "likes", emulator.examples["user"], "--limit", "3")
    assert code == 0 and len(likes) == 3 and {i["provider"] for i in likes} == {"soundcloud"}
    code, trending, _ = cli("browse", "trending", "--limit", "2")
    assert code == 0 and [t["provider"] for t in trending] == ["soundcloud"] * 2
    code, found, _ = cli("search", "deep", "--limit", "2")
    assert code == 0 and {t["provider"] for t in found} == {"soundcloud"}


def test_download_a_show_with_no_flag(emulator: RunningEmulator, cli: Any,
                                      tmp_path: Path) -> None:
    code, out, _ = cli("download", emulator.examples["mc_show_short"], "--dir",
                       str(tmp_path / "out"), "--json", as_json=False)
    events = [json.loads(line) for line in out.splitlines()]
    done = [e for e in events if e["event"] == "done"]
    assert code == 0 and len(done) == 1
    assert done[0]["track_urn"] == "mixcloud:cloudcasts:selva_sessions/selva-sessions-short"
    path = Path(done[0]["path"])
    assert path.suffix == ".m4a" and path.stat().st_size == done[0]["bytes_total"] > 0


@pytest.mark.mpv
def test_play_takes_a_show_url_with_no_flag(emulator: RunningEmulator, cli: Any) -> None:
    # What this contract owns: `play` takes the mixcloud.com URL as it is, asks for the
    # show's stream and opens its HLS playlist. How far mpv gets through the stream proxy
    # in one second is the player's (tests/integration/test_mixcloud_playback.py).
    served = request_log.install(emulator)
    _code, out, err = cli("play", emulator.examples["mc_show_short"], "--start", "60",
                         "--for", "1", "--json", as_json=False)
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines, err
    assert not {"invalid_url", "invalid_argument", "not_found"} & {
        line.get("error", {}).get("type") for line in lines}
    graphql = served.paths("/mc-app/graphql")
    masters = [p for p in served.paths("/mc-audio") if p.endswith(".m4a/index.m3u8")]
    assert graphql and masters, served.paths()
