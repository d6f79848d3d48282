"""The official original-file download (soundcloud-protocol.md §3.4).

``GET /tracks/{id}/download`` with ``Authorization: OAuth <token>`` answers
``{"redirectUri": "<signed cf-media URL>"}``; that URL's response carries the uploader's file
name in ``Content-Disposition`` and its format in ``Content-Type`` / ``x-amz-meta-file-type``.
Anonymous callers get 401 (the endpoint is login-only since 2025), 403 means "not for this
account / no downloads left".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from minion_tui.errors import AuthError, MinionError, NotFound
from minion_tui.models import Track
from minion_tui.providers.soundcloud import parse

if TYPE_CHECKING:
    from minion_tui.providers.soundcloud.client import SoundCloud

# MIME types and S3 file-type metadata → file extensions, for a response without a file name.
EXTENSIONS = {
    "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/wav": "wav", "audio/x-wav": "wav",
    "audio/wave": "wav", "audio/flac": "flac", "audio/x-flac": "flac", "audio/aiff": "aiff",
    "audio/x-aiff": "aiff", "audio/mp4": "m4a", "audio/x-m4a": "m4a", "audio/aac": "aac",
    "audio/ogg": "ogg", "audio/opus": "opus",
}
_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.IGNORECASE)
_FILENAME = re.compile(r'filename\s*=\s*(?:"([^"]*)"|([^;]+))', re.IGNORECASE)


class OriginalUnavailable(MinionError):
    """The original file cannot be had; the text says why (the caller falls back)."""

    type = "original_unavailable"


@dataclass(frozen=True)
class OriginalName:
    """The uploader's file name split as we keep it: ``stem`` and ``ext`` (no dot, lower)."""

    stem: str
    ext: str


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


def original_name(disposition: str | None, content_type: str | None,
                  file_type: str | None = None) -> OriginalName | None:
    """The file name from ``Content-Disposition`` (RFC 6266: ``filename*`` wins over
    ``filename``); the extension from the name, else from ``x-amz-meta-file-type`` or the
    ``Content-Type``. None when no name is given."""
    name = ""
    if disposition:
        star = _FILENAME_STAR.search(disposition)
        plain = _FILENAME.search(disposition)
        if star:
            name = unquote(star.group(2).strip(), encoding=star.group(1) or "utf-8",
                           errors="replace")
        elif plain:
            name = (plain.group(1) if plain.group(1) is not None else plain.group(2)).strip()
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        return None
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext.isalnum() or len(ext) > 5:
        stem, ext = name, ""
    return OriginalName(stem, ext.lower() or extension_for(content_type, file_type))


def extension_for(content_type: str | None, file_type: str | None = None) -> str:
    """The extension ``x-amz-meta-file-type`` or the ``Content-Type`` implies ("bin" if none)."""
    kind = (file_type or "").lower().strip(". ")
    if kind.isalnum() and len(kind) <= 5:
        return kind
    return EXTENSIONS.get((content_type or "").split(";", 1)[0].strip().lower(), "bin")
