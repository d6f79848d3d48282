"""api-v2 JSON for tracks, users, playlists and comments: key sets, key order and value formats
of docs/soundcloud.md §2 (ISO dates, URN-encoded `uri`, quoted multi-word tags, `-large.jpg`
artwork, stubs beyond the fifth playlist track), plus the response conventions of §1.7.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import Response

from minion_tui.emulator.catalog.model import (
    BLOCKED,
    CLEAR,
    CLEAR_DRM,
    DRM_ONLY,
    SNIP,
    Artist,
    Catalog,
    Comment,
    Track,
    TrackSet,
)

API_ORIGIN = "https://api-v2.soundcloud.com"
DEFAULT_AVATAR = "https://a1.sndcdn.com/images/default_avatar_large.png"
FULL_TRACKS_IN_SET = 5  # the rest of a set's tracks are stubs (§2.4)
PREVIEW_MS = 30_000
HEADERS = {  # as recorded (§1.7)
    "cache-control": "private, max-age=0",
    "server": "am/2",
    "x-frame-options": "DENY",
    "x-robots-tag": "noindex",
    "via": "1.1 3f2a9c5e1d7b.cloudfront.net (CloudFront)",
    "x-cache": "Miss from cloudfront",
}
MP3_PRESETS = ("mp3_0_0", "mp3_0_1", "mp3_1_0", "mp3_standard")


def api_json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Compact UTF-8 JSON, through orjson: a 200-item page is ~1 MB, and the standard
    encoder's stall of the emulator's loop bunched the arrivals it counts
    (bench/discovery.py); what orjson cannot encode goes through ``json``."""
    try:
        body = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, headers={**HEADERS, **(headers or {})},
                    media_type="application/json; charset=utf-8")


def not_found() -> Response:
    return api_json({}, 404)  # 404 bodies are `{}` (§1.7)


def bad_request(message: str) -> Response:
    return api_json({"errors": [{"error_message": message}]}, 400)


def iso(epoch: int | None) -> str | None:
    return None if epoch is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def tag_list(tags: tuple[str, ...]) -> str:
    return " ".join(f'"{t}"' if " " in t else t for t in tags)


@dataclass(frozen=True)
class Transcoding:
    preset: str
    protocol: str  # hls | progressive | ctr-encrypted-hls | cbc-encrypted-hls
    mime_type: str
    legacy: bool
    snipped: bool
    uuid: str

    @property
    def encrypted(self) -> bool:
        return self.protocol.endswith("encrypted-hls")

    def url(self, track: Track) -> str:
        kind = "preview" if self.snipped else "stream"
        return f"{API_ORIGIN}/media/{track.urn}/{self.uuid}/{kind}/{self.protocol}"


_AAC = 'audio/mp4; codecs="mp4a.40.2"'


def transcodings_of(track: Track) -> list[Transcoding]:
    """The per-availability transcoding sets observed in the recordings (§2.2)."""
    def make(preset: str, protocol: str, mime: str, legacy: bool, snipped: bool = False) -> (
            Transcoding):
        digest = hashlib.md5(f"{track.media_key}:{preset}:{protocol}".encode()).digest()
        return Transcoding(preset, protocol, mime, legacy, snipped,
                           str(uuid.UUID(bytes=digest, version=4)))

    if track.availability == BLOCKED:
        return []
    mp3 = MP3_PRESETS[track.seed % len(MP3_PRESETS)]
    if track.availability == SNIP:
        return [make(mp3, "hls", "audio/mpeg", True, True),
                make(mp3, "progressive", "audio/mpeg", True, True)]
    protocols = {CLEAR: ["hls"], CLEAR_DRM: ["hls", "ctr-encrypted-hls", "cbc-encrypted-hls"],
                 DRM_ONLY: ["ctr-encrypted-hls", "cbc-encrypted-hls"]}[track.availability]
    made = [make("aac_160k", p, _AAC, False) for p in protocols]
    made += [make("abr_sq", p, "audio/mpegurl", False) for p in protocols]
    made.append(make(mp3, "hls", "audio/mpeg", True))
    if track.mp3_progressive or track.availability == DRM_ONLY:
        made.append(make(mp3, "progressive", "audio/mpeg", True))
    if track.legacy_opus:
        made.append(make("opus_0_0", "hls", 'audio/ogg; codecs="opus"', True))
    return made


