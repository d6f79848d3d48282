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
    account_listings=("mylikes",),
    writes=("like", "repost", "follow", "listen_later", "upload"),
    # no revoke API: the user disconnects the app there (docs/mixcloud.md §3 "Expiry")
    apps_page="https://www.mixcloud.com/settings/applications/",
    discovery_listings=("likes", "tracks"),  # favourites and shows (docs/mixcloud.md §1.4)
    max_range_bytes=5 * 1024 * 1024,  # docs/mixcloud.md §4.5: throttled past ~5 MB
    stream_from_link=True,  # one GraphQL call answers from the link (docs/mixcloud.md §4)
    download_prefers="progressive",  # bench/download_mixcloud.py, docs/downloads.md §8
    title="Mixcloud",
    short="MC",
    user_tabs=("tracks", "likes", "listens"),  # shows, favourites, listens (docs/mixcloud.md §1.2)
    featured_tags=("deep-house", "techno", "ambient", "drum-bass"),
    # Its profile says Shows, Favorites and Following (docs/mixcloud.md §1.2).
    user_aliases=(("shows", "tracks"), ("tracks", "tracks"), ("favorites", "likes"),
                  ("listens", "listens"), ("followers", "followers"),
                  ("following", "followings"), ("followings", "followings"),
                  ("comments", "comments"), ("playlists", "playlists"), ("feed", "feed")),
    track_aliases=(("comments", "comments"), ("favorites", "favorites"),
                   ("listeners", "listeners"), ("similar", "similar"),
                   ("tracklist", "tracklist")),
    listing_words=(("tracks", "Shows"), ("likes", "Favourites"), ("listens", "Listens"),
                   ("live", "Live now")),
)
