"""Streams through GraphQL only (docs/mixcloud.md §4): the ``cloudcastLookup`` query exactly
as yt-dlp sends it, the XOR-decoded ``streamInfo`` URLs, HLS preferred, else the progressive
m4a fetched in ranges of at most 5 MiB (Mixcloud throttles past ~5 MB, §4.5). No REST call
and no manifest fetch: one GraphQL answer decides.
"""

from __future__ import annotations

from typing import Any

from minion_tui.errors import GeoBlocked, NotFound, Restricted, SubscriptionRequired
from minion_tui.models import StreamChoice
from minion_tui.providers.mixcloud import parse
from minion_tui.providers.mixcloud.urls import Target

#: yt-dlp's ``http_chunk_size`` for Mixcloud's progressive files (docs/mixcloud.md §4.5).
MAX_RANGE_BYTES = 5 * 1024 * 1024
HLS_MIME = "application/vnd.apple.mpegurl"
M4A_MIME = "audio/mp4"

# yt-dlp's fields, in its order and layout (yt_dlp/extractor/mixcloud.py, docs/mixcloud.md
# §4.2): a replay of recorded answers matches the query as the real clients sent it.
_YT_DLP_FIELDS = '''audioLength
    comments(first: 100) {
      edges {
        node {
          comment
          created
          user {
            displayName
            username
          }
        }
      }
      totalCount
    }
    description
    favorites {
      totalCount
    }
    featuringArtistList
    isExclusive
    name
    owner {
      displayName
      url
      username
    }
    picture(width: 1024, height: 1024) {
        url
    }
    plays
    publishDate
    reposts {
      totalCount
    }
    streamInfo {
      dashUrl
      hlsUrl
      url
    }
    tags {
      tag {
        name
      }
    }
    restrictedReason
    id'''

TRACKLIST_FIELDS = '''canShowTracklist
    sections {
      __typename
      ... on TrackSection {
        artistName
        songName
        startSeconds
      }
      ... on ChapterSection {
        chapter
        startSeconds
      }
    }
    waveformUrl'''
#: The fields of docs/mixcloud.md §2.8 alone, when the schema refuses the fuller ask.
TRACKLIST_FIELDS_MINIMAL = '''sections {
      ... on TrackSection {
        artistName
        songName
        startSeconds
      }
      ... on ChapterSection {
        chapter
      }
    }'''


#: A LiveStream's fields (docs/mixcloud.md §5, mixcloud-fetch's ``LiveStream.ts``).
LIVE_FIELDS = '''id
          name
          description
          streamStatus
          startedAt
          hlsUrl
          thumbnailUrl
          currentSpectators
          owner {
            username
            displayName
            url
          }'''


def live_query(first: int, after: str | None = None) -> str:
    """The live streams now, most watched first (docs/mixcloud.md §5)."""
    cursor = f', after: "{_quoted(after)}"' if after else ""
    return ("{\n  viewer {\n    live {\n      currentLiveStreams(first: " + str(first) + cursor
            + ", orderBy: CURRENT_SPECTATORS) {\n        edges {\n          node {\n"
            "          " + LIVE_FIELDS + "\n          }\n        }\n        pageInfo {\n"
            "          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n}")


def user_live_query(user: str) -> str:
    """A user's live stream, if any (docs/mixcloud.md §5: ``userLookup{liveStream}``)."""
    return ('{\n  userLookup(lookup: {username: "' + _quoted(user) + '"}) {\n'
            "    liveStream(isPublic: false) {\n          " + LIVE_FIELDS + "\n    }\n  }\n}")


def live_choice(hls: str, urn: str) -> StreamChoice:
    """A live stream: its plain HLS URL as given (it may carry video, §5)."""
    return StreamChoice(protocol="hls", codec="aac", preset="live", url=hls, mime_type=HLS_MIME,
                        track_urn=urn)


def _quoted(text: str) -> str:
    """A GraphQL string literal's inside (a username or slug with a quote cannot escape)."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def lookup_query(target: Target, fields: str = _YT_DLP_FIELDS) -> str:
    """``{ cloudcastLookup(lookup: {username: "U", slug: "S"}) { … } }`` as yt-dlp builds it."""
    user, slug = _quoted(target.user), _quoted(target.slug)
    return ("{\n  cloudcastLookup(lookup: {username: \"" + user + "\", slug: \"" + slug
            + "\"}) {\n    " + fields + "\n  }\n}")


def choose(lookup: Any, target: Target, *, urn: str, title: str = "",
           prefer: str | None = None) -> StreamChoice:
    """The stream of a ``cloudcastLookup`` answer: HLS, else progressive. Raises NotFound
    (no such show), GeoBlocked / Restricted (``restrictedReason``), SubscriptionRequired
    (a Select exclusive), per docs/mixcloud.md §4.3."""
    name = f"“{title}”" if title else target.web_url
    if not isinstance(lookup, dict):
        raise NotFound(f"Mixcloud has no show {target.web_url}.",
                       hint="Check the link; it may have been deleted or made private.")
    shown = f"“{parse._str(lookup.get('name'))}”" if parse._str(lookup.get("name")) else name
    reason = parse._str(lookup.get("restrictedReason"))
    if reason == "tracklist":
        raise GeoBlocked(f"{shown} is unavailable in your country (Mixcloud's licensing "
                         "restrictions).", hint="Nothing to do from here; it may play elsewhere.")
    if reason == "repeat_play":
        raise Restricted(f"You have reached Mixcloud's play limit for {shown}.",
                         hint="Listen to another show; the limit lifts after a while.")
    if reason:
        raise Restricted(f"Mixcloud restricts {shown} ({reason}).",
                         hint="Open it on mixcloud.com.")
    info = parse._dict(lookup.get("streamInfo"))
    hls = parse.decode_stream_url(info.get("hlsUrl"))
    progressive = parse.decode_stream_url(info.get("url"))
    if not hls and not progressive:
        if lookup.get("isExclusive") is True:
            raise SubscriptionRequired(
                f"{shown} is a Mixcloud Select exclusive: only subscribers can hear it.",
                hint="Subscribe to the uploader on Mixcloud Select to listen.")
        raise NotFound(f"Mixcloud gives no stream for {shown}.",
                       hint="It may still be processing; try again later.")
    if prefer in ("mp3", "opus"):
        raise NotFound(f"Mixcloud serves {shown} as AAC only, not {prefer}.",
                       hint="Use --format best (or m4a).")
    if prefer == "progressive" and progressive:  # a download's choice (service/downloads.py)
        return StreamChoice(protocol="progressive", codec="aac", preset="m4a_64k",
                            url=progressive, mime_type=M4A_MIME, track_urn=urn,
                            max_range_bytes=MAX_RANGE_BYTES)
    if hls:
        return StreamChoice(protocol="hls", codec="aac", preset="hls", url=hls,
                            mime_type=HLS_MIME, track_urn=urn)
    assert progressive is not None
    return StreamChoice(protocol="progressive", codec="aac", preset="m4a_64k", url=progressive,
                        mime_type=M4A_MIME, track_urn=urn, max_range_bytes=MAX_RANGE_BYTES)
