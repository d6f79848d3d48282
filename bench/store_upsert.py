"""Upserting 10,000 tracks must be one transaction and take < 0.5 s (the store issue).

Times ``Store.upsert_tracks`` on a fresh database and again as an update of the same rows,
next to two naive peers in the same run (one INSERT + COMMIT per row: with our pragmas, and
with SQLite's defaults, i.e. a rollback journal and synchronous=FULL), plus the cost of
``json.dumps`` of the raw dicts alone and of reading the 10,000 tracks back.
Prints figures and PASS/FAIL against the target; writes bench/results/store_upsert.json.
Always exits 0: this is a measurement, not a test.

    .venv/bin/python bench/store_upsert.py [--tracks 10000]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from minion_tui.models import Availability, Counts, Track
from minion_tui.store import Store
from minion_tui.store import rows as store_rows

TARGET_S = 0.5
RESULTS = Path(__file__).resolve().parent / "results" / "store_upsert.json"
WORDS = ("deep", "night", "drive", "echo", "velvet", "sunrise", "bassline", "dub", "tape",
         "neon", "river", "ghost", "garden", "static", "orbit", "mirror", "heat", "lull")


def raw_track(n: int, rnd: random.Random) -> dict[str, Any]:
    """A track dict shaped like SoundCloud api-v2 JSON (docs/soundcloud.md §2.1)."""
    user_id = 1000 + n % 700
    title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 5))).title()
    created = f"20{rnd.randint(15, 26)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}T" \
              f"{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00Z"
    tid = 2_000_000_000 + n
    media = "https://api-v2.soundcloud.com/media/soundcloud:tracks:%d/%s/stream/%s"
    uuid = f"{rnd.getrandbits(128):032x}"
    return {
        "artwork_url": f"https://i1.sndcdn.com/artworks-{uuid[:12]}-large.jpg",
        "caption": None, "commentable": True, "comment_count": rnd.randint(0, 500),
        "created_at": created,
        "description": " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(5, 60))),
        "downloadable": rnd.random() < 0.1, "download_count": 0,
        "duration": rnd.randint(90_000, 600_000), "full_duration": 0,
        "embeddable_by": "all", "genre": rnd.choice(("House", "Techno", "Ambient", "Dance & EDM")),
        "has_downloads_left": True, "id": tid, "kind": "track", "label_name": None,
        "last_modified": created, "license": "all-rights-reserved",
        "likes_count": rnd.randint(0, 90_000), "permalink": title.lower().replace(" ", "-"),
        "permalink_url": f"https://soundcloud.com/user-{user_id}/{title.lower().replace(' ', '-')}",
        "playback_count": rnd.randint(0, 5_000_000), "public": True,
        "publisher_metadata": {"id": tid, "urn": f"soundcloud:tracks:{tid}",
                               "contains_music": True},
        "purchase_title": None, "purchase_url": None, "release_date": None,
        "reposts_count": rnd.randint(0, 3000), "secret_token": None, "sharing": "public",
        "state": "finished", "streamable": True,
        "tag_list": " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(0, 6))),
        "title": title, "uri": f"https://api.soundcloud.com/tracks/soundcloud%3Atracks%3A{tid}",
        "urn": f"soundcloud:tracks:{tid}", "user_id": user_id, "visuals": None,
        "waveform_url": f"https://wave.sndcdn.com/{uuid[:12]}_m.json", "display_date": created,
        "media": {"transcodings": [
            {"url": media % (tid, uuid, "hls"), "preset": "aac_160k", "duration": 200000,
             "snipped": False, "format": {"protocol": "hls",
                                          "mime_type": 'audio/mp4; codecs="mp4a.40.2"'},
             "quality": "sq", "is_legacy_transcoding": False},
            {"url": media % (tid, uuid, "progressive"), "preset": "mp3_0_0", "duration": 200000,
             "snipped": False, "format": {"protocol": "progressive", "mime_type": "audio/mpeg"},
             "quality": "sq", "is_legacy_transcoding": True},
        ]},
        "station_urn": f"soundcloud:system-playlists:track-stations:{tid}",
        "station_permalink": f"track-stations:{tid}",
        "track_authorization": "eyJhbGciOiJIUzI1NiJ9." + uuid * 3,
        "monetization_model": "AD_SUPPORTED", "policy": "MONETIZE",
        "user": {"avatar_url": f"https://i1.sndcdn.com/avatars-{uuid[:10]}-large.jpg",
                 "first_name": "", "followers_count": rnd.randint(0, 100_000), "full_name": "",
                 "id": user_id, "kind": "user", "last_modified": created,
                 "permalink": f"user-{user_id}",
                 "permalink_url": f"https://soundcloud.com/user-{user_id}",
                 "uri": f"https://api.soundcloud.com/users/{user_id}",
                 "urn": f"soundcloud:users:{user_id}", "username": f"Artist {user_id}",
                 "verified": False, "city": "Berlin", "country_code": "DE"},
    }


def make_tracks(count: int, seed: int = 7) -> list[Track]:
    rnd = random.Random(seed)
    tracks = []
    for n in range(count):
        raw = raw_track(n, rnd)
        tracks.append(Track(
            provider="soundcloud", id=str(raw["id"]), urn=raw["urn"], url=raw["permalink_url"],
            title=raw["title"], artist=raw["user"]["username"], uploader=raw["user"]["username"],
            duration_ms=raw["duration"], genre=raw["genre"],
            tags=tuple(raw["tag_list"].split()), created_at=raw["created_at"],
            artwork_url=raw["artwork_url"],
            counts=Counts(raw["playback_count"], raw["likes_count"], raw["reposts_count"],
                          raw["comment_count"]),
            license=raw["license"], availability=Availability.FULL,
            downloadable=raw["downloadable"], description=raw["description"],
            uploader_urn=raw["user"]["urn"], raw=raw,
        ))
    return tracks


def timed(fn: Any, *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def naive_per_row(path: Path, tracks: list[Track], *, our_pragmas: bool) -> float:
    """The peer: one INSERT and one COMMIT per track, the way a first draft often does it."""
    conn = sqlite3.connect(path)
    if our_pragmas:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    for statement in _schema_statements():
        conn.execute(statement)
    conn.commit()
    start = time.perf_counter()
    for track in tracks:
        conn.execute(store_rows.UPSERT_TRACK, store_rows.track_row(track, "2026-01-01T00:00:00Z"))
        conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _schema_statements() -> list[str]:
    from minion_tui.store.schema import MIGRATIONS

    return [s for m in MIGRATIONS for s in m.steps if isinstance(s, str)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tracks", type=int, default=10_000)
    args = parser.parse_args()
    count = args.tracks
    tracks = make_tracks(count)
    raw_bytes = sum(len(json.dumps(t.raw)) for t in tracks) / count
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        encode_s = timed(lambda: [store_rows.track_row(t, "x") for t in tracks])
        store = Store.open(tmpdir / "minion.db")
        try:
            fresh_s = timed(store.upsert_tracks, tracks)
            update_s = timed(store.upsert_tracks, tracks)
            start = time.perf_counter()
            stored = len(store.get_tracks([t.urn for t in tracks]))
            read_s = time.perf_counter() - start
        finally:
            store.close()
        sample_wal = min(count, 1000)
        sample_default = min(count, 200)  # an fsync per row: slow, so a smaller sample
        naive_wal_s = naive_per_row(tmpdir / "naive-wal.db", tracks[:sample_wal],
                                    our_pragmas=True) * count / sample_wal
        naive_default_s = naive_per_row(tmpdir / "naive-default.db", tracks[:sample_default],
                                        our_pragmas=False) * count / sample_default

    def verdict(seconds: float) -> str:
        return "PASS" if seconds < TARGET_S else "FAIL"

    print(f"tracks: {count}, raw JSON {raw_bytes / 1024:.1f} KiB/track avg, stored {stored}")
    print(f"target: < {TARGET_S:.2f} s for {count} tracks in one transaction")
    print(f"  upsert, fresh DB              {fresh_s:7.3f} s  {verdict(fresh_s)}")
    print(f"  upsert, update of same rows   {update_s:7.3f} s  {verdict(update_s)}")
    print(f"  of which row encoding (json)  {encode_s:7.3f} s")
    print(f"  read back (get_tracks)        {read_s:7.3f} s")
    print(f"peer: one INSERT + COMMIT per row (extrapolated to {count})")
    print(f"  WAL + synchronous=NORMAL      {naive_wal_s:7.3f} s  (sample {sample_wal})"
          f"  x{naive_wal_s / fresh_s:.1f} slower")
    print(f"  SQLite defaults (fsync/row)   {naive_default_s:7.3f} s  (sample {sample_default})"
          f"  x{naive_default_s / fresh_s:.1f} slower")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "tracks": count, "raw_bytes_avg": round(raw_bytes), "target_s": TARGET_S,
        "upsert_fresh_s": fresh_s, "upsert_update_s": update_s, "row_encoding_s": encode_s,
        "read_back_s": read_s, "naive_wal_per_row_s": naive_wal_s,
        "naive_default_per_row_s": naive_default_s,
        "pass": fresh_s < TARGET_S and update_s < TARGET_S,
        "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
        "machine": platform.machine(),
    }, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
