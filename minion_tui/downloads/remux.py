"""Joining segments without re-encoding (downloads-and-reliability.md §2).

MP3: byte concatenation with every leading ID3v2 block stripped (§2.1). AAC in fMP4 or TS:
the concatenation is remuxed with PyAV (stream copy) into a plain MP4 with ``+faststart``,
because mutagen cannot tag a fragmented MP4 reliably (§2.5).
"""

from __future__ import annotations

import os
from pathlib import Path

from minion_tui.downloads.hls import Opener, open_file, strip_id3


def concatenate(segments: list[Path], target: Path, *, mp3: bool,
                opener: Opener = open_file) -> int:
    """Append ``segments`` to ``target`` in order; fsync; returns the byte count."""
    written = 0
    with opener(target, "wb") as out:
        for segment in segments:
            data = segment.read_bytes()
            if mp3:
                data = strip_id3(data)
            out.write(data)
            written += len(data)
        out.flush()
        os.fsync(out.fileno())
    return written


def remux_to_m4a(source: Path, target: Path) -> None:
    """Stream-copy the audio of ``source`` (fMP4 or TS) into a faststart MP4 at ``target``."""
    import av  # heavy: loaded only when an AAC download finishes

    with av.open(str(source)) as inp, av.open(
        str(target), "w", format="mp4", options={"movflags": "+faststart"}
    ) as out:
        in_stream = inp.streams.audio[0]
        out_stream = out.add_stream_from_template(in_stream)
        for packet in inp.demux(in_stream):
            if packet.dts is None:
                continue  # the demuxer's flush packet
            packet.stream = out_stream
            out.mux(packet)
    with open(target, "rb+") as done:
        os.fsync(done.fileno())
