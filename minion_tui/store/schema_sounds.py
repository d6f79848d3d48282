"""The migration that keeps each audio analysis (analysis/, service/analysis.py).

An analysis belongs to the audio, not to a file or a track: ``sounds`` is keyed by the
digest of the audio's packets (analysis/decode.py), so the same audio under another name or
with new tags is not measured again; ``track_sounds`` says which track's audio it is, so a
track analysed from its stream is known again when its download finishes (and the other way
round). No foreign key to ``tracks``: a file analysed from the command line may belong to no
stored track. ``runs`` counts the measurements written for a digest (1 unless the method
changed), ``descriptor`` is the similarity descriptor as a JSON list.
"""

from __future__ import annotations

SOUNDS = (
    """
    CREATE TABLE sounds (
        digest           TEXT PRIMARY KEY,
        bpm              REAL,
        bpm_confidence   REAL NOT NULL DEFAULT 0,
        key              TEXT,
        camelot          TEXT,
        key_confidence   REAL NOT NULL DEFAULT 0,
        tuning_cents     REAL NOT NULL DEFAULT 0,
        seconds_analysed REAL NOT NULL DEFAULT 0,
        duration         REAL NOT NULL DEFAULT 0,
        descriptor       TEXT NOT NULL DEFAULT '[]',
        method           INTEGER NOT NULL,
        runs             INTEGER NOT NULL DEFAULT 1,
        analysed_at      TEXT NOT NULL
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE track_sounds (
        urn    TEXT PRIMARY KEY,
        digest TEXT NOT NULL REFERENCES sounds (digest) ON DELETE CASCADE
    ) WITHOUT ROWID
    """,
    "CREATE INDEX track_sounds_by_digest ON track_sounds (digest)",
)
