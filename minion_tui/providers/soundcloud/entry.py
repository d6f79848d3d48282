"""SoundCloud as the registry knows it: its capabilities, the targets it claims, and how it
is built. Light on purpose (no client import until a provider is created): the front ends
read the capabilities at start-up to build their choices."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from minion_tui.providers.base import Capabilities, ProviderContext, ProviderEntry, SearchFilter
from minion_tui.providers.soundcloud import urls

if TYPE_CHECKING:
    from minion_tui.providers.base import Provider

# Filter values exactly as the web client sends them (docs/soundcloud.md §1.3), with the
# words the TUI shows for them.
DURATIONS = ("short", "medium", "long", "epic")
CREATED = ("last_hour", "last_day", "last_week", "last_month", "last_year")
LICENSES = ("to_share", "to_use_commercially", "to_modify_commercially")

CAPABILITIES = Capabilities(
    charts=("trending",),
    tags=True,
    user_listings=("tracks", "toptracks", "likes", "reposts", "playlists", "albums",
                   "followings", "followers"),
    track_listings=("related", "station", "comments"),
    search_kinds=("tracks", "users", "playlists", "albums"),
    search_filters=(
        SearchFilter("genre", None, ("tracks", "albums", "playlists"),
                     "genre or tag (a literal, case-insensitive)"),
        SearchFilter("duration", DURATIONS, ("tracks",),
                     labels=("< 2 min", "2–10 min", "10–30 min", "> 30 min")),
        SearchFilter("created", CREATED, ("tracks",),
                     labels=("Last hour", "Last day", "Last week", "Last month", "Last year")),
        SearchFilter("license", LICENSES, ("tracks",),
                     labels=("To share", "To use commercially", "To modify commercially")),
    ),
    mixed_search=True,
    autocomplete=True,
    stream_kinds=("hls", "progressive"),
    formats=("best", "mp3", "m4a", "opus", "original"),
    originals=True,
)


def claims(target: str) -> bool:
    """soundcloud.com / m. / on.soundcloud.com URLs (with or without a scheme), API uris and
    ``soundcloud:…`` URNs."""
    return urls.is_soundcloud(target) or _bare_host(target.strip())


def _bare_host(text: str) -> bool:
    """``soundcloud.com/artist/track`` pasted without a scheme."""
    try:
        host = (urlsplit("https://" + text).hostname or "").lower()
    except ValueError:
        return False
    return "://" not in text and host.endswith("soundcloud.com")


def validate(target: str) -> None:
    urls.parse_target(target.strip())  # raises InvalidURL with the reason


def create(context: ProviderContext) -> Provider:
    from minion_tui.providers.soundcloud.client import SoundCloud

    sc = context.settings.soundcloud
    return SoundCloud(context.http, cache_dir=context.cache_dir, client_id=sc.client_id,
                      oauth_token=sc.access_token)


ENTRY = ProviderEntry("soundcloud", CAPABILITIES, claims=claims, validate=validate,
                      create=create, web_ref=urls.web_ref)
