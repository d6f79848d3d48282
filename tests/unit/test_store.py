"""The store's public behaviour, on a real SQLite file per test."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from minion_tui.errors import StoreError
from minion_tui.models import Availability, Counts, Judgment, Source, Track, User
from minion_tui.store import Provenance, Store


def track(n: int, **changes: object) -> Track:
    base = Track(
        provider="soundcloud", id=str(n), urn=f"soundcloud:tracks:{n}",
        url=f"https://soundcloud.com/artist-{n % 3}/song-{n}", title=f"Song {n}",
        artist=f"Artist {n % 3}", uploader=f"artist-{n % 3}", duration_ms=180_000 + n,
        preview_ms=30_000 if n % 5 == 0 else None, genre="House", tags=("deep", "late night"),
        created_at="2025-03-01T10:00:00Z", artwork_url=f"https://i1.sndcdn.com/a-{n}-large.jpg",
        counts=Counts(plays=1000 + n, likes=10, reposts=2, comments=1), license="cc-by",
        availability=Availability.PREVIEW if n % 5 == 0 else Availability.FULL,
        downloadable=n % 2 == 0, description=f"Ünïcode description {n}",
        uploader_urn=f"soundcloud:users:{n % 3}",
        raw={"id": n, "title": f"Song {n}", "user": {"id": n % 3}, "media": {"x": [1, 2]}},
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "data" / "minion.db")
    yield s
    s.close()


def test_open_creates_folders_and_sets_the_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "minion.db"
    store = Store.open(path)
    try:
        with store.transaction() as conn:
            pragmas = {p: conn.execute(f"PRAGMA {p}").fetchone()[0]
                       for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
        assert pragmas == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1,
                           "busy_timeout": 5000}
        assert store.path == path and path.is_file()
    finally:
        store.close()


def test_a_track_comes_back_as_it_went_in(store: Store) -> None:
    for n in (1, 5):  # 5 is a preview with preview_ms set
        original = track(n)
        assert store.upsert_tracks([original]) == 1
        back = store.get_track(original.urn)
        assert back == original
        assert back is not None and back.raw == original.raw
    assert store.get_track("soundcloud:tracks:404") is None


def test_an_update_replaces_metadata_but_keeps_what_a_partial_listing_lacks(
    store: Store, tmp_path: Path
) -> None:
    store.upsert_tracks([track(1)])
    partial = track(1, title="Song 1 (Remastered)", counts=Counts(plays=5000), raw={},
                     artwork_url=None, genre="")
    store.upsert_tracks([partial])
    back = store.get_track(partial.urn)
    assert back is not None
    assert (back.title, back.genre) == ("Song 1 (Remastered)", "")
    assert back.counts == Counts(plays=5000, likes=10, reposts=2, comments=1)
    assert back.artwork_url == track(1).artwork_url
    assert back.raw == track(1).raw
    with closing(sqlite3.connect(store.path)) as conn:
        first_seen, updated = conn.execute(
            "SELECT first_seen_at, updated_at FROM tracks").fetchone()
    assert first_seen <= updated


def test_a_batch_that_fails_part_way_writes_nothing(store: Store) -> None:
    broken = track(2, duration_ms=None)  # NOT NULL column
    with pytest.raises(sqlite3.IntegrityError):
        store.upsert_tracks([track(1), broken, track(3)])
    assert store.get_tracks([track(n).urn for n in (1, 2, 3)]) == []


def test_uploaders_are_stored_and_full_users_are_not_blanked_by_tracks(store: Store) -> None:
    store.upsert_tracks([track(1)])
    minimal = store.get_user("soundcloud:users:1")
    assert minimal is not None
    assert (minimal.id, minimal.username, minimal.provider) == ("1", "artist-1", "soundcloud")
    full = User(provider="soundcloud", id="1", urn="soundcloud:users:1", username="artist-1",
                url="https://soundcloud.com/artist-1", full_name="Artist One",
                followers_count=77, verified=True, city="Leeds", raw={"id": 1})
    assert store.upsert_users([full]) == 1
    store.upsert_tracks([track(4, uploader="artist-1-renamed")])  # 4 % 3 == 1
    back = store.get_user("soundcloud:users:1")
    assert back == dataclasses.replace(full, username="artist-1-renamed")
    assert back is not None and back.raw == {"id": 1}


def test_get_tracks_keeps_the_order_and_skips_unknown(store: Store) -> None:
    tracks = [track(n) for n in range(1200)]  # more than one IN (...) chunk
    store.upsert_tracks(tracks)
    wanted = [tracks[7].urn, "soundcloud:tracks:missing", tracks[1100].urn, tracks[3].urn]
    assert [t.urn for t in store.get_tracks(wanted)] == [wanted[0], wanted[2], wanted[3]]
    assert len(store.get_tracks([t.urn for t in reversed(tracks)])) == 1200


def test_judgments_are_set_changed_cleared_and_remembered(store: Store) -> None:
    store.upsert_tracks([track(1), track(2)])
    urn = track(1).urn
    store.set_judgment(urn, Judgment.LIKED)
    store.set_judgment(urn, Judgment.NOT_QUITE, origin="import")
    assert store.judgments([urn, track(2).urn]) == {urn: Judgment.NOT_QUITE}
    got = store.get_track(urn)
    assert got is not None and got.judgment is Judgment.NOT_QUITE
    store.set_judgment(urn, None)
    assert store.judgments([urn]) == {}
    history = store.judgment_history(urn)
    assert [(j, origin) for _, j, origin in history] == [
        (Judgment.LIKED, "user"), (Judgment.NOT_QUITE, "import"), (None, "user")]
    assert [at for at, _, _ in history] == sorted(at for at, _, _ in history)


def test_a_judgment_may_precede_the_track(store: Store) -> None:
    store.set_judgment("soundcloud:tracks:77", Judgment.LIKED)
    assert store.tracks_by_judgment([Judgment.LIKED]) == []  # not stored yet: left out
    store.upsert_tracks([track(77)])
    assert [t.urn for t in store.tracks_by_judgment([Judgment.LIKED])] == [track(77).urn]


def test_tracks_by_judgment_filters_and_puts_the_newest_verdict_first(store: Store) -> None:
    store.upsert_tracks([track(n) for n in range(6)])
    for n, verdict in ((0, Judgment.LIKED), (1, Judgment.NOT_INTERESTED), (2, Judgment.LIKED),
                       (3, Judgment.NOT_QUITE), (4, Judgment.LIKED)):
        store.set_judgment(track(n).urn, verdict)
    store.set_judgment(track(0).urn, Judgment.LIKED)  # re-rated: now the newest

    def ids(judgments: list[Judgment], limit: int | None = None) -> list[str]:
        return [t.id for t in store.tracks_by_judgment(judgments, limit=limit)]

    assert ids([Judgment.LIKED]) == ["0", "4", "2"]
    assert ids([Judgment.LIKED], limit=2) == ["0", "4"]
    assert ids([Judgment.NOT_INTERESTED, Judgment.NOT_QUITE]) == ["3", "1"]
    assert ids([]) == []
    assert {t.judgment for t in store.tracks_by_judgment([Judgment.LIKED])} == {Judgment.LIKED}


def test_searches_are_deduplicated_and_a_repeat_moves_to_the_top(store: Store) -> None:
    store.add_search("daft punk", "tracks", {})
    store.add_search("burial", "tracks", {"genre": "ambient"})
    store.add_search("burial", "tracks", {})
    store.add_search("  Daft   Punk ", "tracks", {})  # same search, other case and spacing
    store.add_search("   ", "tracks", {})  # nothing to remember
    recent = store.recent_searches()
    assert [(e.query, e.kind, dict(e.filters)) for e in recent] == [
        ("Daft Punk", "tracks", {}),
        ("burial", "tracks", {}),
        ("burial", "tracks", {"genre": "ambient"}),
    ]
    assert [e.query for e in store.recent_searches(limit=1)] == ["Daft Punk"]
    store.add_search("daft punk", "users", {})  # another kind is another search
    assert len(store.recent_searches()) == 4


def test_provenance_is_recorded_once_per_sighting(store: Store) -> None:
    store.upsert_tracks([track(1)])
    urn = track(1).urn
    rows = [
        Provenance(urn, "soundcloud:users:12:likes", "soundcloud:users:12", "like",
                   "2026-01-02T00:00:00Z"),
        Provenance(urn, "charts:trending", None, "chart", "2026-01-03T00:00:00Z"),
    ]
    assert store.add_provenance(rows) == 2
    assert store.add_provenance([*rows, dataclasses.replace(rows[1], at="2026-02-01T00:00:00Z")]
                                ) == 0
    assert store.provenance(urn) == [rows[1], rows[0]]
    with pytest.raises(StoreError, match="not stored"):
        store.add_provenance([Provenance("soundcloud:tracks:404", "charts:trending", None,
                                         "chart")])


def test_sources_are_upserted_listed_and_removed(store: Store) -> None:
    likes = Source(None, "user_likes", "soundcloud:users:12", "Likes of DJ Twelve", pinned=True)
    tag = Source(None, "tag", "deep house", "#deep house")
    likes_id = store.upsert_source(likes)
    tag_id = store.upsert_source(tag)
    assert store.upsert_source(dataclasses.replace(likes, title="Likes of DJ 12")) == likes_id
    synced = Source(likes_id, "user_likes", "soundcloud:users:12", "Likes of DJ 12", True,
                    cursor="https://api-v2.soundcloud.com/users/12/likes?offset=abc",
                    synced_at="2026-03-01T00:00:00Z")
    assert store.upsert_source(synced) == likes_id
    assert store.sources() == [synced, dataclasses.replace(tag, id=tag_id)]
    assert store.sources(pinned_only=True) == [synced]
    store.remove_source(likes_id)
    assert [s.id for s in store.sources()] == [tag_id]
    with pytest.raises(StoreError, match="no longer exists"):
        store.upsert_source(synced)


def test_nested_transactions_are_savepoints(store: Store) -> None:
    with store.transaction():
        store.upsert_tracks([track(1)])
        with pytest.raises(sqlite3.IntegrityError), store.transaction():
            store.upsert_tracks([track(2)])
            store.upsert_tracks([track(3, title=None)])
    assert [t.id for t in store.get_tracks([track(n).urn for n in (1, 2, 3)])] == ["1"]
    with pytest.raises(KeyError), store.transaction():
        store.upsert_tracks([track(4)])
        store.set_judgment(track(4).urn, Judgment.LIKED)
        raise KeyError("abandon")
    assert store.get_track(track(4).urn) is None
    assert store.judgment_history(track(4).urn) == []


async def test_writes_run_on_the_store_thread_never_on_the_event_loop(store: Store) -> None:
    with pytest.raises(RuntimeError, match="event loop"):
        store.set_judgment(track(1).urn, Judgment.LIKED)
    assert await store.call(store.upsert_tracks, [track(1)]) == 1
    await store.call(store.set_judgment, track(1).urn, Judgment.LIKED, origin="key")
    thread = await store.call(lambda: threading.current_thread().name)
    assert thread.startswith("minion-store")
    assert thread != threading.current_thread().name
    # reads are allowed anywhere
    assert store.judgments([track(1).urn]) == {track(1).urn: Judgment.LIKED}
    results = await asyncio.gather(*(store.call(store.upsert_tracks, [track(n)])
                                     for n in range(10, 20)))
    assert results == [1] * 10


async def test_a_call_after_close_says_the_store_is_closed(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "minion.db")
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        await store.call(store.recent_searches)


def test_close_checkpoints_the_wal_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "minion.db"
    store = Store.open(path)
    store.upsert_tracks([track(n) for n in range(50)])
    wal = path.with_name("minion.db-wal")
    assert wal.stat().st_size > 0
    store.close()
    assert not wal.exists() or wal.stat().st_size == 0
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM tracks").fetchone()[0] == 50
