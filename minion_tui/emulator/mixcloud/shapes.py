"""REST JSON shapes (docs/mixcloud.md §2): cloudcasts, users, tags, comments, playlists, with
the field names of the recorded responses, the picture keys of §2.7 and `metadata=1`
connections (§1.3)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from minion_tui.emulator.mixcloud.catalog import Comment, McCatalog, McUser, Playlist, Show
from minion_tui.emulator.mixcloud.catalog import tag_slug as tag_slug

API = "https://api.mixcloud.com"
SITE = "https://www.mixcloud.com"
THUMBS = "https://thumbnailer.mixcloud.com"
_USER_SIZES = (("small", 25), ("thumbnail", 50), ("medium_mobile", 80), ("medium", 100),
               ("large", 300), ("320wx320h", 320), ("extra_large", 600), ("640wx640h", 640))
_SHOW_SIZES = (*_USER_SIZES, ("768wx768h", 768), ("1024wx1024h", 1024))
_COVER_SIZES = (("835wx120h", 835, 120), ("1113wx160h", 1113, 160), ("1670wx240h", 1670, 240))
USER_CONNECTIONS = ("followers", "favorites", "following", "cloudcasts", "listens", "comments",
                    "feed", "playlists")
SHOW_CONNECTIONS = ("favorites", "listeners", "comments", "similar")


def iso(when: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def picture_url(kind: str, path: str, width: int, height: int, *, jpg: bool = False) -> str:
    return f"{THUMBS}/unsafe/{width}x{height}/{kind}/{path}{'.jpg' if jpg else ''}"


def user_pictures(user: McUser) -> dict[str, str]:
    return {k: picture_url("profile", user.picture, n, n) for k, n in _USER_SIZES}


def show_pictures(show: Show) -> dict[str, str]:
    jpg = show.seed % 3 == 0  # "some end in .jpg" (§2.7)
    return {k: picture_url("extaudio", show.picture, n, n, jpg=jpg) for k, n in _SHOW_SIZES}


def _color(path: str) -> str:
    return hashlib.sha256(path.encode()).hexdigest()[:6]


def connections(key: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {"connections": {n: f"{API}{key}{n}/" for n in names}}


def user_item(user: McUser) -> dict[str, Any]:
    key = f"/{user.username}/"
    return {"key": key, "url": SITE + key, "name": user.name, "username": user.username,
            "pictures": user_pictures(user), "type": "user"}


def user_full(catalog: McCatalog, user: McUser, metadata: bool) -> dict[str, Any]:
    low = user.username.lower()
    out = {
        **user_item(user), "biog": user.biog, "city": user.city, "country": user.country,
        "created_time": iso(user.created), "updated_time": iso(user.created + 86400),
        "follower_count": len(catalog.followers.get(low, [])),
        "following_count": len(catalog.following.get(low, [])),
        "cloudcast_count": len(catalog.user_shows.get(low, [])),
        "favorite_count": len(catalog.favorites.get(low, [])),
        "listen_count": len(catalog.listens.get(low, [])),
        "is_pro": user.is_pro, "is_premium": user.is_premium,
        "cover_pictures": {k: picture_url("profile_cover", user.cover, w, h)
                           for k, w, h in _COVER_SIZES},
        "picture_primary_color": _color(user.picture),
    }
    if metadata:
        out["metadata"] = connections(f"/{user.username}/", USER_CONNECTIONS)
    return out


def tag_item(name: str) -> dict[str, Any]:
    key = f"/discover/{tag_slug(name)}/"
    return {"key": key, "url": SITE + key, "name": name, "type": "tag"}


def show_item(catalog: McCatalog, show: Show) -> dict[str, Any]:
    owner = catalog.user(show.owner)
    assert owner is not None
    low = show.key.lower()
    return {
        "key": show.key, "url": SITE + show.key, "name": show.name, "slug": show.slug,
        "type": "cloudcast", "created_time": iso(show.created),
        "updated_time": iso(show.updated), "audio_length": show.audio_length,
        "play_count": show.plays, "favorite_count": len(catalog.favoriters.get(low, [])),
        "listener_count": len(catalog.listeners.get(low, [])), "repost_count": show.reposts,
        "comment_count": len(catalog.show_comments.get(low, [])),
        "tags": [tag_item(t) for t in show.tags], "user": user_item(owner),
        "pictures": show_pictures(show),
    }


def show_full(catalog: McCatalog, show: Show, metadata: bool, *,
              old_sections: bool = False) -> dict[str, Any]:
    out = {**show_item(catalog, show), "description": show.description,
           "is_exclusive": show.exclusive, "sections": _rest_sections(show, old_sections),
           "picture_primary_color": _color(show.picture), "hidden_stats": show.hidden_stats}
    if metadata:
        out["metadata"] = connections(show.key, SHOW_CONNECTIONS)
    return out


def _rest_sections(show: Show, old: bool) -> list[dict[str, Any]]:
    """Today's REST has no tracklists (§2.8): an empty list, unless the emulator is told to
    answer with the 2015 shape `{start_time, track: {name, artist: {name, slug}}}`."""
    if not old or not show.can_show_tracklist:
        return []
    return [{"start_time": s.start, "section_type": "track",
             "track": {"name": s.song, "artist": {"name": s.artist, "slug": tag_slug(s.artist)}}}
            for s in show.sections if s.kind == "track"]


def comment_item(catalog: McCatalog, comment: Comment) -> dict[str, Any]:
    author = catalog.user(comment.author)
    assert author is not None
    digest = hashlib.sha256(str(comment.pk).encode()).hexdigest()[:8]
    key = f"/comments/cr/{comment.pk % 997}/{comment.pk % 89}/c{digest}/"
    return {"comment": comment.body, "submit_date": iso(comment.at), "user": user_item(author),
            "key": key, "url": SITE + key, "type": "comment"}


def playlist_item(catalog: McCatalog, playlist: Playlist) -> dict[str, Any]:
    owner = catalog.user(playlist.owner)
    assert owner is not None
    key = f"/{owner.username}/playlists/{playlist.slug}/"
    item = user_item(owner)
    return {"key": key, "url": SITE + key, "name": playlist.name, "slug": playlist.slug,
            "owner": {k: item[k] for k in ("key", "url", "name", "username", "pictures")}}
