"""The audio of the legacy ``opus_0_0`` rendition (64 kbit/s Ogg Opus; cdn/opus_hls.py serves it).

Audio: each phrase (synth.py, 44.1 kHz) is resampled to Opus's 48 kHz by periodic FFT
resampling, so it still loops seamlessly, and encoded once with libopus through PyAV into
20 ms packets, cached on disk like the MP3/AAC loops (audio.LoopCache). A track is those
packets tiled from a start packet, never re-encoded.

Container: one Ogg Opus stream per track (RFC 7845) cut at page boundaries. Segment 0 opens
with the OpusHead and OpusTags pages; every segment is whole pages of one second of packets,
so the segments concatenated are one valid Ogg Opus file, which is how SoundCloud's Opus HLS
behaved (the segments were consecutive pieces of one Ogg stream). The last page's granule
position trims the final packet, so the decoded length is exactly the track's.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import av
import numpy as np

from minion_tui.emulator.media.audio import (
    CACHE_VERSION,
    AudioSpec,
    Codec,
    EncodedPhrase,
    LoopCache,
    encode_frames,
)
from minion_tui.emulator.media.synth import SAMPLE_RATE, render_phrase
from minion_tui.emulator.media.tiling import start_frame

OPUS_RATE = 48_000
OPUS_FRAME = 960  # 20 ms packets, libopus's default frame size
OPUS_BITRATE = 64_000  # "64 kbps Opus" (§2.2)
PRE_SKIP = 312  # libopus's lookahead at 48 kHz; its own OpusHead says the same
PACKETS_PER_PAGE = 50  # one second per Ogg page, like libopusenc's default page delay
PAGES_PER_SEGMENT = 10  # ≈10 s HLS segments, like the AAC and MP3 renditions
OPUS = Codec("opus", "libopus", OPUS_FRAME, PRE_SKIP, OPUS_BITRATE)
OPUS_VERSION = 1  # of the encoded Opus loops on disk (in their file name)
_LEAD = 2  # packets dropped at the start of an encode: lookahead + warm-up
_VENDOR = b"libopus (minion-tui emulator)"
# Ogg's CRC-32 is MSB-first (poly 0x04C11DB7, init 0, no final xor); zlib's is the reflected
# form, so both the input bytes and the result are bit-reversed around it (as mutagen does).
_BITSWAP = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


# -- audio -------------------------------------------------------------------------------------

def resample_phrase(pcm: np.ndarray) -> np.ndarray:
    """A 44.1 kHz phrase at 48 kHz, whole 20 ms packets long. Zero-padding the spectrum is an
    exact band-limited resampling of a periodic signal, so the result still loops seamlessly;
    rounding to whole packets changes the tempo by < 0.1 %."""
    length = pcm.shape[1]
    wanted = max(1, round(length * OPUS_RATE / SAMPLE_RATE / OPUS_FRAME)) * OPUS_FRAME
    spectrum = np.fft.rfft(pcm.astype(np.float64), axis=1)
    wider = np.zeros((pcm.shape[0], wanted // 2 + 1), dtype=np.complex128)
    keep = min(spectrum.shape[1], wider.shape[1])
    wider[:, :keep] = spectrum[:, :keep]
    return (np.fft.irfft(wider, n=wanted, axis=1) * (wanted / length)).astype(np.float32)


def encode_opus_phrase(pcm: np.ndarray) -> EncodedPhrase:
    """Encode one periodic 48 kHz phrase (float32, shape (2, n), n whole packets) with
    libopus. As in audio.encode_phrase, the encoder is fed the phrase's end before it and its
    start after it, and the kept packets decode to exactly the phrase (lookahead accounted)."""
    size = OPUS_FRAME
    length = pcm.shape[1]
    if length % size:
        raise ValueError(f"phrase of {length} samples is not whole Opus packets")
    warmup = _LEAD * size - PRE_SKIP
    feed = np.concatenate([pcm[:, length - warmup:], pcm, pcm[:, :PRE_SKIP + 2 * size]], axis=1)
    context: Any = av.AudioCodecContext.create("libopus", "w")
    context.sample_rate = OPUS_RATE
    context.layout = "stereo"
    context.format = "flt"  # libopus takes interleaved samples only
    context.bit_rate = OPUS_BITRATE
    context.open()
    data, offsets = encode_frames(context, feed, size, lead=_LEAD, wanted=length // size,
                                  name="libopus")
    return EncodedPhrase(OPUS, b"", data, offsets)


class OpusLoopCache(LoopCache):
    """Opus phrases on disk next to the MP3/AAC ones (same atomic publishing)."""

    def path(self, codec: str, groove: str, variant: int) -> Path:
        return self.cache_dir / (
            f"loop-v{CACHE_VERSION}.{OPUS_VERSION}-{groove}-{variant}.{codec}.bin")

    def codec(self, name: str) -> Codec:
        if name != OPUS.name:
            raise ValueError(f"the Opus loop cache holds Opus only, not {name!r}")
        return OPUS

    def encode(self, codec: Codec, groove: str, variant: int) -> EncodedPhrase:
        return encode_opus_phrase(resample_phrase(render_phrase(groove, variant)))


# -- Ogg ---------------------------------------------------------------------------------------

def ogg_crc(page: bytes) -> bytes:
    crc = ~zlib.crc32(page.translate(_BITSWAP), 0xFFFFFFFF) & 0xFFFFFFFF
    return crc.to_bytes(4, "big").translate(_BITSWAP)


def ogg_page(packets: list[bytes], *, granule: int, serial: int, sequence: int,
             first: bool = False, last: bool = False) -> bytes:
    """One Ogg page holding whole ``packets`` (RFC 3533): lacing values, flags, CRC."""
    lacing = bytearray()
    for packet in packets:
        lacing += b"\xff" * (len(packet) // 255) + bytes([len(packet) % 255])
    if len(lacing) > 255:
        raise ValueError(f"{len(packets)} packets need {len(lacing)} lacing values (max 255)")
    flags = (0x02 if first else 0) | (0x04 if last else 0)
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, serial, sequence, 0,
                         len(lacing))
    page = header + bytes(lacing) + b"".join(packets)
    return page[:22] + ogg_crc(page) + page[26:]


def opus_head() -> bytes:
    """RFC 7845 §5.1: version 1, stereo, pre-skip, the input rate, no gain, mapping 0."""
    return b"OpusHead" + struct.pack("<BBHIhB", 1, 2, PRE_SKIP, SAMPLE_RATE, 0, 0)


def opus_tags() -> bytes:
    """RFC 7845 §5.2: a vendor string and no comments (the CDN's files carried none)."""
    return b"OpusTags" + struct.pack("<I", len(_VENDOR)) + _VENDOR + struct.pack("<I", 0)


class OpusTrack:
    """A track's Ogg Opus stream as pages of tiled packets, grouped into HLS segments."""

    def __init__(self, phrase: EncodedPhrase, first: int, duration_ms: int,
                 serial: int) -> None:
        self.phrase = phrase
        self.first = first
        self.serial = serial
        self.samples = max(1, round(duration_ms * OPUS_RATE / 1000))
        self.packet_count = -(-(self.samples + PRE_SKIP) // OPUS_FRAME)
        self.page_count = -(-self.packet_count // PACKETS_PER_PAGE)

    @classmethod
    def for_spec(cls, spec: AudioSpec, phrase: EncodedPhrase, key: str) -> OpusTrack:
        return cls(phrase, start_frame(spec, phrase.frame_count), spec.duration_ms,
                   zlib.crc32(key.encode()))

    @property
    def segment_count(self) -> int:
        return -(-self.page_count // PAGES_PER_SEGMENT)

    def granule(self, page: int) -> int:
        """Samples (48 kHz, pre-skip included) decoded by the end of audio page ``page``; the
        last page's is the exact end, which trims its final packet (RFC 7845 §4.4)."""
        if page == self.page_count - 1:
            return PRE_SKIP + self.samples
        return (page + 1) * PACKETS_PER_PAGE * OPUS_FRAME

    def segment_seconds(self, index: int) -> float:
        start = PRE_SKIP if index == 0 else self.granule(index * PAGES_PER_SEGMENT - 1)
        last = min((index + 1) * PAGES_PER_SEGMENT, self.page_count) - 1
        return (self.granule(last) - start) / OPUS_RATE

    def _packet(self, number: int) -> bytes:
        phrase = self.phrase
        index = (self.first + number) % phrase.frame_count
        return phrase.payload[phrase.offsets[index]:phrase.offsets[index + 1]]

    def page(self, page: int) -> bytes:
        """Audio page ``page`` (0-based; the two header pages come before it)."""
        start = page * PACKETS_PER_PAGE
        stop = min(start + PACKETS_PER_PAGE, self.packet_count)
        return ogg_page([self._packet(n) for n in range(start, stop)],
                        granule=self.granule(page), serial=self.serial, sequence=page + 2,
                        last=page == self.page_count - 1)

    def segment(self, index: int) -> bytes:
        if not 0 <= index < self.segment_count:
            raise IndexError(index)
        parts: list[bytes] = []
        if index == 0:
            parts.append(ogg_page([opus_head()], granule=0, serial=self.serial, sequence=0,
                                  first=True))
            parts.append(ogg_page([opus_tags()], granule=0, serial=self.serial, sequence=1))
        first = index * PAGES_PER_SEGMENT
        parts.extend(self.page(p) for p in range(first, min(first + PAGES_PER_SEGMENT,
                                                            self.page_count)))
        return b"".join(parts)
