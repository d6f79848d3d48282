"""Recorded-shape api-v2 JSON, written from the tables of docs/soundcloud.md §2 (key sets and
order as recorded in Feb 2026), shared by the SoundCloud unit tests. The tests in this file
check that the builders keep the documented shapes."""

from __future__ import annotations

import copy
from typing import Any

API = "https://api-v2.soundcloud.com"
BIG_ID = 2_147_483_648 + 1_234_567  # ids now exceed 2^31 (docs/soundcloud.md §2.1)

TRACK_KEYS = [
    "artwork_url", "caption", "commentable", "comment_count", "created_at", "description",
    "downloadable", "download_count", "duration", "full_duration", "embeddable_by", "genre",
    "has_downloads_left", "id", "kind", "label_name", "last_modified", "license", "likes_count",
    "permalink", "permalink_url", "playback_count", "public", "publisher_metadata",
    "purchase_title", "purchase_url", "release_date", "reposts_count", "secret_token", "sharing",
    "state", "streamable", "tag_list", "title", "uri", "urn", "user_id", "visuals",
    "waveform_url", "display_date", "media", "station_urn", "station_permalink",
    "track_authorization", "monetization_model", "policy", "user",
]
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJnZW8iOiJERSIsInN1YiI6IiIsInJpZCI6IiIsImlhdCI6"
       "MTc3MTY2NzIwMH0.c2lnbmF0dXJl")


def user(uid: int = 98765, username: str = "Nightdrive", *, full: bool = True) -> dict[str, Any]:
    mini = {
        "avatar_url": f"https://i1.sndcdn.com/avatars-000{uid}-abcdef-large.jpg",
        "first_name": "Nina", "followers_count": 1203, "full_name": "Nina Drive", "id": uid,
        "kind": "user", "last_modified": "2026-01-02T10:00:00Z", "last_name": "Drive",
        "permalink": username.lower(), "permalink_url": f"https://soundcloud.com/{username.lower()}",
        "uri": f"https://api.soundcloud.com/users/soundcloud%3Ausers%3A{uid}",
        "urn": f"soundcloud:users:{uid}", "username": username, "verified": False,
        "city": "Berlin", "country_code": "DE",
        "badges": {"pro": False, "creator_mid_tier": False, "pro_unlimited": False,
                   "verified": False},
        "station_urn": f"soundcloud:system-playlists:artist-stations:{uid}",
        "station_permalink": f"artist-stations:{uid}",
    }
    if not full:
        return mini
    return {
        **mini, "comments_count": 4, "created_at": "2014-05-01T12:00:00Z",
        "creator_subscriptions": [{"product": {"id": "free"}}],
        "creator_subscription": {"product": {"id": "free"}}, "description": None,
        "followings_count": 87, "groups_count": 0, "likes_count": 310,
        "playlist_likes_count": 3, "playlist_count": 2, "reposts_count": None, "track_count": 41,
        "visuals": None, "date_of_birth": None,
    }


def transcoding(tid: int, preset: str, protocol: str, *, legacy: bool, snipped: bool = False,
                mime: str | None = None) -> dict[str, Any]:
    kind = "stream" if not snipped else "preview"
    mime = mime or ("audio/mp4; codecs=\"mp4a.40.2\"" if preset.startswith("aac") else
                    "audio/mpegurl" if preset.startswith("abr") else
                    "audio/ogg; codecs=\"opus\"" if preset.startswith("opus") else "audio/mpeg")
    return {
        "url": f"{API}/media/soundcloud:tracks:{tid}/0f3c1e2a-{preset}/{kind}/{protocol}",
        "preset": preset, "duration": 30000 if snipped else 201848, "snipped": snipped,
        "format": {"protocol": protocol, "mime_type": mime}, "quality": "sq",
        "is_legacy_transcoding": legacy,
    }


