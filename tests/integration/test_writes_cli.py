"""The write verbs as a user runs them: real processes against the emulator, signed in through
the scripted browser; each write's effect read back in the emulator's state AND through the
client's public reads (api-v2's lists, ``browse``), and the "You" listings."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from minion_tui.emulator.server import RunningEmulator
from tests.integration.test_auth_cli import env as env
from tests.integration.test_auth_cli import ok_json, run

pytestmark = pytest.mark.usefixtures("isolated_env")


def failed(done: subprocess.CompletedProcess[str], code: int = 1) -> dict[str, Any]:
    assert done.returncode == code, (done.stdout, done.stderr)
    error: dict[str, Any] = json.loads(done.stdout)["error"]
    return error


def me(emulator: RunningEmulator) -> int:
    """The SoundCloud user the emulator's OAuth server signs in."""
    return int(emulator.oauth.user)


def login(env: dict[str, str], provider: str = "soundcloud") -> None:
    ok_json(run(env, "auth", "login", provider, "--json"))


def listed(emulator: RunningEmulator, n: int = 0) -> Any:
    """A listed track the signed-in user has not liked and did not upload."""
    mine = {a.target_id for a in emulator.social.likes.get(me(emulator), [])}
    return [t for t in emulator.catalog.listed_tracks()
            if t.id not in mine and t.user_id != me(emulator)][n]


def urn(track: Any) -> str:
    return f"soundcloud:tracks:{track.id}"


def my_url(emulator: RunningEmulator) -> str:
    return emulator.catalog.user_url(emulator.catalog.artists[me(emulator)])


#: The Mixcloud user the emulator's OAuth server signs in.
MC_USER = "quietlistener"


def unfavourited_show(emulator: RunningEmulator) -> tuple[Any, str]:
    """A Mixcloud show MC_USER has not favourited and did not make: (the show, its URN)."""
    faved = {e.who.lower() for e in emulator.mixcloud.catalog.favorites.get(MC_USER, [])}
    show = next(s for s in emulator.mixcloud.catalog.shows.values()
                if s.key.lower() not in faved and s.owner.lower() != MC_USER)
    return show, f"mixcloud:cloudcasts:{show.owner}/{show.slug}"


def late_set_kept(emulator: RunningEmulator, made: dict[str, Any]) -> tuple[str, int, Any]:
    """The "Late set" upload (tagged "deep house" and "dub", with artwork) as its result says
    and as the emulator kept it: (its URN, its id, the kept track)."""
    assert made["action"] == "upload" and made["title"] == "Late set"
    urn_made = made["target"]
    tid = int(urn_made.rsplit(":", 1)[1])
    kept = emulator.social.track(tid)
    assert kept is not None and kept.title == "Late set"
    assert kept.tags == ("deep house", "dub") and kept.artwork_key
    return urn_made, tid, kept


def test_not_signed_in_every_write_is_auth_required(env: dict[str, str],
                                                    emulator: RunningEmulator) -> None:
    track = listed(emulator)
    for argv in (("like", urn(track)), ("repost", urn(track)),
                 ("follow", f"soundcloud:users:{track.user_id}"),
                 ("playlist", "create", "Mine"), ("comment", urn(track), "--at", "0:05", "hi"),
                 ("browse", "feed"), ("browse", "history"), ("browse", "myplaylists")):
        error = failed(run(env, *argv, "--json"))
        assert error["type"] == "auth_required", argv
        assert "minion-tui auth login soundcloud" in error["message"]
    assert emulator.social.likes.get(me(emulator), []) == emulator.catalog.likes.get(
        me(emulator), [])


def test_like_unlike_read_back_in_state_and_public_likes(env: dict[str, str],
                                                         emulator: RunningEmulator) -> None:
    login(env)
    track = listed(emulator)
    url = emulator.catalog.track_url(track)
    done = ok_json(run(env, "like", url, "--json"))
    assert done == {"ok": True, "action": "like", "provider": "soundcloud",
                    "target": urn(track), "title": track.title}
    assert emulator.social.likes[me(emulator)][0].target_id == track.id
    # the public read: api-v2's likes of the signed-in user, as `browse likes USER` reads it
    likes = ok_json(run(env, "browse", "likes", my_url(emulator), "--limit", "3", "--json"))
    assert likes[0]["urn"] == urn(track)
    mine = ok_json(run(env, "browse", "mylikes", "--limit", "3", "--json"))
    assert mine[0]["urn"] == urn(track)
    # destructive without --yes: refused before any request, nothing changed
    before = list(emulator.social.likes[me(emulator)])
    error = failed(run(env, "unlike", url, "--json"), code=2)
    assert error["type"] == "invalid_argument" and "--yes" in error["message"]
    assert emulator.social.likes[me(emulator)] == before
    ok_json(run(env, "unlike", url, "--yes", "--json"))
    assert all(a.target_id != track.id for a in emulator.social.likes[me(emulator)])
    likes = ok_json(run(env, "browse", "likes", my_url(emulator), "--limit", "3", "--json"))
    assert urn(track) not in [t["urn"] for t in likes]


