"""The inbox's ranking: evidence from the artists you follow, weighted by how much you trust
each of them, in one SQL query.

score(track) = Σ over the artists *a* who liked, reposted or uploaded it (and the charts and
related lists that showed it) of trust(a) · weight(kind) · 2^(−age / half-life), where age is
the time since *a* acted. Evidence is the ``provenance`` table: discovery sync writes a row
per like, repost or upload of a followed artist (actor, kind, when), browsing writes chart
and related sightings. A track counts each (surfacer, kind) once, at its newest sighting.

trust(a) is the Wilson lower bound (95 %) of the share of what *a* surfaced that you liked:
liked counts as a positive, not interested as a negative, not quite as half a negative, and
``trust_prior`` imagined ratings each way come first — so before any rating every artist has
the same neutral trust, each like of what *a* surfaced moves *a* up and each rejection down,
and a few ratings move it less than many. Charts and related lists have no actor: their
trust is learnt per kind ("chart", "related") the same way.

Why SQL: the inbox is scored over every unrated track with evidence (50,000 in
bench/inbox.py) on each refresh. Aggregating in SQLite keeps that to one pass over the
provenance rows with no Python object per row; Python only sees the page's candidates, where
the diversity rules (:func:`pages`) and the explanation (:func:`explain`) are applied. The
same ``_PARTS`` text computes the rank and the explanation, so a part can never disagree with
the total it explains.
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from minion_tui.config import DiscoverySettings
from minion_tui.discovery.sources import KINDS as SOURCE_KINDS
from minion_tui.discovery.sources import provenance_source
from minion_tui.errors import InvalidArgument
from minion_tui.models import Evidence, Score, ScorePart

#: The provenance kinds that count as evidence, and their weight settings.
KINDS = ("like", "repost", "upload", "chart", "tag", "related")
"""The evidence the ranking counts; a followed tag's sighting weighs as a chart's."""
#: Tracks of one uploader on a page; tracks of one surfacing artist in the top ``TOP``.
PER_UPLOADER = 2
TOP = 10
#: The z of a 95 % Wilson interval.
_Z = 1.96

#: Track lengths of the duration filter, in ms: the buckets of SoundCloud's search filter
#: (docs/soundcloud.md §1.3), so a filter means the same in search and in the inbox.
DURATIONS = {"short": (0, 120_000), "medium": (120_000, 600_000),
             "long": (600_000, 1_800_000), "epic": (1_800_000, None)}
#: Ages of the date filters (a track's upload, or its newest evidence).
AGES = {"last_hour": timedelta(hours=1), "last_day": timedelta(days=1),
        "last_week": timedelta(weeks=1), "last_month": timedelta(days=31),
        "last_year": timedelta(days=366)}
#: The availability filter: "playable" hides previews, DRM-only and blocked tracks.
AVAILABILITY = ("all", "playable", "preview", "drm")

_WHO = "CASE WHEN p.actor_urn <> '' THEN p.actor_urn ELSE p.action END"


def _wilson(pos: str, neg: str) -> str:
    """The SQL of the Wilson lower bound of ``pos`` positives among ``pos + neg``, each with
    :prior imagined ratings added (so n is never 0)."""
    n = f"({pos} + {neg} + 2 * :prior)"
    p = f"(({pos} + :prior) * 1.0 / {n})"
    z2 = _Z * _Z
    return (f"(({p} + {z2 / 2} / {n} - {_Z} * sqrt(({p} * (1 - {p}) + {z2 / 4} / {n}) / {n}))"
            f" / (1 + {z2} / {n}))")


# CROSS JOIN makes SQLite start from the judgments (hundreds of rows) and look their
# provenance up by track, instead of scanning every provenance row (24 -> 3 ms at 64,000).
# {keep} restricts the tracks scored (the inbox: unrated; the radio: not rejected), {only}
# the tracks explained. Every value is a parameter; only these fragments are ours.
_JUDGED = f"""
    SELECT who, sum(v = 'liked') AS pos,
           sum(v = 'not_interested') + 0.5 * sum(v = 'not_quite') AS neg
    FROM (SELECT DISTINCT p.track_urn, {_WHO} AS who, j.judgment AS v
          FROM judgments j CROSS JOIN provenance p ON p.track_urn = j.urn
          WHERE p.action IN ({", ".join(f"'{k}'" for k in KINDS)}))
    GROUP BY who"""

# {judged} is _JUDGED, or (with the materialised scores fresh) the same counts kept in
# inbox_trust: trust is then the same expression over the same numbers.
_PARTS = f"""
WITH judged AS ({{judged}}
),
trust AS (SELECT who, {_wilson("pos", "neg")} AS trust FROM judged),
evidence AS (
    SELECT p.track_urn, {_WHO} AS who, p.action AS kind, max(p.at) AS at
    FROM provenance p
    WHERE p.action IN ({", ".join(f"'{k}'" for k in KINDS)}) {{keep}} {{only}}
    GROUP BY p.track_urn, who, p.action
),
parts AS (
    SELECT e.track_urn, e.who, e.kind, e.at,
           coalesce(t.trust, {_wilson("0", "0")}) AS trust,
           CASE e.kind WHEN 'like' THEN :w_like WHEN 'repost' THEN :w_repost
                       WHEN 'upload' THEN :w_upload
                       WHEN 'chart' THEN :w_chart WHEN 'tag' THEN :w_chart
                       ELSE :w_related END AS weight,
           pow(2.0, -max(0.0, :now_jd - julianday(e.at)) / :half_life) AS decay,
           pow(2.0, (julianday(e.at) - :epoch_jd) / :half_life) AS growth
    FROM evidence e LEFT JOIN trust t ON t.who = e.who
)"""

# The provenance ``source`` of each followed source (discovery/sources.py
# ``provenance_source``): the inbox counts evidence from these only, so an unfollowed
# artist's likes (seen while browsing, or synced before the unfollow) stop counting.
_FOLLOWED = (
    "AND +p.source IN (SELECT CASE s.kind "
    + " ".join(f"WHEN '{k}' THEN s.target || ':{v.listing}'"
               for k, v in SOURCE_KINDS.items() if v.of_user)
    + " WHEN 'trending' THEN 'charts:trending' ELSE 'tag:' || s.target END"
    " FROM sources s WHERE s.followed = 1)")

_KEPT_TRUST = "SELECT who, pos, neg FROM inbox_trust"

_KEEP = {
    "unrated": "AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.urn = p.track_urn) "
               + _FOLLOWED,
    "not_rejected": "AND NOT EXISTS (SELECT 1 FROM judgments j WHERE j.urn = p.track_urn "
                    "AND j.judgment = 'not_interested')",
}


@dataclass(frozen=True, slots=True)
class Filters:
    """What the inbox shows: ``provider`` by name, ``genre`` (the genre or a tag, any case),
    ``duration`` (a key of DURATIONS), ``created`` (upload age, a key of AGES), ``surfaced``
    (age of the newest evidence), ``availability`` (one of AVAILABILITY)."""

    provider: str | None = None
    genre: str | None = None
    duration: str | None = None
    created: str | None = None
    surfaced: str | None = None
    availability: str = "all"
    #: Measured tempo range, both ends included (docs/analysis.md §10): only analysed tracks.
    bpm: tuple[float, float] | None = None
    #: A key as people spell it ("A minor", "Am", "8A"): only tracks analysed in that key.
    key: str | None = None
    #: A track's URL or URN: only tracks in a key that mixes with its measured key (the
    #: service turns it into ``camelots``).
    mixes_with: str | None = None
    #: Camelot codes a track's measured key must be one of (set from ``mixes_with``).
    camelots: tuple[str, ...] | None = None

    def check(self) -> None:
        for name, value, allowed in (("duration", self.duration, DURATIONS),
                                     ("created", self.created, AGES),
                                     ("surfaced", self.surfaced, AGES),
                                     ("availability", self.availability, AVAILABILITY)):
            if value is not None and value not in allowed:
                raise InvalidArgument(f"Unknown {name} filter {value!r}.",
                                      hint=f"Use one of: {', '.join(allowed)}.")
        if self.bpm is not None:
            low, high = self.bpm
            if not (_finite(low) and _finite(high) and 0 < low <= high <= 1000):
                raise InvalidArgument(f"--bpm: {low!r}-{high!r} is no tempo range.",
                                      hint="Give MIN-MAX in BPM, MIN up to MAX, e.g. 120-130.")
        if self.key is not None and key_camelot(self.key) is None:
            raise InvalidArgument(f"--key: {_said(self.key)} names no key.",
                                  hint='Spell it like "A minor", "Am", "F# major" or "8A".')


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored track before the diversity rules: its uploader and its main surfacer (the
    part with the largest value) are what those rules look at."""

    urn: str
    total: float
    uploader: str
    surfacer: str
    playable: bool


