"""Evidence for the inbox and the radio, written through the real store API the way sync and
browsing write it: tracks, the artists who acted, and provenance rows (actor, kind, when)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from minion_tui.config import Settings
from minion_tui.models import Availability, Track, User
from minion_tui.service import Service
from minion_tui.store import source_sync
from minion_tui.store.records import Provenance

#: The moment every test measures ages from (so decay is the same on every run).
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def iso(days_ago: float) -> str:
    moment = NOW - timedelta(days=days_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def artist(n: int) -> User:
    return User("soundcloud", str(n), f"soundcloud:users:{n}", f"artist{n}",
                url=f"https://soundcloud.com/artist{n}")


def track(n: int, uploader: int = 900, *, availability: Availability = Availability.FULL,
          genre: str = "house", duration_ms: int = 300_000, days_old: float = 30.0,
          tags: tuple[str, ...] = ()) -> Track:
    return Track("soundcloud", str(n), f"soundcloud:tracks:{n}",
                 f"https://soundcloud.com/uploader{uploader}/track-{n}", f"Track {n}",
                 f"Uploader {uploader}", f"uploader{uploader}", duration_ms,
                 preview_ms=30_000 if availability is Availability.PREVIEW else None,
                 genre=genre, tags=tags, created_at=iso(days_old)[:19] + "Z",
                 availability=availability, uploader_urn=f"soundcloud:users:{uploader}")


class Evidence:
    """Writes tracks and who liked or reposted them, on the store's own thread."""

    def __init__(self, service: Service) -> None:
        self.service = service

    async def add(self, t: Track, *actors: int, kind: str = "like",
                  days_ago: float = 1.0, follow: bool = True) -> None:
        """``follow``: the actors' listing (or the chart) is followed too, as the inbox
        counts evidence of followed sources only."""
        store = await self.service._core.db()
        users = [artist(a) for a in actors]
        listing = {"like": "likes", "repost": "reposts"}.get(kind, kind)
        rows = [Provenance(t.urn, f"{u.urn}:{listing}", u.urn, kind, iso(days_ago))
                for u in users]
        sources = [(f"user_{listing}", u.urn, u.username) for u in users]
        if not actors:  # a chart or a related list: no actor
            name = "charts:trending" if kind == "chart" else f"charts:{kind}"
            rows = [Provenance(t.urn, name, None, kind, iso(days_ago))]
            sources = [("trending", "trending", "Trending")] if kind == "chart" else []

        def write() -> None:
            with store.transaction():
                store.upsert_tracks([t])
                store.upsert_users(users)
                store.add_provenance(rows)
                if follow and sources:
                    source_sync.follow(store, sources)

        await store.call(write)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    svc = Service.open(settings=Settings(path=tmp_path / "config.toml"),
                       data_dir=tmp_path / "data")
    yield svc
    await svc.aclose()


@pytest.fixture
def evidence(service: Service) -> Evidence:
    return Evidence(service)
