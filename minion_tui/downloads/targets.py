"""What a download target names: the tracks to fetch, with the set they belong to.

``expand`` turns each TARGET given to ``minion-tui download`` (a track or set URL or URN, for
now) into :class:`Wanted` items in order, or a :class:`Refused` saying why it cannot be
downloaded. The batch (batch.py) runs the wanted items; a refusal is reported and the batch
goes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from minion_tui.errors import MinionError
from minion_tui.models import Playlist, Track

Resolve = Callable[[str], Awaitable[object]]


@dataclass(frozen=True)
class Wanted:
    """One track to download; ``playlist``/``index`` place it in its set (index from 1)."""

    track: Track
    playlist: Playlist | None = None
    index: int = 0

    @property
    def album(self) -> str:
        """The album tag: the set's title when the set is an album."""
        return self.playlist.title if self.playlist and self.playlist.is_album else ""


@dataclass(frozen=True)
class Refused:
    """A target that names nothing downloadable, and why."""

    target: str
    reason: str


async def expand(resolve: Resolve, targets: Sequence[str]) -> AsyncIterator[Wanted | Refused]:
    """Each target's tracks in order (a set's in its order), or why it was refused."""
    for target in targets:
        try:
            resource = await resolve(target)
        except MinionError as error:
            yield Refused(target, error.text)
            continue
        if isinstance(resource, Track):
            yield Wanted(resource)
        elif isinstance(resource, Playlist):
            for number, track in enumerate(resource.tracks, start=1):
                yield Wanted(track, resource, number)
        else:
            yield Refused(target, f"{target} is not a track or a set.")
