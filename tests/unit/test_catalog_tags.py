"""Tags offered under Discover, and pinned sources, through the real store and Service."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from minion_tui.config import Settings
from minion_tui.errors import InvalidArgument
from minion_tui.models import Track
from minion_tui.service import DEFAULT_TAGS, Service
from minion_tui.store import Store
from minion_tui.store.catalog_tags import common_tags


def _track(n: int, genre: str, tags: tuple[str, ...] = ()) -> Track:
    return Track(provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}",
                 url=f"https://soundcloud.com/a/s-{n}", title=f"Song {n}", artist="A",
                 uploader="a", duration_ms=1000, genre=genre, tags=tags)


def test_common_tags_count_each_track_once_per_tag_case_folded(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "m.db")
    try:
        store.upsert_tracks([
            _track(1, "House", ("house", "deep")),  # house counts once for this track
            _track(2, "house", ("Deep",)),
            _track(3, "Techno", ("deep",)),
            _track(4, "", ("ambient", "  ")),
        ])
        assert common_tags(store, 3) == ["deep", "house", "ambient"]
        assert common_tags(store, 10) == ["deep", "house", "ambient", "techno"]
    finally:
        store.close()


def _service(tmp_path: Path) -> Service:
    return Service.open(settings=Settings(path=tmp_path / "config.toml"),
                        data_dir=tmp_path / "data")


def test_discover_tags_are_topped_up_from_the_default_list(tmp_path: Path) -> None:
    async def run() -> tuple[list[str], list[str]]:
        service = _service(tmp_path)
        try:
            empty = await service.library.discover_tags()
            store = await service._core.db()
            await store.call(store.upsert_tracks, [_track(1, "Dub"), _track(2, "dub"),
                                                   _track(3, "House")])
            return empty, await service.library.discover_tags(4)
        finally:
            await service.aclose()

    empty, found = asyncio.run(run())
    assert empty == list(DEFAULT_TAGS)
    assert found == ["dub", "house", "electronic", "techno"]


def test_pin_unpin_and_pin_again_keeps_one_row(tmp_path: Path) -> None:
    async def run() -> tuple[list[str], bool, bool, list[str]]:
        service = _service(tmp_path)
        try:
            pinned = await service.library.pin_source("user_likes", "https://soundcloud.com/dj",
                                              "Likes of dj")
            await service.library.pin_source("tag", "house", "Tag: house")
            first = [s.title for s in await service.library.pinned_sources()]
            removed = await service.library.unpin_source("user_likes", "https://soundcloud.com/dj")
            again = await service.library.unpin_source("user_likes", "https://soundcloud.com/dj")
            await service.library.pin_source("user_likes", "https://soundcloud.com/dj",
                                             "Likes of DJ")
            assert pinned.id is not None
            return first, removed, again, [s.title for s in await service.library.pinned_sources()]
        finally:
            await service.aclose()

    first, removed, again, last = asyncio.run(run())
    assert first == ["Likes of dj", "Tag: house"]
    assert (removed, again) == (True, False)
    assert last == ["Likes of DJ", "Tag: house"]  # the same row, renamed, in its old place
    with sqlite3.connect(tmp_path / "data" / "minion.db") as db:
        assert list(db.execute("SELECT kind, target, pinned FROM sources ORDER BY id")) == [
            ("user_likes", "https://soundcloud.com/dj", 1), ("tag", "house", 1)]


def test_only_known_kinds_can_be_pinned(tmp_path: Path) -> None:
    async def run() -> None:
        service = _service(tmp_path)
        try:
            await service.library.pin_source("ratings", "liked", "My ratings: liked")
        finally:
            await service.aclose()

    with pytest.raises(InvalidArgument, match="cannot be pinned"):
        asyncio.run(run())