def parameters(settings: DiscoverySettings, now: datetime) -> dict[str, Any]:
    return {"prior": settings.trust_prior, "w_like": settings.weight_like,
            "w_repost": settings.weight_repost, "w_upload": settings.weight_upload,
            "w_chart": settings.weight_chart,
            "w_related": settings.weight_related, "half_life": settings.half_life_days,
            "now_jd": _julian(now), "epoch_jd": _julian(now)}


def candidates(conn: sqlite3.Connection, settings: DiscoverySettings, filters: Filters, *,
               now: datetime, limit: int, offset: int = 0, keep: str = "unrated",
               only: Sequence[str] | None = None) -> list[Candidate]:
    """Scored tracks, best first (playable ones before the rest), ``limit`` from
    ``offset``. ``keep`` is "unrated" (the inbox) or "not_rejected" (the radio); ``only``
    restricts the scoring to those track URNs."""
    filters.check()
    if keep == "unrated" and only is None and is_fresh(conn, settings, now):
        return _from_scores(conn, settings, filters, now=now, limit=limit, offset=offset)
    return _scored(conn, settings, filters, now=now, limit=limit, offset=offset, keep=keep,
                   only=only)


def _scored(conn: sqlite3.Connection, settings: DiscoverySettings, filters: Filters, *,
            now: datetime, limit: int, offset: int = 0, keep: str = "unrated",
            only: Sequence[str] | None = None, kept: bool = False) -> list[Candidate]:
    """The reference computation: every track's score from its evidence, in one query
    (``kept``: the trust counts from inbox_trust, which must be fresh)."""
    params = parameters(settings, now)
    where, having = _filter_sql(filters, now, params)
    sql = (_parts_sql(keep, only, params, kept) +
           "\nSELECT x.track_urn, sum(x.trust * x.weight * x.decay) AS total,\n"
           "       max(x.trust * x.weight * x.decay) AS top, x.who,\n"
           "       coalesce(t.uploader_urn, t.uploader), t.availability = 'full'\n"
           "FROM parts x JOIN tracks t ON t.urn = x.track_urn\n"
           f"WHERE 1 {where}\nGROUP BY x.track_urn\nHAVING 1 {having}\n"
           "ORDER BY t.availability = 'full' DESC, total DESC, x.track_urn\n"
           "LIMIT :limit OFFSET :offset")
    params.update(limit=limit, offset=offset)
    _ensure_math(conn)
    # With exactly one max() aggregate, SQLite takes the bare column x.who from the row
    # holding the maximum: the main surfacer, in the same pass.
    return [Candidate(urn, total, uploader or "", who, bool(playable))
            for urn, total, _top, who, uploader, playable in conn.execute(sql, params)]


