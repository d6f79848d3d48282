"""The playlist write tools over a real MCP session, signed in through the emulator's OAuth
servers: a playlist's whole life, each step read back in the emulator's state and through the
service's public reads (the user's playlists, the set resolved); the destructive steps change
nothing without confirmation; no sign-in is auth_required; Mixcloud has none."""

from __future__ import annotations

from mcp.client.session import ClientSession

from minion_tui.emulator.server import RunningEmulator
from minion_tui.service import Service
from tests.mcp.harness import call, call_error
from tests.mcp.signed import (
    anon,
    anon_service,
    listed,
    my_url,
    read_all,
    signed,
    signed_service,
    urn,
)

__all__ = ["anon", "anon_service", "signed", "signed_service"]

CALLED = {"playlist_create", "playlist_rename", "playlist_add", "playlist_remove",
          "playlist_move", "playlist_privacy", "playlist_delete"}


def _ids(result: dict[str, object]) -> list[str]:
    playlist = result["playlist"]
    assert isinstance(playlist, dict)
    return [t["urn"] for t in playlist["tracks"]]


async def test_a_playlist_from_creation_to_deletion(signed: ClientSession,
                                                    signed_service: Service,
                                                    emulator: RunningEmulator) -> None:
    a, b, c = listed(emulator, 2), listed(emulator, 3), listed(emulator, 4)
    made = await call(signed, "playlist_create", {
        "title": "Night drive", "tracks": [urn(a), emulator.catalog.track_url(b)],
        "private": True})
    assert made["action"] == "playlist_create" and made["sharing"] == "private"
    assert made["playlist"]["title"] == "Night drive" and made["playlist"]["track_count"] == 2
    assert _ids(made) == [urn(a), urn(b)]
    pid = made["target"]
    set_id = int(pid.rsplit(":", 1)[1])
    assert emulator.social.track_set(set_id).track_ids == (a.id, b.id)
    assert (await read_all(signed_service, "myplaylists"))[0].urn == pid
    public = await read_all(signed_service, "playlists", my_url(emulator))
    assert pid not in [p.urn for p in public]  # private: not in the public list

    shared = await call(signed, "playlist_privacy", {"playlist": pid, "sharing": "public"})
    assert shared["sharing"] == "public"
    assert (await read_all(signed_service, "playlists", my_url(emulator)))[0].urn == pid

    renamed = await call(signed, "playlist_rename", {"playlist": pid, "title": "Dawn drive"})
    assert renamed["playlist"]["title"] == "Dawn drive"
    assert emulator.social.track_set(set_id).title == "Dawn drive"

    added = await call(signed, "playlist_add", {"playlist": pid, "tracks": [urn(c)]})
    assert _ids(added) == [urn(a), urn(b), urn(c)]
    assert emulator.social.track_set(set_id).track_ids == (a.id, b.id, c.id)

    moved = await call(signed, "playlist_move", {"playlist": pid, "track": urn(c),
                                                 "position": 1})
    assert _ids(moved) == [urn(c), urn(a), urn(b)]
    resolved = await signed_service.catalog.resolve(pid)
    assert [t.urn for t in resolved.tracks][:3] == [urn(c), urn(a), urn(b)]  # type: ignore[union-attr]
    past = await call_error(signed, "playlist_move", {"playlist": pid, "track": urn(c),
                                                      "position": 9})
    assert past["type"] == "invalid_argument" and "past the end" in past["message"]
    zero = await call_error(signed, "playlist_move", {"playlist": pid, "track": urn(c),
                                                      "position": 0})
    assert zero["type"] == "invalid_argument" and "at least 1" in zero["message"]

    # removing and deleting: nothing without confirmation
    refused = await call_error(signed, "playlist_remove", {"playlist": pid, "track": urn(a)})
    assert "confirm: true" in refused["message"]
    assert emulator.social.track_set(set_id).track_ids == (c.id, a.id, b.id)
    removed = await call(signed, "playlist_remove", {"playlist": pid, "track": urn(a),
                                                     "confirm": True})
    assert _ids(removed) == [urn(c), urn(b)]
    assert emulator.social.track_set(set_id).track_ids == (c.id, b.id)
    absent = await call_error(signed, "playlist_remove", {"playlist": pid, "track": urn(a),
                                                          "confirm": True})
    assert absent["type"] == "invalid_argument" and "is not in" in absent["message"]

    assert "confirm: true" in (await call_error(signed, "playlist_delete",
                                                {"playlist": pid}))["message"]
    assert emulator.social.track_set(set_id) is not None
    deleted = await call(signed, "playlist_delete", {"playlist": pid, "confirm": True})
    assert deleted["action"] == "playlist_delete" and deleted["target"] == pid
    assert emulator.social.track_set(set_id) is None
    assert pid not in [p.urn for p in await read_all(signed_service, "myplaylists")]
    gone = await call_error(signed, "playlist_rename", {"playlist": pid, "title": "Gone"})
    assert gone["type"] == "not_found"


async def test_bad_arguments_are_refused_before_anything_is_sent(
        signed: ClientSession, signed_service: Service, emulator: RunningEmulator) -> None:
    before = [p.urn for p in await read_all(signed_service, "myplaylists")]
    for args, said in (({"title": ""}, "blank"), ({"title": "   "}, "blank"),
                       ({"title": "x" * 101}, "at most 100"),
                       ({"title": "a\x01b"}, "control characters"),
                       ({"title": "ok", "tracks": []}, "at least one"),
                       ({"title": "ok", "tracks": [""]}, "blank"),
                       ({"title": "ok", "provider": "mixcloud"}, "one of"),
                       ({"title": "ok", "private": "yes"}, "true or false")):
        error = await call_error(signed, "playlist_create", args)
        assert error["type"] == "invalid_argument" and said in error["message"], (args, error)
    bad_track = await call_error(signed, "playlist_create",
                                 {"title": "ok", "tracks": ["https://example.com/x"]})
    assert bad_track["type"] == "invalid_url"
    privacy = await call_error(signed, "playlist_privacy", {"playlist": "soundcloud:playlists:1",
                                                            "sharing": "secret"})
    assert "public, private" in privacy["message"]
    show = next(iter(emulator.mixcloud.catalog.shows.values()))
    show_urn = f"mixcloud:cloudcasts:{show.owner}/{show.slug}"
    mixcloud = await call_error(signed, "playlist_add", {"playlist": show_urn,
                                                         "tracks": [show_urn]})
    assert mixcloud["type"] == "invalid_argument", mixcloud
    assert "Mixcloud has no playlist" in mixcloud["message"]
    assert "soundcloud" in mixcloud["message"]
    assert [p.urn for p in await read_all(signed_service, "myplaylists")] == before


async def test_without_a_sign_in_playlist_writes_are_auth_required(
        anon: ClientSession) -> None:
    error = await call_error(anon, "playlist_create", {"title": "Mine"})
    assert error["type"] == "auth_required"
    assert "minion-tui auth login soundcloud" in error["message"]
    theirs = "soundcloud:playlists:1"
    for name, args in (("playlist_rename", {"playlist": theirs, "title": "x"}),
                       ("playlist_delete", {"playlist": theirs, "confirm": True})):
        assert (await call_error(anon, name, args))["type"] == "auth_required", name
