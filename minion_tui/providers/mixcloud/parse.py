"""Mixcloud JSON → models. The ONLY module that reads Mixcloud's JSON (REST and GraphQL).

Real answers vary by endpoint and year (docs/mixcloud.md §2, §7): every field may be missing,
null or of another type; nothing here raises except :class:`MalformedResponse` for a resource
with no usable key at all.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from minion_tui.errors import NetworkError
from minion_tui.models import Availability, Comment, Counts, Playlist, Section, Tag, Track, User
from minion_tui.providers.mixcloud import urls

PROVIDER = "mixcloud"
#: yt-dlp's ``_DECRYPTION_KEY`` (docs/mixcloud.md §4.4).
XOR_KEY = b"IFYOUWANTTHEARTISTSTOGETPAIDDONOTDOWNLOADFROMMIXCLOUD"
#: Picture keys and their widths (docs/mixcloud.md §2.7); other ``NNNwxNNNh`` keys are read.
PICTURE_SIZES = {"small": 25, "thumbnail": 50, "medium_mobile": 80, "medium": 100,
                 "large": 300, "320wx320h": 320, "extra_large": 600, "640wx640h": 640,
                 "768wx768h": 768, "1024wx1024h": 1024}
_SIZE_KEY = re.compile(r"(\d+)wx(\d+)h")
_MAX_SECONDS = 10**9  # longer than any show: a hostile number, not a length


class MalformedResponse(NetworkError):
    """Mixcloud answered with JSON we cannot use at all (no key, not an object)."""


# -- accessors that never raise ---------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 2**62 else None
    if isinstance(value, float) and value == value and abs(value) < 2**62:
        return int(value)
    return None


def _seconds_ms(value: Any) -> int | None:
    """Seconds (int or float) → milliseconds; None for anything negative or absurd."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    if value < 0 or value > _MAX_SECONDS:
        return None
    return round(value * 1000)


