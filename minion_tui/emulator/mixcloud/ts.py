"""A minimal MPEG-TS muxer for ADTS AAC: what HLS segments are made of (docs/mixcloud.md §4.5,
NodeLink plays Mixcloud HLS as `mpegts`).

Each segment is self-contained (PAT + PMT first, continuity counters from 0) and carries PTS
on the 90 kHz clock continuing from the segment's start sample, so segments play in order
and any one can be decoded alone. One PES holds a few AAC frames, each behind its ADTS header.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

PMT_PID = 0x1000
AUDIO_PID = 0x100
_FRAMES_PER_PES = 8
_PTS_BASE = 126_000  # 1.4 s, where most muxers start


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        c = i << 24
        for _ in range(8):
            c = ((c << 1) ^ 0x04C11DB7) if c & 0x80000000 else c << 1
        table.append(c & 0xFFFFFFFF)
    return table


_CRC = _crc_table()


def crc32_mpeg(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[((crc >> 24) ^ byte) & 0xFF]
    return crc


def adts_header(asc: bytes, payload_size: int) -> bytes:
    """The 7-byte ADTS header (no CRC) of one raw AAC frame, from the AudioSpecificConfig."""
    profile = asc[0] >> 3
    sfi = ((asc[0] & 7) << 1) | (asc[1] >> 7)
    channels = (asc[1] >> 3) & 0xF
    length = payload_size + 7
    return bytes([0xFF, 0xF1, ((profile - 1) << 6) | (sfi << 2) | (channels >> 2),
                  ((channels & 3) << 6) | (length >> 11), (length >> 3) & 0xFF,
                  ((length & 7) << 5) | 0x1F, 0xFC])


def _section(table_id: int, ident: int, body: bytes) -> bytes:
    length = 5 + len(body) + 4
    head = struct.pack(">BHHBBB", table_id, 0xB000 | length, ident, 0xC1, 0, 0)
    section = head + body
    return b"\x00" + section + struct.pack(">I", crc32_mpeg(section))


def _psi_packet(pid: int, section: bytes) -> bytes:
    header = struct.pack(">BHB", 0x47, 0x4000 | pid, 0x10)
    return header + section + b"\xff" * (184 - len(section))


def _pts_bytes(pts: int, marker: int = 0x2) -> bytes:
    return bytes([(marker << 4) | (((pts >> 30) & 7) << 1) | 1, (pts >> 22) & 0xFF,
                  (((pts >> 15) & 0x7F) << 1) | 1, (pts >> 7) & 0xFF, ((pts & 0x7F) << 1) | 1])


def _pes_packets(pes: bytes, pcr: int, counter: int) -> tuple[list[bytes], int]:
    packets = []
    first = True
    position = 0
    while position < len(pes):
        if first:
            # adaptation field with a PCR: 1 length + 1 flags + 6 PCR
            base = pcr
            pcr_bytes = struct.pack(">IH", (base >> 1) & 0xFFFFFFFF,
                                    ((base & 1) << 15) | 0x7E00)
            adaptation = bytes([0x10]) + pcr_bytes
            room = 184 - 1 - len(adaptation)
            chunk = pes[position:position + room]
            stuffing = room - len(chunk)
            field = bytes([len(adaptation) + stuffing]) + adaptation + b"\xff" * stuffing
            header = struct.pack(">BHB", 0x47, 0x4000 | AUDIO_PID, 0x30 | counter)
        else:
            chunk = pes[position:position + 184]
            stuffing = 184 - len(chunk)
            if stuffing:
                field = (bytes([stuffing - 1]) + (b"\x00" + b"\xff" * (stuffing - 2)
                                                  if stuffing > 1 else b""))
                header = struct.pack(">BHB", 0x47, AUDIO_PID, 0x30 | counter)
            else:
                field = b""
                header = struct.pack(">BHB", 0x47, AUDIO_PID, 0x10 | counter)
        packets.append(header + field + chunk)
        position += len(chunk)
        counter = (counter + 1) & 0xF
        first = False
    return packets, counter


def segment(asc: bytes, frames: Sequence[bytes], first_sample: int, sample_rate: int,
            frame_samples: int = 1024) -> bytes:
    """One TS segment holding `frames` (raw AAC), the first one at `first_sample`."""
    pat = _section(0x00, 1, struct.pack(">HH", 1, 0xE000 | PMT_PID))
    pmt = _section(0x02, 1, struct.pack(">HH", 0xE000 | AUDIO_PID, 0xF000)
                   + struct.pack(">BHH", 0x0F, 0xE000 | AUDIO_PID, 0xF000))
    out = [_psi_packet(0, pat), _psi_packet(PMT_PID, pmt)]
    counter = 0
    for start in range(0, len(frames), _FRAMES_PER_PES):
        group = frames[start:start + _FRAMES_PER_PES]
        payload = b"".join(adts_header(asc, len(f)) + f for f in group)
        sample = first_sample + start * frame_samples
        pts = _PTS_BASE + sample * 90000 // sample_rate
        header = b"\x00\x00\x01\xc0" + struct.pack(">H", 3 + 5 + len(payload)) + \
            b"\x80\x80\x05" + _pts_bytes(pts)
        packets, counter = _pes_packets(header + payload, pts, counter)
        out.extend(packets)
    return b"".join(out)