def test_repost_and_follow_read_back(env: dict[str, str], emulator: RunningEmulator) -> None:
    login(env)
    track = listed(emulator, 1)
    ok_json(run(env, "repost", urn(track), "--json"))
    assert emulator.social.reposts[me(emulator)][0].target_id == track.id
    reposts = ok_json(run(env, "browse", "reposts", my_url(emulator), "--limit", "2",
                          "--json"))
    assert reposts[0]["urn"] == urn(track)
    followed = next(a for a in emulator.catalog.artists.values()
                    if a.id != me(emulator) and all(
                        f.target_id != a.id for f in emulator.social.followings.get(
                            me(emulator), [])))
    user_urn = f"soundcloud:users:{followed.id}"
    done = ok_json(run(env, "follow", emulator.catalog.user_url(followed), "--json"))
    assert done["target"] == user_urn and done["title"] == followed.username
    followings = ok_json(run(env, "browse", "followings", my_url(emulator), "--limit", "3",
                             "--json"))
    assert followings[0]["urn"] == user_urn
    mine = ok_json(run(env, "browse", "myfollowings", "--limit", "3", "--json"))
    assert mine[0]["urn"] == user_urn
    # the feed: what the followed user uploaded is in it
    feed = ok_json(run(env, "browse", "feed", "--limit", "5000", "--json"))
    uploads = set(emulator.catalog.user_tracks.get(followed.id, []))
    assert any(int(t["id"]) in uploads for t in feed) or not uploads
    before = list(emulator.social.followings[me(emulator)])
    failed(run(env, "unfollow", user_urn, "--json"), code=2)
    assert emulator.social.followings[me(emulator)] == before
    ok_json(run(env, "unfollow", user_urn, "--yes", "--json"))
    assert all(f.target_id != followed.id for f in emulator.social.followings[me(emulator)])
    failed(run(env, "unrepost", urn(track), "--json"), code=2)
    assert emulator.social.reposts[me(emulator)][0].target_id == track.id
    ok_json(run(env, "unrepost", urn(track), "--yes", "--json"))
    assert all(a.target_id != track.id for a in emulator.social.reposts[me(emulator)])


def test_playlist_lifecycle_read_back(env: dict[str, str], emulator: RunningEmulator) -> None:
    login(env)
    a, b, c = listed(emulator, 2), listed(emulator, 3), listed(emulator, 4)
    made = ok_json(run(env, "playlist", "create", "Night drive", urn(a),
                       emulator.catalog.track_url(b), "--private", "--json"))
    assert made["action"] == "playlist_create" and made["sharing"] == "private"
    assert made["playlist"]["title"] == "Night drive"
    assert made["playlist"]["track_count"] == 2
    pid = made["target"]
    set_id = int(pid.rsplit(":", 1)[1])
    assert emulator.social.track_set(set_id).track_ids == (a.id, b.id)
    mine = ok_json(run(env, "browse", "myplaylists", "--json"))
    assert mine[0]["urn"] == pid
    public = ok_json(run(env, "browse", "playlists", my_url(emulator), "--json"))
    assert pid not in [p["urn"] for p in public]  # private: not in the public list
    ok_json(run(env, "playlist", "privacy", pid, "public", "--json"))
    public = ok_json(run(env, "browse", "playlists", my_url(emulator), "--json"))
    assert public[0]["urn"] == pid
    renamed = ok_json(run(env, "playlist", "rename", pid, "Dawn drive", "--json"))
    assert renamed["playlist"]["title"] == "Dawn drive"
    assert emulator.social.track_set(set_id).title == "Dawn drive"
    ok_json(run(env, "playlist", "add", pid, urn(c), "--json"))
    assert emulator.social.track_set(set_id).track_ids == (a.id, b.id, c.id)
    ok_json(run(env, "playlist", "move", pid, urn(c), "1", "--json"))
    assert emulator.social.track_set(set_id).track_ids == (c.id, a.id, b.id)
    # the public read of the set itself (api-v2, as `resolve` reads it)
    resolved = ok_json(run(env, "resolve", pid, "--json"))
    assert [t["urn"] for t in resolved["tracks"]][:3] == [urn(c), urn(a), urn(b)]
    error = failed(run(env, "playlist", "move", pid, urn(c), "9", "--json"))
    assert error["type"] == "invalid_argument" and "past the end" in error["message"]
    failed(run(env, "playlist", "remove", pid, urn(a), "--json"), code=2)
    assert emulator.social.track_set(set_id).track_ids == (c.id, a.id, b.id)
    ok_json(run(env, "playlist", "remove", pid, urn(a), "--yes", "--json"))
    assert emulator.social.track_set(set_id).track_ids == (c.id, b.id)
    failed(run(env, "playlist", "delete", pid, "--json"), code=2)
    assert emulator.social.track_set(set_id) is not None
    ok_json(run(env, "playlist", "delete", pid, "--yes", "--json"))
    assert emulator.social.track_set(set_id) is None
    mine = ok_json(run(env, "browse", "myplaylists", "--json"))
    assert pid not in [p["urn"] for p in mine]
    assert failed(run(env, "playlist", "rename", pid, "Gone", "--json"))["type"] == "not_found"