def iso_date(value: Any) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC, seconds) from Mixcloud's ISO-8601 dates (``Z`` or an
    offset, docs/mixcloud.md §2.1); None when it does not parse."""
    text = _str(value)
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def largest_picture(pictures: Any) -> str | None:
    """The widest http(s) URL of a ``pictures`` object (docs/mixcloud.md §2.7)."""
    best: tuple[int, str] | None = None
    for key, url in _dict(pictures).items():
        link = _str(url)
        if not link.startswith(("http://", "https://")):
            continue
        size = PICTURE_SIZES.get(key)
        match = _SIZE_KEY.fullmatch(str(key)) if size is None else None
        width = size if size is not None else (int(match.group(1)) if match else 0)
        if best is None or width > best[0]:
            best = (width, link)
    return best[1] if best else None


def picture(pictures: Any, at_least: int) -> str | None:
    """The smallest picture at least ``at_least`` pixels wide, else the largest."""
    found = sorted((PICTURE_SIZES[k], _str(v)) for k, v in _dict(pictures).items()
                   if k in PICTURE_SIZES and _str(v).startswith(("http://", "https://")))
    wide = [url for width, url in found if width >= at_least]
    return wide[0] if wide else (found[-1][1] if found else largest_picture(pictures))


def _key(data: Mapping[str, Any], what: str) -> str:
    """The resource's key as an id (``USER/SLUG``): from ``key``, else the ``url``'s path."""
    key = _str(data.get("key"))
    if not key:
        url = _str(data.get("url"))
        try:
            key = urlsplit(url).path if url else ""
        except ValueError:
            key = ""
    found = urls.key_id(key)
    if not found:
        raise MalformedResponse(f"Mixcloud sent a {what} without a key.",
                                hint="The service may have changed its format; try again "
                                "later or report it.")
    return found


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise MalformedResponse(
            f"Mixcloud sent {type(data).__name__} where a {what} object was expected.",
            hint="The service may have changed its format; try again later or report it.")
    return data


def _web_url(data: Mapping[str, Any], key: str) -> str:
    """The www.mixcloud.com URL: the answer's own when it is one, else built from the key
    (an object's site URL is its key on www, docs/mixcloud.md §1.1)."""
    url = _str(data.get("url"))
    if url.startswith(urls.WEB + "/"):
        return url
    raw_key = _str(data.get("key"))
    if raw_key.startswith("/") and " " not in raw_key:
        return urls.WEB + "/" + raw_key.strip("/") + "/"
    return urls.WEB + "/" + "/".join(quote(p, safe="") for p in key.split("/")) + "/"


# -- resources --------------------------------------------------------------------------------


def user(data: Any) -> User:
    """A user (list item or full, docs/mixcloud.md §2.2)."""
    d = _object(data, "user")
    username = _str(d.get("username"))
    key = username or _key(d, "user")
    key = key.split("/")[0]
    return User(
        provider=PROVIDER,
        id=key,
        urn=f"mixcloud:users:{key}",
        username=username or key,
        url=_web_url(d, key),
        full_name=_str(d.get("name")),
        avatar_url=largest_picture(d.get("pictures")),
        followers_count=_int(d.get("follower_count")),
        followings_count=_int(d.get("following_count")),
        track_count=_int(d.get("cloudcast_count")),
        verified=d.get("is_pro") is True,
        city=_str(d.get("city")) or None,
        country=_str(d.get("country")) or None,
        raw=d,
    )


def tag_names(tags: Any) -> tuple[str, ...]:
    """``[{name: "Electronica", …}]`` → ("Electronica",), each once, in order."""
    found: list[str] = []
    for entry in _list(tags):
        name = _str(entry.get("name")) if isinstance(entry, dict) else _str(entry)
        if name and name not in found:
            found.append(name)
    return tuple(found)


def track(data: Any) -> Track:
    """A cloudcast (list item or full, docs/mixcloud.md §2.1) per the contract of issue 16."""
    d = _object(data, "cloudcast")
    key = _key(d, "cloudcast")
    owner = _dict(d.get("user"))
    owner_name = _str(owner.get("username")) or key.split("/")[0]
    display = _str(owner.get("name")) or owner_name
    return Track(
        provider=PROVIDER,
        id=key,
        urn=f"mixcloud:cloudcasts:{key}",
        url=_web_url(d, key),
        title=_str(d.get("name")),
        artist=display,
        uploader=display,
        duration_ms=_seconds_ms(d.get("audio_length")) or 0,
        tags=tag_names(d.get("tags")),
        created_at=iso_date(d.get("created_time")),
        artwork_url=largest_picture(d.get("pictures")),
        counts=Counts(plays=_int(d.get("play_count")), likes=_int(d.get("favorite_count")),
                      reposts=_int(d.get("repost_count")),
                      comments=_int(d.get("comment_count"))),
        availability=Availability.EXCLUSIVE if d.get("is_exclusive") is True
        else Availability.FULL,
        description=_str(d.get("description")),
        uploader_urn=f"mixcloud:users:{owner_name}",
        uploader_url=_str(owner.get("url")) or f"{urls.WEB}/{owner_name}/",
        raw=d,
    )


def comment(data: Any) -> Comment:
    """``{comment, submit_date, user, key, url, type: "comment"}`` (docs/mixcloud.md §2.4)."""
    d = _object(data, "comment")
    author = d.get("user")
    try:
        who = user(author)
    except MalformedResponse:
        who = User(provider=PROVIDER, id="", urn="mixcloud:users:", username="")
    try:
        cid = _key(d, "comment")
    except MalformedResponse:
        cid = f"{who.id}@{_str(d.get('submit_date'))}"
    return Comment(id=cid, body=_str(d.get("comment")), timestamp_ms=None,
                   created_at=iso_date(d.get("submit_date")), user=who)


def tag(data: Any) -> Tag:
    """``{key: "/discover/funk/", url, name, type: "tag"}`` (docs/mixcloud.md §2.3)."""
    d = _object(data, "tag")
    path = urls.key_id(_str(d.get("key")) or _path(_str(d.get("url"))))
    slug = path.split("/")[-1] if path else ""
    name = _str(d.get("name")) or slug
    if not slug and not name:
        raise MalformedResponse("Mixcloud sent a tag without a key or a name.")
    return Tag(provider=PROVIDER, name=name, slug=slug or name,
               url=_str(d.get("url")) or (f"{urls.WEB}/discover/{slug}/" if slug else ""))


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def playlist(data: Any, tracks: list[Track] | None = None) -> Playlist:
    """A playlist list item ``{key, url, name, slug, owner}`` (docs/mixcloud.md §2.5)."""
    d = _object(data, "playlist")
    key = _key(d, "playlist")
    parts = key.split("/")
    owner = _dict(d.get("owner"))
    items = tuple(tracks or ())
    slug = _str(d.get("slug")) or parts[-1]
    user_name = _str(owner.get("username")) or parts[0]
    return Playlist(
        provider=PROVIDER, id=key, urn=f"mixcloud:playlists:{user_name}/{slug}",
        title=_str(d.get("name")) or slug, url=_web_url(d, key),
        uploader=_str(owner.get("name")) or user_name,
        track_count=len(items) if tracks is not None else (_int(d.get("cloudcast_count")) or 0),
        duration_ms=sum(t.duration_ms for t in items),
        artwork_url=largest_picture(d.get("pictures"))
        or next((t.artwork_url for t in items if t.artwork_url), None),
        tracks=items, raw=d)


def item_kind(entry: Any) -> str:
    """What a list item is: its ``type``, else guessed from its fields."""
    if not isinstance(entry, dict):
        return ""
    kind = _str(entry.get("type"))
    if kind:
        return kind
    if "comment" in entry:
        return "comment"
    if "audio_length" in entry or "play_count" in entry:
        return "cloudcast"
    if "owner" in entry:
        return "playlist"
    return "user" if "username" in entry else ""


def feed_cloudcasts(entry: Any) -> list[Any]:
    """The cloudcasts a feed item is about: itself, its ``cloudcast``, or its ``cloudcasts``
    (the feed's shape is not recorded anywhere, docs/mixcloud.md §1.2: take what is there)."""
    if not isinstance(entry, dict):
        return []
    if item_kind(entry) == "cloudcast":
        return [entry]
    inner = entry.get("cloudcast")
    if isinstance(inner, dict):
        return [inner]
    return [c for c in _list(entry.get("cloudcasts")) if isinstance(c, dict)]


def envelope(data: Any) -> tuple[list[Any], str | None, str]:
    """A list answer → (items, ``paging.next`` as given or None, the list's name)."""
    d = _dict(data)
    following = _str(_dict(d.get("paging")).get("next"))
    return (_list(d.get("data")),
            following if following.startswith(("http://", "https://")) else None,
            _str(d.get("name")))


def error(data: Any) -> tuple[str, str, float | None]:
    """``{"error": {"type", "message", "retry_after"?}}`` → (type, message, retry_after)."""
    body = _dict(_dict(data).get("error"))
    retry = body.get("retry_after")
    seconds = float(retry) if isinstance(retry, int | float) and not isinstance(retry, bool) \
        and 0 <= retry < 10**7 else None
    return _str(body.get("type")), _str(body.get("message")), seconds


# -- tracklists -------------------------------------------------------------------------------


def rest_sections(data: Any) -> list[Section]:
    """The 2015 REST form ``sections: [{start_time, track: {name, artist: {name}}}]``, and
    the upload form's ``{artist, song, chapter, start_time}`` (docs/mixcloud.md §2.8, §3);
    strings (mixjar's type) are chapter names."""
    found: list[Section] = []
    for entry in _list(_dict(data).get("sections")):
        if isinstance(entry, str) and entry.strip():
            found.append(Section("chapter", None, "", entry.strip()))
            continue
        if not isinstance(entry, dict):
            continue
        start = _seconds_ms(entry.get("start_time"))
        inner = _dict(entry.get("track"))
        chapter = _str(entry.get("chapter"))
        artist = _str(_dict(inner.get("artist")).get("name")) or _str(entry.get("artist"))
        title = _str(inner.get("name")) or _str(entry.get("song"))
        if chapter and not title:
            found.append(Section("chapter", start, "", chapter))
        elif title or artist:
            found.append(Section("track", start, artist, title))
    return found


def graphql_sections(lookup: Any) -> list[Section]:
    """GraphQL ``sections``: TrackSection ``{artistName, songName, startSeconds}`` and
    ChapterSection ``{chapter}`` (docs/mixcloud.md §2.8); told apart by ``__typename``, else by
    their fields. ``startSeconds`` may be missing or null."""
    found: list[Section] = []
    for entry in _list(_dict(lookup).get("sections")):
        if not isinstance(entry, dict):
            continue
        start = _seconds_ms(entry.get("startSeconds"))
        kind = _str(entry.get("__typename"))
        chapter = _str(entry.get("chapter"))
        if kind == "ChapterSection" or (chapter and kind != "TrackSection"):
            if chapter:
                found.append(Section("chapter", start, "", chapter))
            continue
        artist, title = _str(entry.get("artistName")), _str(entry.get("songName"))
        if artist or title:
            found.append(Section("track", start, artist, title))
    return found


# -- GraphQL stream information ---------------------------------------------------------------


def xor_cipher(data: bytes, key: bytes = XOR_KEY) -> bytes:
    """XOR with the repeating key; its own inverse (docs/mixcloud.md §4.4)."""
    return bytes(b ^ k for b, k in zip(data, itertools.cycle(key), strict=False))


def decode_stream_url(value: Any) -> str | None:
    """A ``streamInfo`` URL: base64, then XOR (docs/mixcloud.md §4.4); None unless it
    decodes to an http(s) URL."""
    text = _str(value)
    if not text:
        return None
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    url = xor_cipher(raw).decode("latin-1")
    if not url.startswith(("http://", "https://")) or any(c in url for c in "\r\n\x00 "):
        return None
    return url


def encode_stream_url(url: str) -> str:
    """The inverse of :func:`decode_stream_url` (tests, round trips)."""
    return base64.b64encode(xor_cipher(url.encode("latin-1"))).decode("ascii")


def graphql_data(data: Any, field: str) -> tuple[Any, list[str]]:
    """``{"data": {field: …}, "errors": [{message}]}`` → (the field's value, the error
    messages)."""
    d = _dict(data)
    messages = [_str(e.get("message")) or "error" for e in _list(d.get("errors"))
                if isinstance(e, dict)]
    return _dict(d.get("data")).get(field), messages


def graphql_availability(lookup: Mapping[str, Any]) -> Availability:
    """What the GraphQL cloudcast says can be heard (docs/mixcloud.md §4.3)."""
    reason = _str(lookup.get("restrictedReason"))
    info = _dict(lookup.get("streamInfo"))
    has_stream = any(decode_stream_url(info.get(k)) for k in ("hlsUrl", "url"))
    if reason == "tracklist":
        return Availability.BLOCKED
    if reason:
        return Availability.UNAVAILABLE
    if not has_stream:
        if lookup.get("isExclusive") is True:
            return Availability.EXCLUSIVE
        return Availability.UNAVAILABLE
    if lookup.get("isExclusivePreviewOnly") is True:
        return Availability.PREVIEW
    return Availability.FULL


def owner_name(lookup: Mapping[str, Any]) -> str:
    owner = _dict(lookup.get("owner"))
    return _str(owner.get("displayName")) or _str(owner.get("username"))


# -- live streams -----------------------------------------------------------------------------


def live_stream(node: Any) -> Track:
    """A GraphQL ``LiveStream`` (docs/mixcloud.md §5) as a track: id ``live/USER``, URN
    ``mixcloud:live:USER``, the site's ``/live/USER/`` page; no length. Its ``hlsUrl`` is
    plain (not obfuscated) and stays in ``raw`` for :func:`live_hls_url`."""
    d = _object(node, "live stream")
    owner = _dict(d.get("owner"))
    username = _str(owner.get("username"))
    if not username:
        raise MalformedResponse("Mixcloud sent a live stream without its owner.")
    display = _str(owner.get("displayName")) or username
    status = _str(d.get("streamStatus")).upper()
    return Track(
        provider=PROVIDER, id=f"live/{username}", urn=f"mixcloud:live:{username}",
        url=f"{urls.WEB}/live/{username}/", title=_str(d.get("name")) or f"{display} live",
        artist=display, uploader=display, duration_ms=0,
        created_at=iso_date(d.get("startedAt")),
        artwork_url=_str(d.get("thumbnailUrl")) or None,
        counts=Counts(plays=_int(d.get("plays"))),
        availability=Availability.FULL if status in ("", "LIVE") and live_hls_url(d)
        else Availability.UNAVAILABLE,
        description=_str(d.get("description")),
        uploader_urn=f"mixcloud:users:{username}",
        uploader_url=_str(owner.get("url")) or f"{urls.WEB}/{username}/", raw=d)


def live_hls_url(node: Any) -> str | None:
    url = _str(_dict(node).get("hlsUrl"))
    return url if url.startswith(("http://", "https://")) else None


def live_connection(viewer: Any) -> tuple[list[Any], str | None]:
    """``viewer.live.currentLiveStreams`` → (nodes, the cursor of the next page or None)."""
    connection = _dict(_dict(_dict(viewer).get("live")).get("currentLiveStreams"))
    nodes = [_dict(e).get("node") for e in _list(connection.get("edges"))]
    info = _dict(connection.get("pageInfo"))
    cursor = _str(info.get("endCursor"))
    return ([n for n in nodes if isinstance(n, dict)],
            cursor if info.get("hasNextPage") is True and cursor else None)