# -- the materialised scores (store/schema_inbox_scores.py) --------------------------------

#: "now" may drift this many half-lives from the epoch before the table is rebuilt: the
#: scaled sums grow as 2^(drift / half-life), far inside a float's range at 200.
_REBASE_HALF_LIVES = 200.0
#: Relative slack when deciding that a track outside the window cannot outrank one in it
#: (the scaled sum and the direct score round differently, by ~1e-16).
_SLACK = 1e-9
#: The largest window scored directly (each of its URNs is a bound parameter).
_WINDOW_MAX = 6400


def _basis(settings: DiscoverySettings) -> str:
    p = parameters(settings, datetime.now(UTC))
    return json.dumps([p[k] for k in ("prior", "w_like", "w_repost", "w_chart", "w_related",
                                      "half_life", "w_upload")])


def _state(conn: sqlite3.Connection) -> tuple[str, float, int] | None:
    try:
        row = conn.execute("SELECT basis, epoch_jd, seen_id FROM inbox_score_state").fetchone()
    except sqlite3.OperationalError:  # a database older than migration 6
        return None
    return None if row is None else (row[0], float(row[1]), int(row[2]))


def is_fresh(conn: sqlite3.Connection, settings: DiscoverySettings, now: datetime) -> bool:
    """Whether the materialised scores rank exactly as the reference would at ``now``: built
    with these settings, nothing marked since, no provenance row past the last one seen,
    and no evidence newer than ``now`` (the direct score clamps a future age to 0, which
    does not factor out)."""
    state = _state(conn)
    if state is None or state[0] != _basis(settings):
        return False
    if abs(_julian(now) - state[1]) > _REBASE_HALF_LIVES * settings.half_life_days:
        return False
    (last,) = conn.execute("SELECT coalesce(max(id), 0) FROM provenance").fetchone()
    if last != state[2]:
        return False
    for table in ("inbox_dirty_tracks", "inbox_dirty_judged", "inbox_dirty_whos",
                  "inbox_dirty_sources"):
        if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            return False
    (newest,) = conn.execute("SELECT max(newest) FROM inbox_scores").fetchone()
    return newest is None or newest <= _iso(now)


