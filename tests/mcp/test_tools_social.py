"""The social write tools over a real MCP session, signed in through the emulator's OAuth
servers: each write read back in the emulator's state and through the service's public reads;
destructive ones change nothing without confirmation; no sign-in is auth_required; Mixcloud's
403 RateLimitException is rate_limited with retry_after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mcp.client.session import ClientSession

from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from tests.mcp.harness import call, call_error, connect
from tests.mcp.signed import (
    MC_USER,
    anon,
    anon_service,
    listed,
    me,
    my_url,
    open_signed,
    read_all,
    registered_apps,
    signed,
    signed_service,
    unfavourited_show,
    urn,
)

__all__ = ["anon", "anon_service", "signed", "signed_service"]

CALLED = {"like", "unlike", "repost", "unrepost", "follow_user", "unfollow_user",
          "listen_later", "unlisten_later", "comment"}


async def test_like_and_unlike_read_back(signed: ClientSession, signed_service: Service,
                                         emulator: RunningEmulator) -> None:
    track = listed(emulator)
    url = emulator.catalog.track_url(track)
    done = await call(signed, "like", {"target": url})
    assert done == {"action": "like", "provider": "soundcloud", "target": urn(track),
                    "title": track.title, "playlist": None, "sharing": None, "comment": None}
    assert emulator.social.likes[me(emulator)][0].target_id == track.id
    assert (await read_all(signed_service, "mylikes", most=3))[0].urn == urn(track)
    assert (await read_all(signed_service, "likes", my_url(emulator), most=3))[0].urn == \
        urn(track)
    # liking again is idempotent: still one like of it
    await call(signed, "like", {"target": urn(track)})
    assert [a.target_id for a in emulator.social.likes[me(emulator)]].count(track.id) == 1
    # destructive without confirmation: refused, nothing sent
    before = list(emulator.social.likes[me(emulator)])
    error = await call_error(signed, "unlike", {"target": urn(track)})
    assert error["type"] == "invalid_argument" and "confirm: true" in error["message"]
    refused = await call_error(signed, "unlike", {"target": urn(track), "confirm": False})
    assert "Nothing was changed" in refused["message"]
    assert emulator.social.likes[me(emulator)] == before
    assert (await read_all(signed_service, "mylikes", most=3))[0].urn == urn(track)
    gone = await call(signed, "unlike", {"target": urn(track), "confirm": True})
    assert gone["action"] == "unlike" and gone["target"] == urn(track)
    assert all(a.target_id != track.id for a in emulator.social.likes[me(emulator)])
    assert urn(track) not in [t.urn for t in await read_all(signed_service, "mylikes",
                                                            most=3)]


async def test_repost_follow_and_their_undoing(signed: ClientSession, signed_service: Service,
                                               emulator: RunningEmulator) -> None:
    track = listed(emulator, 1)
    await call(signed, "repost", {"target": urn(track)})
    assert emulator.social.reposts[me(emulator)][0].target_id == track.id
    assert (await read_all(signed_service, "reposts", my_url(emulator), most=2))[0].urn == \
        urn(track)
    followed = next(a for a in emulator.catalog.artists.values()
                    if a.id != me(emulator) and all(
                        f.target_id != a.id
                        for f in emulator.social.followings.get(me(emulator), [])))
    user_urn = f"soundcloud:users:{followed.id}"
    done = await call(signed, "follow_user", {"target": emulator.catalog.user_url(followed)})
    assert done["target"] == user_urn and done["title"] == followed.username
    assert (await read_all(signed_service, "myfollowings", most=3))[0].urn == user_urn
    wrong = await call_error(signed, "follow_user", {"target": urn(track)})
    assert wrong["type"] == "invalid_argument" and "Only users" in wrong["message"]

    before_follow = list(emulator.social.followings[me(emulator)])
    before_repost = list(emulator.social.reposts[me(emulator)])
    for name, target in (("unfollow_user", user_urn), ("unrepost", urn(track))):
        error = await call_error(signed, name, {"target": target})
        assert "confirm: true" in error["message"], error
    assert emulator.social.followings[me(emulator)] == before_follow
    assert emulator.social.reposts[me(emulator)] == before_repost
    await call(signed, "unfollow_user", {"target": user_urn, "confirm": True})
    assert all(f.target_id != followed.id for f in emulator.social.followings[me(emulator)])
    assert user_urn not in [u.urn for u in await read_all(signed_service, "myfollowings",
                                                          most=3)]
    await call(signed, "unrepost", {"target": urn(track), "confirm": True})
    assert all(a.target_id != track.id for a in emulator.social.reposts[me(emulator)])


async def test_comment_at_a_time_in_mm_ss_or_seconds(signed: ClientSession,
                                                     signed_service: Service,
                                                     emulator: RunningEmulator) -> None:
    track = next(t for t in emulator.catalog.listed_tracks() if t.commentable
                 and t.duration_ms > 90_000)
    done = await call(signed, "comment", {"target": urn(track), "at": "1:05",
                                          "text": "lovely pads"})
    assert done["comment"]["body"] == "lovely pads" and done["comment"]["timestamp_ms"] == 65_000
    made = emulator.social.comments[track.id][0]
    assert (made.body, made.timestamp_ms, made.user_id) == ("lovely pads", 65_000,
                                                           me(emulator))
    again = await call(signed, "comment", {"target": urn(track), "at": "70", "text": "again"})
    assert again["comment"]["timestamp_ms"] == 70_000
    comments = await read_all(signed_service, "comments", urn(track), most=2)
    assert [c.body for c in comments] == ["again", "lovely pads"]
    for at, said in (("2:59:00", "past the end"), ("999:00", "MM:SS"), ("1:5", "MM:SS"),
                     ("soon", "MM:SS"), ("  ", "blank"), ("99999999", "past any track")):
        error = await call_error(signed, "comment", {"target": urn(track), "at": at,
                                                     "text": "x"})
        assert error["type"] == "invalid_argument" and said in error["message"], (at, error)
    for text in ("", " ", "x" * 1001, "a\x07b"):
        error = await call_error(signed, "comment", {"target": urn(track), "at": "0:01",
                                                     "text": text})
        assert error["type"] == "invalid_argument", (text, error)
    assert len(emulator.social.comments[track.id]) == 2


async def test_mixcloud_favourite_repost_listen_later_follow(
        signed: ClientSession, signed_service: Service, emulator: RunningEmulator) -> None:
    mc = emulator.mixcloud
    who = MC_USER
    show, show_urn = unfavourited_show(emulator)
    done = await call(signed, "like", {"target": f"https://www.mixcloud.com{show.key}"})
    assert done["provider"] == "mixcloud" and done["target"] == show_urn
    mine = await read_all(signed_service, "mylikes", provider="mixcloud", most=2)
    assert mine[0].urn == show_urn
    assert (await call_error(signed, "unlike", {"target": show_urn}))["type"] == \
        "invalid_argument"
    assert mc.catalog.favorites[who][0].who == show.key
    await call(signed, "unlike", {"target": show_urn, "confirm": True})
    assert all(e.who != show.key for e in mc.catalog.favorites[who])
    await call(signed, "repost", {"target": show_urn})
    assert mc.writes.reposts[who][0].who == show.key
    await call(signed, "listen_later", {"target": show_urn})
    assert mc.writes.listen_later[who][0].who == show.key
    assert "confirm: true" in (await call_error(signed, "unlisten_later",
                                                {"target": show_urn}))["message"]
    assert mc.writes.listen_later[who]
    await call(signed, "unlisten_later", {"target": show_urn, "confirm": True})
    assert mc.writes.listen_later[who] == []
    await call(signed, "follow_user", {"target": f"mixcloud:users:{show.owner}"})
    assert mc.catalog.following[who][0].who == show.owner.lower()
    # what Mixcloud has no API for, and SoundCloud's missing listen-later, are said so
    error = await call_error(signed, "comment", {"target": show_urn, "at": "0:10", "text": "x"})
    assert error["type"] == "invalid_argument" and "no comment" in error["message"]
    track = listed(emulator, 6)
    error = await call_error(signed, "listen_later", {"target": urn(track)})
    assert error["type"] == "invalid_argument" and "mixcloud" in error["message"]


async def test_without_a_sign_in_every_write_is_auth_required(
        anon: ClientSession, emulator: RunningEmulator) -> None:
    track = listed(emulator)
    show = next(iter(emulator.mixcloud.catalog.shows.values()))
    calls: list[tuple[str, dict[str, Any]]] = [
        ("like", {"target": urn(track)}), ("repost", {"target": urn(track)}),
        ("unlike", {"target": urn(track), "confirm": True}),
        ("follow_user", {"target": f"soundcloud:users:{track.user_id}"}),
        ("comment", {"target": urn(track), "at": "0:05", "text": "hi"}),
        ("like", {"target": f"https://www.mixcloud.com{show.key}"}),
        ("listen_later", {"target": f"https://www.mixcloud.com{show.key}"})]
    for name, args in calls:
        error = await call_error(anon, name, args)
        assert error["type"] == "auth_required", (name, error)
        assert "minion-tui auth login" in error["message"] and error["retry_after"] is None
    assert emulator.social.likes.get(me(emulator), []) == emulator.catalog.likes.get(
        me(emulator), [])
    assert track.id not in emulator.social.comments


@pytest.mark.parametrize("name", ["like", "repost", "unlike", "follow_user", "comment"])
async def test_blank_huge_and_wrong_targets_are_refused(signed: ClientSession,
                                                        name: str) -> None:
    extra: dict[str, Any] = {"at": "0:01", "text": "x"} if name == "comment" else {}
    if name == "unlike":
        extra = {"confirm": True}
    for target, kind in (("", "invalid_argument"), ("   ", "invalid_argument"),
                         ("x" * 5000, "invalid_argument"), ("https://example.com/a", "invalid_url"),
                         (7, "invalid_argument")):
        error = await call_error(signed, name, {"target": target, **extra})
        assert error["type"] == kind, (name, target if isinstance(target, int) else target[:20],
                                       error)
    missing = await call_error(signed, name, extra)
    assert missing["type"] == "invalid_argument" and "'target'" in missing["message"]


async def test_mixcloud_rate_limit_is_rate_limited_with_retry_after(
        emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    limited = emulator_factory(seed=1, faults="mc-rate-limit:n=0:window=600")
    registered_apps(monkeypatch)
    service = await open_signed(limited, tmp_path / "limited", "mixcloud")
    try:
        show = next(iter(limited.mixcloud.catalog.shows.values()))
        show_urn = f"mixcloud:cloudcasts:{show.owner}/{show.slug}"
        async with connect(service) as session:
            error = await call_error(session, "listen_later", {"target": show_urn})
        assert error["type"] == "rate_limited", error
        assert isinstance(error["retry_after"], int | float)
        assert 500 <= error["retry_after"] <= 600
        assert limited.mixcloud.writes.listen_later.get("quietlistener", []) == []
    finally:
        await service.aclose()


#: Values no argument should take, each given to every string argument of every write tool.
HOSTILE = ("", " ", "\t", "\x00", "a\nb", "\x1b[31m", "x" * 70_000, "soundcloud:tracks:abc",
           "soundcloud:users:", "mixcloud:cloudcasts:", "../../etc/passwd", "/",
           "https://soundcloud.com/", "https://www.mixcloud.com/", "http://[::1", "☃" * 3)


async def test_hostile_strings_give_clear_errors_never_a_crash(
        signed: ClientSession, tmp_path: Path) -> None:
    """Every string argument of the write tools, over hostile values, signed in (so the
    service's own checks are reached): a success or an error of the CLI's types, never the
    catch-all "error" (a crash) — and destructive ones confirmed, so they get that far."""
    from minion_tui.mcp.registry import by_name

    audio = tmp_path / "a.mp3"
    audio.write_bytes(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 50)
    sane: dict[str, Any] = {"target": "soundcloud:tracks:1", "playlist": "soundcloud:playlists:1",
                            "track": "soundcloud:tracks:1", "tracks": ["soundcloud:tracks:1"],
                            "title": "t", "text": "t", "at": "0:01", "file": str(audio),
                            "artwork": None, "sharing": "public", "position": 1}
    names = ("like", "unlike", "follow_user", "listen_later", "comment", "playlist_create",
             "playlist_rename", "playlist_add", "playlist_move", "playlist_remove",
             "playlist_delete", "prepare_upload", "update_track", "replace_artwork")
    calls = 0
    for name in names:
        tool = by_name()[name]
        props = tool.input_schema["properties"]
        base = {k: v for k, v in sane.items() if k in props and k in tool.input_schema.get(
            "required", ())}
        if tool.confirm is not None:
            base["confirm"] = True
        strings = [k for k, p in props.items() if "string" in p.get("type", ())
                   and "enum" not in p and k != "confirm"]
        for key in strings:
            for value in HOSTILE:
                result = await signed.call_tool(name, {**base, key: value})
                calls += 1
                if result.is_error:
                    error = (result.structured_content or {})["error"]
                    assert error["type"] != "error", (name, key, value[:20], error)
                    assert "Traceback" not in error["message"]
    assert calls >= len(names) * len(HOSTILE)
