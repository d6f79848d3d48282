"""The service methods behind the Browse pane: a playlist's tracks and the user's ratings."""

from __future__ import annotations

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import InvalidArgument
from minion_tui.models import Judgment, Playlist
from minion_tui.service import Service


async def test_playlist_tracks_are_stored_and_rated_ones_listed_newest_first(
    service: Service, emulator: RunningEmulator
) -> None:
    playlist = await service.catalog.resolve(emulator.examples["set_large"])
    assert isinstance(playlist, Playlist)
    tracks = await service.catalog.playlist_tracks(emulator.examples["set_large"])
    assert [t.urn for t in tracks] == [t.urn for t in playlist.tracks]
    assert len(tracks) >= 3

    first, second, third = tracks[:3]
    await service.library.rate(first.urn, Judgment.LIKED)
    await service.library.rate(second.urn, Judgment.NOT_QUITE)
    await service.library.rate(third.urn, Judgment.LIKED)
    liked = await service.library.my_ratings([Judgment.LIKED])
    assert [t.urn for t in liked] == [third.urn, first.urn]
    both = await service.library.my_ratings([Judgment.LIKED, Judgment.NOT_QUITE], limit=2)
    assert [t.urn for t in both] == [third.urn, second.urn]
    assert all(t.judgment is not None for t in both)

    again = await service.catalog.playlist_tracks(emulator.examples["set_large"])
    assert again[0].judgment is Judgment.LIKED  # judgments joined in


async def test_playlist_tracks_of_a_track_url_says_what_to_pass(
    service: Service, emulator: RunningEmulator
) -> None:
    with pytest.raises(InvalidArgument, match="not a playlist"):
        await service.catalog.playlist_tracks(emulator.examples["track_full"])
