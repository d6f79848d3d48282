"""The answers every CDN origin here shares: CloudFront's 403 for a URL its signature does not
cover (or past its deadline), a plain 404, and the HLS playlist media type."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from minion_tui.emulator.cdn.signing import Signer

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
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
