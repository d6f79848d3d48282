"""Migration 6: the inbox's materialised scores (discovery/rank.py ``refresh``).

The inbox ranks every unrated track with evidence; scoring them all per query took ~300 ms
over 50,000 tracks. The age decay factors out of the sum: 2^(−(now−t)/h) = 2^(−(now−e)/h) ·
2^((t−e)/h) for any fixed epoch e, so Σ trust · weight · 2^((t−e)/h) per track (``scaled``)
orders the tracks as their scores at any "now" do, and an index on it gives the top of the
inbox without scoring the rest. rank.py rebuilds the table when the settings change or
"now" drifts far from the epoch (float range), and otherwise rescores only what changed.

What changed is recorded by the triggers below, which only *mark*: new provenance rows are
found by id above ``seen_id`` (so a 40,000-row merge pays no trigger per row); a deleted row
lowers ``seen_id`` (its id may be reused) and marks its track; a judgment marks its track
(it leaves or returns, and the trust of everyone who surfaced it moves); a follow or
unfollow marks the source; an availability change marks the track (playable ones first).
"""

from __future__ import annotations

_WHO = "CASE WHEN OLD.actor_urn <> '' THEN OLD.actor_urn ELSE OLD.action END"


def _marks(trigger: str, table: str, rows: str) -> str:
    """A trigger that only marks what changed: ``trigger`` is its name and when it fires,
    ``rows`` the VALUES it puts into the dirty ``table`` (once each)."""
    return f"""
    CREATE TRIGGER {trigger} BEGIN
        INSERT INTO {table} VALUES {rows}
            ON CONFLICT DO NOTHING;
    END
    """


INBOX_SCORES = (
    """
    CREATE TABLE inbox_scores (
        track_urn TEXT PRIMARY KEY,
        scaled    REAL NOT NULL,
        newest    TEXT NOT NULL,
        playable  INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    "CREATE INDEX inbox_scores_by_rank ON inbox_scores (playable DESC, scaled DESC, track_urn)",
    "CREATE INDEX inbox_scores_by_newest ON inbox_scores (newest)",
    """
    CREATE TABLE inbox_score_state (
        id       INTEGER PRIMARY KEY CHECK (id = 1),
        basis    TEXT NOT NULL,
        epoch_jd REAL NOT NULL,
        seen_id  INTEGER NOT NULL
    )
    """,
    # Each surfacer's judged counts (rank.py _JUDGED), from which trust is computed.
    "CREATE TABLE inbox_trust (who TEXT PRIMARY KEY, pos REAL NOT NULL, neg REAL NOT NULL)"
    " WITHOUT ROWID",
    "CREATE TABLE inbox_dirty_tracks (urn TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE inbox_dirty_judged (urn TEXT PRIMARY KEY) WITHOUT ROWID",
    "CREATE TABLE inbox_dirty_whos (who TEXT PRIMARY KEY) WITHOUT ROWID",
    """
    CREATE TABLE inbox_dirty_sources (kind TEXT NOT NULL, target TEXT NOT NULL,
                                      PRIMARY KEY (kind, target)) WITHOUT ROWID
    """,
    f"""
    CREATE TRIGGER inbox_provenance_deleted AFTER DELETE ON provenance BEGIN
        INSERT INTO inbox_dirty_tracks VALUES (OLD.track_urn)
            ON CONFLICT DO NOTHING;
        INSERT INTO inbox_dirty_whos SELECT {_WHO}
            WHERE EXISTS (SELECT 1 FROM judgments WHERE urn = OLD.track_urn)
            ON CONFLICT DO NOTHING;
        -- Its track and judged surfacer are marked above; only an id a later insert may
        -- reuse (ids above what is left, no AUTOINCREMENT) must count as unseen again. Not
        -- OLD.id - 1: a full re-walk deletes old rows and every row after them was re-read.
        UPDATE inbox_score_state
            SET seen_id = min(seen_id, (SELECT coalesce(max(id), 0) FROM provenance));
    END
    """,
    f"""
    CREATE TRIGGER inbox_provenance_changed
    AFTER UPDATE OF track_urn, source, actor_urn, action, at ON provenance BEGIN
        INSERT INTO inbox_dirty_tracks VALUES (OLD.track_urn), (NEW.track_urn)
            ON CONFLICT DO NOTHING;
        INSERT INTO inbox_dirty_whos SELECT {_WHO}
            WHERE EXISTS (SELECT 1 FROM judgments WHERE urn IN (OLD.track_urn, NEW.track_urn))
            ON CONFLICT DO NOTHING;
        UPDATE inbox_score_state SET seen_id = min(seen_id, NEW.id - 1);
    END
    """,
    _marks("inbox_judgment_added AFTER INSERT ON judgments", "inbox_dirty_judged",
           "(NEW.urn)"),
    _marks("inbox_judgment_changed AFTER UPDATE OF urn, judgment ON judgments",
           "inbox_dirty_judged", "(OLD.urn), (NEW.urn)"),
    _marks("inbox_judgment_removed AFTER DELETE ON judgments", "inbox_dirty_judged",
           "(OLD.urn)"),
    _marks("inbox_availability_changed AFTER UPDATE OF availability ON tracks\n"
           "    WHEN OLD.availability IS NOT NEW.availability", "inbox_dirty_tracks",
           "(NEW.urn)"),
    _marks("inbox_source_added AFTER INSERT ON sources WHEN NEW.followed",
           "inbox_dirty_sources", "(NEW.kind, NEW.target)"),
    _marks("inbox_source_changed AFTER UPDATE OF followed, kind, target ON sources\n"
           "    WHEN OLD.followed IS NOT NEW.followed OR OLD.kind IS NOT NEW.kind\n"
           "         OR OLD.target IS NOT NEW.target", "inbox_dirty_sources",
           "(OLD.kind, OLD.target),\n" + " " * 56 + "(NEW.kind, NEW.target)"),
    _marks("inbox_source_removed AFTER DELETE ON sources WHEN OLD.followed",
           "inbox_dirty_sources", "(OLD.kind, OLD.target)"),
)

# The triggers insert with an UPSERT clause, not INSERT OR IGNORE: an outer statement's own
# conflict policy (a judgment's ON CONFLICT DO UPDATE) would override OR IGNORE inside.
