"""What the details panel asks of the service, against the emulator over real HTTP: artwork
bytes (cached on disk), comments, and provenance recorded with the tracks it came with."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from minion_tui import config
from minion_tui.config import Settings
from minion_tui.emulator.server import RunningEmulator
from minion_tui.models import Comment, Page, Track, User
from minion_tui.service import Service

IMAGE_HOST = "i1.sndcdn.com"


@pytest.fixture
async def service(emulator: RunningEmulator, tmp_path: Path) -> AsyncIterator[Service]:
    svc = Service.open(settings=Settings(path=tmp_path / "config.toml"),
                       data_dir=tmp_path / "data", endpoints=emulator.endpoints)
    yield svc
    await svc.aclose()


def _image_requests(service: Service) -> int:
    return service._core.http.stats.by_host.get(IMAGE_HOST, 0)  # keyed by the real host


async def _track(service: Service, emulator: RunningEmulator) -> Track:
    track = await service.catalog.resolve(emulator.examples["track_full"])
    assert isinstance(track, Track)
    return track


async def test_artwork_is_fetched_once_decodable_and_cached(
    service: Service, emulator: RunningEmulator, tmp_path: Path
) -> None:
    track = await _track(service, emulator)
    url = service.catalog.artwork_url(track, "small")
    assert url is not None and url.startswith("https://i1.sndcdn.com/artworks-")
    assert url.endswith("-t300x300.jpg")

    before = _image_requests(service)
    data = await service.catalog.artwork(url)
    assert _image_requests(service) == before + 1
    picture = Image.open(io.BytesIO(data))
    assert picture.format == "JPEG" and picture.size == (300, 300)
    cached = config.cache_dir() / "artwork" / hashlib.sha256(url.encode()).hexdigest()
    assert cached.read_bytes() == data
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]  # no temp file left

    assert await service.catalog.artwork(url) == data
    assert _image_requests(service) == before + 1  # the second call made no request

    # A new session (a restart) reads the disk cache too.
    again = Service.open(settings=service.settings, data_dir=tmp_path / "data")
    try:
        assert await again.catalog.artwork(url) == data
        assert again._core.http.stats.requests == 0
    finally:
        await again.aclose()


async def test_artwork_sizes_and_the_uploaders_avatar_as_fallback(
    service: Service, emulator: RunningEmulator
) -> None:
    track = await _track(service, emulator)
    large = service.catalog.artwork_url(track, "large")
    assert large is not None and large.endswith("-t500x500.jpg")
    assert Image.open(io.BytesIO(await service.catalog.artwork(large))).size == (500, 500)

    bare = dataclasses.replace(track, artwork_url=None)
    avatar = service.catalog.artwork_url(bare)
    assert avatar is not None and "/avatars-" in avatar and avatar.endswith("-t300x300.jpg")
    assert Image.open(io.BytesIO(await service.catalog.artwork(avatar))).size == (300, 300)

    nothing = dataclasses.replace(track, artwork_url=None, raw={})
    assert service.catalog.artwork_url(nothing) is None


async def test_track_comments_carry_their_time_in_the_track(
    service: Service, emulator: RunningEmulator
) -> None:
    track = await _track(service, emulator)
    comments = await service.catalog.comments(track, limit=5)
    assert 0 < len(comments) <= 5
    assert all(isinstance(c, Comment) and c.body and c.user.username for c in comments)
    timed = [c.timestamp_ms for c in comments if c.timestamp_ms is not None]
    assert timed and all(0 <= ms <= track.duration_ms for ms in timed)


def _provenance_rows(data_dir: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(data_dir / "minion.db") as db:
        return list(db.execute(
            "SELECT track_urn, source, actor_urn, action FROM provenance ORDER BY id"))


async def test_browsing_a_users_likes_records_who_surfaced_each_track(
    service: Service, emulator: RunningEmulator, tmp_path: Path
) -> None:
    user = await service.catalog.resolve(emulator.examples["user"])
    assert isinstance(user, User)
    liked: list[Track] = []
    async for page in service.catalog.browse("likes", emulator.examples["user"], limit=8):
        liked += [t for t in page.items if isinstance(t, Track)]
    assert liked

    rows = _provenance_rows(tmp_path / "data")
    source = f"{user.urn}:likes"
    assert rows == [(t.urn, source, user.urn, "like") for t in liked]

    first = liked[0]
    assert [s.label for s in await service.library.provenance(first.urn)] == [
        f"Likes of {user.username}"]

    # Seen again in a search: newest first, each source once.
    await _drain(service.catalog.search(first.title, limit=50))
    labels = [s.label for s in await service.library.provenance(first.urn)]
    assert labels == [f"Search: {first.title}", f"Likes of {user.username}"]
    recorded = len(_provenance_rows(tmp_path / "data"))
    await _drain(service.catalog.browse("likes", emulator.examples["user"], limit=8))
    assert len(_provenance_rows(tmp_path / "data")) == recorded  # a sighting is kept once


async def test_charts_and_tags_are_named_as_the_browse_pane_names_them(
    service: Service, emulator: RunningEmulator
) -> None:
    charted = [t for p in await _drain(service.catalog.browse("trending",
                                                              limit=3)) for t in p.items]
    assert [s.label for s in await service.library.provenance(charted[0].urn)] == ["Trending"]
    tagged = [t for p in await _drain(service.catalog.browse("tag", "#house", limit=3))
              for t in p.items]
    assert "Tag: house" in [s.label for s in await service.library.provenance(tagged[0].urn)]


async def _drain(pages: AsyncIterator[Page[Any]]) -> list[Page[Any]]:
    return [page async for page in pages]


async def test_related_tracks_name_the_track_they_are_related_to(
    service: Service, emulator: RunningEmulator
) -> None:
    track = await _track(service, emulator)
    related: list[Track] = []
    async for page in service.catalog.browse("related", emulator.examples["track_full"], limit=3):
        related += [t for t in page.items if isinstance(t, Track)]
    assert related
    labels = [s.label for s in await service.library.provenance(related[0].urn)]
    assert f"Related to {track.title}" in labels