class TrackAuthorization:
    """The HS256 JWT tracks carry (§2.1): {"geo","sub","rid","iat"}."""

    def __init__(self, secret: bytes, clock: Callable[[], float]) -> None:
        self.secret, self.clock = secret, clock
        header = json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":"))
        self._header = _b64(header.encode())

    def issue(self) -> str:
        payload = {"geo": "DE", "sub": "", "rid": str(uuid.uuid4()), "iat": int(self.clock())}
        signing = f"{self._header}.{_b64(json.dumps(payload, separators=(',', ':')).encode())}"
        return f"{signing}.{self._sign(signing)}"

    def valid(self, token: str) -> bool:
        signing, _, signature = token.rpartition(".")
        return bool(signing) and hmac.compare_digest(signature, self._sign(signing))

    def _sign(self, signing: str) -> str:
        return _b64(hmac.new(self.secret, signing.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Renderer:
    """Renders catalog entities; the static part of each track is cached (lists are big)."""

    def __init__(self, catalog: Catalog, media_urls: Any, auth: TrackAuthorization,
                 social: Any = None) -> None:
        self.catalog, self.media_urls, self.auth = catalog, media_urls, auth
        self.social = social  # emulator/social.py: this emulator's likes (default: catalog's)
        self._tracks: dict[tuple[int, bool, int], dict[str, Any]] = {}

    # -- users ---------------------------------------------------------------------------------
    def _avatar(self, artist: Artist) -> str:
        if artist.avatar_key is None:
            return DEFAULT_AVATAR
        return str(self.media_urls.avatar_url(artist.avatar_key))

    def _badges(self, artist: Artist) -> dict[str, bool]:
        return {"pro": False, "creator_mid_tier": False, "pro_unlimited": artist.pro,
                "verified": artist.verified}

    def mini_user(self, artist: Artist) -> dict[str, Any]:
        c = self.catalog
        return {
            "avatar_url": self._avatar(artist), "first_name": artist.first_name,
            "followers_count": len(c.followers.get(artist.id, ())),
            "full_name": f"{artist.first_name} {artist.last_name}".strip(), "id": artist.id,
            "kind": "user", "last_modified": iso(artist.created_at + 86400),
            "last_name": artist.last_name, "permalink": artist.permalink,
            "permalink_url": c.user_url(artist),
            "uri": f"https://api.soundcloud.com/users/soundcloud%3Ausers%3A{artist.id}",
            "urn": f"soundcloud:users:{artist.id}", "username": artist.username,
            "verified": artist.verified, "city": artist.city,
            "country_code": artist.country_code, "badges": self._badges(artist),
            "station_urn": f"soundcloud:system-playlists:artist-stations:{artist.id}",
            "station_permalink": f"artist-stations:{artist.id}",
        }

    def user(self, artist: Artist) -> dict[str, Any]:
        c, mini = self.catalog, self.mini_user(artist)
        product = {"product": {"id": "creator-pro-unlimited" if artist.pro else "free"}}
        sets = (self.social.set_ids(artist.id) if self.social is not None
                else c.user_sets.get(artist.id, []))
        liked = (self.social.likes if self.social is not None else c.likes).get(artist.id, ())
        return {
            "avatar_url": mini["avatar_url"], "city": artist.city,
            "comments_count": artist.id % 37, "country_code": artist.country_code,
            "created_at": iso(artist.created_at), "creator_subscriptions": [product],
            "creator_subscription": product, "description": artist.description,
            "followers_count": mini["followers_count"],
            "followings_count": len(c.followings.get(artist.id, ())),
            "first_name": artist.first_name, "full_name": mini["full_name"], "groups_count": 0,
            "id": artist.id, "kind": "user", "last_modified": mini["last_modified"],
            "last_name": artist.last_name,
            "likes_count": sum(1 for a in liked if a.kind == "track"
                               and c.tracks[a.target_id].listed),
            "playlist_likes_count": sum(1 for a in liked if a.kind == "playlist"),
            "permalink": artist.permalink, "permalink_url": mini["permalink_url"],
            "playlist_count": len(sets), "reposts_count": None,
            "track_count": c.track_counts.get(artist.id, 0), "uri": mini["uri"],
            "urn": mini["urn"], "username": artist.username, "verified": artist.verified,
            "visuals": None, "badges": mini["badges"], "station_urn": mini["station_urn"],
            "station_permalink": mini["station_permalink"], "date_of_birth": None,
        }

    # -- tracks --------------------------------------------------------------------------------
    def track(self, track: Track, *, full_user: bool = False) -> dict[str, Any]:
        # keyed by last_modified too: a track changed through the official API renders anew
        key = (track.id, full_user, track.last_modified)
        cached = self._tracks.get(key)
        if cached is None:
            cached = self._tracks[key] = self._track(track, full_user)
        rendered = dict(cached)
        rendered["track_authorization"] = self.auth.issue()
        return rendered

    def track_stub(self, track: Track) -> dict[str, Any]:
        return {"id": track.id, "kind": "track", "monetization_model": track.monetization_model,
                "policy": track.policy}

    def _publisher(self, track: Track, artist: Artist) -> dict[str, Any] | None:
        base = {"id": track.id, "urn": track.urn, "contains_music": True}
        if track.label_name is None:
            return None if track.seed % 5 == 0 else base
        year = time.gmtime(track.created_at).tm_year
        line = f"{year} {track.label_name}"
        return {"id": track.id, "urn": track.urn, "artist": artist.username,
                "album_title": track.album_title, "contains_music": True,
                "upc_or_ean": f"{track.seed % 10**12:012d}", "isrc": track.isrc,
                "explicit": track.seed % 11 == 0, "p_line": line,
                "p_line_for_display": f"℗ {line}", "c_line": line,
                "c_line_for_display": f"© {line}", "release_title": track.album_title}

    def _track(self, track: Track, full_user: bool) -> dict[str, Any]:
        c = self.catalog
        artist = c.artists[track.user_id]
        snip = track.availability == SNIP
        full = track.duration_ms + (17 if track.seed % 5 == 0 and not snip else 0)
        purchase = track.seed % 9 == 0
        return {
            "artwork_url": (self.media_urls.artwork_url(track.artwork_key)
                            if track.artwork_key else None),
            "caption": None, "commentable": track.commentable,
            "comment_count": track.comment_count, "created_at": iso(track.created_at),
            "description": track.description, "downloadable": track.downloadable,
            "download_count": track.download_count,
            "duration": PREVIEW_MS if snip else track.duration_ms, "full_duration": full,
            "embeddable_by": "all", "genre": track.genre,
            "has_downloads_left": track.has_downloads_left, "id": track.id, "kind": "track",
            "label_name": track.label_name, "last_modified": iso(track.last_modified),
            "license": track.license, "likes_count": track.likes_count,
            "permalink": track.permalink, "permalink_url": c.track_url(track),
            "playback_count": track.playback_count, "public": track.secret_token is None,
            "publisher_metadata": self._publisher(track, artist),
            "purchase_title": "Buy on Bandcamp" if purchase else None,
            "purchase_url": (f"https://{artist.permalink.replace('-', '')}.bandcamp.com/track/"
                             f"{track.permalink}") if purchase else None,
            "release_date": iso(track.release_date), "reposts_count": track.reposts_count,
            "secret_token": track.secret_token,
            "sharing": "public" if track.secret_token is None else "private",
            "state": "finished", "streamable": True, "tag_list": tag_list(track.tags),
            "title": track.title,
            "uri": f"https://api.soundcloud.com/tracks/soundcloud%3Atracks%3A{track.id}",
            "urn": track.urn, "user_id": artist.id, "visuals": None,
            "waveform_url": self.media_urls.waveform_url(track.media_key),
            "display_date": iso(track.release_date or track.created_at),
            "media": {"transcodings": [self._transcoding(t, track)
                                       for t in transcodings_of(track)]},
            "station_urn": f"soundcloud:system-playlists:track-stations:{track.id}",
            "station_permalink": f"track-stations:{track.id}",
            "track_authorization": "", "monetization_model": track.monetization_model,
            "policy": track.policy,
            "user": self.user(artist) if full_user else self.mini_user(artist),
        }

    def _transcoding(self, t: Transcoding, track: Track) -> dict[str, Any]:
        return {"url": t.url(track), "preset": t.preset,
                "duration": PREVIEW_MS if t.snipped else track.duration_ms, "snipped": t.snipped,
                "format": {"protocol": t.protocol, "mime_type": t.mime_type},
                "quality": "sq", "is_legacy_transcoding": t.legacy}

    # -- sets and comments ---------------------------------------------------------------------
    def playlist(self, track_set: TrackSet, *, with_tracks: bool = True) -> dict[str, Any]:
        c = self.catalog
        artist = c.artists[track_set.user_id]
        members = [c.tracks[t] for t in track_set.track_ids if t in c.tracks]
        private = self.social is not None and track_set.id in self.social.private_sets
        rendered: dict[str, Any] = {
            "artwork_url": (self.media_urls.artwork_url(track_set.artwork_key)
                            if track_set.artwork_key else None),
            "created_at": iso(track_set.created_at), "description": track_set.description,
            "duration": sum(t.duration_ms for t in members), "embeddable_by": "all",
            "genre": track_set.genre, "id": track_set.id, "kind": "playlist",
            "label_name": track_set.label_name, "last_modified": iso(track_set.created_at + 3600),
            "license": track_set.license, "likes_count": track_set.likes_count,
            "managed_by_feeds": False, "permalink": track_set.permalink,
            "permalink_url": c.set_url(track_set), "public": not private, "purchase_title": None,
            "purchase_url": None,
            "release_date": iso(track_set.created_at - track_set.created_at % 86400)
            if track_set.is_album else None,
            "reposts_count": track_set.reposts_count, "secret_token": None,
            "sharing": "private" if private else "public",
            "tag_list": tag_list(track_set.tags), "title": track_set.title,
            "uri": f"https://api.soundcloud.com/playlists/soundcloud%3Aplaylists%3A{track_set.id}",
            "user_id": artist.id, "set_type": track_set.set_type, "is_album": track_set.is_album,
            "published_at": iso(track_set.created_at), "display_date": iso(track_set.created_at),
            "user": self.mini_user(artist),
        }
        if with_tracks:  # playlists inside likes lists carry no `tracks` key (§2.4)
            rendered["tracks"] = [
                self.track(t) if n < FULL_TRACKS_IN_SET else self.track_stub(t)
                for n, t in enumerate(members)
            ]
        rendered["track_count"] = len(members)
        return rendered

    def comment(self, comment: Comment) -> dict[str, Any]:
        return {"kind": "comment", "id": comment.id, "body": comment.body,
                "created_at": iso(comment.created_at), "timestamp": comment.timestamp_ms,
                "track_id": comment.track_id, "user_id": comment.user_id,
                "self": {"urn": f"soundcloud:comments:{comment.id}"},
                "user": self.mini_user(self.catalog.artists[comment.user_id])}
