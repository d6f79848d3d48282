"""The inbox query over 50,000 tracks must take < 50 ms (issue 15, bench/discovery.py's inbox
half).

Builds a database the way sync leaves it: 50,000 tracks surfaced by 200 followed artists
(most liked by one, some by several, a tenth reposted; times spread over a year) and 1,000
of them judged, so every artist has a trust of its own. Then times ``service.inbox.list``
for a page of 50 — the ranking query, the diversity rules, the explanation of the page and
the tracks read back, thread hop included — as the CLI and the TUI call it, next to a naive
peer in the same run: every evidence and judgment row read into Python and scored there
(the same formula), then sorted. Also the first page filtered to playable tracks of one
genre, and the peak RSS. Medians of repeated runs. Prints figures and PASS/FAIL against the
target; writes bench/results/inbox.json. Always exits 0: a measurement, not a test.

    .venv/bin/python bench/inbox.py [--tracks 50000] [--artists 200] [--runs 9]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from minion_tui.config import DiscoverySettings, Settings
from minion_tui.models import Availability, Judgment, Track, User
from minion_tui.service import InboxFilters, Service
from minion_tui.store import Store, source_sync
from minion_tui.store.records import Provenance

TARGET_MS = 50.0
RESULTS = Path(__file__).resolve().parent / "results" / "inbox.json"
NOW = datetime(2026, 3, 1, tzinfo=UTC)
GENRES = ("house", "techno", "ambient", "dnb", "disco")


def build(path: Path, n_tracks: int, n_artists: int, rnd: random.Random) -> int:
    """The database; returns the number of provenance rows."""
    store = Store.open(path)
    artists = [User("soundcloud", str(a), f"soundcloud:users:{a}", f"artist{a}")
               for a in range(1, n_artists + 1)]
    tracks, rows = [], []
    for n in range(n_tracks):
        uploader = 10_000 + rnd.randrange(5_000)
        availability = (Availability.PREVIEW if rnd.random() < 0.08 else
                        Availability.DRM if rnd.random() < 0.02 else Availability.FULL)
        tracks.append(Track("soundcloud", str(n), f"soundcloud:tracks:{n}",
                            f"https://soundcloud.com/u{uploader}/t{n}", f"Track {n}",
                            f"Uploader {uploader}", f"u{uploader}", rnd.randint(60, 3600) * 1000,
                            genre=rnd.choice(GENRES), availability=availability,
                            uploader_urn=f"soundcloud:users:{uploader}",
                            created_at="2025-06-01T00:00:00Z"))
        likers = min(n_artists, 1 + int(rnd.expovariate(1.5)))  # most one, some several
        for actor in rnd.sample(artists, likers):
            kind = "repost" if rnd.random() < 0.1 else "like"
            at = NOW - timedelta(days=rnd.uniform(0, 365))
            rows.append(Provenance(f"soundcloud:tracks:{n}", f"{actor.urn}:{kind}s", actor.urn,
                                   kind, at.strftime("%Y-%m-%dT%H:%M:%S.000Z")))
    with store.transaction():
        store.upsert_users(artists)
        store.upsert_tracks(tracks)
        store.add_provenance(rows)
        source_sync.follow(store, [(f"user_{listing}", a.urn, a.username)
                                   for a in artists for listing in ("likes", "reposts")])
    verdicts = list(Judgment)
    for n in rnd.sample(range(n_tracks), 1000):
        store.set_judgment(f"soundcloud:tracks:{n}", rnd.choice(verdicts))
    store.close()
    return len(rows)


def naive(path: Path, settings: DiscoverySettings, limit: int) -> list[str]:
    """The peer: every row into Python, scored there, sorted."""
    import sqlite3

    conn = sqlite3.connect(path)
    judged = dict(conn.execute("SELECT urn, judgment FROM judgments"))
    evidence = conn.execute(
        "SELECT p.track_urn, p.actor_urn, p.action, p.at, t.availability FROM provenance p "
        "JOIN tracks t ON t.urn = p.track_urn WHERE p.action IN ('like', 'repost')").fetchall()
    conn.close()
    pos: dict[str, float] = defaultdict(float)
    neg: dict[str, float] = defaultdict(float)
    for urn, actor, _kind, _at, _availability in evidence:
        verdict = judged.get(urn)
        if verdict == "liked":
            pos[actor] += 1
        elif verdict == "not_interested":
            neg[actor] += 1
        elif verdict == "not_quite":
            neg[actor] += 0.5
    prior, z = settings.trust_prior, 1.96

    def trust(actor: str) -> float:
        n = pos[actor] + neg[actor] + 2 * prior
        p = (pos[actor] + prior) / n
        return ((p + z * z / (2 * n) - z * math.sqrt((p * (1 - p) + z * z / (4 * n)) / n))
                / (1 + z * z / n))

    weights = {"like": settings.weight_like, "repost": settings.weight_repost}
    now = NOW.timestamp()
    totals: dict[str, float] = defaultdict(float)
    playable: dict[str, bool] = {}
    for urn, actor, kind, at, availability in evidence:
        if urn in judged:
            continue
        age = (now - datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()) / 86400
        totals[urn] += trust(actor) * weights[kind] * 2 ** (-age / settings.half_life_days)
        playable[urn] = availability == "full"
    ranked = sorted(totals, key=lambda u: (not playable[u], -totals[u], u))
    return ranked[:limit]


def timed(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=50_000)
    parser.add_argument("--artists", type=int, default=200)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--limit", type=int, default=50)
    args = parser.parse_args()
    rnd = random.Random(15)
    with tempfile.TemporaryDirectory(prefix="bench-inbox-") as tmp:
        data = Path(tmp)
        started = time.perf_counter()
        provenance_rows = build(data / "minion.db", args.tracks, args.artists, rnd)
        built_s = time.perf_counter() - started
        service = Service.open(settings=Settings(path=data / "config.toml"), data_dir=data)
        loop = asyncio.new_event_loop()

        def inbox(filters: InboxFilters | None = None) -> Any:
            return loop.run_until_complete(
                service.inbox.list(limit=args.limit, filters=filters, now=NOW))

        inbox()  # opens the store; the page cache warm as in a running app
        ours_ms, page = timed(inbox, args.runs)
        filtered_ms, _ = timed(lambda: inbox(InboxFilters(genre="techno",
                                                          availability="playable")), args.runs)
        peer_ms, peer = timed(lambda: naive(data / "minion.db", service.settings.discovery,
                                            args.limit), max(3, args.runs // 3))
        loop.run_until_complete(service.aclose())
        loop.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    same_best = page[0].track.urn == peer[0]
    figures = {
        "tracks": args.tracks, "artists": args.artists, "provenance_rows": provenance_rows,
        "build_s": round(built_s, 2), "inbox_ms": round(ours_ms, 1),
        "inbox_filtered_ms": round(filtered_ms, 1), "naive_python_ms": round(peer_ms, 1),
        "same_best_track_as_peer": same_best, "peak_rss_mb": round(rss_mb, 1),
        "target_ms": TARGET_MS, "pass": ours_ms < TARGET_MS,
        "python": sys.version.split()[0], "machine": platform.machine(),
    }
    print(f"inbox over {args.tracks:,} tracks, {provenance_rows:,} provenance rows, "
          f"{args.artists} artists (built in {built_s:.1f} s)")
    print(f"  service.inbox.list, page of {args.limit}:  {ours_ms:7.1f} ms   target < "
          f"{TARGET_MS:.0f} ms  {'PASS' if figures['pass'] else 'FAIL'}")
    print(f"  the same, genre + playable filter:  {filtered_ms:7.1f} ms")
    print(f"  naive peer (score in Python):       {peer_ms:7.1f} ms   "
          f"({peer_ms / ours_ms:.1f}x ours; same best track: {same_best})")
    print(f"  peak RSS: {rss_mb:.0f} MB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
