"""Which transcoding to play and getting it signed (docs/soundcloud.md §2.2, §3).

Order: clear ``aac_160k`` HLS, then progressive MP3, then MP3 HLS, then legacy Opus HLS
(``prefer="mp3"`` puts the MP3s first; ``prefer="opus"`` takes the legacy ``opus_0_0`` HLS or
nothing, since SoundCloud stopped serving Opus in April 2026, docs/soundcloud.md §2.2/§3.5);
never an encrypted (``ctr-``/``cbc-encrypted-hls``) or ``abr_*`` transcoding. The
media endpoint is asked with ``track_authorization`` (the web player, NewPipe and soundcloak
send it; it "may become mandatory"); a 404 moves on to the next candidate (dead, legacy-on-DRM).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from minion_tui.errors import AuthError, DrmOnly, GeoBlocked, InvalidArgument, NotFound, PreviewOnly
from minion_tui.models import StreamChoice
from minion_tui.providers.soundcloud import parse
from minion_tui.providers.soundcloud.parse import Transcoding

if TYPE_CHECKING:
    from minion_tui.providers.soundcloud.api import Api

PREFERENCES = (None, "aac", "mp3", "opus")
OPUS_GONE = ("SoundCloud stopped serving Opus in April 2026 (only older uploads may still "
             "carry it)")


class FormatUnavailable(NotFound):
    """The track has no stream in the codec the caller insisted on (``prefer="opus"``)."""

    type = "format_unavailable"


@dataclass(frozen=True, slots=True)
class StreamSource:
    """What signing needs, kept from the track JSON (also for re-signing after a CDN 403)."""

    track_urn: str
    title: str
    policy: str
    transcodings: tuple[Transcoding, ...]
    track_authorization: str | None
    secret_token: str | None
    fetched_at: float

    @classmethod
    def from_track(cls, raw: dict[str, Any], *, urn: str, title: str) -> StreamSource:
        return cls(
            track_urn=urn,
            title=title,
            policy=str(raw.get("policy") or "").upper(),
            transcodings=tuple(parse.transcodings(raw)),
            track_authorization=parse.track_authorization(raw),
            secret_token=parse.secret_token(raw),
            fetched_at=time.time(),
        )


def _group(t: Transcoding, prefer: str | None) -> int:
    codec = t.codec
    if codec == "aac" and t.protocol == "hls":
        group = 0
    elif codec == "mp3" and t.protocol == "progressive":
        group = 1
    elif codec == "mp3" and t.protocol == "hls":
        group = 2
    elif codec == "opus":
        group = 3
    else:
        group = 4
    if prefer == "mp3" and group in (1, 2):
        group -= 3  # mp3 first, in the same progressive-then-HLS order
    if prefer == "opus" and group == 3:
        group = -1
    return group


def candidates(transcodings: Sequence[Transcoding], prefer: str | None = None) -> list[Transcoding]:
    """Playable transcodings, best first: full before snippet, then by codec/protocol group,
    ``aac_160k`` before other AAC presets (``hq``/256k needs Go+), page order last."""
    if prefer not in PREFERENCES:
        raise InvalidArgument(f"Unknown stream preference {prefer!r}.",
                              hint="Use aac, mp3 or opus.")
    clear = [t for t in transcodings if parse.is_clear(t) and t.codec]
    order = {id(t): i for i, t in enumerate(clear)}
    return sorted(clear, key=lambda t: (
        t.snipped,
        _group(t, prefer),
        0 if t.preset == "aac_160k" else (2 if t.quality == "hq" else 1),
        order[id(t)],
    ))


def expires_at(url: str) -> float | None:
    """The deadline of a signed URL: ``expires=`` (AAC) or the CloudFront ``Policy``'s
    ``DateLessThan`` (docs/soundcloud.md §3.1)."""
    query = parse_qs(urlsplit(url).query)
    for value in query.get("expires", []):
        try:
            return float(value)
        except ValueError:
            pass
    for policy in query.get("Policy", []):
        deadline = _policy_deadline(policy)
        if deadline is not None:
            return deadline
    return None


def _policy_deadline(policy: str) -> float | None:
    # CloudFront's URL-safe base64: '-' for '+', '_' for '=', '~' for '/'.
    text = policy.replace("-", "+").replace("_", "=").replace("~", "/")
    try:
        decoded = json.loads(base64.b64decode(text + "=" * (-len(text) % 4)))
        epoch = decoded["Statement"][0]["Condition"]["DateLessThan"]["AWS:EpochTime"]
        return float(epoch)
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def preview_only(source: StreamSource, prefer: str | None) -> bool:
    """Whether api-v2 offers only the 30-second preview of the track (a Go+ track)."""
    found = candidates(source.transcodings, prefer)
    return bool(found) and all(t.snipped for t in found) and source.policy != "BLOCK"


def refuse_early(source: StreamSource, *, require_full: bool, prefer: str | None) -> None:
    """Raise before any media request when the track cannot give what was asked."""
    title = f"“{source.title}”" if source.title else source.track_urn
    if source.policy == "BLOCK" or not source.transcodings:
        if source.policy == "BLOCK":
            raise GeoBlocked(f"{title} is blocked in your country (SoundCloud policy BLOCK).",
                             hint="Nothing to do from here; it may play elsewhere.")
        raise NotFound(f"SoundCloud lists no streams for {title}.",
                       hint="It may still be processing; try again later.")
    found = candidates(source.transcodings, prefer)
    if not found:
        if any(t.encrypted for t in source.transcodings):
            raise _drm(title)
        raise NotFound(f"No playable stream for {title} (only formats the app cannot play).",
                       hint="Open it on soundcloud.com.")
    if require_full and all(t.snipped for t in found):
        raise PreviewOnly(f"Only a 30-second preview of {title} is available (a Go+ track).",
                          hint="Play the preview instead, or sign in with a Go+ account.")
    if prefer == "opus" and not any(_opus_wanted(t, require_full) for t in found):
        if _drm_only(source):
            raise _drm(title)
        raise FormatUnavailable(f"No Opus stream is offered for {title}: {OPUS_GONE}.",
                                hint="Use --format best (or m4a / mp3).")


def _opus_wanted(t: Transcoding, require_full: bool) -> bool:
    return t.codec == "opus" and not (require_full and t.snipped)


def _drm_only(source: StreamSource) -> bool:
    """Doc §2.2 (NOTES-ES ``isDrmOnly``): encrypted streams and only legacy clear ones."""
    clear = [t for t in source.transcodings if parse.is_clear(t)]
    return any(t.encrypted for t in source.transcodings) and all(t.legacy for t in clear)


def _drm(title: str) -> DrmOnly:
    return DrmOnly(f"{title} is only available DRM-encrypted (Widevine/FairPlay), which "
                   "minion-tui cannot play.", hint="Listen to it on soundcloud.com.")


async def sign(api: Api, source: StreamSource, t: Transcoding) -> StreamChoice | None:
    """The signed URL of one transcoding, or None when the media endpoint answers 404."""
    params: dict[str, str] = {}
    if source.track_authorization:
        params["track_authorization"] = source.track_authorization
    if source.secret_token:
        params["secret_token"] = source.secret_token
    answer = await api.media(t.url, params)
    url = parse.signed_url(answer.body) if answer.status < 400 else None
    if url is None:
        return None
    return StreamChoice(
        protocol=t.protocol, codec=t.codec, preset=t.preset, url=url, preview=t.snipped,
        mime_type=t.mime_type, expires_at=expires_at(url), track_urn=source.track_urn,
    )


async def choose(
    api: Api, source: StreamSource, *, require_full: bool = False, prefer: str | None = None
) -> StreamChoice:
    """The best stream that the media endpoint actually signs."""
    refuse_early(source, require_full=require_full, prefer=prefer)
    title = f"“{source.title}”" if source.title else source.track_urn
    refused: AuthError | None = None
    for t in candidates(source.transcodings, prefer):
        if require_full and t.snipped:
            continue
        if prefer == "opus" and t.codec != "opus":
            continue  # asked for Opus: never another codec under the .opus name
        try:
            choice = await sign(api, source, t)
        except AuthError as exc:  # auth-gated transcoding: another one may still play
            refused = exc
            continue
        if choice is not None:
            return choice
    # Clear legacy ones answer 404 on DRM-only tracks since 2026-04 (§3.5); a track that
    # still has clear AAC is not "DRM-only" just because its Opus stream is gone.
    if any(t.encrypted for t in source.transcodings) and (prefer != "opus"
                                                          or _drm_only(source)):
        raise _drm(title)
    if refused is not None:
        raise refused
    if prefer == "opus":
        raise FormatUnavailable(f"The Opus stream of {title} is no longer served (HTTP 404): "
                                f"{OPUS_GONE}.", hint="Use --format best (or m4a / mp3).")
    raise NotFound(f"Every stream of {title} answered 404.",
                   hint="The track may have been removed; try again later.")


async def resign(api: Api, source: StreamSource, old: StreamChoice) -> StreamChoice | None:
    """A fresh signed URL of the same transcoding kind, or None if it is gone."""
    same = [t for t in candidates(source.transcodings)
            if (t.preset, t.protocol, t.snipped) == (old.preset, old.protocol, old.preview)]
    for t in same:
        choice = await sign(api, source, t)
        if choice is not None:
            return choice
    return None
