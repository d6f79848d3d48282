"""Discovery as the front ends see it: the inbox's ranked tracks with the evidence behind
each rank, the radio's queue, and the history of the user's judgments.

An inbox entry prints as its track's JSON form with three keys added — ``playable``,
``provenance`` (``[{source, actor, kind, at}]``) and ``score`` (``{total, parts}``) — so a
script reads it as any other track; ``parts`` say how the total was reached, one per artist
(or chart, or related list) and kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from minion_tui.models.catalog import Judgment, Track
from minion_tui.models.json_form import JsonModel, json_opts


@dataclass(frozen=True, slots=True)
class Evidence(JsonModel):
    """One sighting of a track: the listing (``source``), who acted (``actor``, a user URN;
    None for charts and related lists), how (``kind``: like, repost, chart, related...) and
    when (``at``, ISO 8601 UTC)."""

    source: str
    actor: str | None
    kind: str
    at: str


@dataclass(frozen=True, slots=True)
class ScorePart(JsonModel):
    """One term of a score: trust(actor) · weight(kind) · 2^(−age/half-life) = ``value``.
    ``actor`` is None for a chart or related sighting (their trust is learnt per kind);
    ``name`` is the actor's username when it is known."""

    actor: str | None
    name: str | None
    kind: str
    at: str
    trust: float = field(metadata=json_opts(ndigits=4))
    weight: float = field(metadata=json_opts(ndigits=4))
    decay: float = field(metadata=json_opts(ndigits=4))
    value: float = field(metadata=json_opts(ndigits=4))


@dataclass(frozen=True, slots=True)
class Score(JsonModel):
    total: float = field(metadata=json_opts(ndigits=4))
    parts: tuple[ScorePart, ...] = ()


#: The track's own keys first in the entry's JSON, the entry's after them.
FLATTEN = json_opts(flatten=True)


@dataclass(frozen=True, slots=True)
class InboxEntry(JsonModel):
    """A track of the inbox, best first. ``playable`` is False for previews (Go+), DRM-only
    and blocked tracks, which are sorted after every playable one."""

    track: Track = field(metadata=FLATTEN)
    playable: bool
    provenance: tuple[Evidence, ...]
    score: Score


@dataclass(frozen=True, slots=True)
class RadioEntry(JsonModel):
    """A track of a radio queue: ``via`` says which pool it came from ("related",
    "station", "liked_by"), ``score`` the trust-weighted evidence that placed it."""

    track: Track = field(metadata=FLATTEN)
    via: str
    score: float = field(metadata=json_opts(ndigits=4))


@dataclass(frozen=True, slots=True)
class JudgmentChange(JsonModel):
    """One row of the judgment history: the verdict set (None: cleared) on ``urn``, by
    ``origin`` ("user", "import"...), at ``at``. ``id`` orders changes made in the same
    millisecond."""

    id: int
    urn: str
    judgment: Judgment | None
    origin: str
    at: str
