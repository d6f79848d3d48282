"""What can be followed, and how a source names itself and its provenance.

A followed user is one source per listing among :data:`ACTIVITY_LISTINGS` that the
provider declares in ``Capabilities.discovery_listings`` (``user_likes``, ``user_reposts``,
``user_tracks``: the ``sources`` table's kinds), targeted by the user's URN; ``trending``
is the chart; ``#tag`` or ``tag:NAME`` a tag. The provenance ``source`` names are those
browsing writes (store/surfacing.py): a user's likes seen in Browse and the same likes
synced are one source.
"""

from __future__ import annotations

from dataclasses import dataclass

from minion_tui.errors import InvalidArgument
from minion_tui.store.surfacing import USER_LISTING_ACTIONS

#: The user listings discovery follows, and the provenance action of each.
ACTIVITY_LISTINGS = ("likes", "reposts", "tracks")
#: Items of a chart or tag taken per sync (they have no time to stop at).
SNAPSHOT_SIZE = 50


@dataclass(frozen=True, slots=True)
class SourceKind:
    """How one kind of source is walked and recorded."""

    kind: str
    listing: str  # "likes", "reposts", "tracks", "trending" or "tag"
    action: str  # the provenance action: like, repost, upload, chart, tag

    @property
    def of_user(self) -> bool:
        return self.kind.startswith("user_")


KINDS = {
    **{f"user_{name}": SourceKind(f"user_{name}", name, USER_LISTING_ACTIONS[name])
       for name in ACTIVITY_LISTINGS},
    "trending": SourceKind("trending", "trending", "chart"),
    "tag": SourceKind("tag", "tag", "tag"),
}


def provenance_source(kind: str, target: str) -> str:
    """The provenance ``source`` of a followed source (the names browsing writes)."""
    found = KINDS[kind]
    if found.of_user:
        return f"{target}:{found.listing}"
    if kind == "trending":
        return "charts:trending"
    return f"tag:{target}"


def title(kind: str, name: str) -> str:
    if kind == "user_likes":
        return f"Likes of {name}"
    if kind == "user_reposts":
        return f"Reposts of {name}"
    if kind == "user_tracks":
        return f"Uploads of {name}"
    return "Trending" if kind == "trending" else f"#{name}"


def listing_target(text: str) -> tuple[str, str] | None:
    """("trending", "trending") or ("tag", NAME) for a chart or tag target; None for
    anything else (a user to resolve)."""
    cleaned = text.strip()
    if cleaned.lower() in ("trending", "charts:trending"):
        return "trending", "trending"
    if cleaned.startswith("#") or cleaned.lower().startswith("tag:"):
        name = cleaned.lstrip("#").partition(":")[2] if not cleaned.startswith("#") \
            else cleaned.lstrip("#")
        name = name.strip()
        if not name:
            raise InvalidArgument("The tag is empty.", hint="Follow a tag as #deep-house or "
                                  "tag:deep-house.")
        return "tag", name
    return None
