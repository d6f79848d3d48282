"""The emulator's likes and reposts as discovery needs them (docs/soundcloud.md §1.2, §1.5,
§2.5): realistic times, overlap between artists, likes pages that can be empty and still
link on, and a graph a test can change (like, un-like, repost) per emulator."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from minion_tui.emulator.catalog.build import build_catalog
from minion_tui.emulator.catalog.model import CATALOG_NOW

if TYPE_CHECKING:
    from minion_tui.emulator.server import RunningEmulator
    from tests.integration.conftest import EmulatorHttp


def _uid(http: EmulatorHttp, name: str) -> int:
    return int(http.json("/resolve", url=http.emulator.examples[name])["id"])


def test_a_few_tracks_are_liked_by_many_artists_and_most_by_one() -> None:
    catalog = build_catalog(1)
    likers = Counter(a.target_id for acts in catalog.likes.values() for a in acts
                     if a.kind == "track" and catalog.tracks[a.target_id].listed)
    once = sum(1 for n in likers.values() if n == 1)
    assert once > len(likers) / 2
    assert sum(1 for n in likers.values() if n >= 10) >= 20


def test_like_times_fall_between_the_upload_and_now_newest_first(sc_http: EmulatorHttp
                                                                 ) -> None:
    uid = _uid(sc_http, "user")
    pages = sc_http.pages(f"/users/{uid}/likes", limit=200)
    items = [i for p in pages for i in p["collection"] if "track" in i]
    stamps = [i["created_at"] for i in items]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) > len(stamps) / 2
    for item in items:
        assert item["track"]["created_at"] <= item["created_at"] <= "2026-08-20T12:00:00Z"
    reposts = [i for p in sc_http.pages(f"/stream/users/{uid}/reposts", limit=200)
               for i in p["collection"]]
    assert [r["created_at"] for r in reposts] == sorted((r["created_at"] for r in reposts),
                                                        reverse=True)


def test_likes_pages_can_be_empty_and_still_link_on(sc_http: EmulatorHttp) -> None:
    uid = _uid(sc_http, "user_empty_pages")
    for limit in (50, 200):
        pages = sc_http.pages(f"/users/{uid}/likes", limit=limit)
        assert any(not p["collection"] and p["next_href"] for p in pages), limit
        assert pages[-1]["next_href"] is None
    tracks = [i for p in pages for i in p["collection"] if "track" in i]
    assert len(tracks) == sc_http.json(f"/users/{uid}")["likes_count"] > 0


def test_likes_and_reposts_change_per_emulator(sc_http: EmulatorHttp, emulator: RunningEmulator
                                               ) -> None:
    uid = _uid(sc_http, "user")
    first = sc_http.json(f"/users/{uid}/likes", limit=5)["collection"]
    liked = {i["track"]["id"] for i in first if "track" in i}
    fresh = next(t.id for t in emulator.catalog.listed_tracks() if t.id not in liked)
    at = emulator.social.like(uid, fresh)
    assert at > CATALOG_NOW
    top = sc_http.json(f"/users/{uid}/likes", limit=5)["collection"][0]
    assert top["track"]["id"] == fresh and top["created_at"] > first[0]["created_at"]
    assert emulator.social.unlike(uid, fresh)
    again = sc_http.json(f"/users/{uid}/likes", limit=5)["collection"]
    assert [(i["created_at"], i.get("track", i.get("playlist"))["id"]) for i in again] == [
        (i["created_at"], i.get("track", i.get("playlist"))["id"]) for i in first]
    emulator.social.repost(uid, fresh)
    top = sc_http.json(f"/stream/users/{uid}/reposts", limit=5)["collection"][0]
    assert top["type"] == "track-repost" and top["track"]["id"] == fresh
    # the shared catalog (and so every other emulator of this process) is untouched
    assert all(a.target_id != fresh for a in build_catalog(1).reposts.get(uid, []))


def test_populate_gives_each_artist_exactly_that_many(emulator: RunningEmulator,
                                                      sc_http: EmulatorHttp) -> None:
    people = sorted(emulator.catalog.artists)[:3]
    emulator.social.populate(people, likes=120, reposts=80, seed=3)
    for uid in people:
        likes = [i for p in sc_http.pages(f"/users/{uid}/likes", limit=50)
                 for i in p["collection"]]
        reposts = [i for p in sc_http.pages(f"/stream/users/{uid}/reposts", limit=50)
                   for i in p["collection"]]
        assert (len(likes), len(reposts)) == (120, 80)
        assert len({i["track"]["id"] for i in likes}) == 120
