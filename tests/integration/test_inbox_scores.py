"""The inbox's materialised scores (rank.refresh, migration 6) rank exactly as the scores
computed from scratch: over a seeded store with many artists, kinds and ratings, the fast
path gives the same candidates (same order, same totals, same main surfacer) as the
reference query and as a computation of the formula in this test, and stays so after each
kind of change the triggers mark (ratings, new and dropped evidence, an unfollow, an
availability change). The service's JSON is compared the same way."""

from __future__ import annotations

import math
import random
import sqlite3
from collections import defaultdict
from datetime import datetime

import pytest

from minion_tui.config import DiscoverySettings
from minion_tui.discovery import rank
from minion_tui.models import Availability, Judgment
from minion_tui.service import InboxFilters, Service
from minion_tui.store import Store, source_sync
from minion_tui.store.records import Provenance
from tests.integration.discovery_seed import NOW, artist, iso, service, track

__all__ = ["service"]  # fixture

ARTISTS = 40
TRACKS = 600


def seed(store: Store, rnd: random.Random) -> None:
    users = [artist(a) for a in range(1, ARTISTS + 1)]
    tracks = [track(n, uploader=900 + rnd.randrange(60),
                    availability=rnd.choice([Availability.FULL] * 8
                                            + [Availability.PREVIEW, Availability.DRM]),
                    genre=rnd.choice(["house", "techno"]))
              for n in range(1, TRACKS + 1)]
    rows = []
    for t in tracks:
        for u in rnd.sample(users, 1 + int(rnd.expovariate(1.2)) % 6):
            kind = rnd.choice(["like", "like", "repost", "upload"])
            listing = {"like": "likes", "repost": "reposts", "upload": "tracks"}[kind]
            rows.append(Provenance(t.urn, f"{u.urn}:{listing}", u.urn, kind,
                                   iso(rnd.uniform(0, 200))))
        if rnd.random() < 0.1:
            rows.append(Provenance(t.urn, "charts:trending", None, "chart",
                                   iso(rnd.uniform(0, 30))))
        if rnd.random() < 0.05:
            rows.append(Provenance(t.urn, f"{tracks[0].urn}:related", None, "related",
                                   iso(rnd.uniform(0, 30))))
    with store.transaction():
        store.upsert_users(users)
        store.upsert_tracks(tracks)
        store.add_provenance(rows)
        # Most artists followed (likes, reposts or both), the chart too; some not at all.
        follows = [("trending", "trending", "Trending")]
        for u in users[: ARTISTS - 6]:
            for listing in rnd.sample(["likes", "reposts", "tracks"], rnd.choice([1, 2, 2, 3])):
                follows.append((f"user_{listing}", u.urn, u.username))
        source_sync.follow(store, follows)
    for n in rnd.sample(range(1, TRACKS + 1), 120):
        store.set_judgment(f"soundcloud:tracks:{n}", rnd.choice(list(Judgment)))


def by_formula(conn: sqlite3.Connection, s: DiscoverySettings, now: datetime
               ) -> list[tuple[str, float]]:
    """The issue's formula over the raw rows, in Python: (urn, total) best first."""
    judged = dict(conn.execute("SELECT urn, judgment FROM judgments"))
    followed = set()
    for kind, target in conn.execute("SELECT kind, target FROM sources WHERE followed = 1"):
        followed.add({"user_likes": f"{target}:likes", "user_reposts": f"{target}:reposts",
                      "user_tracks": f"{target}:tracks",
                      "trending": "charts:trending"}.get(kind, f"tag:{target}"))
    rows = conn.execute("SELECT p.track_urn, p.source, p.actor_urn, p.action, p.at, "
                        "t.availability FROM provenance p JOIN tracks t ON t.urn = p.track_urn "
                        "WHERE p.action IN ('like', 'repost', 'upload', 'chart', 'tag', 'related')"
                        ).fetchall()
    pos: dict[str, float] = defaultdict(float)
    neg: dict[str, float] = defaultdict(float)
    for _urn, who, verdict in {(u, a or k, judged[u]) for u, _, a, k, _, _ in rows
                              if u in judged}:
        pos[who] += verdict == "liked"
        neg[who] += {"not_interested": 1.0, "not_quite": 0.5}.get(verdict, 0.0)

    def trust(who: str) -> float:
        z, n = 1.96, pos[who] + neg[who] + 2 * s.trust_prior
        p = (pos[who] + s.trust_prior) / n
        return ((p + z * z / (2 * n) - z * math.sqrt((p * (1 - p) + z * z / (4 * n)) / n))
                / (1 + z * z / n))

    weight = {"like": s.weight_like, "repost": s.weight_repost, "upload": s.weight_upload,
              "chart": s.weight_chart,
              "tag": s.weight_chart, "related": s.weight_related}
    newest: dict[tuple[str, str, str], str] = {}
    playable: dict[str, bool] = {}
    for urn, source, actor, kind, at, availability in rows:
        if urn in judged or source not in followed:
            continue
        key = (urn, actor or kind, kind)
        newest[key] = max(newest.get(key, at), at)
        playable[urn] = availability == "full"
    totals: dict[str, float] = defaultdict(float)
    for (urn, who, kind), at in newest.items():
        age = (now - datetime.fromisoformat(at.replace("Z", "+00:00"))).total_seconds() / 86400
        totals[urn] += trust(who) * weight[kind] * 2 ** (-max(0.0, age) / s.half_life_days)
    ranked = sorted(totals, key=lambda u: (not playable[u], -totals[u], u))
    return [(u, totals[u]) for u in ranked]


