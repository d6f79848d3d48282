"""Why a track is in front of you, in one line: "liked by A, B · reposted by C · 3 days ago".

The details panel shows it for any track with provenance; it reads the
:class:`~minion_tui.models.SurfacedBy` rows ``service.library.provenance`` returns (newest
first), whose labels carry the actor's display name ("Likes of Alice") as the store knows it
now, so the line follows a rename. Only likes and reposts are evidence of taste: a chart, a
tag or a search the track came up in says nothing about who vouched for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from minion_tui.models import SurfacedBy
from minion_tui.tui.wording import counted

#: Each kind of evidence: the verb shown, and the label prefix its display name follows.
_KINDS = {"like": ("liked by", "Likes of "), "repost": ("reposted by", "Reposts of ")}
#: Names shown per kind before "and N more".
_NAMES_SHOWN = 3


def age_words(at: str, now: datetime) -> str:
    """How long ago ``at`` (ISO 8601) was, by calendar day in ``now``'s time zone: "today",
    "yesterday", "3 days ago", "1 week ago", "2 weeks ago", "5 months ago", "2 years ago".
    A moment after ``now`` (a clock ahead of ours) is "today"."""
    moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    days = (now.date() - moment.astimezone(now.tzinfo or UTC).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    if days < 30:
        return f"{counted(days // 7, 'week')} ago"
    if days < 365:
        return f"{counted(days // 30, 'month')} ago"
    return f"{counted(days // 365, 'year')} ago"


def evidence_line(surfaced: Sequence[SurfacedBy], now: datetime | None = None) -> str:
    """"liked by A, B · reposted by C · 3 days ago" from a track's provenance (newest first),
    the age being the newest like's or repost's; "" when nobody liked or reposted it."""
    names: dict[str, list[str]] = {kind: [] for kind in _KINDS}
    newest: str | None = None
    for row in surfaced:
        if row.action not in _KINDS:
            continue
        name = row.label.removeprefix(_KINDS[row.action][1])
        if name not in names[row.action]:
            names[row.action].append(name)
        if newest is None or row.at > newest:
            newest = row.at
    if newest is None:
        return ""
    parts = [f"{_KINDS[kind][0]} {_names(found)}" for kind, found in names.items() if found]
    return " · ".join([*parts, age_words(newest, now or datetime.now(UTC).astimezone())])


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    rest = len(names) - _NAMES_SHOWN
    return f"{shown} and {rest} more" if rest > 0 else shown
