"""What SoundCloud offers, by the provider-neutral names of providers/base.py: the front ends
build their choices from it, the client checks its arguments against it."""

from __future__ import annotations

from minion_tui.providers.base import Capabilities, SearchFilter

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
    discovery_listings=("likes", "reposts"),
    account_listings=("mylikes", "feed", "history", "myplaylists", "myfollowings"),
    writes=("like", "repost", "follow", "playlist", "comment", "upload"),
    pasted_token=True,
    sign_out=True,  # POST /sign-out (docs/soundcloud.md §5)
    title="SoundCloud",
    short="SC",
    user_tabs=("tracks", "likes", "reposts", "playlists"),
    listing_words=(("toptracks", "Top tracks"),),
)
