"""Modules a download needs only later, imported on a thread while it waits on the network.

The playlist parser (m3u8) is needed when the playlist's answer arrives and mutagen when the
audio is complete (~11 ms of imports together, measured). Imported on the way to the first
request they would delay it, and imported after the last segment they would delay the finished
file. :func:`start` is called as a download's playlist request goes out: the event loop then
waits for the answer with the GIL released, and a thread imports them in that time.
"""

from __future__ import annotations

import importlib

from minion_tui.background import Ahead

MODULES = ("m3u8", "mutagen.id3", "mutagen.mp4", "mutagen.oggopus", "mutagen.flac")


def _load() -> None:
    for name in MODULES:
        importlib.import_module(name)


imports: Ahead[None] = Ahead(_load, "minion-preload")


def start() -> None:
    """Begin importing :data:`MODULES` on a daemon thread (once per process); returns at
    once. A module the main thread needs meanwhile simply waits for the import in flight."""
    imports.start()
