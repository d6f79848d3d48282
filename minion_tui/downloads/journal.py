"""What a partial download belongs to, so a resume never splices two sources.

The resume journal (``.<name>.parts/``, hls.py) and a progressive ``.part`` are found by the
final file's name, and two different sources can render to one name (two direct URLs ending
in ``index.m3u8``, a track and its other transcoding). So the journal records the identity of
its stream in a ``source`` file, written before the first segment, and a run whose stream has
another identity discards the journal and starts over (docs/downloads.md §3.4):

* a catalog track: its URN plus the transcoding (protocol, preset, MIME type). Re-signing a
  URL changes neither, so a resume after a 403 or a restart still resumes;
* a direct HLS URL: the playlist's URL and a hash of its segment URIs and byte ranges, query
  strings left out on both: a signed CDN URL changes its query on every signing;
* a direct progressive URL: its URL without the query (its validator does the rest,
  progressive.py).

A journal without a ``source`` file (an older version's) cannot be trusted: it starts over.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from minion_tui.downloads.playlist import MediaPlaylist
from minion_tui.models import StreamChoice, Track

SOURCE_FILE = "source"


def without_query(url: str) -> str:
    """``url`` without its query and fragment (a signature changes them, not the stream)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def stream_identity(track: Track, choice: StreamChoice) -> str:
    """A catalog track's stream: its URN plus the transcoding."""
    return json.dumps({"urn": track.urn, "protocol": choice.protocol, "preset": choice.preset,
                       "mime": choice.mime_type, "codec": choice.codec}, sort_keys=True)


def playlist_identity(url: str, playlist: MediaPlaylist) -> str:
    """A direct HLS URL: the playlist URL and its segments (URIs and byte ranges), without
    query strings."""
    digest = hashlib.sha256()
    for segment in ([playlist.init] if playlist.init else []) + list(playlist.segments):
        digest.update(f"{segment.index} {without_query(segment.url)} "
                      f"{segment.byterange}\n".encode())
    return json.dumps({"playlist": without_query(url), "segments": digest.hexdigest()},
                      sort_keys=True)


def open_journal(work: Path, part: Path, identity: str) -> bool:
    """Make ``work`` the journal of ``identity``: one of another source (or of none known)
    is removed with the ``.part`` beside it. True when a journal was discarded."""
    marker = work / SOURCE_FILE
    discarded = False
    if work.exists():
        try:
            recorded: str | None = marker.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            recorded = None
        if recorded == identity:
            return False
        if work.is_dir():
            shutil.rmtree(work)
        else:
            work.unlink()
        discarded = True
    if discarded or part.exists():
        part.unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(SOURCE_FILE + ".tmp")
    tmp.write_text(identity, encoding="utf-8")
    os.replace(tmp, marker)
    return discarded


def drop_if_unused(work: Path) -> None:
    """Remove a journal that holds nothing to resume from (its source note at most): a
    download that failed before a segment landed leaves no folder behind."""
    try:
        names = {p.name for p in work.iterdir()}
    except OSError:  # absent
        return
    if names <= {SOURCE_FILE, SOURCE_FILE + ".tmp"}:
        for name in names:
            (work / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            work.rmdir()
