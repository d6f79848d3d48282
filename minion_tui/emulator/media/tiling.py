"""Tracks of any length as views over an encoded phrase repeated end to end.

Nothing here encodes or materialises a whole track: an MP3 "file" is the phrase payload
repeated from a start frame, so any byte range is two modulo operations and a few slices;
an AAC HLS segment is a `moof` built from the sizes of its 431 frames plus their bytes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from minion_tui.emulator.media import fmp4
from minion_tui.emulator.media.audio import (
    AAC_BITRATE,
    AAC_FRAME,
    MP3_FRAME,
    AudioSpec,
    EncodedPhrase,
)
from minion_tui.emulator.media.synth import GROOVES, SAMPLE_RATE, VARIANTS

# 431 AAC frames = 10.0078 s, the #EXTINF SoundCloud's AAC playlists show (docs/soundcloud.md §3.2).
AAC_SEGMENT_FRAMES = 431
# MP3 HLS: a ≈2 s first segment, then ≈10 s (docs/soundcloud.md §3.2: /media/0/31762/ with
# #EXTINF:1.985, later segments ≈159,660 bytes ≈ 382 frames of 417.96 bytes).
MP3_FIRST_SEGMENT_FRAMES = 76
MP3_SEGMENT_FRAMES = 382
PREVIEW_SECONDS = 30
_CHUNK = 256 * 1024


def frames_for(duration_ms: int, frame_samples: int) -> int:
    return max(1, round(duration_ms * SAMPLE_RATE / 1000 / frame_samples))


def start_frame(spec: AudioSpec, frame_count: int) -> int:
    """Tracks sharing a phrase start on different bars of it, so they do not all sound alike.
    `frame_count` is the phrase length in frames of the codec at hand."""
    bars = GROOVES[spec.groove].bars
    bar = (spec.seed // VARIANTS) % bars
    return round(bar * frame_count / bars) % frame_count


class _Tiles:
    """Byte positions in the endless repetition of a phrase's encoded frames."""

    def __init__(self, phrase: EncodedPhrase, first: int) -> None:
        self.phrase = phrase
        self.first = first
        self.base = self.position(first)

    def position(self, frame: int) -> int:
        laps, index = divmod(frame, self.phrase.frame_count)
        return laps * len(self.phrase.payload) + self.phrase.offsets[index]

    def offset(self, frame: int) -> int:
        """Byte offset of the track's `frame`-th frame from the track's first byte."""
        return self.position(self.first + frame) - self.base

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        """Bytes [start, end) of the track, at most _CHUNK at a time."""
        payload = self.phrase.payload
        lap = len(payload)
        position = self.base + start
        stop = self.base + end
        while position < stop:
            inside = position % lap
            take = min(stop - position, lap - inside, _CHUNK)
            yield payload[inside:inside + take]
            position += take

    def read(self, start: int, end: int) -> bytes:
        return b"".join(self.chunks(start, end))


@dataclass(frozen=True)
class Mp3Segment:
    first_byte: int
    last_byte: int  # inclusive, as in the segment path
    seconds: float


class Mp3File:
    """The virtual `<key>.128.mp3`: CBR frames only, no ID3, no Xing header."""

    def __init__(self, phrase: EncodedPhrase, first: int, frame_count: int) -> None:
        self.frame_count = frame_count
        self._tiles = _Tiles(phrase, first)
        self.size = self._tiles.offset(frame_count)

    @classmethod
    def for_spec(cls, spec: AudioSpec, phrase: EncodedPhrase, *, preview: bool = False
                 ) -> Mp3File:
        frames = frames_for(spec.duration_ms, MP3_FRAME)
        if preview:
            frames = min(frames, frames_for(PREVIEW_SECONDS * 1000, MP3_FRAME))
        return cls(phrase, start_frame(spec, phrase.frame_count), frames)

    @property
    def seconds(self) -> float:
        return self.frame_count * MP3_FRAME / SAMPLE_RATE

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        return self._tiles.chunks(start, end)

    def read(self, start: int, end: int) -> bytes:
        return self._tiles.read(start, end)

    def segments(self) -> list[Mp3Segment]:
        bounds = [0]
        step = MP3_FIRST_SEGMENT_FRAMES
        while bounds[-1] < self.frame_count:
            bounds.append(min(self.frame_count, bounds[-1] + step))
            step = MP3_SEGMENT_FRAMES
        return [
            Mp3Segment(self._tiles.offset(a), self._tiles.offset(b) - 1,
                       (b - a) * MP3_FRAME / SAMPLE_RATE)
            for a, b in itertools.pairwise(bounds)
        ]


class AacTrack:
    """The fMP4 HLS rendition: an init segment and 10.0078 s fragments."""

    def __init__(self, phrase: EncodedPhrase, first: int, frame_count: int) -> None:
        self.phrase = phrase
        self.first = first
        self.frame_count = frame_count
        self._tiles = _Tiles(phrase, first)

    @classmethod
    def for_spec(cls, spec: AudioSpec, phrase: EncodedPhrase) -> AacTrack:
        frames = frames_for(spec.duration_ms, AAC_FRAME)
        return cls(phrase, start_frame(spec, phrase.frame_count), frames)

    @property
    def segment_count(self) -> int:
        return -(-self.frame_count // AAC_SEGMENT_FRAMES)

    def segment_frames(self, index: int) -> int:
        return min(AAC_SEGMENT_FRAMES, self.frame_count - index * AAC_SEGMENT_FRAMES)

    def segment_seconds(self, index: int) -> float:
        return self.segment_frames(index) * AAC_FRAME / SAMPLE_RATE

    def init(self) -> bytes:
        return fmp4.init_segment(
            sample_rate=SAMPLE_RATE, channels=2, audio_specific_config=self.phrase.extradata,
            bitrate=AAC_BITRATE, total_samples=self.frame_count * AAC_FRAME)

    def segment(self, index: int) -> bytes:
        """Fragment `index` (0-based). The last one is a genuinely shorter fragment: its
        `trun` lists only the frames that remain, so the total decodes to the track length."""
        if not 0 <= index < self.segment_count:
            raise IndexError(index)
        first = index * AAC_SEGMENT_FRAMES
        count = self.segment_frames(index)
        phrase = self.phrase
        sizes = [phrase.frame_size((self.first + first + i) % phrase.frame_count)
                 for i in range(count)]
        payload = self._tiles.read(self._tiles.offset(first), self._tiles.offset(first + count))
        return fmp4.fragment(sequence_number=index + 1, decode_time=first * AAC_FRAME,
                             sample_sizes=sizes, sample_duration=AAC_FRAME, payload=payload)
