"""Is the first segment of a joined stream the audio its playlist announced?

MP3 and Opus segments are joined by concatenation (docs/downloads.md §2.1, §2.4), which reads
nothing of what it copies: an error page served with HTTP 200, or random bytes, would become
a "finished" file that no player can decode. So the first segment is looked at before it is
appended (docs/downloads.md §1.8): an MP3 one must hold two consecutive MPEG audio Layer III
frame headers (one alone turns up by chance in 4 KiB of random bytes more often than not; a
second at the distance the first announces almost never does), an Opus one must begin with an
Ogg page (``OggS``, RFC 3533 §6). The AAC remux needs no check of its own: the demuxer
refuses what it cannot read (remux.py turns that into the same error).
"""

from __future__ import annotations

from minion_tui.errors import InvalidMedia

#: How far into the first segment (after its ID3 tag) the first frame may start.
LOOK = 4096
# Layer III bit rates (kbit/s) by index, MPEG-1 and MPEG-2/2.5; sample rates by version bits.
_RATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_HINT = ("The server sent something else than audio (an error page, say); try again later, "
         "or another --format.")


def mp3_frame_length(header: bytes) -> int:
    """The length of the MPEG audio Layer III frame whose 4-byte header is ``header``; 0 when
    those bytes are not such a header."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return 0
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    rate_index, sample_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer != 1 or rate_index in (0, 15) or sample_index == 3:
        return 0
    kbits = (_RATES_V1 if version == 3 else _RATES_V2)[rate_index]
    sample_rate = _SAMPLE_RATES[version][sample_index]
    per_frame = 144 if version == 3 else 72
    return per_frame * kbits * 1000 // sample_rate + ((header[2] >> 1) & 1)


def looks_like_mp3(data: bytes) -> bool:
    """Two consecutive Layer III frames start within the first LOOK bytes of ``data`` (or one
    frame that fills it to its end)."""
    for start in range(min(len(data), LOOK)):
        if data[start] != 0xFF:
            continue
        length = mp3_frame_length(data[start:start + 4])
        if not length:
            continue
        follower = start + length
        if follower == len(data) or mp3_frame_length(data[follower:follower + 4]):
            return True
    return False


def check_first_segment(data: bytes, *, mp3: bool, where: str) -> None:
    """Raise InvalidMedia unless ``data`` (the first segment, its ID3 tag stripped) begins
    the stream announced: MP3 when ``mp3``, else Opus in Ogg."""
    if mp3 and not looks_like_mp3(data):
        raise InvalidMedia(f"The first segment of {where} is not MP3 audio "
                           f"({_shown(data)}).", hint=_HINT)
    if not mp3 and not data.startswith(b"OggS"):
        raise InvalidMedia(f"The first segment of {where} is not Ogg Opus audio "
                           f"({_shown(data)}).", hint=_HINT)


def _shown(data: bytes) -> str:
    if not data:
        return "it is empty"
    head = data[:24]
    text = head.decode("ascii", errors="replace")
    if text.isprintable():
        return f"it begins {text!r}"
    return f"it begins with bytes {head[:8].hex(' ')}"
