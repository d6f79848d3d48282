"""api-v2 JSON → models. The ONLY module that reads SoundCloud JSON (STYLE.md).

Every field may be missing, null or of the wrong type (recorded shapes vary by endpoint and
year, docs/soundcloud.md §2); nothing here raises except :class:`MalformedResponse` when a resource
has no usable id at all. Field names and rules cite the protocol doc.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from minion_tui.errors import NetworkError
from minion_tui.models import Availability, Comment, Counts, Playlist, Track, User

PROVIDER = "soundcloud"
_TAGS_RE = re.compile(r'"([^"]+)"|([^ ]+)')  # yt-dlp _TAGS_RE (docs/soundcloud.md §2.1 tag_list)
# yt-dlp _IMAGE_REPL_RE (docs/soundcloud.md §2.1)
_IMAGE_SIZE_RE = re.compile(r"-[0-9a-z]+\.(jpg|png)$")
_ID_RE = re.compile(r"\d+")
_URN_ID_RE = re.compile(r"soundcloud:[a-z-]+:(\d+)$")
_OFFICIAL_DATE = "%Y/%m/%d %H:%M:%S %z"  # api.soundcloud.com dates (docs/soundcloud.md §5)
_STUB_KEYS = frozenset({"id", "kind", "monetization_model", "policy"})


class MalformedResponse(NetworkError):
    """SoundCloud answered with JSON we cannot use at all (no id, not an object...)."""


@dataclass(frozen=True, slots=True)
class Transcoding:
    """One entry of ``media.transcodings`` (docs/soundcloud.md §2.2)."""

    url: str
    preset: str
    protocol: str
    mime_type: str
    snipped: bool
    legacy: bool
    quality: str
    duration: int | None

    @property
    def encrypted(self) -> bool:
        return "encrypted" in self.protocol

    @property
    def codec(self) -> str:
        for codec in ("aac", "mp3", "opus"):
            if self.preset.startswith(codec):
                return codec
        mime = self.mime_type.lower()
        if "mp4a" in mime or "mp4" in mime:
            return "aac"
        if "mpeg" in mime and "mpegurl" not in mime:
            return "mp3"
        return "opus" if "opus" in mime else ""


# -- accessors that never raise ---------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 2**62:
        return int(value)
    return None


def _tempo(value: Any) -> float | None:
    """SoundCloud's ``bpm`` (a number, often null or 0: not given)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value), 1) if 0 < value < 1000 else None


def _bool(value: Any) -> bool:
    return value is True


def _id(data: Mapping[str, Any], what: str) -> str:
    """ids as strings (they exceed 2^31, docs/soundcloud.md §2.1); the URN is the fallback
    source."""
    raw = data.get("id")
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return str(raw)
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    urn = _str(data.get("urn")) or ""
    match = _URN_ID_RE.search(urn)
    if match:
        return match.group(1)
    raise MalformedResponse(
        f"SoundCloud sent a {what} without an id.",
        hint="The service may have changed its format; try again later or report it.",
    )


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MalformedResponse(
            f"SoundCloud sent {type(data).__name__} where a {what} object was expected.",
            hint="The service may have changed its format; try again later or report it.",
        )
    return data


def iso_date(value: Any) -> str | None:
    """ISO-8601 UTC ``YYYY-MM-DDTHH:MM:SSZ`` from api-v2 (kept, millis dropped) or the official
    API's ``2019/01/15 15:40:49 +0000`` form."""
    text = _str(value)
    if not text:
        return None
    for parse in (_parse_iso, _parse_official):
        parsed = parse(text)
        if parsed is not None:
            return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return text


