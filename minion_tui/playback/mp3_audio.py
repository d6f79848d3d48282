"""Raw MP3 HLS segments -> MPEG-TS segments (transport_stream.py says why).

SoundCloud's MP3 HLS segments are byte slices of one CBR MP3 file (docs/downloads.md
§1.6) with no timestamps of their own, so a segment's start time is the sum of the ``#EXTINF``
durations before it; frames inside it follow at 1152 (MPEG-1) or 576 (MPEG-2/2.5) samples
each. No byte is dropped except an ID3v2 tag at the very start: bytes that are not a whole
frame (a slice cut mid-frame) ride along in the neighbouring PES, and libavformat's MP3
parser, which reads the PES payloads as one byte stream, joins them with the next segment's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from minion_tui.playback.transport_stream import CLOCK, MPEG1_AUDIO, MPEG2_AUDIO, Frame, mux

# kbit/s by bitrate index, Layer III only (the only layer these streams use)
_MPEG1_L3 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG2_L3 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class _Header:
    length: int  # bytes, header included
    samples: int  # per frame
    rate: int  # Hz
    mpeg1: bool


def _header(data: bytes, at: int) -> _Header | None:
    """The Layer III frame header at ``at``, or None if there is none."""
    if at + 4 > len(data) or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[at + 1] >> 3) & 3, (data[at + 1] >> 1) & 3
    bitrate_index, rate_index = data[at + 2] >> 4, (data[at + 2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    mpeg1 = version == 3
    rate = _RATES[version][rate_index]
    bitrate = (_MPEG1_L3 if mpeg1 else _MPEG2_L3)[bitrate_index] * 1000
    padding = (data[at + 2] >> 1) & 1
    length = (144 if mpeg1 else 72) * bitrate // rate + padding
    return _Header(length, 1152 if mpeg1 else 576, rate, mpeg1)


def _skip_id3(data: bytes) -> int:
    if len(data) >= 10 and data[:3] == b"ID3":
        size = 0
        for byte in data[6:10]:  # syncsafe: 7 bits per byte
            size = (size << 7) | (byte & 0x7F)
        return 10 + size + (10 if data[5] & 0x10 else 0)  # footer flag
    return 0


def frames(data: bytes, start_seconds: float) -> Iterator[Frame]:
    """The segment's frames with their PTS; stray bytes join the previous (or first) frame."""
    position = _skip_id3(data)
    played = 0  # samples since the segment start
    pending = b""  # bytes before the first frame
    last: Frame | None = None
    start = round(start_seconds * CLOCK)
    while position < len(data):
        header = _header(data, position)
        # a frame counts only if the next one follows it (or it ends the data exactly)
        if header is not None and position + header.length <= len(data):
            after = position + header.length
            if after == len(data) or _header(data, after) is not None:
                if last is not None:
                    yield last
                body = pending + data[position:after]
                pending = b""
                last = Frame(start + played * CLOCK // header.rate, body)
                played += header.samples
                position = after
                continue
        # not a frame here: keep the byte with its neighbours rather than lose it
        following = data.find(b"\xff", position + 1)
        following = len(data) if following < 0 else following
        if last is None:
            pending += data[position:following]
        else:
            last = Frame(last.pts, last.data + data[position:following])
        position = following
    if last is not None:
        yield last
    elif pending:
        yield Frame(start, pending)


def mp3_segment(data: bytes, start_seconds: float) -> bytes:
    """The segment as MPEG-TS, its first frame at ``start_seconds`` into the track."""
    first = _header(data, _skip_id3(data))
    stream_type = MPEG2_AUDIO if first is not None and not first.mpeg1 else MPEG1_AUDIO
    return mux(stream_type, frames(data, start_seconds))
