"""The official original-file download (docs/soundcloud.md §3.4).

``GET /tracks/{id}/download`` with ``Authorization: OAuth <token>`` answers
``{"redirectUri": "<signed cf-media URL>"}``; that URL's response carries the uploader's file
name in ``Content-Disposition`` and its format in ``Content-Type`` / ``x-amz-meta-file-type``.
Anonymous callers get 401 (the endpoint is login-only since 2025), 403 means "not for this
account / no downloads left".

The user token is the one ``SoundCloud.download_token`` picks: a configured token, the pasted
web session, or the ``auth login`` sign-in that ``service.accounts`` keeps (refreshed before
it expires, and once more after a 401). It goes to api-v2's origin only (``Credentials``); the
signed URL of the answer, on the CDN, is fetched with no credentials at all
(downloads/original.py). Whether the real api-v2 takes an official-API OAuth 2.1 token here
is not documented (docs/accounts.md §6): a pasted session, api-v2's own kind, is asked first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minion_tui.errors import AuthError, HTTPAuthError, NotFound, OriginalUnavailable
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


SIGN_IN = ("Sign in with `minion-tui auth login soundcloud` (or paste a web session with "
           "`minion-tui auth token soundcloud`) as an account allowed to download it.")


async def original_url(sc: SoundCloud, track: Track, signed: tuple[str, str]) -> str:
    """The signed URL of ``track``'s original file, asked with the user token ``signed``
    (token, kind); OriginalUnavailable saying why otherwise."""
    why = offers_original(track)
    if why:
        raise OriginalUnavailable(f"{track.title}: {why}.")
    secret = parse.secret_token(track.raw)
    params = {"secret_token": secret} if secret else None
    token, kind = signed
    path = f"/tracks/{track.id}/download"
    try:
        try:
            data = await sc.api.get(path, params, token=token)
        except HTTPAuthError as refused:
            account = sc._account
            if refused.status != 401 or kind != "oauth" or account is None:
                raise
            # the sign-in's token was refused: renewed once (AuthRequired when it cannot be)
            data = await sc.api.get(path, params,
                                    token=await account.refused(sc.name, "oauth", token))
    except AuthError as error:
        raise OriginalUnavailable(
            f"SoundCloud refused the original file of {track.title} ({error.text})",
            hint=SIGN_IN) from error
    except NotFound as error:
        raise OriginalUnavailable(f"SoundCloud has no original file for {track.title}.") \
            from error
    url = data.get("redirectUri") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url:
        raise OriginalUnavailable(f"SoundCloud's answer for the original of {track.title} "
                                  "carried no redirectUri.")
    return url
