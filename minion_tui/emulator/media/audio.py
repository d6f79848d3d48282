"""Deterministic, decodable audio for the emulated CDN, encoded once and cached on disk.

Each (groove, variant) has one phrase of PCM (synth.py) that is encoded once per codec with
PyAV: MP3 128 kbit/s CBR (libmp3lame, bit reservoir off) and AAC-LC 160 kbit/s. A track of
any length is then *tiled* from the encoded frames without re-encoding (tiling.py), so a
catalog of hours of audio costs one encode per phrase.

Why the encodes are seamless and spliceable:
* The reservoir is off, so no MP3 frame borrows bits from an earlier frame: any frame may
  follow any other and a stream may start at any frame. AAC frames never borrow.
* Encoders delay their output (LAME 576 + decoder 529 = 1105 samples, FFmpeg AAC 1024) and
  their first frames are priming. We feed `end-of-phrase + phrase + start-of-phrase` and keep
  exactly the frames whose decoded samples are the phrase, so the kept frames start on
  sample 0 of the phrase and their MDCT overlap already comes from the phrase's own end.
"""

from __future__ import annotations

import os
import struct
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

from minion_tui.emulator.media.synth import SAMPLE_RATE, VARIANTS, groove_name, render_phrase

CACHE_VERSION = 2
MP3_FRAME = 1152
AAC_FRAME = 1024
MP3_BITRATE = 128_000
AAC_BITRATE = 160_000
_MAGIC = b"MTLOOP1\n"


@dataclass(frozen=True)
class AudioSpec:
    seed: int  # deterministic per track
    duration_ms: int  # full length
    style: str  # genre-ish hint for the synthesiser ("house", "ambient", "dnb", ...)

    @property
    def groove(self) -> str:
        return groove_name(self.style)

    @property
    def variant(self) -> int:
        return self.seed % VARIANTS


@dataclass(frozen=True)
class Codec:
    name: str  # our name: "mp3" or "aac"
    encoder: str
    frame_samples: int
    delay: int  # samples from encoder input to decoder output (measured, see module doc)
    bitrate: int
    options: tuple[tuple[str, str], ...] = ()


MP3 = Codec("mp3", "libmp3lame", MP3_FRAME, 1105, MP3_BITRATE, (("reservoir", "0"),))
AAC = Codec("aac", "aac", AAC_FRAME, 1024, AAC_BITRATE)
CODECS = {"mp3": MP3, "aac": AAC}
_LEAD_FRAMES = 2  # frames dropped at the start: priming + one frame of warm-up


@dataclass(frozen=True)
class EncodedPhrase:
    """A phrase as encoded frames: frame i is payload[offsets[i]:offsets[i + 1]]."""

    codec: Codec
    extradata: bytes  # AudioSpecificConfig for AAC, empty for MP3
    payload: bytes
    offsets: tuple[int, ...]  # len = frame_count + 1, offsets[0] == 0

    @property
    def frame_count(self) -> int:
        return len(self.offsets) - 1

    def frame_size(self, index: int) -> int:
        return self.offsets[index + 1] - self.offsets[index]


