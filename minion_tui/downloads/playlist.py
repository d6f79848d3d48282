"""An HLS media playlist as the downloader sees it, read within bounds and refused when it is
not one (docs/downloads.md §1.8).

The bounds are checked from the cheapest up, so an enormous or hostile body costs almost
nothing: the bytes while the body arrives (hls.read_playlist stops reading at the cap), the
``#EXTM3U`` header and the number of ``#EXTINF`` lines in the text before the m3u8 library
parses it (a 1,000,000-segment playlist took it 32 s and 1.5 GB), then the announced duration
and the end of the list. A playlist that passes names at least one segment and ends with
``#EXT-X-ENDLIST`` (RFC 8216 §4.3.3.4: a media playlist without it is cut off, or live).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from minion_tui.config import DownloadSettings
from minion_tui.errors import DownloadError, DrmOnly, InvalidPlaylist, PlaylistTooLarge

if TYPE_CHECKING:
    import m3u8


@dataclass(frozen=True)
class Cipher:
    """AES-128 (CBC, PKCS#7) of one segment: the key's URL and the IV (RFC 8216 §5.2)."""

    key_url: str
    iv: bytes


@dataclass(frozen=True)
class Segment:
    index: int
    url: str
    byterange: tuple[int, int] | None = None  # (offset, length)
    cipher: Cipher | None = None
    seconds: float = 0.0  # EXTINF


@dataclass(frozen=True)
class MediaPlaylist:
    init: Segment | None
    segments: tuple[Segment, ...]

    @property
    def seconds(self) -> float:
        """The duration the playlist announces (its EXTINFs)."""
        return sum(segment.seconds for segment in self.segments)


_DEFAULTS = DownloadSettings


@dataclass(frozen=True)
class PlaylistLimits:
    """The downloads.max_playlist_bytes / max_segments / max_duration_hours settings."""

    max_bytes: int = _DEFAULTS.max_playlist_bytes
    max_segments: int = _DEFAULTS.max_segments
    max_hours: float = _DEFAULTS.max_duration_hours

    @classmethod
    def of(cls, settings: DownloadSettings) -> PlaylistLimits:
        return cls(settings.max_playlist_bytes, settings.max_segments,
                   settings.max_duration_hours)

    def too_many_bytes(self, url: str, size: int, *, announced: bool = False) -> PlaylistTooLarge:
        said = "announces" if announced else "has more than"
        return PlaylistTooLarge(
            f"The playlist {url} {said} {size if announced else self.max_bytes} bytes; "
            f"the limit is {self.max_bytes} bytes (downloads.max_playlist_bytes).",
            hint=_RAISE_HINT)


#: The caps when the caller names none (the settings' defaults).
DEFAULT_LIMITS = PlaylistLimits()
_RAISE_HINT = ("If this really is one track, raise the limit in the [downloads] section of "
               "config.toml (`minion-tui config init` writes a commented one if you have "
               "none); otherwise "
               "skip this URL.")
_NOT_A_PLAYLIST_HINT = ("Check the URL (the server may have answered with an error or a "
                        "sign-in page) and try again later.")


def parse_playlist(text: str, base_url: str, limits: PlaylistLimits = DEFAULT_LIMITS, *,
                   name: str = "") -> MediaPlaylist | str:
    """A media playlist, or the URI of the first variant when ``text`` is a master playlist.
    Raises InvalidPlaylist, PlaylistTooLarge or DrmOnly (before a byte of audio is fetched).
    ``name``: the playlist's URL as messages show it (default ``base_url``)."""
    shown = name or base_url
    text = text.removeprefix("\ufeff")
    if not text.lstrip().startswith("#EXTM3U"):
        head = " ".join(text.lstrip()[:40].split())
        raise InvalidPlaylist(
            f"{shown} is not an HLS playlist: it does not begin with #EXTM3U "
            f"(it begins {head!r})." if head else f"{shown} answered with an empty body "
            "instead of an HLS playlist.", hint=_NOT_A_PLAYLIST_HINT)
    count = text.count("#EXTINF")
    if count > limits.max_segments:
        raise PlaylistTooLarge(
            f"The playlist {shown} lists {count} segments; the limit is "
            f"{limits.max_segments} (downloads.max_segments).", hint=_RAISE_HINT)
    import m3u8  # loaded by preload.start() while the playlist request was out

    try:
        playlist = m3u8.loads(text, uri=base_url)
    except (ValueError, m3u8.ParseError) as error:  # a malformed #EXTINF, say
        raise _malformed(shown, error) from error
    if playlist.is_variant:
        if not playlist.playlists:
            raise InvalidPlaylist(f"The master playlist {shown} names no variant stream.",
                                  hint=_NOT_A_PLAYLIST_HINT)
        # The best-bandwidth variant: audio masters list one rendition per bitrate.
        best = max(playlist.playlists, key=lambda p: p.stream_info.bandwidth or 0)
        return str(best.absolute_uri)
    _refuse_drm(playlist)
    try:
        parsed = _media(playlist, base_url)
    except ValueError as error:  # a byte range that is not numbers
        raise _malformed(shown, error) from error
    if not parsed.segments:
        raise InvalidPlaylist(f"The playlist {shown} lists no segments: there is no audio "
                              "to download.", hint=_NOT_A_PLAYLIST_HINT)
    if not playlist.is_endlist:
        raise InvalidPlaylist(
            f"The playlist {shown} does not end with #EXT-X-ENDLIST: it was cut off on "
            "the way, or it is a live stream (minion_tui downloads only finished ones).",
            hint="Try again; if it happens every time, the stream is live or the server "
                 "sends it incomplete.")
    hours = parsed.seconds / 3600
    if hours > limits.max_hours:
        raise PlaylistTooLarge(
            f"The playlist {shown} lasts {hours:.1f} hours; the limit is "
            f"{limits.max_hours:g} hours (downloads.max_duration_hours).", hint=_RAISE_HINT)
    return parsed


def _malformed(shown: str, error: Exception) -> InvalidPlaylist:
    return InvalidPlaylist(f"The playlist {shown} is malformed: {error}.",
                           hint=_NOT_A_PLAYLIST_HINT)


def _refuse_drm(playlist: m3u8.M3U8) -> None:
    for key in playlist.keys:
        if key is None or key.method in ("NONE", None):
            continue
        if key.method != "AES-128" or (key.keyformat or "identity") != "identity":
            # Whole-segment AES-128 is plain encryption with a fetchable key; SAMPLE-AES,
            # SAMPLE-AES-CTR/cbcs and key systems (FairPlay, Widevine) are DRM: refused before
            # a single byte is fetched or written.
            raise DrmOnly(
                f"This stream is DRM-encrypted ({key.method}); minion_tui does not download it.",
                hint="Try another format with --format, or skip this track.")
        if not key.uri:
            raise DownloadError("The playlist names AES-128 encryption but no key URI.")


def _media(playlist: m3u8.M3U8, base_url: str) -> MediaPlaylist:
    init = None
    offset = 0
    if playlist.segment_map:
        first = playlist.segment_map[0]
        init = Segment(-1, str(first.absolute_uri), _range(first.byterange, 0)[0])
    segments = []
    for index, seg in enumerate(playlist.segments):
        byterange, offset = _range(seg.byterange, offset)
        # (m3u8's absolute_uri is this join plus two checks of a base that is a URL here)
        segments.append(Segment(index, urljoin(base_url, seg.uri), byterange,
                                _cipher(seg.key, playlist.media_sequence or 0, index),
                                float(seg.duration or 0.0)))
    return MediaPlaylist(init, tuple(segments))


def _cipher(key: m3u8.Key | None, first_sequence: int, index: int) -> Cipher | None:
    if key is None or key.method != "AES-128":
        return None
    if key.iv:
        iv = bytes.fromhex(key.iv[2:] if key.iv.lower().startswith("0x") else key.iv)
        iv = iv.rjust(16, b"\0")[-16:]
    else:
        # No IV attribute: the media sequence number, big-endian in 16 bytes (RFC 8216 §5.2).
        iv = (first_sequence + index).to_bytes(16, "big")
    return Cipher(str(key.absolute_uri), iv)


def _range(spec: str | None, previous_end: int) -> tuple[tuple[int, int] | None, int]:
    if not spec:
        return None, previous_end
    length_text, _, offset_text = spec.partition("@")
    offset = int(offset_text) if offset_text else previous_end
    length = int(length_text)
    return (offset, length), offset + length