def test_comment_at_a_time_read_back(env: dict[str, str], emulator: RunningEmulator) -> None:
    login(env)
    track = next(t for t in emulator.catalog.listed_tracks() if t.commentable
                 and t.duration_ms > 90_000)
    done = ok_json(run(env, "comment", urn(track), "--at", "1:05", "lovely pads", "--json"))
    assert done["comment"]["body"] == "lovely pads"
    assert done["comment"]["timestamp_ms"] == 65_000
    made = emulator.social.comments[track.id][0]
    assert (made.body, made.timestamp_ms, made.user_id) == ("lovely pads", 65_000,
                                                           me(emulator))
    comments = ok_json(run(env, "browse", "comments", urn(track), "--limit", "1", "--json"))
    assert comments[0]["body"] == "lovely pads"
    late = failed(run(env, "comment", urn(track), "--at", "999:00", "x", "--json"))
    assert late["type"] == "invalid_argument"
    assert failed(run(env, "comment", urn(track), "--at", "", "x", "--json"))["type"] == \
        "invalid_argument"


def test_history_lists_what_was_streamed(env: dict[str, str],
                                         emulator: RunningEmulator) -> None:
    login(env)
    track = listed(emulator, 5)
    emulator.social.played_now(me(emulator), track.id)
    history = ok_json(run(env, "browse", "history", "--json"))
    assert history[0]["urn"] == urn(track)


def test_mixcloud_favorite_follow_listen_later(env: dict[str, str],
                                               emulator: RunningEmulator,
                                               tmp_path: Path) -> None:
    login(env, "mixcloud")
    mc = emulator.mixcloud
    who = MC_USER
    show, show_urn = unfavourited_show(emulator)
    done = ok_json(run(env, "favorite", f"https://www.mixcloud.com{show.key}", "--json"))
    assert done["provider"] == "mixcloud" and done["target"] == show_urn
    assert mc.catalog.favorites[who][0].who == show.key
    mine = ok_json(run(env, "browse", "mylikes", "--provider", "mixcloud", "--limit", "2",
                       "--json"))
    assert mine[0]["urn"] == show_urn
    public = ok_json(run(env, "browse", "favorites", f"https://www.mixcloud.com/{who}/",
                         "--limit", "2", "--json"))
    assert public[0]["urn"] == show_urn
    failed(run(env, "unfavorite", show_urn, "--json"), code=2)
    assert mc.catalog.favorites[who][0].who == show.key
    ok_json(run(env, "unfavorite", show_urn, "--yes", "--json"))
    assert all(e.who != show.key for e in mc.catalog.favorites[who])
    ok_json(run(env, "repost", show_urn, "--json"))
    assert mc.writes.reposts[who][0].who == show.key
    ok_json(run(env, "listen-later", show_urn, "--json"))
    assert mc.writes.listen_later[who][0].who == show.key
    failed(run(env, "listen-later", show_urn, "--remove", "--json"), code=2)
    assert mc.writes.listen_later[who]
    ok_json(run(env, "listen-later", show_urn, "--remove", "--yes", "--json"))
    assert mc.writes.listen_later[who] == []
    ok_json(run(env, "follow", f"mixcloud:users:{show.owner}", "--json"))
    assert mc.catalog.following[who][0].who == show.owner.lower()
    following = ok_json(run(env, "browse", "following", f"https://www.mixcloud.com/{who}/",
                            "--limit", "2", "--json"))
    assert following[0]["urn"].lower() == f"mixcloud:users:{show.owner}".lower()
    # Mixcloud has no playlists or comments to write here: said, not tried
    error = failed(run(env, "comment", show_urn, "--at", "0:10", "x", "--json"))
    assert error["type"] == "invalid_argument" and "no comment" in error["message"]


def test_mixcloud_not_signed_in(env: dict[str, str], emulator: RunningEmulator) -> None:
    show = next(iter(emulator.mixcloud.catalog.shows.values()))
    error = failed(run(env, "favorite", f"https://www.mixcloud.com{show.key}", "--json"))
    assert error["type"] == "auth_required"
    assert "minion-tui auth login mixcloud" in error["message"]


