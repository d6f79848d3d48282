"""Fragmented MP4 (CMAF-style) boxes for one AAC-LC track: init segment and media fragments.

Written by hand rather than taken from FFmpeg's muxer so that any fragment of any track can
be produced in microseconds from a table of AAC frame sizes: a fragment is `styp` + `moof`
(`mfhd` sequence number, `tfhd` with default-base-is-moof, `tfdt` decode time, `trun` with
one size per sample) + `mdat`. default-base-is-moof keeps every offset relative to its own
`moof`, which is what lets byte-concatenated segments stay valid and what mutagen expects
(docs/downloads.md §2.5).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

TRACK_ID = 1
_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I4s", 8 + len(body), kind) + body


def full_box(kind: bytes, version: int, flags: int, *payload: bytes) -> bytes:
    return box(kind, struct.pack(">I", (version << 24) | flags), *payload)


def _descriptor(tag: int, body: bytes) -> bytes:
    # MPEG-4 descriptors use a variable-length size; four bytes with continuation bits is the
    # form most muxers write and every parser accepts.
    size = len(body)
    encoded = bytes([0x80 | ((size >> 21) & 0x7F), 0x80 | ((size >> 14) & 0x7F),
                     0x80 | ((size >> 7) & 0x7F), size & 0x7F])
    return bytes([tag]) + encoded + body


def _esds(audio_specific_config: bytes, bitrate: int) -> bytes:
    decoder_specific = _descriptor(0x05, audio_specific_config)
    # objectTypeIndication 0x40 = MPEG-4 Audio; streamType 5 (audio) << 2 | 1 (reserved bit)
    decoder_config = _descriptor(
        0x04, struct.pack(">BBBHII", 0x40, 0x15, 0, 0x1800, bitrate, bitrate) + decoder_specific)
    sl_config = _descriptor(0x06, b"\x02")
    es = _descriptor(0x03, struct.pack(">HB", TRACK_ID, 0) + decoder_config + sl_config)
    return full_box(b"esds", 0, 0, es)


def init_segment(*, sample_rate: int, channels: int, audio_specific_config: bytes,
                 bitrate: int, total_samples: int) -> bytes:
    """`ftyp` + `moov` for one AAC track; `mehd` carries the full duration so players and
    ffprobe know the length before reading every fragment."""
    ftyp = box(b"ftyp", b"iso6", struct.pack(">I", 0), b"iso6", b"cmfc", b"mp41", b"M4A ")
    mvhd = full_box(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, sample_rate, 0),
                    struct.pack(">IH10x", 0x10000, 0x0100), _MATRIX, bytes(24),
                    struct.pack(">I", TRACK_ID + 1))
    tkhd = full_box(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, TRACK_ID, 0, 0), bytes(8),
                    struct.pack(">hhHH", 0, 0, 0x0100, 0), _MATRIX, struct.pack(">II", 0, 0))
    mdhd = full_box(b"mdhd", 0, 0, struct.pack(">IIII", 0, 0, sample_rate, 0),
                    struct.pack(">HH", 0x55C4, 0))  # language "und"
    hdlr = full_box(b"hdlr", 0, 0, struct.pack(">I4s12x", 0, b"soun"), b"SoundHandler\x00")
    mp4a = box(b"mp4a", bytes(6), struct.pack(">H", 1), bytes(8),
               struct.pack(">HHHHI", channels, 16, 0, 0, sample_rate << 16),
               _esds(audio_specific_config, bitrate))
    stbl = box(b"stbl", full_box(b"stsd", 0, 0, struct.pack(">I", 1), mp4a),
               full_box(b"stts", 0, 0, struct.pack(">I", 0)),
               full_box(b"stsc", 0, 0, struct.pack(">I", 0)),
               full_box(b"stsz", 0, 0, struct.pack(">II", 0, 0)),
               full_box(b"stco", 0, 0, struct.pack(">I", 0)))
    dinf = box(b"dinf", full_box(b"dref", 0, 0, struct.pack(">I", 1), full_box(b"url ", 0, 1)))
    minf = box(b"minf", full_box(b"smhd", 0, 0, struct.pack(">hH", 0, 0)), dinf, stbl)
    trak = box(b"trak", tkhd, box(b"mdia", mdhd, hdlr, minf))
    mehd = full_box(b"mehd", 1, 0, struct.pack(">Q", total_samples))
    trex = full_box(b"trex", 0, 0, struct.pack(">IIIII", TRACK_ID, 1, 1024, 0, 0))
    moov = box(b"moov", mvhd, trak, box(b"mvex", mehd, trex))
    return ftyp + moov


def fragment(*, sequence_number: int, decode_time: int, sample_sizes: Sequence[int],
             sample_duration: int, payload: bytes) -> bytes:
    """One media segment: `styp` + `moof` + `mdat` holding `payload` (the samples, in order)."""
    styp = box(b"styp", b"msdh", struct.pack(">I", 0), b"msdh", b"msix")
    # tfhd flags: 0x020000 default-base-is-moof, 0x08 default-sample-duration-present
    tfhd = full_box(b"tfhd", 0, 0x020008, struct.pack(">II", TRACK_ID, sample_duration))
    tfdt = full_box(b"tfdt", 1, 0, struct.pack(">Q", decode_time))
    trun_body_size = 4 + 4 + 4 * len(sample_sizes)
    traf_size = 8 + len(tfhd) + len(tfdt) + 12 + trun_body_size
    moof_size = 8 + 16 + traf_size
    # trun flags: 0x001 data-offset-present, 0x200 sample-size-present. The data offset is
    # counted from the start of the moof (default-base-is-moof) to the first sample byte.
    trun = full_box(b"trun", 0, 0x000201, struct.pack(">Ii", len(sample_sizes), moof_size + 8),
                    struct.pack(f">{len(sample_sizes)}I", *sample_sizes))
    moof = box(b"moof", full_box(b"mfhd", 0, 0, struct.pack(">I", sequence_number)),
               box(b"traf", tfhd, tfdt, trun))
    assert len(moof) == moof_size, "moof size arithmetic is off"
    return styp + moof + box(b"mdat", payload)