async def check_same(service: Service, store: Store) -> None:
    settings = service.settings.discovery
    await service.inbox.list(limit=5, now=NOW)  # brings the scores up to date

    def compare() -> None:
        with store.snapshot() as conn:
            assert rank.is_fresh(conn, settings, NOW)
            for filters in (rank.Filters(), rank.Filters(genre="techno"),
                            rank.Filters(availability="playable"),
                            rank.Filters(surfaced="last_month")):
                for limit, offset in ((10, 0), (50, 0), (40, 25), (300, 120)):
                    fast = rank.candidates(conn, settings, filters, now=NOW, limit=limit,
                                           offset=offset)
                    slow = rank._scored(conn, settings, filters, now=NOW, limit=limit,
                                        offset=offset)
                    assert fast == slow
            everything = rank.candidates(conn, settings, rank.Filters(), now=NOW, limit=10_000)
            expected = by_formula(conn, settings, NOW)
            (epoch,) = conn.execute("SELECT epoch_jd FROM inbox_score_state").fetchone()
            stored = dict(conn.execute("SELECT track_urn, scaled FROM inbox_scores"))
        # The table itself, not only the ranks read through it: each track's scaled sum is
        # its score at the epoch.
        scale = 2.0 ** ((rank._julian(NOW) - epoch) / settings.half_life_days)
        assert sorted(stored) == sorted(u for u, _ in expected)
        assert [stored[u] for u, _ in expected] == pytest.approx(
            [t * scale for _, t in expected], rel=1e-9)
        assert [c.urn for c in everything] == [u for u, _ in expected]
        # SQLite's julianday() resolves ~40 µs of the age: totals agree to ~1e-11.
        assert [c.total for c in everything] == pytest.approx([t for _, t in expected],
                                                              rel=1e-9)

    await store.call(compare)


async def test_the_materialised_scores_rank_as_the_formula_through_every_change(
        service: Service) -> None:
    rnd = random.Random(15)
    store = await service._core.db()
    await store.call(seed, store, rnd)
    await check_same(service, store)

    for n in rnd.sample(range(1, TRACKS + 1), 15):  # ratings move trust
        await service.library.rate(f"soundcloud:tracks:{n}", rnd.choice(list(Judgment)))
    await service.library.rate("soundcloud:tracks:1", None)
    await check_same(service, store)

    late = [Provenance(f"soundcloud:tracks:{n}", f"soundcloud:users:{a}:likes",
                       f"soundcloud:users:{a}", "like", iso(rnd.uniform(0, 3)))
            for n in rnd.sample(range(1, TRACKS + 1), 80) for a in (3, 7)]
    await store.call(store.add_provenance, late)  # a sync's new evidence
    await check_same(service, store)

    def drop() -> None:
        with store.transaction() as conn:
            conn.execute("DELETE FROM provenance WHERE actor_urn = 'soundcloud:users:5'")
            conn.execute("UPDATE tracks SET availability = 'preview' WHERE urn IN "
                         "('soundcloud:tracks:2', 'soundcloud:tracks:9')")
    await store.call(drop)  # a full re-walk drops rows; a track turns into a preview
    await check_same(service, store)

    def reuse() -> int:
        with store.transaction() as conn:
            (last,) = conn.execute("SELECT max(id) FROM provenance").fetchone()
            conn.execute("DELETE FROM provenance WHERE id = ?", (last,))
        return int(last)
    # The newest row dropped and, before the scores are brought up to date (one sync), the
    # next insert takes its id: a row never scored under an id already seen.
    last = await store.call(reuse)
    await store.call(store.add_provenance, [Provenance(
        "soundcloud:tracks:4", "soundcloud:users:7:likes", "soundcloud:users:7", "like",
        iso(0.5))])

    def reused() -> bool:
        with store.snapshot() as conn:
            return conn.execute("SELECT 1 FROM provenance WHERE id = ?", (last,)).fetchone() \
                is not None
    assert await store.call(reused)  # the id came back, for a row never scored
    await check_same(service, store)

    await service.discovery.unfollow("soundcloud:users:3")
    await service.discovery.unfollow("trending")
    await check_same(service, store)


async def test_the_inbox_json_is_the_same_from_the_scores_and_from_scratch(
        service: Service) -> None:
    store = await service._core.db()
    await store.call(seed, store, random.Random(7))
    filters = InboxFilters(genre="house")
    fast = [e.to_json() for e in await service.inbox.list(limit=30, now=NOW, filters=filters)]

    def forget() -> None:  # no materialised scores: every inbox is scored from scratch
        with store.transaction() as conn:
            conn.execute("DELETE FROM inbox_score_state")
            conn.execute("CREATE TEMP TRIGGER keep_unbuilt AFTER INSERT ON inbox_score_state "
                         "BEGIN DELETE FROM inbox_score_state; END")
        with store.snapshot() as conn:
            assert not rank.is_fresh(conn, service.settings.discovery, NOW)
    await store.call(forget)
    slow = [e.to_json() for e in await service.inbox.list(limit=30, now=NOW, filters=filters)]
    assert len(fast) == 30
    assert fast == slow
    assert {p["kind"] for e in fast for p in e["provenance"]} >= {"like", "repost"}
