"""The api-v2 media endpoint (transcoding URL -> `{url}` signed CDN URL, §3.1) and the
original-file download (`/tracks/{id}/download`, §3.4).

We never serve DRM: encrypted transcodings answer 404 `{}`, like `abr_sq` and like the legacy
MP3 transcodings of DRM-only tracks since 2026-04/05 (§2.2, §3.5). Signed URLs expire at
≈ now + duration + 120 s (the deadline decoded from real Policies), or `state.media_ttl`
seconds when a test wants them short.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from minion_tui.emulator.catalog.model import DRM_ONLY, Track
from minion_tui.emulator.soundcloud.context import ApiContext
from minion_tui.emulator.soundcloud.resources import (
    PREVIEW_MS,
    Transcoding,
    api_json,
    not_found,
    transcodings_of,
)
from minion_tui.emulator.soundcloud.routing import Endpoint

EXPIRY_SLACK_S = 120


def cdn_kind(transcoding: Transcoding) -> str | None:
    """Which CDN stream a transcoding maps to; None = it answers 404 `{}`."""
    if transcoding.encrypted or transcoding.preset.startswith("abr_"):
        return None
    if transcoding.preset == "aac_160k":
        return "aac_hls"
    if transcoding.preset.startswith("opus"):
        return "opus_hls"
    if transcoding.protocol == "hls":
        return "mp3_preview_hls" if transcoding.snipped else "mp3_hls"
    return "mp3_preview" if transcoding.snipped else "mp3_progressive"


def expires_at(ctx: ApiContext, track: Track, snipped: bool) -> float:
    if ctx.state.media_ttl is not None:
        return ctx.state.clock() + ctx.state.media_ttl
    seconds = (PREVIEW_MS if snipped else track.duration_ms) / 1000
    return ctx.state.clock() + seconds + EXPIRY_SLACK_S


async def media(ctx: ApiContext, request: Request) -> Response:
    params = request.query_params
    track = ctx.catalog.tracks.get(_track_id(request.path_params["urn"]))
    if track is None:
        return not_found()
    if track.secret_token and params.get("secret_token") != track.secret_token:
        return not_found()
    authorization = params.get("track_authorization")
    if authorization is not None and not ctx.auth.valid(authorization):
        return api_json({}, 401)
    mode, protocol, tid = (request.path_params[k] for k in ("mode", "protocol", "tid"))
    chosen = next((t for t in transcodings_of(track)
                   if t.uuid == tid and t.protocol == protocol
                   and mode == ("preview" if t.snipped else "stream")), None)
    if chosen is None:
        return not_found()
    kind = cdn_kind(chosen)
    if kind is None or (chosen.legacy and track.availability == DRM_ONLY):
        return not_found()
    url = ctx.cdn.signed_url(kind, track.media_key,
                             expires_at=expires_at(ctx, track, chosen.snipped))
    return api_json({"url": url})


def _track_id(urn: str) -> int:
    match = re.fullmatch(r"soundcloud:tracks:(\d+)", urn)
    return int(match.group(1)) if match else -1


def original_filename(ctx: ApiContext, track: Track) -> str:
    return f"{track.title} (Final Master).mp3"


def _disposition(filename: str) -> str:
    fallback = filename.encode("ascii", "replace").decode().replace('"', "'")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


async def download(ctx: ApiContext, request: Request) -> Response:
    """401 anonymous; `{redirectUri}` with `Authorization: OAuth <token>` (§3.4): a web
    session's token, or (the emulator's assumption) an ``auth login`` one."""
    if ctx.state.user_for_any_token(request.headers.get("authorization")) is None:
        return api_json({}, 401)
    track = ctx.track(request.path_params["id"], request.query_params.get("secret_token"))
    if track is None:
        return not_found()
    if not (track.downloadable and track.has_downloads_left):
        return api_json({}, 403)
    url = ctx.cdn.signed_url("mp3_progressive", track.media_key,
                             expires_at=expires_at(ctx, track, False))
    # An S3-style presigned parameter makes the CDN send the original filename (§3.4).
    disposition = quote(_disposition(original_filename(ctx, track)))
    redirect = f"{url}&response-content-disposition={disposition}"
    return api_json({"redirectUri": redirect})


ROUTES: dict[str, Endpoint] = {
    "/media/{urn}/{tid}/{mode}/{protocol}": media,
    "/tracks/{id}/download": download,
}
