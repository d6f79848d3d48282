"""Provider-neutral domain models and the value types of the service façade.

Every model is a frozen dataclass with exactly one JSON form (``to_json``), used by every
``--json`` flag and (later) the agent interface. Providers parse their JSON into the catalog
models in one place each (``providers/<name>/parse.py``); nothing else builds them from wire
data. Front ends take every value type from here:

* catalog.py — tracks, playlists, users, comments, stream choices, pages;
* duration.py — the one formatter of durations and positions;
* listening.py — the player's state, what is playing, the queue and the history;
* library.py — remembered searches, discovery sources, where a track was surfaced;
* discovery.py — followed sources, sync progress and its summary;
* downloads.py — download events, outcomes and jobs;
* network.py — notices of waits for a host;
* accounts.py — who is signed in to each service;
* sound.py — tempo and key analyses, tracks similar by sound;
* ranking.py — the inbox's ranked tracks and their evidence, radio queues, the judgment
  history.

json_form.py derives each model's JSON form and JSON Schema from its declaration.
"""

from minion_tui.models.accounts import AccountStatus, SignOut, WriteResult
from minion_tui.models.catalog import (
    Availability,
    Comment,
    Counts,
    Judgment,
    Page,
    Playlist,
    Resource,
    Section,
    StreamChoice,
    Tag,
    Track,
    User,
)
from minion_tui.models.discovery import Activity, FollowedSource, SyncEvent, SyncSummary
from minion_tui.models.downloads import DownloadEvent, DownloadJob, Outcome, done_fraction
from minion_tui.models.duration import format_duration
from minion_tui.models.library import SearchEntry, Source, SurfacedBy
from minion_tui.models.listening import (
    REPEAT_MODES,
    HistoryEntry,
    NowPlaying,
    PlayerEvent,
    PlayerState,
    QueueEntry,
    Toast,
)
from minion_tui.models.network import WaitNotice
from minion_tui.models.ranking import (
    Evidence,
    InboxEntry,
    JudgmentChange,
    RadioEntry,
    Score,
    ScorePart,
)
from minion_tui.models.sound import SimilarTrack, SoundAnalysis

__all__ = [
    "REPEAT_MODES",
    "AccountStatus",
    "Activity",
    "Availability",
    "Comment",
    "Counts",
    "DownloadEvent",
    "DownloadJob",
    "Evidence",
    "FollowedSource",
    "HistoryEntry",
    "InboxEntry",
    "Judgment",
    "JudgmentChange",
    "NowPlaying",
    "Outcome",
    "Page",
    "PlayerEvent",
    "PlayerState",
    "Playlist",
    "QueueEntry",
    "RadioEntry",
    "Resource",
    "Score",
    "ScorePart",
    "SearchEntry",
    "Section",
    "SignOut",
    "SimilarTrack",
    "SoundAnalysis",
    "Source",
    "StreamChoice",
    "SurfacedBy",
    "SyncEvent",
    "SyncSummary",
    "Tag",
    "Toast",
    "Track",
    "User",
    "WaitNotice",
    "WriteResult",
    "done_fraction",
    "format_duration",
]
