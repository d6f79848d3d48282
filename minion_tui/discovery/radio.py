"""A radio queue from a seed: three pools mixed in turn, each in the order of the inbox's
trust-weighted score (rank.py).

The pools are the seed's related tracks, its station, and what the seed's likers also liked
(the followed artists whose likes or reposts include a seed, and an artist seed itself: the
``provenance`` sync wrote). Taking from them in turn keeps the queue a mix even when one pool
scores higher across the board (likes weigh more than related sightings). Rules, which the
tests check on every queue: a track once, never one you marked not interested (rank.py leaves
them out of the scores, and an unscored track is never picked), and never three in a row by
one artist — when only that artist is left, the queue ends shorter instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from minion_tui.discovery.rank import Candidate
from minion_tui.models import Track

#: The order pools are taken in, round after round.
POOLS = ("liked_by", "related", "station")
#: Tracks in a row by one artist, at most.
IN_A_ROW = 2
#: Likes read per radio from the seed's likers, newest first.
_LIKED_LIMIT = 1000


def liked_by_likers(conn: sqlite3.Connection, seeds: Sequence[str],
                    actors: Sequence[str]) -> list[str]:
    """Tracks liked or reposted by ``actors`` or by anyone who liked or reposted one of
    ``seeds`` (the seeds themselves left out), newest first."""
    seed_marks = ", ".join("?" * len(seeds))
    likers = (f"SELECT actor_urn FROM provenance WHERE track_urn IN ({seed_marks}) "
              "AND action IN ('like', 'repost') AND actor_urn <> ''")
    if actors:
        likers += " UNION VALUES " + ", ".join(["(?)"] * len(actors))
    found = conn.execute(
        "SELECT track_urn, max(at) AS newest FROM provenance\n"
        f"WHERE action IN ('like', 'repost') AND actor_urn IN ({likers})\n"
        f"AND track_urn NOT IN ({seed_marks})\n"
        "GROUP BY track_urn ORDER BY newest DESC, track_urn LIMIT ?",
        (*seeds, *actors, *seeds, _LIKED_LIMIT),
    ).fetchall()
    return [urn for urn, _newest in found]


def artist_of(track: Track) -> str:
    return track.uploader_urn or track.artist


def order(pools: Mapping[str, Sequence[str]], scored: Mapping[str, Candidate],
          tracks: Mapping[str, Track], size: int) -> list[tuple[str, str]]:
    """Up to ``size`` (urn, pool) picks: the pools in turn, each giving its best-scored
    track not yet picked that keeps the artist rule; a pool with none fitting passes."""
    queues = {name: sorted((u for u in dict.fromkeys(pools.get(name, ()))
                            if u in scored and u in tracks),
                           key=lambda u: (-scored[u].total, u))
              for name in POOLS}
    picked: list[tuple[str, str]] = []
    used: set[str] = set()
    turn = 0
    while len(picked) < size:
        for step in range(len(POOLS)):
            name = POOLS[(turn + step) % len(POOLS)]
            urn = next((u for u in queues[name] if u not in used and _fits(u, picked, tracks)),
                       None)
            if urn is not None:
                picked.append((urn, name))
                used.add(urn)
                turn = (turn + step + 1) % len(POOLS)
                break
        else:
            break
    return picked


def _fits(urn: str, picked: list[tuple[str, str]], tracks: Mapping[str, Track]) -> bool:
    if len(picked) < IN_A_ROW:
        return True
    artist = artist_of(tracks[urn])
    return any(artist_of(tracks[u]) != artist for u, _ in picked[-IN_A_ROW:])
