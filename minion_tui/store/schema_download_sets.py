"""The migration that gives each downloaded set its own folder (downloads/batch.py).

A set's tracks go into a folder named after its title; two different sets of one title (two
people's "Summer Mix") would share it, and their M3U8s, their "01 - …" and the album tags
would mix. ``download_sets`` records which set claimed which folder of a download folder:
the first set of a title gets "Title", the next "Title (2)" and so on, and a set downloaded
again finds its own folder here, across restarts. It also keeps what a resumed job of the
set needs for its tags (the album artist and the number of tracks), so ``job_plan`` can
give them back without a column per field on every job row.
"""

from __future__ import annotations

DOWNLOAD_SETS = (
    """
    CREATE TABLE download_sets (
        directory    TEXT NOT NULL,
        folder       TEXT NOT NULL,
        playlist_urn TEXT NOT NULL,
        title        TEXT NOT NULL,
        album_artist TEXT NOT NULL DEFAULT '',
        track_total  INTEGER NOT NULL DEFAULT 0,
        claimed_at   TEXT NOT NULL,
        PRIMARY KEY (directory, folder),
        UNIQUE (directory, playlist_urn)
    ) WITHOUT ROWID
    """,
)