def _transcodings(tid: int, *formats: tuple[str, str]) -> list[dict[str, Any]]:
    """One transcoding per (preset, protocol); MP3 and Opus are the legacy ones."""
    return [transcoding(tid, preset, protocol, legacy=preset.startswith(("mp3", "opus")))
            for preset, protocol in formats]


def clear_transcodings(tid: int) -> list[dict[str, Any]]:
    """A free clear track (docs/soundcloud.md §2.2): aac hls, abr, mp3 hls + progressive, opus."""
    return _transcodings(tid, ("aac_160k", "hls"), ("abr_sq", "hls"), ("mp3_0_0", "hls"),
                         ("mp3_0_0", "progressive"), ("opus_0_0", "hls"))


def drm_transcodings(tid: int) -> list[dict[str, Any]]:
    return _transcodings(tid, ("aac_160k", "ctr-encrypted-hls"), ("aac_160k", "cbc-encrypted-hls"),
                         ("abr_sq", "ctr-encrypted-hls"), ("abr_sq", "cbc-encrypted-hls"),
                         ("mp3_0_0", "hls"), ("mp3_0_0", "progressive"))


def snip_transcodings(tid: int) -> list[dict[str, Any]]:
    return [
        transcoding(tid, "mp3_0_0", "hls", legacy=True, snipped=True),
        transcoding(tid, "mp3_0_0", "progressive", legacy=True, snipped=True),
    ]


def track(tid: int = BIG_ID, *, variant: str = "full",
          title: str = "Neon Harbour") -> dict[str, Any]:
    """variant: full (MONETIZE clear), snip (Go+ preview), drm (DRM-only), block (geo)."""
    policy, model, media = {
        "full": ("MONETIZE", "BLACKBOX", clear_transcodings(tid)),
        "snip": ("SNIP", "SUB_HIGH_TIER", snip_transcodings(tid)),
        "drm": ("MONETIZE", "AD_SUPPORTED", drm_transcodings(tid)),
        "block": ("BLOCK", "NOT_APPLICABLE", []),
    }[variant]
    uploader = user()
    slug = title.lower().replace(" ", "-")
    values: dict[str, Any] = {
        "artwork_url": None if variant == "block" else
        f"https://i1.sndcdn.com/artworks-{tid}-xyz123-large.jpg",
        "caption": None, "commentable": True, "comment_count": 12,
        "created_at": "2026-01-27T03:47:23Z", "description": "Night drive.",
        "downloadable": False, "download_count": 0,
        "duration": 30000 if variant == "snip" else 201848, "full_duration": 201865,
        "embeddable_by": "all", "genre": "Dance & EDM", "has_downloads_left": True, "id": tid,
        "kind": "track", "label_name": None, "last_modified": "2026-02-01T00:00:00Z",
        "license": "all-rights-reserved", "likes_count": 4521, "permalink": slug,
        "permalink_url": f"https://soundcloud.com/{uploader['permalink']}/{slug}",
        "playback_count": 120034, "public": True,
        "publisher_metadata": {"id": tid, "urn": f"soundcloud:tracks:{tid}",
                               "contains_music": True},
        "purchase_title": None, "purchase_url": None, "release_date": None,
        "reposts_count": 77, "secret_token": None, "sharing": "public", "state": "finished",
        "streamable": True,
        "tag_list": 'deadmau5 mau5trap "raise your weapon" noisia remix vision',
        "title": title, "uri": f"https://api.soundcloud.com/tracks/soundcloud%3Atracks%3A{tid}",
        "urn": f"soundcloud:tracks:{tid}", "user_id": uploader["id"], "visuals": None,
        "waveform_url": f"https://wave.sndcdn.com/{tid}abc_m.json",
        "display_date": "2026-01-27T03:47:23Z", "media": {"transcodings": media},
        "station_urn": f"soundcloud:system-playlists:track-stations:{tid}",
        "station_permalink": f"track-stations:{tid}", "track_authorization": JWT,
        "monetization_model": model, "policy": policy, "user": uploader,
    }
    return {key: values[key] for key in TRACK_KEYS}