def _parse_iso(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_official(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _OFFICIAL_DATE)
    except ValueError:
        return None


def tags(tag_list: Any) -> tuple[str, ...]:
    """``deadmau5 "raise your weapon" remix`` → ("deadmau5", "raise your weapon", "remix")."""
    text = _str(tag_list)
    if not text:
        return ()
    found: list[str] = []
    for quoted, bare in _TAGS_RE.findall(text):
        tag = (quoted or bare).strip()
        if tag and tag not in found:
            found.append(tag)
    return tuple(found)


def large_image(url: Any) -> str | None:
    """The 500×500 variant of an artwork/avatar URL (docs/soundcloud.md §2.1 size convention);
    SoundCloud's default avatar placeholder counts as no image."""
    text = _str(url)
    if not text or "default_avatar" in text:
        return None
    return _IMAGE_SIZE_RE.sub("-t500x500.jpg", text) if _IMAGE_SIZE_RE.search(text) else text


# -- transcodings and availability ------------------------------------------------------------


def transcodings(track: Mapping[str, Any]) -> list[Transcoding]:
    found: list[Transcoding] = []
    entries = _dict(track.get("media")).get("transcodings")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not _str(entry.get("url")):
            continue
        fmt = _dict(entry.get("format"))
        found.append(Transcoding(
            url=str(entry["url"]),
            preset=_str(entry.get("preset")) or "",
            protocol=_str(fmt.get("protocol")) or "",
            mime_type=_str(fmt.get("mime_type")) or "",
            snipped=_bool(entry.get("snipped")) or "/preview/" in str(entry["url"]),
            legacy=_bool(entry.get("is_legacy_transcoding")),
            quality=_str(entry.get("quality")) or "",
            duration=_int(entry.get("duration")),
        ))
    return found


def is_clear(t: Transcoding) -> bool:
    """A transcoding we may play: not encrypted, not the broken abr master
    (docs/soundcloud.md §2.2, §3.1)."""
    return t.protocol in ("hls", "progressive") and not t.preset.startswith("abr")


def availability(track: Mapping[str, Any]) -> Availability:
    """Doc §2.1/§2.2: BLOCK ⇒ blocked; SNIP or only snipped streams ⇒ preview; some
    ``*-encrypted-hls`` and every clear one legacy ⇒ DRM-only (NOTES-ES ``isDrmOnly``)."""
    policy = (_str(track.get("policy")) or "").upper()
    if policy == "BLOCK":
        return Availability.BLOCKED
    media = track.get("media")
    if not isinstance(media, dict) or not isinstance(media.get("transcodings"), list):
        # Partial objects (stubs, some lists) carry no media: judge by the policy alone.
        return Availability.PREVIEW if policy == "SNIP" else Availability.FULL
    found = transcodings(track)
    clear = [t for t in found if is_clear(t)]
    if any(t.encrypted for t in found) and all(t.legacy for t in clear):
        return Availability.DRM
    if not clear:
        return Availability.UNAVAILABLE
    if policy == "SNIP" or all(t.snipped for t in clear):
        return Availability.PREVIEW
    return Availability.FULL


# -- resources --------------------------------------------------------------------------------


def is_stub(data: Any) -> bool:
    """Playlist entries beyond the first five are ``{id, kind, monetization_model, policy}``
    (docs/soundcloud.md §2.4); any track object without a title key needs hydrating."""
    return isinstance(data, dict) and (set(data) <= _STUB_KEYS or "title" not in data)


def user(data: Any) -> User:
    d = _object(data, "user")
    uid = _id(d, "user")
    return User(
        provider=PROVIDER,
        id=uid,
        urn=_str(d.get("urn")) or f"soundcloud:users:{uid}",
        username=_str(d.get("username")) or _str(d.get("permalink")) or "",
        url=_str(d.get("permalink_url")) or "",
        full_name=_str(d.get("full_name")) or "",
        avatar_url=large_image(d.get("avatar_url")),
        followers_count=_int(d.get("followers_count")),
        followings_count=_int(d.get("followings_count")),
        track_count=_int(d.get("track_count")),
        verified=_bool(d.get("verified")),
        city=_str(d.get("city")) or None,
        country=_str(d.get("country_code")) or _str(d.get("country")) or None,
        raw=d,
    )


def track(data: Any) -> Track:
    d = _object(data, "track")
    tid = _id(d, "track")
    uploader = _dict(d.get("user"))
    username = _str(uploader.get("username")) or ""
    publisher = _dict(d.get("publisher_metadata"))
    state = availability(d)
    duration = _int(d.get("duration"))
    full = _int(d.get("full_duration"))
    preview = state is Availability.PREVIEW
    user_id = _id(uploader, "user") if _has_id(uploader) else _id_or_none(d.get("user_id"))
    return Track(
        provider=PROVIDER,
        id=tid,
        urn=_str(d.get("urn")) or f"soundcloud:tracks:{tid}",
        url=_str(d.get("permalink_url")) or "",
        title=_str(d.get("title")) or "",
        artist=(_str(publisher.get("artist")) or "").strip() or username,
        uploader=username,
        # SNIP tracks report the 30 s snippet in `duration`, the real length in `full_duration`.
        duration_ms=max(0, (full if preview and full else duration) or full or 0),
        preview_ms=(duration or 30000) if preview else None,
        genre=_str(d.get("genre")) or "",
        tags=tags(d.get("tag_list")),
        created_at=iso_date(d.get("created_at")) or iso_date(d.get("display_date")),
        artwork_url=large_image(d.get("artwork_url")) or large_image(uploader.get("avatar_url")),
        counts=Counts(
            plays=_int(d.get("playback_count")),
            likes=_int(d.get("likes_count")) if "likes_count" in d
            else _int(d.get("favoritings_count")),
            reposts=_int(d.get("reposts_count")),
            comments=_int(d.get("comment_count")),
        ),
        license=_str(d.get("license")) or "",
        availability=state,
        downloadable=_bool(d.get("downloadable")) and d.get("has_downloads_left") is not False,
        description=_str(d.get("description")) or "",
        service_bpm=_tempo(d.get("bpm")),
        service_key=(_str(d.get("key_signature")) or "").strip()[:40] or None,
        uploader_urn=_str(uploader.get("urn"))
        or (f"soundcloud:users:{user_id}" if user_id else None),
        uploader_url=_str(uploader.get("permalink_url")) or "",
        raw=d,
    )


def playlist(data: Any, hydrated: list[Track] | None = None) -> Playlist:
    """A set; ``hydrated`` replaces its ``tracks`` (stubs already filled in by the client)."""
    d = _object(data, "playlist")
    pid = _id(d, "playlist")
    items = hydrated if hydrated is not None else [
        t for t in (_track_or_none(x) for x in _list(d.get("tracks")) if not is_stub(x)) if t
    ]
    set_type = (_str(d.get("set_type")) or "").lower()
    kind = _str(d.get("kind")) or "playlist"
    default_urn = f"soundcloud:{'system-playlists' if kind == 'system-playlist' else 'playlists'}"
    track_count = _int(d.get("track_count"))
    duration = _int(d.get("duration"))
    return Playlist(
        provider=PROVIDER,
        id=pid,
        urn=_str(d.get("urn")) or f"{default_urn}:{pid}",
        title=_str(d.get("title")) or "",
        url=_str(d.get("permalink_url")) or "",
        uploader=_str(_dict(d.get("user")).get("username")) or "",
        track_count=track_count if track_count is not None else len(_list(d.get("tracks"))),
        duration_ms=duration if duration is not None else sum(t.duration_ms for t in items),
        is_album=_bool(d.get("is_album")) or set_type in ("album", "ep", "single", "compilation"),
        artwork_url=large_image(d.get("artwork_url"))
        or next((t.artwork_url for t in items if t.artwork_url), None),
        created_at=iso_date(d.get("created_at")) or iso_date(d.get("published_at")),
        tracks=tuple(items),
        raw=d,
    )


def track_id(data: Any) -> str:
    """A track's id alone: parsing the whole track (its transcodings, availability…) only to
    read the id doubled the CPU of a discovery sync, which is CPU-bound (bench/discovery.py)."""
    return _id(_object(data, "track"), "track")


def playlist_track_ids(data: Any) -> list[str]:
    """Every track id of a set, in order, full objects and stubs alike."""
    ids: list[str] = []
    for item in _list(_dict(data).get("tracks")):
        if isinstance(item, dict) and _has_id(item):
            ids.append(_id(item, "track"))
    return ids


def comment(data: Any) -> Comment:
    d = _object(data, "comment")
    author = d.get("user")
    if isinstance(author, dict) and _has_id(author):
        who = user(author)
    else:
        uid = _id_or_none(d.get("user_id")) or "0"
        who = User(provider=PROVIDER, id=uid, urn=f"soundcloud:users:{uid}", username="")
    return Comment(
        id=_id(d, "comment"),
        body=_str(d.get("body")) or "",
        timestamp_ms=_int(d.get("timestamp")),
        created_at=iso_date(d.get("created_at")),
        user=who,
    )


def resource(data: Any) -> Track | Playlist | User:
    """A top-level resource by its ``kind`` (``/resolve``, ``/tracks/{id}``...)."""
    d = _object(data, "resource")
    kind = _str(d.get("kind")) or ""
    if kind == "track":
        return track(d)
    if kind in ("playlist", "system-playlist"):
        return playlist(d)
    if kind == "user":
        return user(d)
    raise MalformedResponse(
        f"SoundCloud resolved this to a {kind or 'resource without a kind'}, which the app "
        "cannot show.", hint="Pass the link of a track, a set/album or a profile.")


def item(entry: Any) -> tuple[str, dict[str, Any]] | None:
    """The resource inside a collection item, with its kind (``track``, ``playlist``, ``user``,
    ``comment``, or ``""`` when the item carries an id but no kind): the item itself, or the
    object under ``track``/``playlist`` (likes, reposts, stream, charts, history;
    docs/soundcloud.md §2.5) or ``user``. A stream item's own ``user`` is the poster, so
    ``track``/``playlist`` win."""
    if not isinstance(entry, dict):
        return None
    kind = _str(entry.get("kind")) or ""
    if kind in ("track", "user", "comment"):
        return kind, entry
    if kind in ("playlist", "system-playlist"):
        return "playlist", entry
    for key in ("track", "playlist", "user"):
        inner = entry.get(key)
        if isinstance(inner, dict):
            inner_kind = _str(inner.get("kind")) or key
            return ("playlist" if inner_kind == "system-playlist" else inner_kind), inner
    return ("", entry) if _has_id(entry) and not kind else None


def envelope(data: Any) -> tuple[list[Any], str | None, int | None]:
    """A collection page → (items, next_href, total). ``/tracks?ids=`` answers a bare array;
    ``next_href`` may be absent, null or empty on the last page (docs/soundcloud.md §1.5)."""
    if isinstance(data, list):
        return data, None, None
    d = _dict(data)
    items = _list(d.get("collection"))
    next_href = _str(d.get("next_href"))
    total = _int(d.get("total_results"))
    return items, (next_href.strip() or None) if next_href else None, total


def signed_url(data: Any) -> str | None:
    """The media endpoint's answer ``{"url": "<signed CDN URL>"}`` (docs/soundcloud.md §3.1)."""
    url = _str(_dict(data).get("url"))
    return url if url and url.startswith(("http://", "https://")) else None


def track_authorization(track_data: Mapping[str, Any]) -> str | None:
    return _str(track_data.get("track_authorization")) or None


def secret_token(data: Mapping[str, Any]) -> str | None:
    return _str(data.get("secret_token")) or None


def suggestions(data: Any) -> list[str]:
    """``/search/queries`` → ``collection:[{output, query}]`` (docs/soundcloud.md §1.3)."""
    found: list[str] = []
    for item in _list(_dict(data).get("collection")):
        entry = _dict(item)
        text = _str(entry.get("output")) or _str(entry.get("query"))
        if text and text not in found:
            found.append(text)
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _has_id(data: Mapping[str, Any]) -> bool:
    raw = data.get("id")
    return (isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0) or (
        isinstance(raw, str) and bool(raw.strip())
    )


def _id_or_none(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and _ID_RE.fullmatch(value):
        return value
    return None


def _track_or_none(data: Any) -> Track | None:
    try:
        return track(data)
    except MalformedResponse:
        return None