def test_signed_in_a_preview_track_streams_in_full_and_lands_in_history(
        env: dict[str, str], emulator: RunningEmulator) -> None:
    url = emulator.examples["track_preview"]
    anonymous = ok_json(run(env, "stream", url, "--json"))
    assert anonymous["preview"] is True
    login(env)
    full = ok_json(run(env, "stream", url, "--json"))
    assert full["preview"] is False and full["preset"] == "official_aac_160"
    assert full["url"].startswith("https://playback.media-streaming.soundcloud.cloud/")
    assert ok_json(run(env, "stream", url, "--full", "--json"))["preview"] is False
    history = ok_json(run(env, "browse", "history", "--limit", "1", "--json"))
    assert history[0]["url"] == url


def test_upload_update_delete_read_back(env: dict[str, str], emulator: RunningEmulator,
                                        tmp_path: Path) -> None:
    audio = tmp_path / "set.mp3"
    audio.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 500)
    art = tmp_path / "cover.png"
    art.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    not_art = tmp_path / "cover.txt"
    not_art.write_text("hello\n")
    assert failed(run(env, "upload", str(audio), "--title", "Late set", "--json"))["type"] \
        == "auth_required"
    login(env)
    for argv, said in (((str(tmp_path / "gone.mp3"), "--title", "x"), "no such file"),
                       ((str(tmp_path), "--title", "x"), "is a folder"),
                       (("/proc/self/mem", "--title", "x"), "cannot be read"),
                       ((str(not_art), "--title", "x"), "not an audio file"),
                       ((str(audio), "--title", "x", "--artwork", str(not_art)),
                        "not a JPEG or PNG"),
                       ((str(audio),), "--title"),
                       ((str(audio), "--title", "  "), "--title is empty")):
        error = failed(run(env, "upload", *argv, "--json"), code=2 if argv == (str(audio),)
                       else 1)
        assert error["type"] == "invalid_argument" and said in error["message"], error
    before = emulator.social.track_ids(me(emulator))
    assert before == [t for t in emulator.catalog.user_tracks.get(me(emulator), [])]
    made = ok_json(run(env, "upload", str(audio), "--title", "Late set", "--tags",
                       "deep house, dub", "--artwork", str(art), "--json"))
    urn_made, tid, _ = late_set_kept(emulator, made)
    # the public reads: the user's tracks on api-v2, and the track itself
    mine = ok_json(run(env, "browse", "tracks", my_url(emulator), "--limit", "2", "--json"))
    assert mine[0]["urn"] == urn_made
    resolved = ok_json(run(env, "resolve", urn_made, "--json"))
    assert resolved["title"] == "Late set" and "deep house" in resolved["tags"]
    changed = ok_json(run(env, "track", "update", urn_made, "--title", "Early set",
                          "--json"))
    assert changed["title"] == "Early set"
    assert ok_json(run(env, "resolve", urn_made, "--json"))["title"] == "Early set"
    assert failed(run(env, "track", "update", urn_made, "--json"), code=2)["type"] == \
        "invalid_argument"
    failed(run(env, "track", "delete", urn_made, "--json"), code=2)
    assert emulator.social.track(tid) is not None
    ok_json(run(env, "track", "delete", urn_made, "--yes", "--json"))
    assert emulator.social.track(tid) is None
    mine = ok_json(run(env, "browse", "tracks", my_url(emulator), "--limit", "2", "--json"))
    assert urn_made not in [t["urn"] for t in mine]


def test_mixcloud_upload_with_tags_and_picture_read_back(
        env: dict[str, str], emulator: RunningEmulator, tmp_path: Path) -> None:
    audio = tmp_path / "mix.mp3"
    audio.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 500)
    art = tmp_path / "cover.jpg"
    art.write_bytes(b"\xff\xd8\xff\xe0" + bytes(64))
    login(env, "mixcloud")
    too_many = failed(run(env, "upload", str(audio), "--title", "x", "--tags", "a,b,c,d,e,f",
                          "--provider", "mixcloud", "--json"))
    assert too_many["type"] == "invalid_argument" and "5 tags" in too_many["message"]
    made = ok_json(run(env, "upload", str(audio), "--title", "Sunday Session", "--tags",
                       "Deep House, Dub", "--artwork", str(art), "--provider", "mixcloud",
                       "--json"))
    assert made["provider"] == "mixcloud" and made["title"] == "Sunday Session"
    key = made["target"].split(":", 2)[2]
    show = emulator.mixcloud.catalog.show_by_key(f"/{key}/")
    assert show is not None and show.tags == ("Deep House", "Dub")
    shows = ok_json(run(env, "browse", "tracks", "https://www.mixcloud.com/quietlistener/",
                        "--limit", "2", "--json"))
    assert shows[0]["urn"] == made["target"] and shows[0]["title"] == "Sunday Session"
