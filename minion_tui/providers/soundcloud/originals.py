"""The official original-file download (docs/soundcloud.md §3.4).

``GET /tracks/{id}/download`` with ``Authorization: OAuth <token>`` answers
``{"redirectUri": "<signed cf-media URL>"}``; that URL's response carries the uploader's file
name in ``Content-Disposition`` and its format in ``Content-Type`` / ``x-amz-meta-file-type``.
Anonymous callers get 401 (the endpoint is login-only since 2025), 403 means "not for this
account / no downloads left".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minion_tui.errors import AuthError, NotFound, OriginalUnavailable
from minion_tui.models import Track
from minion_tui.providers.soundcloud import parse

if TYPE_CHECKING:
    from minion_tui.providers.soundcloud.client import SoundCloud



def offers_original(track: Track) -> str | None:
    """None when the track offers its original to this account, else why not (§3.4)."""
    if not track.downloadable:
        return "the uploader does not offer the original file"
    if track.raw.get("has_downloads_left") is False:
        return "the original file has no downloads left"
    return None


async def original_url(sc: SoundCloud, track: Track) -> str:
    """The signed URL of ``track``'s original file. Needs the OAuth token (raises
    OriginalUnavailable saying why otherwise)."""
    why = offers_original(track)
    if why:
        raise OriginalUnavailable(f"{track.title}: {why}.")
    secret = parse.secret_token(track.raw)
    params = {"secret_token": secret} if secret else None
    try:
        data = await sc.api.get(f"/tracks/{track.id}/download", params)
    except AuthError as error:
        raise OriginalUnavailable(
            f"SoundCloud refused the original file of {track.title} ({error.text})",
            hint="Sign in (soundcloud.access_token) with an account allowed to download it.",
        ) from error
    except NotFound as error:
        raise OriginalUnavailable(f"SoundCloud has no original file for {track.title}.") \
            from error
    url = data.get("redirectUri") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url:
        raise OriginalUnavailable(f"SoundCloud's answer for the original of {track.title} "
                                  "carried no redirectUri.")
    return url
