"""The schema, as numbered migrations. Append new ones; never edit one that has shipped.

Design notes (the why):

- Tracks and users are keyed by the provider-neutral URN (``soundcloud:tracks:123``); every
  ``Track`` field has a typed column and the provider JSON is kept verbatim in ``raw``, so a
  later migration can backfill a new column from it without refetching.
- The user's own data (judgments, their history, the download archive) is keyed by URN
  *without* a foreign key to ``tracks``: a rating may arrive before the track is fetched
  (``minion-tui rate <urn>``), and cached metadata must never take the user's ratings with it.
- Rows that only make sense for a stored track (provenance, the queue, play history, downloads)
  reference ``tracks(urn)``; callers store tracks first, in the same transaction if they like.
- Timestamps are ISO 8601 UTC text (``records.utc_now``), which sorts correctly as text.
- Migrations must not use ``executescript`` (it commits); each statement runs inside the one
  ``BEGIN IMMEDIATE`` transaction that also bumps ``user_version`` (migrations.py).
"""

from __future__ import annotations

from minion_tui.store.migrations import Migration
from minion_tui.store.schema_download_sets import DOWNLOAD_SETS
from minion_tui.store.schema_inbox_scores import INBOX_SCORES
from minion_tui.store.schema_sounds import SOUNDS

