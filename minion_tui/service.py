"""The one façade: every user action of the TUI, the CLI and (later) the agent interface is a
method of :class:`Service`. It owns the configuration, the HTTP client, the store and the
providers (actions/core.py); the actions of each domain live beside it, one module each:

* reading and rating — ``resolve``, ``stream``, ``search``, ``autocomplete``, ``browse``,
  ``rate`` (actions/core.py);
* the library Browse shows — ``my_ratings``, ``playlist_tracks``, ``discover_tags``,
  ``recent_searches``, ``pinned_sources``, ``pin_source``, ``unpin_source``, ``artwork``,
  ``track_comments``, ``provenance`` (actions/library.py);
* listening — ``play``, ``pause``, ``seek``, volume, the queue, the history, ``waveform``
  (actions/listening.py);
* downloads — ``download``, ``download_jobs``, ``pause_download``, ``cancel_download``,
  ``retry_download``, ``resume_downloads``, ``on_download_event`` (actions/downloads.py).

Nothing here imports Textual or Rich (ARCHITECTURE.md rule 1; a test checks it in a fresh
interpreter), and heavy modules are created on first use so `minion-tui --help` and the TUI's
first frame stay fast.
"""

from __future__ import annotations

from minion_tui.actions.core import (
    DB_FILENAME,
    SEARCH_KINDS,
    TRACK_LISTINGS,
    USER_LISTINGS,
    Resource,
)
from minion_tui.actions.downloads import DownloadActions
from minion_tui.actions.library import LibraryActions
from minion_tui.actions.listening import ListeningActions
from minion_tui.models import Comment


class Service(LibraryActions, ListeningActions, DownloadActions):
    """Everything the app can do, behind one object.

    Create it with :meth:`open`; close it with :meth:`aclose`. The HTTP client, the store and
    the providers are created lazily on first use.
    """


__all__ = ["DB_FILENAME", "SEARCH_KINDS", "TRACK_LISTINGS", "USER_LISTINGS", "Comment",
           "Resource", "Service"]
