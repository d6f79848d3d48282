"""The answers every CDN origin here shares: CloudFront's 403 for a URL its signature does not
cover (or past its deadline), a plain 404, the HLS playlist media type and an HLS VOD media
playlist."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from minion_tui.emulator.cdn.signing import Signer

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
#: The head of the SoundCloud CDN's MP3 and Opus playlists.
VOD_HEAD = ("#EXT-X-VERSION:3", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-TARGETDURATION:10",
            "#EXT-X-MEDIA-SEQUENCE:0")
_ACCESS_DENIED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Error><Code>AccessDenied</Code><Message>{}</Message></Error>"
)


def route_path(request: Request) -> str:
    """The path on the real origin (the emulator's mount prefix removed)."""
    path: str = request.scope["path"]
    root: str = request.scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def refusal(signer: Signer, request: Request, origin: str, now: float) -> Response | None:
    """CloudFront's 403 when the request's Policy/Signature do not cover its URL on `origin`
    at `now`; None when they do."""
    reason = signer.check(dict(request.query_params), origin + route_path(request), now)
    if reason is None:
        return None
    return Response(_ACCESS_DENIED.format(reason), status_code=403, media_type="text/xml")


def not_found(what: str) -> Response:
    return PlainTextResponse(f"Not found: {what}", status_code=404)


class _Segmented(Protocol):
    @property
    def segment_count(self) -> int: ...


S = TypeVar("S", bound=_Segmented)


def segment_of(track: S | Response, request: Request) -> tuple[S, int] | Response:
    """The track and the segment number (``index``) a segment request names, or the answer
    refusing it: the refusal the track's lookup gave, or a 404 for a segment it lacks."""
    if isinstance(track, Response):
        return track
    index: int = request.path_params["index"]
    if not 0 <= index < track.segment_count:
        return not_found(f"segment {index}")
    return track, index


def vod_playlist(head: Iterable[str], segments: Iterable[tuple[float, str]], *,
                 digits: int = 6) -> Response:
    """An HLS VOD media playlist: ``#EXTM3U``, the ``head`` tags, each segment's duration
    (``digits`` decimals) and URI, and ``#EXT-X-ENDLIST``."""
    lines = ["#EXTM3U", *head]
    for seconds, uri in segments:
        lines.append(f"#EXTINF:{seconds:.{digits}f},")
        lines.append(uri)
    lines.append("#EXT-X-ENDLIST")
    return Response("\n".join(lines) + "\n", media_type=PLAYLIST_TYPE)
