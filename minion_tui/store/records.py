"""Provenance rows, the store's timestamps, and the kinds of provenance and sources.

Provenance stays here, not in ``minion_tui.models``, because only the store deals in it (the
front ends read :class:`~minion_tui.models.SurfacedBy` instead); providers never produce it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_now() -> str:
    """Now as ISO 8601 UTC with milliseconds, e.g. ``2026-01-27T03:47:23.120Z``.

    Milliseconds (not the seconds of provider timestamps) so that rows written in one burst
    still sort in the order they were written; the same text sorts correctly as a string.
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


#: How a track reached us. Free text in the database (new providers may add actions); these
#: are the ones discovery writes today.
PROVENANCE_ACTIONS = ("like", "repost", "chart", "search", "related", "tag", "upload")

#: Kinds of discovery sources the app knows how to sync.
SOURCE_KINDS = (
    "user_likes",
    "user_tracks",
    "user_reposts",
    "user_playlists",
    "tag",
    "trending",
    "related",
)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who or what surfaced a track, how, and when.

    ``source`` names the listing, e.g. ``soundcloud:users:12:likes`` or ``charts:trending``;
    ``actor_urn`` is the account that acted (liked, reposted, uploaded), None for charts and
    searches; ``at`` is when the action happened if the service says so, else when we saw it.
    """

    track_urn: str
    source: str
    actor_urn: str | None
    action: str
    at: str = field(default_factory=utc_now)

    def to_json(self) -> dict[str, Any]:
        return {"track_urn": self.track_urn, "source": self.source, "actor_urn": self.actor_urn,
                "action": self.action, "at": self.at}



def write_verdict(conn: sqlite3.Connection, urn: str, verdict: str | None, origin: str,
                  at: str, history_id: int | None) -> None:
    """Make the ``judgments`` row of ``urn`` the verdict of history entry ``history_id``
    (``verdict`` None: no verdict, the row goes)."""
    if verdict is None:
        conn.execute("DELETE FROM judgments WHERE urn = ?", (urn,))
        return
    conn.execute(
        "INSERT INTO judgments (urn, judgment, origin, decided_at, history_id)\n"
        "VALUES (?, ?, ?, ?, ?)\n"
        "ON CONFLICT (urn) DO UPDATE SET judgment = excluded.judgment,\n"
        "  origin = excluded.origin, decided_at = excluded.decided_at,\n"
        "  history_id = excluded.history_id",
        (urn, verdict, origin, at, history_id))