def refresh(conn: sqlite3.Connection, settings: DiscoverySettings, now: datetime) -> int:
    """Bring the materialised scores up to date, in the caller's write transaction: rebuilt
    when the settings changed or ``now`` drifted far from the epoch, otherwise only the
    tracks marked (store/schema_inbox_scores.py) and those of every surfacer whose trust a
    judgment moved. Returns the number of tracks rescored (-1: rebuilt)."""
    if is_fresh(conn, settings, now):
        return 0
    state = _state(conn)
    if state is None and not _has_scores(conn):
        return 0
    basis = _basis(settings)
    (last,) = conn.execute("SELECT coalesce(max(id), 0) FROM provenance").fetchone()
    if (state is None or state[0] != basis
            or abs(_julian(now) - state[1]) > _REBASE_HALF_LIVES * settings.half_life_days):
        epoch = _julian(now)
        for table in ("inbox_scores", "inbox_trust", "inbox_dirty_tracks", "inbox_dirty_judged",
                      "inbox_dirty_whos", "inbox_dirty_sources"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT INTO inbox_trust SELECT who, pos, neg FROM ({_JUDGED})")
        _rescore(conn, settings, epoch, None)
        conn.execute("INSERT OR REPLACE INTO inbox_score_state VALUES (1, ?, ?, ?)",
                     (basis, epoch, last))
        return -1
    _, epoch, seen = state
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    conn.execute("INSERT OR IGNORE INTO inbox_dirty_tracks SELECT DISTINCT track_urn "
                 "FROM provenance WHERE id > ?", (seen,))
    # New evidence on a judged track, and any judgment: the trust of its surfacers moved.
    # (Two statements, not one with OR: each keeps its index, the rowid range and the track.)
    conn.execute(f"INSERT OR IGNORE INTO inbox_dirty_whos SELECT DISTINCT {_WHO} FROM "
                 f"provenance p WHERE p.id > ? AND p.action IN ({kinds}) AND p.track_urn IN "
                 "(SELECT urn FROM judgments)", (seen,))
    conn.execute(f"INSERT OR IGNORE INTO inbox_dirty_whos SELECT DISTINCT {_WHO} FROM "
                 f"inbox_dirty_judged d JOIN provenance p ON p.track_urn = d.urn "
                 f"WHERE p.action IN ({kinds})")
    conn.execute("DELETE FROM inbox_trust WHERE who IN (SELECT who FROM inbox_dirty_whos)")
    conn.execute(f"INSERT INTO inbox_trust SELECT who, pos, neg FROM ({_JUDGED})\n"
                 "WHERE who IN (SELECT who FROM inbox_dirty_whos)")
    conn.execute("INSERT OR IGNORE INTO inbox_dirty_tracks SELECT urn FROM inbox_dirty_judged")
    conn.execute("INSERT OR IGNORE INTO inbox_dirty_tracks SELECT p.track_urn FROM "
                 "inbox_dirty_whos w JOIN provenance p ON p.actor_urn = w.who")
    if conn.execute(f"SELECT 1 FROM inbox_dirty_whos WHERE who IN ({kinds})").fetchone():
        conn.execute("INSERT OR IGNORE INTO inbox_dirty_tracks SELECT p.track_urn FROM "
                     "provenance p WHERE p.actor_urn = '' AND "
                     "p.action IN (SELECT who FROM inbox_dirty_whos)")
    for kind, target in conn.execute("SELECT kind, target FROM inbox_dirty_sources").fetchall():
        if kind in SOURCE_KINDS:
            conn.execute("INSERT OR IGNORE INTO inbox_dirty_tracks SELECT track_urn FROM "
                         "provenance WHERE source = ?", (provenance_source(kind, target),))
    (count,) = conn.execute("SELECT count(*) FROM inbox_dirty_tracks").fetchone()
    if count:
        conn.execute("DELETE FROM inbox_scores WHERE track_urn IN "
                     "(SELECT urn FROM inbox_dirty_tracks)")
        _rescore(conn, settings, epoch, "AND p.track_urn IN (SELECT urn FROM inbox_dirty_tracks)")
    for table in ("inbox_dirty_tracks", "inbox_dirty_judged", "inbox_dirty_whos",
                  "inbox_dirty_sources"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("UPDATE inbox_score_state SET seen_id = ?", (last,))
    return int(count)


def _has_scores(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'inbox_scores'").fetchone() \
        is not None


def _rescore(conn: sqlite3.Connection, settings: DiscoverySettings, epoch: float,
             only: str | None) -> None:
    """Write Σ trust · weight · 2^((t − epoch) / half-life) of the tracks ``only`` selects
    (all when None): the same _PARTS as the reference, so the parts cannot disagree."""
    params = parameters(settings, datetime.now(UTC))
    params["epoch_jd"] = epoch
    _ensure_math(conn)
    conn.execute(
        _PARTS.format(judged=_KEPT_TRUST, keep=_KEEP["unrated"], only=only or "") +
        "\nINSERT INTO inbox_scores (track_urn, scaled, newest, playable)\n"
        "SELECT x.track_urn, sum(x.trust * x.weight * x.growth), max(x.at),\n"
        "       coalesce(t.availability = 'full', 0)\n"
        "FROM parts x JOIN tracks t ON t.urn = x.track_urn GROUP BY x.track_urn", params)


def _from_scores(conn: sqlite3.Connection, settings: DiscoverySettings, filters: Filters, *,
                 now: datetime, limit: int, offset: int) -> list[Candidate]:
    """``limit`` candidates from ``offset``, exactly as :func:`_scored` ranks them: the
    first tracks by the indexed scaled sum (a window), scored directly, and kept only as
    far as no track outside the window can outrank them; the window grows until that
    covers ``offset + limit`` (or the tracks run out)."""
    state = _state(conn)
    assert state is not None
    scale = 2.0 ** (-(_julian(now) - state[1]) / settings.half_life_days)
    params = parameters(settings, now)
    where, _having = _filter_sql(filters, now, params)
    if filters.surfaced:
        where += " AND s.newest >= :surfaced"
    if limit < 0:
        return _scored(conn, settings, filters, now=now, limit=limit, offset=offset)
    wanted = offset + limit
    window = max(64, 2 * wanted)
    while True:
        if window > _WINDOW_MAX:  # deep pages: the reference is as quick by then
            return _scored(conn, settings, filters, now=now, limit=limit, offset=offset)
        params["window"] = window
        rows = conn.execute(
            "SELECT s.track_urn, s.scaled, s.playable FROM inbox_scores s\n"
            "JOIN tracks t ON t.urn = s.track_urn\n"
            f"WHERE 1 {where}\nORDER BY s.playable DESC, s.scaled DESC, s.track_urn\n"
            "LIMIT :window", params).fetchall()
        exact = _scored(conn, settings, filters, now=now, limit=-1,
                        only=[u for u, _, _ in rows], kept=True)
        if len(rows) < window:
            certain = exact
        else:
            _, scaled, playable = rows[-1]
            bound = scaled * scale * (1 + _SLACK) + 1e-300
            certain = []
            for c in exact:  # in rank order: stop at the first that may be outranked
                if c.playable > bool(playable) or (c.playable == bool(playable)
                                                   and c.total > bound):
                    certain.append(c)
                else:
                    break
        if len(rows) < window or len(certain) >= wanted:
            return certain[offset:offset + limit]
        window *= 4


def explain(conn: sqlite3.Connection, settings: DiscoverySettings, urns: Sequence[str], *,
            now: datetime, keep: str = "unrated"
            ) -> dict[str, tuple[Score, tuple[Evidence, ...]]]:
    """The score of each of ``urns`` part by part (largest first) and every sighting of it
    (newest first)."""
    if not urns:
        return {}
    params = parameters(settings, now)
    kept = keep == "unrated" and is_fresh(conn, settings, now)
    sql = (_parts_sql(keep, urns, params, kept) +
           "\nSELECT x.track_urn, x.who, u.username, x.kind, x.at, x.trust, x.weight, x.decay\n"
           "FROM parts x LEFT JOIN users u ON u.urn = x.who")
    _ensure_math(conn)
    parts: dict[str, list[ScorePart]] = {u: [] for u in urns}
    for urn, who, name, kind, at, trust, weight, decay in conn.execute(sql, params):
        actor = None if who == kind else who
        parts[urn].append(ScorePart(actor, name, kind, at, trust, weight, decay,
                                    trust * weight * decay))
    marks, values = _marks(urns, "e")
    sightings: dict[str, list[Evidence]] = {u: [] for u in urns}
    for urn, source, actor, kind, at in conn.execute(
            "SELECT track_urn, source, actor_urn, action, at FROM provenance\n"
            f"WHERE track_urn IN ({marks}) ORDER BY at DESC, id DESC", values):
        sightings[urn].append(Evidence(source, actor or None, kind, at))
    result = {}
    for urn in urns:
        ordered = tuple(sorted(parts[urn], key=lambda p: (-p.value, p.at)))
        result[urn] = (Score(sum(p.value for p in ordered), ordered), tuple(sightings[urn]))
    return result


def pages(ranked: Iterable[Candidate], size: int) -> Iterator[list[Candidate]]:
    """``ranked`` cut into pages of ``size`` under the diversity rules: at most PER_UPLOADER
    tracks of one uploader on a page, and in the first TOP of the first page at most one
    track per main surfacer. A track that does not fit waits, in rank order, for the first
    place it fits (a later place, or the next page). The rules reorder, they never hide:
    when only tracks that break them are left, the page is filled from those in rank order
    (keeping the uploader rule if any still can), so a page is short only at the end."""
    stream = iter(ranked)
    waiting: deque[Candidate] = deque()  # all ranked above whatever the stream yields next
    first = True
    while True:
        page: list[Candidate] = []
        while len(page) < size:
            pick = next((c for c in waiting if _fits(c, page, first, 2)), None)
            if pick is None:
                for c in stream:
                    if _fits(c, page, first, 2):
                        pick = c
                        break
                    waiting.append(c)
            if pick is None:  # nothing left keeps both rules: the uploader's, then none
                pick = next((c for c in waiting if _fits(c, page, first, 1)),
                            waiting[0] if waiting else None)
            if pick is None:
                break
            if pick in waiting:
                waiting.remove(pick)
            page.append(pick)
        if not page:
            return
        yield page
        first = False


def _fits(c: Candidate, page: list[Candidate], first: bool, rules: int) -> bool:
    """Whether ``c`` may come next on ``page`` keeping ``rules`` of the two (2: both, 1:
    the uploader's)."""
    if sum(p.uploader == c.uploader for p in page) >= PER_UPLOADER:
        return False
    return rules < 2 or not (first and len(page) < TOP
                             and any(p.surfacer == c.surfacer for p in page))


def _parts_sql(keep: str, only: Sequence[str] | None, params: dict[str, Any],
               kept: bool = False) -> str:
    restrict = ""
    if only is not None:
        marks, values = _marks(only, "o")
        restrict = f"AND p.track_urn IN ({marks})" if only else "AND 0"
        params.update(values)
    return _PARTS.format(judged=_KEPT_TRUST if kept else _JUDGED, keep=_KEEP[keep],
                         only=restrict)


def _filter_sql(filters: Filters, now: datetime, params: dict[str, Any]) -> tuple[str, str]:
    where: list[str] = []
    having: list[str] = []
    if filters.provider:
        where.append("AND t.provider = :provider")
        params["provider"] = filters.provider
    if filters.genre:
        where.append("AND (lower(t.genre) = :genre OR EXISTS (SELECT 1 FROM json_each(t.tags)"
                     " WHERE lower(json_each.value) = :genre))")
        params["genre"] = filters.genre.strip().lstrip("#").lower()
    if filters.duration:
        low, high = DURATIONS[filters.duration]
        where.append("AND t.duration_ms >= :low" + (" AND t.duration_ms < :high" if high else ""))
        params.update(low=low, high=high)
    if filters.created:
        where.append("AND t.created_at >= :created")
        params["created"] = _iso(now - AGES[filters.created])
    if filters.surfaced:
        having.append("AND max(x.at) >= :surfaced")
        params["surfaced"] = _iso(now - AGES[filters.surfaced])
    sound = []
    if filters.bpm is not None:
        sound.append("so.bpm >= :bpm_low AND so.bpm <= :bpm_high")
        params.update(bpm_low=float(filters.bpm[0]), bpm_high=float(filters.bpm[1]))
    codes = set(filters.camelots) if filters.camelots is not None else None
    if filters.key is not None:
        code = key_camelot(filters.key)
        codes = {code or ""} if codes is None else codes & {code or ""}
    if codes is not None:
        marks = ", ".join(f":camelot{i}" for i in range(len(codes)))
        sound.append(f"so.camelot IN ({marks})" if codes else "0")
        params.update({f"camelot{i}": c for i, c in enumerate(sorted(codes))})
    if sound:
        where.append("AND EXISTS (SELECT 1 FROM track_sounds ts JOIN sounds so ON so.digest = "
                     f"ts.digest WHERE ts.urn = t.urn AND {' AND '.join(sound)})")
    if filters.availability == "playable":
        where.append("AND t.availability = 'full'")
    elif filters.availability in ("preview", "drm"):
        where.append("AND t.availability = :availability")
        params["availability"] = filters.availability
    return " ".join(where), " ".join(having)


def key_camelot(text: str) -> str | None:
    """The Camelot code of a key as people spell it ("Am", "A minor", "8a" → "8A"), or None."""
    from minion_tui.analysis.camelot import camelot, parse_key

    found = parse_key(text) if isinstance(text, str) and len(text) <= 64 else None
    return None if found is None else camelot(*found)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and value == value and abs(value) != float("inf")


def _said(text: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in str(text))
    return repr(shown if len(shown) <= 60 else shown[:60] + "…")


def _marks(urns: Sequence[str], prefix: str) -> tuple[str, dict[str, str]]:
    values = {f"{prefix}{i}": u for i, u in enumerate(urns)}
    return ", ".join(f":{k}" for k in values), values


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _julian(moment: datetime) -> float:
    return moment.astimezone(UTC).timestamp() / 86400.0 + 2440587.5


def _ensure_math(conn: sqlite3.Connection) -> None:
    """SQLite's math functions are a compile-time option (3.35+); where they are missing,
    the two the score needs come from Python (slower, same values)."""
    try:
        conn.execute("SELECT pow(2.0, 1.0), sqrt(4.0)").fetchone()
    except sqlite3.OperationalError:
        import math

        conn.create_function("pow", 2, math.pow, deterministic=True)
        conn.create_function("sqrt", 1, math.sqrt, deterministic=True)
