"""fMP4 (CMAF) AAC fragments -> MPEG-TS segments (transport_stream.py says why).

Reads the init segment (``EXT-X-MAP``) for the codec setup and each fragment's ``moof`` for
its decode time (``tfdt``) and sample sizes, then puts every AAC frame behind a 7-byte ADTS
header, the form MPEG-TS carries AAC in.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from minion_tui.playback.transport_stream import AAC_ADTS, CLOCK, Frame, mux


class FragmentError(ValueError):
    """The bytes are not the fMP4 AAC the conversion understands."""


@dataclass(frozen=True)
class AacInit:
    """What the init segment (``EXT-X-MAP``) says about the one AAC track."""

    timescale: int
    object_type: int  # AAC profile + 1 (2 = LC)
    frequency_index: int
    channels: int
    default_duration: int  # trex default_sample_duration, 0 when absent

    @classmethod
    def parse(cls, init: bytes) -> AacInit:
        moov = _child(init, b"moov")
        trak = _child(moov, b"trak")
        mdia = _child(trak, b"mdia")
        mdhd = _child(mdia, b"mdhd")
        timescale = struct.unpack_from(">I", mdhd, 20 if mdhd[0] == 1 else 12)[0]
        stsd = _child(_child(_child(mdia, b"minf"), b"stbl"), b"stsd")
        config = _audio_specific_config(stsd)
        if len(config) < 2:
            raise FragmentError("the AAC AudioSpecificConfig is missing")
        bits = int.from_bytes(config[:2], "big")
        default_duration = 0
        mvex = _find(moov, b"mvex")
        trex = _find(mvex, b"trex") if mvex is not None else None
        if trex is not None:
            default_duration = struct.unpack_from(">I", trex, 12)[0]
        return cls(timescale, bits >> 11, (bits >> 7) & 0x0F, (bits >> 3) & 0x0F,
                   default_duration)

    def adts_header(self, size: int) -> bytes:
        length = size + 7
        return bytes([
            0xFF, 0xF1,  # sync word, MPEG-4, layer 0, no CRC
            ((self.object_type - 1) << 6) | (self.frequency_index << 2) | (self.channels >> 2),
            ((self.channels & 3) << 6) | (length >> 11),
            (length >> 3) & 0xFF,
            ((length & 7) << 5) | 0x1F,  # buffer fullness 0x7FF: variable bit rate
            0xFC,
        ])


def aac_segment(init: AacInit, fragment: bytes) -> bytes:
    """The fragment as an MPEG-TS segment: the same frames, at their ``tfdt``-based times."""
    return mux(AAC_ADTS, (
        Frame(sample.decode_time * CLOCK // init.timescale,
              init.adts_header(len(sample.data)) + sample.data)
        for sample in samples(init, fragment)))


@dataclass(frozen=True)
class Sample:
    decode_time: int  # in the init's timescale
    data: bytes


def samples(init: AacInit, fragment: bytes) -> Iterator[Sample]:
    """The AAC frames of a media segment (``styp``? ``moof`` ``mdat``, possibly repeated)."""
    for moof_start, kind, body in _boxes_at(fragment):
        if kind != b"moof":
            continue
        for traf_kind, traf in _boxes(body):
            if traf_kind == b"traf":
                yield from _traf_samples(init, fragment, moof_start, traf)


def _traf_samples(init: AacInit, data: bytes, moof_start: int, traf: bytes) -> Iterator[Sample]:
    tfhd = _child(traf, b"tfhd")
    flags = int.from_bytes(tfhd[1:4], "big")
    position = 8  # version+flags, track_ID
    base = moof_start  # default-base-is-moof, and the default for a single-track fragment
    if flags & 0x01:
        base = struct.unpack_from(">Q", tfhd, position)[0]
        position += 8
    if flags & 0x02:
        position += 4
    duration = init.default_duration
    if flags & 0x08:
        duration = struct.unpack_from(">I", tfhd, position)[0]
        position += 4
    size = struct.unpack_from(">I", tfhd, position)[0] if flags & 0x10 else 0
    tfdt = _find(traf, b"tfdt")
    if tfdt is None:
        raise FragmentError("a fragment without tfdt has no start time")
    time = struct.unpack_from(">Q" if tfdt[0] == 1 else ">I", tfdt, 4)[0]
    offset = base
    for kind, trun in _boxes(traf):
        if kind != b"trun":
            continue
        run_flags = int.from_bytes(trun[1:4], "big")
        count = struct.unpack_from(">I", trun, 4)[0]
        position = 8
        if run_flags & 0x001:
            offset = base + struct.unpack_from(">i", trun, position)[0]
            position += 4
        if run_flags & 0x004:
            position += 4
        for _ in range(count):
            sample_duration, sample_size = duration, size
            if run_flags & 0x100:
                sample_duration = struct.unpack_from(">I", trun, position)[0]
                position += 4
            if run_flags & 0x200:
                sample_size = struct.unpack_from(">I", trun, position)[0]
                position += 4
            position += 4 * bool(run_flags & 0x400) + 4 * bool(run_flags & 0x800)
            if offset + sample_size > len(data):
                raise FragmentError("a sample runs past the end of the fragment")
            yield Sample(time, data[offset:offset + sample_size])
            offset += sample_size
            time += sample_duration


# -- ISO BMFF boxes ------------------------------------------------------------------------


def _boxes_at(data: bytes) -> Iterator[tuple[int, bytes, bytes]]:
    """(start, type, payload) of each box in ``data``."""
    position = 0
    while position + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, position)
        header = 8
        if size == 1:
            size = struct.unpack_from(">Q", data, position + 8)[0]
            header = 16
        elif size == 0:
            size = len(data) - position
        if size < header or position + size > len(data):
            raise FragmentError(f"box {kind!r} at {position} is cut off")
        yield position, kind, data[position + header:position + size]
        position += size


def _boxes(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    for _, kind, body in _boxes_at(data):
        yield kind, body


def _find(data: bytes, kind: bytes) -> bytes | None:
    return next((body for k, body in _boxes(data) if k == kind), None)


def _child(data: bytes, kind: bytes) -> bytes:
    found = _find(data, kind)
    if found is None:
        raise FragmentError(f"no {kind.decode()} box")
    return found


def _audio_specific_config(stsd: bytes) -> bytes:
    """The DecoderSpecificInfo (tag 5) inside the first sample entry's esds."""
    entry = stsd[8:]  # version+flags, entry_count
    _, kind, body = next(_boxes_at(entry))
    if kind != b"mp4a":
        raise FragmentError(f"the track is {kind.decode(errors='replace')}, not mp4a (AAC)")
    esds = _child(body[28:], b"esds")  # after the AudioSampleEntry fields
    position = 4
    while position < len(esds):
        tag = esds[position]
        position += 1
        size = 0
        for _ in range(4):
            byte = esds[position]
            position += 1
            size = (size << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        if tag == 0x05:
            return esds[position:position + size]
        if tag == 0x03:  # ES_ID, flags, then the optional fields the flags announce
            flags = esds[position + 2]
            position += 3 + 2 * bool(flags & 0x80) + 2 * bool(flags & 0x20)
            if flags & 0x40:
                position += 1 + esds[position]
        elif tag == 0x04:
            position += 13  # objectType, streamType, bufferSize, max and avg bitrate
        else:
            position += size
    raise FragmentError("no AudioSpecificConfig in esds")