_CORE = (
    """
    CREATE TABLE tracks (
        urn           TEXT PRIMARY KEY,
        provider      TEXT NOT NULL,
        id            TEXT NOT NULL,
        url           TEXT NOT NULL,
        title         TEXT NOT NULL,
        artist        TEXT NOT NULL,
        uploader      TEXT NOT NULL,
        uploader_urn  TEXT,
        duration_ms   INTEGER NOT NULL,
        preview_ms    INTEGER,
        genre         TEXT NOT NULL DEFAULT '',
        tags          TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
        created_at    TEXT,
        artwork_url   TEXT,
        plays         INTEGER,
        likes         INTEGER,
        reposts       INTEGER,
        comments      INTEGER,
        license       TEXT NOT NULL DEFAULT '',
        availability  TEXT NOT NULL,
        downloadable  INTEGER NOT NULL DEFAULT 0,
        description   TEXT NOT NULL DEFAULT '',
        raw           TEXT NOT NULL DEFAULT '{}',   -- provider JSON as received
        first_seen_at TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    )
    """,
    "CREATE INDEX tracks_by_uploader ON tracks (uploader_urn)",
    """
    CREATE TABLE users (
        urn              TEXT PRIMARY KEY,
        provider         TEXT NOT NULL,
        id               TEXT NOT NULL,
        username         TEXT NOT NULL,
        url              TEXT NOT NULL DEFAULT '',
        full_name        TEXT NOT NULL DEFAULT '',
        avatar_url       TEXT,
        followers_count  INTEGER,
        followings_count INTEGER,
        track_count      INTEGER,
        verified         INTEGER NOT NULL DEFAULT 0,
        city             TEXT,
        country          TEXT,
        raw              TEXT NOT NULL DEFAULT '{}',
        updated_at       TEXT NOT NULL
    )
    """,
    # The current verdict per track. history_id points at the judgment_history row that set it
    # and breaks ties between verdicts given in the same millisecond.
    """
    CREATE TABLE judgments (
        urn        TEXT PRIMARY KEY,
        judgment   TEXT NOT NULL,
        origin     TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        history_id INTEGER NOT NULL
    )
    """,
    "CREATE INDEX judgments_by_verdict ON judgments (judgment, decided_at)",
    # Every change, including clearing (judgment NULL). Append-only.
    """
    CREATE TABLE judgment_history (
        id       INTEGER PRIMARY KEY,
        urn      TEXT NOT NULL,
        judgment TEXT,
        origin   TEXT NOT NULL,
        at       TEXT NOT NULL
    )
    """,
    "CREATE INDEX judgment_history_by_track ON judgment_history (urn, id)",
    # actor_urn is '' (not NULL) when there is no actor, so the UNIQUE key de-duplicates
    # chart and search sightings too (NULLs are all distinct in a SQLite UNIQUE index).
    """
    CREATE TABLE provenance (
        id          INTEGER PRIMARY KEY,
        track_urn   TEXT NOT NULL REFERENCES tracks (urn) ON DELETE CASCADE,
        source      TEXT NOT NULL,
        actor_urn   TEXT NOT NULL DEFAULT '',
        action      TEXT NOT NULL,
        at          TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        UNIQUE (track_urn, source, actor_urn, action)
    )
    """,
    "CREATE INDEX provenance_by_actor ON provenance (actor_urn, at)",
    """
    CREATE TABLE sources (
        id         INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,
        target     TEXT NOT NULL,
        title      TEXT NOT NULL DEFAULT '',
        pinned     INTEGER NOT NULL DEFAULT 0,
        cursor     TEXT,
        synced_at  TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (kind, target)
    )
    """,
    # The play queue. Positions are renumbered 0..n-1 by queue operations (the queue is
    # short), so no UNIQUE on position: a renumbering UPDATE would trip it mid-statement.
    """
    CREATE TABLE queue (
        id        INTEGER PRIMARY KEY,
        track_urn TEXT NOT NULL REFERENCES tracks (urn) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        origin    TEXT NOT NULL DEFAULT 'user',
        added_at  TEXT NOT NULL
    )
    """,
    "CREATE INDEX queue_by_position ON queue (position)",
    # Small named values that must survive restarts (e.g. the queue entry being played).
    "CREATE TABLE app_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """
    CREATE TABLE play_history (
        id               INTEGER PRIMARY KEY,
        track_urn        TEXT NOT NULL REFERENCES tracks (urn),
        started_at       TEXT NOT NULL,
        seconds_listened REAL NOT NULL DEFAULT 0,
        preview          INTEGER NOT NULL DEFAULT 0,
        context          TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX play_history_by_time ON play_history (started_at)",
    "CREATE INDEX play_history_by_track ON play_history (track_urn)",
    """
    CREATE TABLE downloads (
        id             INTEGER PRIMARY KEY,
        track_urn      TEXT NOT NULL REFERENCES tracks (urn),
        state          TEXT NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        reason         TEXT,
        protocol       TEXT,
        codec          TEXT,
        preset         TEXT,
        path           TEXT,
        part_path      TEXT,
        bytes_expected INTEGER,
        bytes_done     INTEGER NOT NULL DEFAULT 0,
        attempts       INTEGER NOT NULL DEFAULT 0,
        created_at     TEXT NOT NULL,
        started_at     TEXT,
        finished_at    TEXT
    )
    """,
    "CREATE INDEX downloads_by_state ON downloads (state, created_at)",
    "CREATE INDEX downloads_by_track ON downloads (track_urn)",
    # The per-segment journal (docs/downloads.md §3.4): a restart skips 'done'
    # segments whose .tmp file was renamed into place.
    """
    CREATE TABLE download_segments (
        download_id    INTEGER NOT NULL REFERENCES downloads (id) ON DELETE CASCADE,
        idx            INTEGER NOT NULL,
        url            TEXT NOT NULL,
        bytes_expected INTEGER,
        bytes_done     INTEGER NOT NULL DEFAULT 0,
        state          TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'running', 'done', 'failed')),
        attempts       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (download_id, idx)
    ) WITHOUT ROWID
    """,
    # What is on disk already, so a track is not downloaded twice (yt-dlp's archive idea).
    """
    CREATE TABLE download_archive (
        track_urn     TEXT PRIMARY KEY,
        path          TEXT NOT NULL,
        codec         TEXT,
        bytes         INTEGER,
        download_id   INTEGER REFERENCES downloads (id) ON DELETE SET NULL,
        downloaded_at TEXT NOT NULL
    )
    """,
)

_SEARCH_HISTORY = (
    # A repeated search is deleted and re-inserted, so the newest rowid is the most recent one.
    """
    CREATE TABLE search_history (
        id      INTEGER PRIMARY KEY,
        query   TEXT NOT NULL COLLATE NOCASE,
        kind    TEXT NOT NULL,
        filters TEXT NOT NULL DEFAULT '{}',   -- JSON object, keys sorted
        at      TEXT NOT NULL,
        UNIQUE (query, kind, filters)
    )
    """,
    # The inbox ranks unrated tracks by their newest sighting.
    "CREATE INDEX provenance_by_track ON provenance (track_urn, at)",
)

# Download jobs: one row per track downloaded, its state and progress.
# Persisted jobs need 'paused' and 'skipped' (previews, DRM-only) states, and what a retry
# needs to run the job again (title, folder, template, set placement). SQLite cannot alter a
# CHECK, so `downloads` is rebuilt.
# Its children (segments, archive) are set aside and rebuilt too: with foreign keys on,
# dropping the old parent would cascade-delete the segments and null the archive's links.
_DOWNLOAD_JOBS = (
    """
    CREATE TABLE downloads_v3 (
        id             INTEGER PRIMARY KEY,
        track_urn      TEXT NOT NULL REFERENCES tracks (urn),
        state          TEXT NOT NULL DEFAULT 'queued'
                       CHECK (state IN ('queued', 'running', 'paused', 'done', 'failed',
                                        'cancelled', 'skipped')),
        reason         TEXT,
        protocol       TEXT,
        codec          TEXT,
        preset         TEXT,
        path           TEXT,
        part_path      TEXT,
        bytes_expected INTEGER,
        bytes_done     INTEGER NOT NULL DEFAULT 0,
        attempts       INTEGER NOT NULL DEFAULT 0,
        created_at     TEXT NOT NULL,
        started_at     TEXT,
        finished_at    TEXT,
        title          TEXT NOT NULL DEFAULT '',
        segments_done  INTEGER NOT NULL DEFAULT 0,
        segments_total INTEGER NOT NULL DEFAULT 0,
        updated_at     TEXT,
        directory      TEXT NOT NULL DEFAULT '',
        template       TEXT NOT NULL DEFAULT '',
        playlist       TEXT NOT NULL DEFAULT '',
        set_index      INTEGER NOT NULL DEFAULT 0,
        album          TEXT NOT NULL DEFAULT ''
    )
    """,
    """
    INSERT INTO downloads_v3 (id, track_urn, state, reason, protocol, codec, preset, path,
        part_path, bytes_expected, bytes_done, attempts, created_at, started_at, finished_at,
        updated_at)
    SELECT id, track_urn, state, reason, protocol, codec, preset, path, part_path,
        bytes_expected, bytes_done, attempts, created_at, started_at, finished_at,
        coalesce(finished_at, started_at, created_at)
    FROM downloads
    """,
    "CREATE TABLE download_segments_v2 AS SELECT * FROM download_segments",
    "CREATE TABLE download_archive_v2 AS SELECT * FROM download_archive",
    "DROP TABLE download_segments",
    "DROP TABLE download_archive",
    "DROP TABLE downloads",
    "ALTER TABLE downloads_v3 RENAME TO downloads",
    "CREATE INDEX downloads_by_state ON downloads (state, created_at)",
    "CREATE INDEX downloads_by_track ON downloads (track_urn)",
    """
    CREATE TABLE download_segments (
        download_id    INTEGER NOT NULL REFERENCES downloads (id) ON DELETE CASCADE,
        idx            INTEGER NOT NULL,
        url            TEXT NOT NULL,
        bytes_expected INTEGER,
        bytes_done     INTEGER NOT NULL DEFAULT 0,
        state          TEXT NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'running', 'done', 'failed')),
        attempts       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (download_id, idx)
    ) WITHOUT ROWID
    """,
    "INSERT INTO download_segments SELECT * FROM download_segments_v2",
    """
    CREATE TABLE download_archive (
        track_urn     TEXT PRIMARY KEY,
        path          TEXT NOT NULL,
        codec         TEXT,
        bytes         INTEGER,
        download_id   INTEGER REFERENCES downloads (id) ON DELETE SET NULL,
        downloaded_at TEXT NOT NULL
    )
    """,
    "INSERT INTO download_archive SELECT * FROM download_archive_v2",
    "DROP TABLE download_segments_v2",
    "DROP TABLE download_archive_v2",
)

# Discovery sync (minion_tui/discovery/sync.py): a source is followed apart from being pinned;
# ``cursor`` is its high-water mark, ``walk`` the walk in progress (where to go on after a
# kill, and the mark it moves to when it ends), ``rewalked_at`` its last full walk. A
# provenance row's ``confirmed_at`` is the start of the last full walk that saw it, so the
# walk's end drops the rows of items no longer liked or reposted.
_DISCOVERY_SYNC = (
    "ALTER TABLE sources ADD COLUMN followed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sources ADD COLUMN walk TEXT",
    "ALTER TABLE sources ADD COLUMN rewalked_at TEXT",
    "ALTER TABLE provenance ADD COLUMN confirmed_at TEXT",
    "CREATE INDEX provenance_by_source ON provenance (source, action, confirmed_at)",
)

# Budgets and the outbox (docs/accounts.md §7): one row per request counted against a
# service's published limit (``budget``: "soundcloud:streams"…; ``owner``: the signed-in
# user, or "anonymous"), pruned past its window; and the remote actions (likes) waiting to
# be sent, in order, each with the idempotency key it is sent under.
_BUDGETS_OUTBOX = (
    """
    CREATE TABLE budget_spends (
        budget TEXT NOT NULL,
        owner  TEXT NOT NULL,
        at     REAL NOT NULL
    )
    """,
    "CREATE INDEX budget_spends_by_owner ON budget_spends (budget, owner, at)",
    """
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        provider        TEXT NOT NULL,
        action          TEXT NOT NULL,
        target          TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        state           TEXT NOT NULL DEFAULT 'pending'
                        CHECK (state IN ('pending', 'done', 'failed')),
        created_at      TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        last_attempt_at TEXT,
        done_at         TEXT
    )
    """,
    "CREATE INDEX outbox_by_state ON outbox (state, id)",
)

# Loudness (docs/analysis.md §11): a sound's integrated loudness (LUFS, BS.1770-4) and sample
# peak (linear, 1.0 = full scale), of the whole file; NULL for what was measured from a
# stream's excerpt or before version 9, or silent.
_LOUDNESS = (
    "ALTER TABLE sounds ADD COLUMN loudness_lufs REAL",
    "ALTER TABLE sounds ADD COLUMN peak REAL",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "core tables", _CORE),
    Migration(2, "search history, provenance by track", _SEARCH_HISTORY),
    Migration(3, "download jobs: paused state, retry details", _DOWNLOAD_JOBS),
    Migration(4, "discovery sync: followed sources, walks, confirmed provenance",
              _DISCOVERY_SYNC),
    Migration(5, "download sets: one folder per set", DOWNLOAD_SETS),
    Migration(6, "inbox scores: materialised, rescored where marked", INBOX_SCORES),
    Migration(7, "budgets and the outbox of remote actions", _BUDGETS_OUTBOX),
    Migration(8, "sounds: tempo and key analyses by audio digest and track", SOUNDS),
    Migration(9, "sounds: loudness and peak", _LOUDNESS),
)

SCHEMA_VERSION = MIGRATIONS[-1].version
