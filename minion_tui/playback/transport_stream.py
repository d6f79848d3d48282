"""MPEG-TS segments for mpv's HLS demuxer, from audio frames with absolute timestamps.

Why: libavformat's HLS demuxer (5.1, the one libmpv uses here) can only seek in playlists
whose segments carry absolute timestamps. With fMP4 segments it resets its byte stream to
position 0 on a seek but keeps the mov sub-demuxer's sample index, byte offsets and
timestamps, so after the jump it reads the new fragment's bytes as the old samples, with
timestamps from the start of the track; with raw MP3 segments the timestamps simply restart.
Every packet then looks earlier than the seek target and is dropped until the end of the
playlist: mpv reports end-of-file instead of seeking. FFmpeg's own ``-hls_segment_type fmp4``
output fails the same way (``ffmpeg -ss 480 -i playlist.m3u8`` decodes nothing), so this is
not about how a server writes its segments. MPEG-TS carries an absolute PTS in every PES
header and its demuxer resynchronises on each packet, so the same demuxer seeks those
correctly. SoundCloud's AAC HLS is fMP4 (docs/downloads.md §1.6: ``EXT-X-MAP``
with ``init.mp4``) and its MP3 HLS raw MP3 slices, hence the conversion in the stream proxy
(fmp4_audio.py, mp3_audio.py). It is lossless — frames are copied — and needs no codec library.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass

_PAT_PID, _PMT_PID, _AUDIO_PID = 0x0000, 0x1000, 0x0100
_PACKET = 188
CLOCK = 90_000  # MPEG-TS timestamps are in 90 kHz ticks

# stream_type values of ISO/IEC 13818-1 Table 2-34
MPEG1_AUDIO = 0x03
MPEG2_AUDIO = 0x04
AAC_ADTS = 0x0F


@dataclass(frozen=True)
class Frame:
    """One audio frame (an ADTS AAC frame, an MP3 frame) and when it plays."""

    pts: int  # 90 kHz ticks from the start of the track
    data: bytes


def mux(stream_type: int, frames: Iterable[Frame]) -> bytes:
    """One self-contained segment: PAT, PMT, then one PES per frame.

    Continuity counters restart in every segment, so the first packet of each PID carries the
    discontinuity indicator (ISO/IEC 13818-1 §2.4.3.5) and the first audio packet a PCR."""
    counters: dict[int, int] = {}
    out = bytearray()
    out += _packets(_PAT_PID, _section(0x00, 1, struct.pack(">HH", 1, 0xE000 | _PMT_PID)),
                    counters)
    pmt = struct.pack(">HH", 0xE000 | _AUDIO_PID, 0xF000) + struct.pack(
        ">BHH", stream_type, 0xE000 | _AUDIO_PID, 0xF000)
    out += _packets(_PMT_PID, _section(0x02, 1, pmt), counters)
    for frame in frames:
        header = bytes([0x80, 0x80, 5]) + _timestamp(frame.pts)
        pes = (b"\x00\x00\x01\xc0" + struct.pack(">H", len(header) + len(frame.data)) + header
               + frame.data)
        out += _packets(_AUDIO_PID, pes, counters, pcr=frame.pts)
    return bytes(out)


# -- packets and tables -----------------------------------------------------------------------


def _packets(pid: int, payload: bytes, counters: dict[int, int], *, pcr: int | None = None
             ) -> bytes:
    """``payload`` (a PSI section with its pointer field, or a PES) cut into TS packets."""
    if pid in (_PAT_PID, _PMT_PID):
        payload = b"\x00" + payload  # pointer_field
    out = bytearray()
    start = True
    while payload or start:
        first_of_pid = pid not in counters
        adaptation = b""
        if first_of_pid:
            flags = 0x80  # discontinuity_indicator
            extra = b""
            if pcr is not None:
                flags |= 0x10
                extra = struct.pack(">IH", (pcr >> 1) & 0xFFFFFFFF, ((pcr & 1) << 15) | 0x7E00)
            adaptation = bytes([1 + len(extra), flags]) + extra
        room = _PACKET - 4 - len(adaptation)
        chunk, payload = payload[:room], payload[room:]
        if len(chunk) < room:  # pad the last packet with adaptation-field stuffing
            pad = room - len(chunk)
            if adaptation:
                adaptation = bytes([adaptation[0] + pad]) + adaptation[1:] + b"\xff" * pad
            elif pad == 1:
                adaptation = b"\x00"
            else:
                adaptation = bytes([pad - 1, 0x00]) + b"\xff" * (pad - 2)
        counter = counters.get(pid, -1) + 1 & 0x0F
        counters[pid] = counter
        control = 0x30 if adaptation else 0x10
        out += struct.pack(">BHB", 0x47, (0x4000 if start else 0) | pid, control | counter)
        out += adaptation + chunk
        start = False
    return bytes(out)


def _section(table_id: int, number: int, body: bytes) -> bytes:
    """A PSI section (PAT/PMT) with its CRC; ``number`` is the table id extension."""
    length = 5 + len(body) + 4
    head = struct.pack(">BHHBBB", table_id, 0xB000 | length, number, 0xC1, 0, 0)
    return head + body + struct.pack(">I", _crc32_mpeg(head + body))


def _timestamp(pts: int) -> bytes:
    pts &= (1 << 33) - 1
    return bytes([
        0x21 | ((pts >> 29) & 0x0E),
        (pts >> 22) & 0xFF, ((pts >> 14) & 0xFE) | 1,
        (pts >> 7) & 0xFF, ((pts << 1) & 0xFE) | 1,
    ])


def _crc32_mpeg(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc
