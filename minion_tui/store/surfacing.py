"""Provenance as a listener reads it: "Surfaced by: Likes of Alice, Trending".

A :class:`Surfacing` describes one listing (a user's likes, the chart, a tag, a search) and
turns the tracks that came out of it into :class:`Provenance` rows; :func:`record` stores the
tracks and their provenance in one transaction. :func:`surfaced_by` reads them back with a
label built from the stored user and track names, so the label follows a rename.

Plain functions taking the :class:`Store`; run them on its worker thread with
``await store.call(fn, store, ...)``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from minion_tui.models import SurfacedBy, Track, User
from minion_tui.store.records import Provenance
from minion_tui.store.store import Store

#: The provenance action of each user listing (tracks of a user count as their uploads).
USER_LISTING_ACTIONS = {"likes": "like", "reposts": "repost", "tracks": "upload",
                        "toptracks": "upload"}
#: The provenance action of each track listing.
TRACK_LISTING_ACTIONS = {"related": "related", "station": "related", "similar": "related"}


@dataclass(frozen=True, slots=True)
class Surfacing:
    """Where a batch of tracks came from. ``subject`` is the user or track the listing is
    about (stored along, so the label can name it); ``actor`` says whether the subject acted
    (liked, reposted, uploaded) or was only the starting point (related tracks)."""

    source: str
    action: str
    subject: User | Track | None = None
    actor: bool = False

    def rows(self, tracks: Sequence[Track]) -> list[Provenance]:
        actor_urn = self.subject.urn if self.actor and self.subject is not None else None
        return [Provenance(t.urn, self.source, actor_urn, self.action) for t in tracks]


#: User listings whose tracks surface with an action the inbox does not rank: a listen is
#: weaker evidence than a like or an upload (Mixcloud's listens; its favourites are the
#: neutral likes, docs/mixcloud.md §1.2).
UNRANKED_USER_ACTIONS = {"listens": "listen"}


@dataclass(frozen=True)
class Wording:
    """How labels name a provider and its listings: the provider's own words, which the
    service reads from its capabilities (the store names no provider)."""

    title: Callable[[str], str]
    """A provider's name as shown: "SoundCloud"."""
    word: Callable[[str, str], str]
    """(provider, listing) in the provider's words: ("mixcloud", "likes") -> "Favourites"."""


def for_listing(listing: str, subject: User | Track | None, target: str | None, *,
                provider: str | None = None, chart: bool = False) -> Surfacing | None:
    """The surfacing of a browse listing (by its neutral name), or None for listings that
    surface no tracks. A chart other than trending is named with its provider
    ("charts:mixcloud:popular"); who is live now surfaces with an action of its own, which
    the inbox does not rank (a live stream is not a track to triage)."""
    if listing == "trending":
        return Surfacing("charts:trending", "chart")
    if chart and provider:
        source = f"charts:{provider}:{listing}"
        return Surfacing(source, "live" if listing == "live" else "chart")
    if listing == "tag" and target:
        return Surfacing(f"tag:{target.strip().lstrip('#')}", "tag")
    actions = {**USER_LISTING_ACTIONS, **UNRANKED_USER_ACTIONS}
    if isinstance(subject, User) and listing in actions:
        return Surfacing(f"{subject.urn}:{listing}", actions[listing], subject, actor=True)
    if isinstance(subject, Track) and listing in TRACK_LISTING_ACTIONS:
        return Surfacing(f"{subject.urn}:{listing}", TRACK_LISTING_ACTIONS[listing], subject)
    return None


def for_search(query: str) -> Surfacing:
    return Surfacing(f"search:{query.strip()}", "search")


def record(store: Store, tracks: Sequence[Track], surfacing: Surfacing | None) -> None:
    """Store ``tracks`` and, in the same transaction, where they came from (so a track is
    never stored without the provenance it arrived with, nor the other way round)."""
    with store.transaction():
        store.upsert_tracks(tracks)
        if surfacing is None:
            return
        if isinstance(surfacing.subject, User):
            store.upsert_users([surfacing.subject])
        elif isinstance(surfacing.subject, Track):
            store.upsert_tracks([surfacing.subject])
        store.add_provenance(surfacing.rows(tracks))


def surfaced_by(store: Store, urn: str, limit: int,
                wording: Wording) -> list[SurfacedBy]:
    """The latest ``limit`` distinct sources of a track, labelled ("Likes of Alice")."""
    with store.snapshot() as conn:
        found = _rows(conn, urn)
    seen: dict[str, SurfacedBy] = {}
    for source, action, actor_urn, at, username, title in found:
        label = _label(source, action, actor_urn or None, username, title, wording)
        if label not in seen:
            seen[label] = SurfacedBy(label, source, action, actor_urn or None, at)
    return list(seen.values())[:limit]


def _rows(conn: sqlite3.Connection, urn: str) -> list[tuple[Any, ...]]:
    found = conn.execute(
        "SELECT p.source, p.action, p.actor_urn, p.at, u.username\n"
        "FROM provenance p LEFT JOIN users u ON u.urn = p.actor_urn\n"
        "WHERE p.track_urn = ? ORDER BY p.at DESC, p.id DESC",
        (urn,),
    ).fetchall()
    rows: list[tuple[Any, ...]] = []
    for source, action, actor_urn, at, username in found:
        title = None
        if action == "related":  # the source is "<track urn>:<listing>": name that track
            subject = source.rpartition(":")[0]
            hit = conn.execute("SELECT title FROM tracks WHERE urn = ?", (subject,)).fetchone()
            title = hit[0] if hit else None
        rows.append((source, action, actor_urn, at, username, title))
    return rows


#: The user listing an action's label is named after (uploads: the listing itself).
_ACTION_LISTINGS = {"like": "likes", "repost": "reposts", "listen": "listens"}


def _label(source: str, action: str, actor_urn: str | None, username: str | None,
           title: str | None, wording: Wording) -> str:
    listing = source.rpartition(":")[2]
    name = username or actor_urn or "someone"
    # In the provider's own words: Mixcloud's favourites and shows (docs/mixcloud.md §1.2).
    provider = source.partition(":")[0]
    if action in _ACTION_LISTINGS:
        return f"{wording.word(provider, _ACTION_LISTINGS[action])} of {name}"
    if action == "upload":
        return f"{wording.word(provider, listing)} of {name}"
    if action in ("chart", "live") and source.count(":") == 2:
        provider = source.split(":")[1]
        return f"{wording.title(provider)} {listing}"
    if action == "chart":
        return "Trending"
    if action == "tag":
        return f"Tag: {source.partition(':')[2]}"
    if action == "search":
        return f"Search: {source.partition(':')[2]}"
    if action == "related":
        what = title or source.rpartition(":")[0]
        if listing == "similar":
            return f"Similar to {what}"
        return f"Station of {what}" if listing == "station" else f"Related to {what}"
    return source