def stub(tid: int, policy: str = "MONETIZE") -> dict[str, Any]:
    return {"id": tid, "kind": "track", "monetization_model": "BLACKBOX", "policy": policy}


def playlist(pid: int = 1_500_000_123, *, n: int = 8, album: bool = False,
             with_tracks: bool = True) -> dict[str, Any]:
    ids = [BIG_ID + i for i in range(n)]
    data: dict[str, Any] = {
        "artwork_url": None, "created_at": "2025-11-08T10:30:30Z", "description": None,
        "duration": 201848 * n, "embeddable_by": "all", "genre": "Techno", "id": pid,
        "kind": "playlist", "label_name": None, "last_modified": "2026-01-01T00:00:00Z",
        "license": "all-rights-reserved", "likes_count": 9, "managed_by_feeds": False,
        "permalink": "late-night", "permalink_url": "https://soundcloud.com/nightdrive/sets/late-night",
        "public": True, "purchase_title": None, "purchase_url": None, "release_date": None,
        "reposts_count": 1, "secret_token": None, "sharing": "public",
        "tag_list": "", "title": "Late Night", "uri":
        f"https://api.soundcloud.com/playlists/soundcloud%3Aplaylists%3A{pid}",
        "user_id": 98765, "set_type": "album" if album else "", "is_album": album,
        "published_at": "2025-11-08T10:30:30Z", "display_date": "2025-11-08T10:30:30Z",
        "user": user(full=False),
        "tracks": [track(i, title=f"Cut {k}") if k < 5 else stub(i) for k, i in enumerate(ids)],
        "track_count": n,
    }
    if not with_tracks:
        del data["tracks"]
    return data


def comment(cid: int = 2_300_000_000_1) -> dict[str, Any]:
    return {
        "kind": "comment", "id": cid, "body": "that drop at 1:02", "created_at":
        "2026-02-20T18:00:00Z", "timestamp": 62000, "track_id": BIG_ID, "user_id": 555,
        "self": {"urn": f"soundcloud:comments:{cid}"}, "user": user(555, "Listener", full=False),
    }


def like_items() -> list[dict[str, Any]]:
    return [
        {"created_at": "2026-02-01T00:00:00Z", "kind": "like", "track": track(BIG_ID + 1)},
        {"created_at": "2026-01-01T00:00:00Z", "kind": "like",
         "playlist": playlist(with_tracks=False)},
    ]


def stream_items() -> list[dict[str, Any]]:
    poster = user(4242, "Reposter", full=False)
    return [
        {"created_at": "2026-02-02T00:00:00Z", "type": "track-repost", "user": poster,
         "uuid": "a-1", "caption": None,
         "reposted": {"target_urn": f"soundcloud:tracks:{BIG_ID}", "user_urn": poster["urn"],
                      "caption": None},
         "track": track(BIG_ID)},
        {"created_at": "2026-02-01T00:00:00Z", "type": "playlist-repost", "user": poster,
         "uuid": "a-2", "caption": None, "reposted": None, "playlist": playlist(with_tracks=False)},
    ]


def page(items: list[Any], next_href: str | None = "absent", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"collection": copy.deepcopy(items)}
    if next_href != "absent":
        data["next_href"] = next_href
    data["query_urn"] = None
    data.update(extra)
    return data


# -- the shapes themselves --------------------------------------------------------------------


def test_track_keeps_the_recorded_key_order() -> None:
    assert list(track()) == TRACK_KEYS
    assert track()["id"] > 2**31


def test_playlist_has_five_full_tracks_then_stubs() -> None:
    tracks = playlist(n=8)["tracks"]
    assert [len(t) > 4 for t in tracks] == [True] * 5 + [False] * 3
    assert set(tracks[5]) == {"id", "kind", "monetization_model", "policy"}