def encode_phrase(codec: Codec, pcm: np.ndarray) -> EncodedPhrase:
    """Encode one periodic phrase (float32, shape (2, n), n a multiple of the frame size)."""
    size = codec.frame_samples
    length = pcm.shape[1]
    if length % size:
        raise ValueError(f"phrase of {length} samples is not whole {codec.name} frames")
    warmup = _LEAD_FRAMES * size - codec.delay
    tail = codec.delay + 2 * size
    feed = np.concatenate([pcm[:, length - warmup:], pcm, pcm[:, :tail]], axis=1)
    context: Any = av.AudioCodecContext.create(codec.encoder, "w")
    context.sample_rate = SAMPLE_RATE
    context.layout = "stereo"
    context.format = "fltp"
    context.bit_rate = codec.bitrate
    if codec.options:
        context.options = dict(codec.options)
    context.open()
    data, offsets = encode_frames(context, feed, size, lead=_LEAD_FRAMES,
                                  wanted=length // size, name=codec.encoder)
    extradata = bytes(context.extradata or b"")
    return EncodedPhrase(codec, extradata, data, offsets)


def encode_frames(context: Any, feed: np.ndarray, size: int, *, lead: int, wanted: int,
                  name: str) -> tuple[bytes, tuple[int, ...]]:
    """Feed ``feed`` (float32, shape (2, n)) to an opened encoder ``size`` samples at a time
    and keep the ``wanted`` packets after the first ``lead`` ones: the packets joined, and
    their start offsets (plus the end). Planar or interleaved as ``context.format`` says."""
    interleaved = context.format.name == "flt"  # libopus takes interleaved samples only
    packets: list[bytes] = []
    usable = feed.shape[1] - feed.shape[1] % size
    for start in range(0, usable, size):
        block = feed[:, start:start + size]
        samples = (np.ascontiguousarray(block.T).reshape(1, -1) if interleaved
                   else np.ascontiguousarray(block))
        frame = av.AudioFrame.from_ndarray(samples, format=context.format.name,
                                           layout="stereo")
        frame.sample_rate = context.sample_rate
        frame.pts = start
        packets.extend(bytes(packet) for packet in context.encode(frame))
    packets.extend(bytes(packet) for packet in context.encode(None))
    kept = packets[lead:lead + wanted]
    if len(kept) != wanted:
        raise RuntimeError(f"{name} returned {len(packets)} packets, need {wanted + lead}")
    offsets = [0]
    for packet in kept:
        offsets.append(offsets[-1] + len(packet))
    return b"".join(kept), tuple(offsets)


def _serialise(phrase: EncodedPhrase) -> bytes:
    sizes = [phrase.frame_size(i) for i in range(phrase.frame_count)]
    return b"".join([
        _MAGIC,
        struct.pack(">II", phrase.frame_count, len(phrase.extradata)),
        phrase.extradata,
        struct.pack(f">{len(sizes)}I", *sizes),
        phrase.payload,
    ])


def _deserialise(codec: Codec, blob: bytes) -> EncodedPhrase | None:
    """None when the file is not a complete cache entry (then it is rebuilt)."""
    if not blob.startswith(_MAGIC) or len(blob) < len(_MAGIC) + 8:
        return None
    count, extra_len = struct.unpack_from(">II", blob, len(_MAGIC))
    position = len(_MAGIC) + 8
    extradata = blob[position:position + extra_len]
    position += extra_len
    if len(blob) < position + 4 * count:
        return None
    sizes = struct.unpack_from(f">{count}I", blob, position)
    position += 4 * count
    payload = blob[position:]
    if len(payload) != sum(sizes) or count == 0:
        return None
    offsets = [0]
    for size in sizes:
        offsets.append(offsets[-1] + size)
    return EncodedPhrase(codec, extradata, payload, tuple(offsets))


class LoopCache:
    """Encoded phrases on disk under `cache_dir`, memoised in memory.

    Writes go to a temporary file in the same directory and are published with os.replace,
    so concurrent builders (threads, processes, xdist workers) never expose a half-written
    file: the worst case is that two of them encode the same phrase and one rename wins with
    identical bytes.
    """

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = Path(cache_dir)
        self._loaded: dict[tuple[str, str, int], EncodedPhrase] = {}
        self._locks: dict[tuple[str, str, int], threading.Lock] = {}
        self._guard = threading.Lock()

    def path(self, codec: str, groove: str, variant: int) -> Path:
        return self.cache_dir / f"loop-v{CACHE_VERSION}-{groove}-{variant}.{codec}.bin"

    def is_loaded(self, codec: str, groove: str, variant: int) -> bool:
        return (codec, groove, variant) in self._loaded

    def phrase(self, codec: str, groove: str, variant: int) -> EncodedPhrase:
        key = (codec, groove, variant)
        found = self._loaded.get(key)
        if found is not None:
            return found
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._loaded.get(key)
            if found is None:
                found = self._load_or_build(self.codec(codec), groove, variant)
                self._loaded[key] = found
            return found

    # Hooks a cache of another codec overrides (opus.py: Opus at 48 kHz).
    def codec(self, name: str) -> Codec:
        return CODECS[name]

    def encode(self, codec: Codec, groove: str, variant: int) -> EncodedPhrase:
        return encode_phrase(codec, render_phrase(groove, variant))

    def _load_or_build(self, codec: Codec, groove: str, variant: int) -> EncodedPhrase:
        path = self.path(codec.name, groove, variant)
        try:
            cached = _deserialise(codec, path.read_bytes())
        except OSError:
            cached = None
        if cached is not None:
            return cached
        phrase = self.encode(codec, groove, variant)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=self.cache_dir)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_serialise(phrase))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return phrase
