"""What Mixcloud offers, by the provider-neutral names of providers/base.py (reads only:
signing in and writes are a later issue)."""

from __future__ import annotations

from minion_tui.providers.base import Capabilities

CAPABILITIES = Capabilities(
    charts=("popular", "hot", "new", "live"),
    tags=True,
    user_listings=("tracks", "likes", "listens", "playlists", "feed", "comments", "followings",
                   "followers"),
    track_listings=("comments", "favorites", "listeners", "similar", "tracklist"),
    search_kinds=("tracks", "users", "tags"),
    stream_kinds=("hls", "progressive"),
    formats=("best", "m4a"),
    discovery_listings=("likes", "tracks"),  # favourites and shows (docs/mixcloud.md §1.4)
    max_range_bytes=5 * 1024 * 1024,  # docs/mixcloud.md §4.5: throttled past ~5 MB
    stream_from_link=True,  # one GraphQL call answers from the link (docs/mixcloud.md §4)
    download_prefers="progressive",  # bench/download_mixcloud.py, docs/downloads.md §8
)
