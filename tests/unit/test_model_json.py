"""Each model's JSON form and JSON Schema come from its one declaration (models/json_form.py).

The JSON forms are contracts (every ``--json`` flag prints them), so each is compared with a
literal dict, key order included; the schema must accept the sample and list exactly its keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from minion_tui.models import (
    Availability,
    Comment,
    Counts,
    DownloadEvent,
    DownloadJob,
    Evidence,
    HistoryEntry,
    InboxEntry,
    Judgment,
    NowPlaying,
    Outcome,
    Page,
    PlayerEvent,
    PlayerState,
    Playlist,
    QueueEntry,
    RadioEntry,
    Score,
    ScorePart,
    SearchEntry,
    Source,
    StreamChoice,
    SurfacedBy,
    Toast,
    Track,
    User,
    WaitNotice,
)
from minion_tui.models.json_form import SCHEMA_DIALECT, SKIP, JsonModel, json_opts, json_schema

USER = User("soundcloud", "12", "soundcloud:users:12", "alice", url="https://soundcloud.com/alice",
            full_name="Alice A.", followers_count=3, verified=True, raw={"secret": 1})
USER_JSON = {
    "provider": "soundcloud", "kind": "user", "id": "12", "urn": "soundcloud:users:12",
    "username": "alice", "url": "https://soundcloud.com/alice", "full_name": "Alice A.",
    "avatar_url": None, "followers_count": 3, "followings_count": None, "track_count": None,
    "verified": True, "city": None, "country": None,
}
TRACK = Track("soundcloud", "7", "soundcloud:tracks:7", "https://soundcloud.com/alice/seven",
              "Seven", "Alice", "alice", 187_000, preview_ms=30_000, genre="House",
              tags=("deep", "late night"), created_at="2026-01-27T03:47:23Z",
              counts=Counts(plays=10, likes=2), license="cc-by",
              availability=Availability.PREVIEW, judgment=Judgment.NOT_QUITE,
              uploader_urn="soundcloud:users:12", raw={"id": 7})
TRACK_JSON = {
    "provider": "soundcloud", "kind": "track", "id": "7", "urn": "soundcloud:tracks:7",
    "url": "https://soundcloud.com/alice/seven", "title": "Seven", "artist": "Alice",
    "uploader": "alice", "duration_ms": 187_000, "preview_ms": 30_000, "genre": "House",
    "tags": ["deep", "late night"], "created_at": "2026-01-27T03:47:23Z", "artwork_url": None,
    "counts": {"plays": 10, "likes": 2, "reposts": None, "comments": None},
    "license": "cc-by", "availability": "preview", "downloadable": False, "description": "",
    "judgment": "not_quite", "bpm": None, "key": None, "camelot": None, "service_bpm": None,
    "service_key": None,
}
PLAIN_TRACK = Track("soundcloud", "8", "soundcloud:tracks:8", "u", "T", "A", "a", 1000)
PLAYLIST = Playlist("soundcloud", "3", "soundcloud:playlists:3", "Set", "https://s/set", "alice",
                    1, 187_000, is_album=True, tracks=(TRACK,))
PLAYLIST_JSON = {
    "provider": "soundcloud", "kind": "playlist", "id": "3", "urn": "soundcloud:playlists:3",
    "title": "Set", "url": "https://s/set", "uploader": "alice", "track_count": 1,
    "duration_ms": 187_000, "is_album": True, "artwork_url": None, "created_at": None,
    "tracks": [TRACK_JSON],
}
CHOICE = StreamChoice("hls", "aac", "aac_160k", "https://cdn/x.m3u8", expires_at=1.5e9,
                      track_urn="soundcloud:tracks:7")
CHOICE_JSON = {
    "protocol": "hls", "codec": "aac", "preset": "aac_160k", "url": "https://cdn/x.m3u8",
    "preview": False, "mime_type": "", "expires_at": 1.5e9, "track_urn": "soundcloud:tracks:7",
}
STATE = PlayerState(position=12.34567, duration=187.0, paused=True, idle=False, volume=50.0)
STATE_JSON = {"position": 12.346, "duration": 187.0, "state": "paused"}

SAMPLES: list[tuple[Any, dict[str, Any]]] = [
    (Counts(plays=1, comments=4), {"plays": 1, "likes": None, "reposts": None, "comments": 4}),
    (USER, USER_JSON),
    (TRACK, TRACK_JSON),
    (PLAIN_TRACK, {
        "provider": "soundcloud", "kind": "track", "id": "8", "urn": "soundcloud:tracks:8",
        "url": "u", "title": "T", "artist": "A", "uploader": "a", "duration_ms": 1000,
        "preview_ms": None, "genre": "", "tags": [], "created_at": None, "artwork_url": None,
        "counts": {"plays": None, "likes": None, "reposts": None, "comments": None},
        "license": "", "availability": "full", "downloadable": False, "description": "",
        "judgment": None, "bpm": None, "key": None, "camelot": None, "service_bpm": None,
        "service_key": None}),
    (PLAYLIST, PLAYLIST_JSON),
    (Comment("5", "nice drop", 61_000, "2026-01-28T00:00:00Z", USER), {
        "kind": "comment", "id": "5", "body": "nice drop", "timestamp_ms": 61_000,
        "created_at": "2026-01-28T00:00:00Z", "user": USER_JSON}),
    (CHOICE, CHOICE_JSON),
    (Page([TRACK, USER], next_href="https://next", total=2),
     {"items": [TRACK_JSON, USER_JSON], "next_href": "https://next", "total": 2}),
    (Page(["autocomplete", "text"]), {"items": ["autocomplete", "text"], "next_href": None,
                                      "total": None}),
    (STATE, STATE_JSON),
    (PlayerState(), {"position": 0.0, "duration": None, "state": "idle"}),
    (PlayerEvent("pause", STATE), {"kind": "pause", "state": STATE_JSON}),
    (NowPlaying(TRACK, CHOICE, 9), {"track": TRACK_JSON, "choice": CHOICE_JSON,
                                    "history_id": 9, "queue_entry_id": None}),
    (Toast("Skipped a preview"), {"text": "Skipped a preview"}),
    (QueueEntry(1, "soundcloud:tracks:7", 0), {"id": 1, "track_urn": "soundcloud:tracks:7",
                                               "position": 0, "origin": "user"}),
    (HistoryEntry(4, "soundcloud:tracks:7", "2026-01-28T00:00:00.000Z", 42.5, False, "queue"),
     {"id": 4, "track_urn": "soundcloud:tracks:7", "started_at": "2026-01-28T00:00:00.000Z",
      "seconds_listened": 42.5, "preview": False}),
    (SearchEntry("deep house", "tracks", {"genre": "House"}, "2026-01-28T00:00:00.000Z"),
     {"query": "deep house", "kind": "tracks", "filters": {"genre": "House"},
      "at": "2026-01-28T00:00:00.000Z"}),
    (Source(None, "user_likes", "soundcloud:users:12", pinned=True),
     {"id": None, "kind": "user_likes", "target": "soundcloud:users:12", "title": "",
      "pinned": True, "cursor": None, "synced_at": None}),
    (SurfacedBy("Likes of alice", "soundcloud:users:12:likes", "like", "soundcloud:users:12",
                "2026-01-02T00:00:00Z"),
     {"label": "Likes of alice", "source": "soundcloud:users:12:likes", "action": "like",
      "actor_urn": "soundcloud:users:12", "at": "2026-01-02T00:00:00Z"}),
    (DownloadEvent("bytes", "soundcloud:tracks:7", title="Alice - Seven", bytes_done=10,
                   bytes_total=100, job_id=3, speed=1.5, eta=60.0),
     {"event": "bytes", "track_urn": "soundcloud:tracks:7", "title": "Alice - Seven",
      "path": "", "bytes_done": 10, "bytes_total": 100, "segments_done": 0,
      "segments_total": 0, "reason": "", "type": "", "job_id": 3, "speed": 1.5,
      "eta": 60.0, "converted_from": ""}),
    # download --convert: the done event names the format the file was downloaded in.
    (DownloadEvent("done", "soundcloud:tracks:7", title="Alice - Seven",
                   path="/m/Alice - Seven.mp3", bytes_done=99, bytes_total=99, eta=0.0,
                   reason="converted from m4a to mp3 (MP3 VBR -V 2 (libmp3lame), PyAV)",
                   converted_from="m4a"),
     {"event": "done", "track_urn": "soundcloud:tracks:7", "title": "Alice - Seven",
      "path": "/m/Alice - Seven.mp3", "bytes_done": 99, "bytes_total": 99,
      "segments_done": 0, "segments_total": 0,
      "reason": "converted from m4a to mp3 (MP3 VBR -V 2 (libmp3lame), PyAV)", "type": "",
      "job_id": None, "speed": None, "eta": 0.0, "converted_from": "m4a"}),
    (Outcome("soundcloud:tracks:7", "skipped", reason="preview only"),
     {"track_urn": "soundcloud:tracks:7", "state": "skipped", "path": "",
      "reason": "preview only", "job_id": None}),
    (DownloadJob(3, "soundcloud:tracks:7", "Alice - Seven", "running", "", "/m/seven.m4a", 10,
                 None, 2, 8, "2026-01-28T00:00:00.000Z", "2026-01-28T00:00:01.000Z"),
     {"id": 3, "track_urn": "soundcloud:tracks:7", "title": "Alice - Seven",
      "state": "running", "reason": "", "path": "/m/seven.m4a", "bytes_done": 10,
      "bytes_total": None, "segments_done": 2, "segments_total": 8,
      "created_at": "2026-01-28T00:00:00.000Z", "updated_at": "2026-01-28T00:00:01.000Z"}),
    (WaitNotice("api-v2.soundcloud.com", 2.0, "rate limited (HTTP 429)"),
     {"host": "api-v2.soundcloud.com", "seconds": 2.0, "reason": "rate limited (HTTP 429)"}),
    # An inbox or radio entry is the track's own object with the entry's keys after them.
    (InboxEntry(TRACK, True, (Evidence("soundcloud:users:12:likes", "soundcloud:users:12",
                                       "like", "2026-01-02T00:00:00Z"),),
                Score(0.712345, (ScorePart("soundcloud:users:12", "alice", "like",
                                           "2026-01-02T00:00:00Z", 1.0, 1.0, 0.712345,
                                           0.712345),))),
     {**TRACK_JSON, "playable": True,
      "provenance": [{"source": "soundcloud:users:12:likes", "actor": "soundcloud:users:12",
                      "kind": "like", "at": "2026-01-02T00:00:00Z"}],
      "score": {"total": 0.7123, "parts": [
          {"actor": "soundcloud:users:12", "name": "alice", "kind": "like",
           "at": "2026-01-02T00:00:00Z", "trust": 1.0, "weight": 1.0, "decay": 0.7123,
           "value": 0.7123}]}}),
    (RadioEntry(TRACK, "related", 0.333333), {**TRACK_JSON, "via": "related", "score": 0.3333}),
]
IDS = [f"{type(m).__name__}-{n}" for n, (m, _) in enumerate(SAMPLES)]


@pytest.mark.parametrize(("model", "expected"), SAMPLES, ids=IDS)
def test_json_form_is_exactly_the_contract(model: Any, expected: dict[str, Any]) -> None:
    out = model.to_json()
    assert out == expected
    assert list(out) == list(expected)  # key order is part of the contract
    assert json.loads(json.dumps(out)) == out  # plain JSON values only
    assert model.to_json() == expected  # the compiled form, after the first call


@pytest.mark.parametrize(("model", "expected"), SAMPLES, ids=IDS)
def test_schema_accepts_the_sample_and_lists_its_keys(model: Any,
                                                      expected: dict[str, Any]) -> None:
    schema = json_schema(type(model))
    assert schema["$schema"] == SCHEMA_DIALECT
    assert list(schema["properties"]) == list(expected)
    assert schema["required"] == list(expected)
    assert validate(expected, schema) == []


def test_schema_types_follow_the_declaration() -> None:
    props = json_schema(Track)["properties"]
    assert props["kind"] == {"type": "string", "const": "track"}
    assert props["duration_ms"] == {"type": "integer"}
    assert props["preview_ms"] == {"type": ["integer", "null"]}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["availability"] == {"type": "string", "enum": [a.value for a in Availability]}
    assert props["judgment"] == {"anyOf": [{"type": "string",
                                            "enum": [j.value for j in Judgment]},
                                           {"type": "null"}]}
    assert props["counts"]["properties"]["plays"] == {"type": ["integer", "null"]}
    assert "raw" not in props and "uploader_urn" not in props
    assert json_schema(PlayerState)["properties"]["state"] == {"type": "string"}
    assert json_schema(DownloadEvent)["properties"]["event"] == {"type": "string"}
    assert json_schema(DownloadEvent)["properties"]["converted_from"] == {"type": "string"}
    assert "converted_from" in json_schema(DownloadEvent)["required"]
    assert json_schema(SearchEntry)["properties"]["filters"] == {
        "type": "object", "additionalProperties": {"type": "string"}}
    assert json_schema(Playlist)["properties"]["tracks"]["items"]["title"] == "Track"
    assert json_schema(StreamChoice)["description"].startswith("A playable stream")


def test_a_page_schema_takes_its_item_type() -> None:
    assert json_schema(Page)["properties"]["items"] == {"type": "array", "items": {}}
    items = json_schema(Page[Track])["properties"]["items"]["items"]
    assert items["title"] == "Track"
    page = Page([TRACK], total=1).to_json()
    assert validate(page, json_schema(Page[Track])) == []
    assert validate(Page([USER]).to_json(), json_schema(Page[Track])) != []


def test_the_validator_can_fail() -> None:
    schema = json_schema(Track)
    assert validate({**TRACK_JSON, "duration_ms": "long"}, schema) != []
    assert validate({**TRACK_JSON, "kind": "user"}, schema) != []
    assert validate({**TRACK_JSON, "extra": 1}, schema) != []
    assert validate({k: v for k, v in TRACK_JSON.items() if k != "title"}, schema) != []
    assert validate({**TRACK_JSON, "availability": "maybe"}, schema) != []
    assert validate({**TRACK_JSON, "tags": [1]}, schema) != []


def test_a_new_field_is_written_once() -> None:
    @dataclass(frozen=True, slots=True)
    class Probe(JsonModel):
        name: str
        renamed: int = field(default=1, metadata=json_opts(key="other"))
        hidden: str = field(default="x", metadata=SKIP)
        ratio: float = field(default=0.123456, metadata=json_opts(ndigits=2))
        users: tuple[User, ...] = ()

    probe = Probe("p", users=(USER,))
    assert probe.to_json() == {"name": "p", "other": 1, "ratio": 0.12, "users": [USER_JSON]}
    assert list(json_schema(Probe)["properties"]) == ["name", "other", "ratio", "users"]
    assert validate(probe.to_json(), json_schema(Probe)) == []


_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool,
          "null": type(None), "array": list, "object": dict}


def validate(value: Any, schema: dict[str, Any], at: str = "$") -> list[str]:
    """The problems of ``value`` against the subset of JSON Schema json_schema() writes."""
    problems: list[str] = []
    if "anyOf" in schema:
        if all(validate(value, option, at) for option in schema["anyOf"]):
            problems.append(f"{at}: matches no option")
        return problems
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(isinstance(value, _TYPES[n]) and not (
            n in ("integer", "number") and isinstance(value, bool)) for n in names)
        if not ok:
            return [f"{at}: {value!r} is not {names}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{at}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{at}: {value!r} not in {schema['enum']}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            problems += validate(item, schema["items"], f"{at}[{n}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [f"{at}: missing {k}" for k in schema.get("required", ()) if k not in value]
        for key, item in value.items():
            if key in properties:
                problems += validate(item, properties[key], f"{at}.{key}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{at}: unexpected {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += validate(item, schema["additionalProperties"], f"{at}.{key}")
    return problems
