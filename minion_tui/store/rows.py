"""Tracks and users to and from table rows: the SQL and the tuple layouts, in one place.

Upserts are ``INSERT ... ON CONFLICT (urn) DO UPDATE``: a newer sighting of a track replaces
its metadata, except that fields a partial listing may lack (counts, the uploader's URN,
artwork, the creation date, the raw JSON) keep their stored values instead of being blanked.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

import orjson

from minion_tui.models import Availability, Counts, Judgment, Track, User

# Compact and C-accelerated; raw JSON is the bulk of every track row, so this is the main
# cost of an upsert (bench/store_upsert.py measures it).
_json_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                                check_circular=False).encode


def _encode(value: Any) -> str:
    """Compact JSON of a track's tags and raw object, through orjson (the standard encoder
    was a third of a sync's store thread, bench/discovery.py); what orjson refuses (integers
    past 64 bits, keys that are not strings) through ``json``. NaN is written as null (valid
    JSON, which the standard encoder's NaN is not)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return _json_encode(value)

TRACK_COLUMNS = (
    "urn", "provider", "id", "url", "title", "artist", "uploader", "uploader_urn",
    "duration_ms", "preview_ms", "genre", "tags", "created_at", "artwork_url", "plays",
    "likes", "reposts", "comments", "license", "availability", "downloadable", "description",
    "raw",
)
# Kept on conflict when the new value is NULL (a listing that did not carry the field).
_TRACK_KEEP_IF_NULL = {"uploader_urn", "created_at", "artwork_url", "plays", "likes",
                       "reposts", "comments"}


def _updates(table: str, columns: tuple[str, ...], keep_if_null: set[str]) -> str:
    """The SET list of an upsert: a listing that lacks a field (NULL, or raw '{}') must not
    blank what an earlier, fuller response stored."""
    sets = []
    for col in columns[1:]:
        if col in keep_if_null:
            sets.append(f"{col} = coalesce(excluded.{col}, {table}.{col})")
        elif col == "raw":
            sets.append(f"raw = CASE excluded.raw WHEN '{{}}' THEN {table}.raw "
                        "ELSE excluded.raw END")
        else:
            sets.append(f"{col} = excluded.{col}")
    sets.append("updated_at = excluded.updated_at")
    return ",\n    ".join(sets)


UPSERT_TRACK = (
    f"INSERT INTO tracks ({', '.join(TRACK_COLUMNS)}, first_seen_at, updated_at)\n"
    f"VALUES ({', '.join('?' * (len(TRACK_COLUMNS) + 2))})\n"
    f"ON CONFLICT (urn) DO UPDATE SET\n    {_updates('tracks', TRACK_COLUMNS, _TRACK_KEEP_IF_NULL)}"
)

#: The uploader of a track, as far as a track tells: enough for "tracks by this artist" and
#: for provenance actors; a full ``upsert_users`` later fills in the rest.
UPSERT_UPLOADER = (
    "INSERT INTO users (urn, provider, id, username, url, updated_at) VALUES (?, ?, ?, ?, ?, ?)\n"
    "ON CONFLICT (urn) DO UPDATE SET\n"
    "    username = CASE WHEN excluded.username <> '' THEN excluded.username ELSE username END,\n"
    "    url = CASE WHEN excluded.url <> '' THEN excluded.url ELSE url END\n"
    "WHERE excluded.username <> '' OR excluded.url <> ''"
)

SELECT_TRACK = (
    "SELECT " + ", ".join(f"t.{c}" for c in TRACK_COLUMNS) + ", j.judgment, u.url, "
    "s.bpm, s.key, s.camelot\n"
    "FROM tracks AS t LEFT JOIN judgments AS j ON j.urn = t.urn\n"
    # The uploader's page, kept with the user (the track row has only their URN).
    "LEFT JOIN users AS u ON u.urn = t.uploader_urn\n"
    # What the analysis measured (store/sounds.py).
    "LEFT JOIN track_sounds AS ts ON ts.urn = t.urn LEFT JOIN sounds AS s ON s.digest = ts.digest"
)


def track_row(track: Track, now: str) -> tuple[Any, ...]:
    c = track.counts
    return (
        track.urn, track.provider, track.id, track.url, track.title, track.artist,
        track.uploader, track.uploader_urn, track.duration_ms, track.preview_ms, track.genre,
        _encode(list(track.tags)), track.created_at, track.artwork_url, c.plays, c.likes,
        c.reposts, c.comments, track.license, track.availability.value,
        int(track.downloadable), track.description, _encode(track.raw) if track.raw else "{}",
        now, now,
    )


def uploader_row(track: Track, now: str) -> tuple[Any, ...] | None:
    if not track.uploader_urn:
        return None
    # URNs are "<provider>:<kind>:<id>" for every provider we speak to.
    user_id = track.uploader_urn.rsplit(":", 1)[-1]
    return (track.uploader_urn, track.provider, user_id, track.uploader, track.uploader_url,
            now)


def track_from_row(row: Sequence[Any]) -> Track:
    (urn, provider, id_, url, title, artist, uploader, uploader_urn, duration_ms, preview_ms,
     genre, tags, created_at, artwork_url, plays, likes, reposts, comments, license_,
     availability, downloadable, description, raw, judgment, uploader_url, bpm, key,
     camelot) = row
    return Track(
        provider=provider, id=id_, urn=urn, url=url, title=title, artist=artist,
        uploader=uploader, duration_ms=duration_ms, preview_ms=preview_ms, genre=genre,
        tags=tuple(json.loads(tags)), created_at=created_at, artwork_url=artwork_url,
        counts=Counts(plays=plays, likes=likes, reposts=reposts, comments=comments),
        license=license_, availability=_availability(availability),
        downloadable=bool(downloadable), description=description,
        judgment=Judgment(judgment) if judgment else None, uploader_urn=uploader_urn,
        uploader_url=uploader_url or "", raw=json.loads(raw), bpm=bpm, key=key,
        camelot=camelot,
    )


def _availability(value: str) -> Availability:
    try:
        return Availability(value)
    except ValueError:  # written by a newer version that knows more states
        return Availability.UNAVAILABLE


USER_COLUMNS = (
    "urn", "provider", "id", "username", "url", "full_name", "avatar_url", "followers_count",
    "followings_count", "track_count", "verified", "city", "country", "raw",
)
_USER_KEEP_IF_NULL = {"avatar_url", "followers_count", "followings_count", "track_count",
                      "city", "country"}



UPSERT_USER = (
    f"INSERT INTO users ({', '.join(USER_COLUMNS)}, updated_at)\n"
    f"VALUES ({', '.join('?' * (len(USER_COLUMNS) + 1))})\n"
    f"ON CONFLICT (urn) DO UPDATE SET\n    {_updates('users', USER_COLUMNS, _USER_KEEP_IF_NULL)}"
)

SELECT_USER = "SELECT " + ", ".join(USER_COLUMNS) + " FROM users"


def user_row(user: User, now: str) -> tuple[Any, ...]:
    return (
        user.urn, user.provider, user.id, user.username, user.url, user.full_name,
        user.avatar_url, user.followers_count, user.followings_count, user.track_count,
        int(user.verified), user.city, user.country, _encode(user.raw) if user.raw else "{}",
        now,
    )


def user_from_row(row: sqlite3.Row | Sequence[Any]) -> User:
    (urn, provider, id_, username, url, full_name, avatar_url, followers, followings,
     track_count, verified, city, country, raw) = row
    return User(
        provider=provider, id=id_, urn=urn, username=username, url=url, full_name=full_name,
        avatar_url=avatar_url, followers_count=followers, followings_count=followings,
        track_count=track_count, verified=bool(verified), city=city, country=country,
        raw=json.loads(raw),
    )
