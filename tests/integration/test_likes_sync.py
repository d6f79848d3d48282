"""``[accounts] sync_likes`` end to end: ``minion-tui rate … liked`` as a user runs it, signed in
at the emulator through the scripted browser; the like is sent by the write action through the
outbox, and with the service failing it waits in the database and goes out, in order and once,
with the next rating."""

from __future__ import annotations

from pathlib import Path

import pytest

from minion_tui.emulator.server import RunningEmulator
from tests.integration.test_auth_cli import env as env
from tests.integration.test_auth_cli import ok_json, run

pytestmark = pytest.mark.usefixtures("isolated_env")


def _my_liked_ids(emulator: RunningEmulator) -> list[int]:
    me = int(emulator.oauth.user)
    return [a.target_id for a in emulator.social.likes.get(me, []) if a.kind == "track"]


def test_liked_ratings_like_on_the_service_in_order_once_each_the_service_down_then_up(
    env: dict[str, str], emulator: RunningEmulator, isolated_env: Path
) -> None:
    config = isolated_env / "config" / "minion-tui" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[accounts]\nsync_likes = true\n", encoding="utf-8")
    ok_json(run(env, "auth", "login", "soundcloud", "--json"))
    before = _my_liked_ids(emulator)
    a, b, c, d = [t for t in emulator.catalog.listed_tracks() if t.id not in before][:4]

    rated = ok_json(run(env, "rate", f"soundcloud:tracks:{a.id}", "liked", "--json"))
    assert rated["judgment"] == "liked"
    assert _my_liked_ids(emulator) == [a.id, *before]

    emulator.state.set_faults("5xx-burst:n=200")  # the service down: every request a 503
    try:
        rated = ok_json(run(env, "rate", f"soundcloud:tracks:{b.id}", "liked", "--json"))
        assert rated["judgment"] == "liked"  # the rating is kept; the like waits for later
    finally:
        emulator.state.set_faults("")
    assert _my_liked_ids(emulator) == [a.id, *before]

    ok_json(run(env, "rate", f"soundcloud:tracks:{c.id}", "liked", "--json"))
    assert _my_liked_ids(emulator) == [c.id, b.id, a.id, *before]  # b first, then c

    # Not interested is never sent, and a track liked again is not liked twice.
    ok_json(run(env, "rate", f"soundcloud:tracks:{d.id}", "not_interested", "--json"))
    ok_json(run(env, "rate", f"soundcloud:tracks:{a.id}", "liked", "--json"))
    liked = _my_liked_ids(emulator)
    assert d.id not in liked
    assert sorted(liked) == sorted({*liked}) and liked.count(a.id) == 1


def test_without_sync_likes_a_liked_rating_sends_nothing(
    env: dict[str, str], emulator: RunningEmulator
) -> None:
    ok_json(run(env, "auth", "login", "soundcloud", "--json"))
    before = _my_liked_ids(emulator)
    track = next(t for t in emulator.catalog.listed_tracks() if t.id not in before)
    ok_json(run(env, "rate", f"soundcloud:tracks:{track.id}", "liked", "--json"))
    assert _my_liked_ids(emulator) == before


def test_likes_pull_rates_the_account_likes_here_and_keeps_your_own_judgments(
    env: dict[str, str], emulator: RunningEmulator
) -> None:
    import json

    ok_json(run(env, "auth", "login", "soundcloud", "--json"))
    liked = _my_liked_ids(emulator)
    assert len(liked) >= 3  # the signed-in user of the emulator likes tracks already
    rejected = liked[1]
    ok_json(run(env, "rate", f"soundcloud:tracks:{rejected}", "not_interested", "--json"))

    counts = ok_json(run(env, "likes", "pull", "--json"))
    assert counts == {"tracks": len(liked), "liked": len(liked) - 1, "known": 0, "kept": 1}
    again = ok_json(run(env, "likes", "pull", "--json"))
    assert again == {"tracks": len(liked), "liked": 0, "known": len(liked) - 1, "kept": 1}

    exported = json.loads(run(env, "export", "judgments", "--format", "json").stdout)
    current = {j["urn"]: (j["judgment"], j["origin"]) for j in exported["judgments"]}
    assert current[f"soundcloud:tracks:{rejected}"] == ("not_interested", "user")
    assert {u for u, (j, o) in current.items() if (j, o) == ("liked", "pull")} == {
        f"soundcloud:tracks:{t}" for t in liked if t != rejected}
    assert _my_liked_ids(emulator) == liked  # nothing sent back


def test_likes_playlist_keeps_your_liked_tracks_and_writes_only_a_change(
    env: dict[str, str], emulator: RunningEmulator
) -> None:
    ok_json(run(env, "auth", "login", "soundcloud", "--json"))
    before = _my_liked_ids(emulator)
    a, b, c = [t for t in emulator.catalog.listed_tracks() if t.id not in before][:3]
    for track in (a, b):
        ok_json(run(env, "rate", f"soundcloud:tracks:{track.id}", "liked", "--json"))

    made = ok_json(run(env, "likes", "playlist", "--json"))
    assert (made["action"], made["title"], made["tracks"], made["written"]) == (
        "playlist_create", "minion likes", 2, True)
    assert made["sharing"] == "private"
    set_id = int(made["target"].rsplit(":", 1)[1])
    assert emulator.social.track_set(set_id).track_ids == (b.id, a.id)  # newest first

    again = ok_json(run(env, "likes", "playlist", "--json"))
    assert (again["target"], again["written"]) == (made["target"], False)

    ok_json(run(env, "rate", f"soundcloud:tracks:{c.id}", "liked", "--json"))
    ok_json(run(env, "rate", f"soundcloud:tracks:{a.id}", "not_quite", "--json"))
    kept = ok_json(run(env, "likes", "playlist", "--json"))
    assert (kept["target"], kept["written"], kept["tracks"]) == (made["target"], True, 2)
    assert emulator.social.track_set(set_id).track_ids == (c.id, b.id)
    mine = ok_json(run(env, "browse", "myplaylists", "--json"))
    assert [p["urn"] for p in mine].count(made["target"]) == 1  # one playlist, kept


def test_radio_save_signed_in_keeps_a_service_playlist_beside_the_m3u8(
    env: dict[str, str], emulator: RunningEmulator
) -> None:
    seed = emulator.examples["track_full"]
    signed_out = run(env, "radio", seed, "--size", "6", "--save", "Night radio", "--json")
    assert signed_out.returncode == 0, signed_out.stderr
    assert "not signed in to SoundCloud: saved as a file only" in signed_out.stderr

    ok_json(run(env, "auth", "login", "soundcloud", "--json"))
    done = run(env, "radio", seed, "--size", "6", "--save", "Night radio", "--json")
    entries = ok_json(done)
    assert len(entries) >= 3
    assert "saved as your SoundCloud playlist 'Night radio'" in done.stderr
    mine = ok_json(run(env, "browse", "myplaylists", "--json"))
    made = [p for p in mine if p["title"] == "Night radio"]
    assert len(made) == 1
    set_id = int(made[0]["urn"].rsplit(":", 1)[1])
    assert [f"soundcloud:tracks:{t}" for t in emulator.social.track_set(set_id).track_ids] == [
        e["urn"] for e in entries if e["urn"].startswith("soundcloud:tracks:")]
