"""The emulator's example tracks, resolved through the real catalog, for tests that start
from a known track (``emulator.examples`` names them: "track_full", "track_long", …)."""

from __future__ import annotations

from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Track
from minion_tui.service import Service


async def resolve_examples(service: Service, emulator: RunningEmulator,
                           *names: str) -> list[Track]:
    """The tracks of ``names``, in order; each must resolve to a track."""
    found: list[Track] = []
    for name in names:
        track = await service.catalog.resolve(emulator.examples[name])
        assert isinstance(track, Track), (name, track)
        found.append(track)
    return found
