"""``download --convert mp3|m4a|opus|flac``: a finished download re-encoded with PyAV.

Only on request, and only when the file is not already in the asked format (an MP3 asked to
be MP3 is left alone: "already mp3"). The encode runs in a child process (``python -m
minion_tui.downloads.convert SOURCE OUTPUT FORMAT``): PyAV's decode/resample/encode loop is
CPU work of a minute or more for a long mix and holds the GIL, so neither the event loop nor
the segment fetches of the other downloads wait for it.

Nothing is lost by a kill at any moment: the child writes ``.<name>.<ext>.converting``; the
parent tags it (the same tags and artwork the download wrote), fsyncs it, renames it to its
final name, and only then removes the original. Until that rename the original is the
download, complete and tagged.

Encoder settings (:data:`FORMATS`): MP3 libmp3lame VBR ``-V 2`` (~190 kb/s), M4A FFmpeg's
native AAC at 256 kb/s, Opus libopus at 160 kb/s in Ogg (``.opus``, 48 kHz), FLAC at 16 bits
(the source is lossy: more bits would hold nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from minion_tui.downloads.durable import rename_durably
from minion_tui.errors import DownloadError, InvalidMedia

#: The child's exit status when the source is not audio PyAV can decode (InvalidMedia).
NOT_AUDIO = 3
#: The child's exit status when this PyAV build has no encoder for the format.
NO_ENCODER = 4

#: libavcodec's FF_QP2LAMBDA: a VBR quality of q is asked for as ``global_quality = q × it``.
_QP2LAMBDA = 118


@dataclass(frozen=True)
class Format:
    name: str  # as --convert spells it, and the file extension
    encoder: str  # the libavcodec encoder
    muxer: str  # the libavformat muxer
    sample_format: str
    rate: int | None  # None: the source's
    bit_rate: int | None  # None: VBR (mp3) or lossless (flac)
    codecs: frozenset[str]  # source codecs (PyAV names) that already are this format
    described: str  # what the output line says of the encode

    @property
    def suffix(self) -> str:
        return f".{self.name}"


FORMATS: dict[str, Format] = {
    "mp3": Format("mp3", "libmp3lame", "mp3", "fltp", None, None, frozenset({"mp3", "mp3float"}),
                  "MP3 VBR -V 2 (libmp3lame)"),
    "m4a": Format("m4a", "aac", "ipod", "fltp", None, 256_000, frozenset({"aac"}),
                  "AAC 256 kb/s"),
    "opus": Format("opus", "libopus", "ogg", "flt", 48_000, 160_000,
                   frozenset({"opus", "libopus"}), "Opus 160 kb/s"),
    "flac": Format("flac", "flac", "flac", "s16", None, None, frozenset({"flac"}),
                   "FLAC 16-bit"),
}

#: A download's container (engine.CONTAINER's values) -> the format it already is.
SAME = {"mp3": "mp3", "m4a": "m4a", "aac": "m4a", "opus": "opus", "flac": "flac"}


def converting_path(final: Path) -> Path:
    """Where the child writes the converted audio before it is tagged and renamed."""
    return final.with_name(f".{final.name}.converting")


def converted_name(source: Path, fmt: str) -> Path:
    """``source`` with the format's extension; ``name (2).ext`` … when another file holds
    that name (a conversion never overwrites a file it did not make)."""
    from minion_tui.downloads.naming import numbered

    wanted = source.with_suffix(FORMATS[fmt].suffix)
    n = 1
    while True:
        candidate = wanted.with_name(numbered(wanted.name, n))
        if candidate == source or not candidate.exists():
            return candidate
        n += 1


def check_encoder(fmt: str) -> None:
    """Raise DownloadError naming the encoder when this PyAV build lacks it."""
    import av

    spec = FORMATS[fmt]
    try:
        av.codec.Codec(spec.encoder, "w")
    except Exception:
        raise DownloadError(
            f"This PyAV build has no {spec.encoder} encoder, needed for --convert {fmt}.",
            hint="Install a PyAV wheel built with it (pip install --force-reinstall av), or "
                 "choose another --convert format.") from None


def transcode(source: Path, output: Path, fmt: str) -> str:
    """Decode ``source``'s first audio stream and encode it as ``fmt`` into ``output``;
    returns the source's codec name. InvalidMedia when the source is not decodable audio."""
    import av

    spec = FORMATS[fmt]
    check_encoder(fmt)
    try:
        container = av.open(str(source))
    except (av.FFmpegError, OSError, UnicodeDecodeError) as error:
        raise InvalidMedia(f"{source.name} is not audio PyAV can read ({error}).",
                           hint="The original is kept as downloaded.") from None
    with container:
        if not container.streams.audio:
            raise InvalidMedia(f"{source.name} has no audio stream to convert.",
                               hint="The original is kept as downloaded.")
        stream = container.streams.audio[0]
        codec = stream.codec_context.name
        channels = stream.codec_context.channels or 2
        layout = "mono" if channels == 1 else "stereo"
        rate = spec.rate or stream.codec_context.sample_rate or 44_100
        frames = 0
        with av.open(str(output), "w", format=spec.muxer) as out:
            target = out.add_stream(spec.encoder, rate=rate)
            assert isinstance(target, av.audio.stream.AudioStream)
            ctx = target.codec_context
            ctx.layout = layout
            ctx.format = spec.sample_format
            if spec.bit_rate:
                ctx.bit_rate = spec.bit_rate
            if spec.name == "mp3":  # lame -V 2
                ctx.qscale = True
                ctx.global_quality = 2 * _QP2LAMBDA
            ctx.open()
            resampler = av.AudioResampler(format=spec.sample_format, layout=layout, rate=rate,
                                          frame_size=ctx.frame_size or None)
            try:
                for frame in container.decode(stream):
                    frame.pts = None
                    for ready in resampler.resample(frame):
                        frames += 1
                        out.mux(target.encode(ready))
            except av.FFmpegError as error:
                raise InvalidMedia(f"{source.name} could not be decoded ({error}).",
                                   hint="The original is kept as downloaded.") from None
            for ready in resampler.resample(None):
                out.mux(target.encode(ready))
            out.mux(target.encode(None))
        if frames == 0:
            raise InvalidMedia(f"{source.name} holds no decodable audio.",
                               hint="The original is kept as downloaded.")
    with open(output, "rb+") as done:
        os.fsync(done.fileno())
    return codec


async def encode_in_child(source: Path, output: Path, fmt: str) -> None:
    """:func:`transcode` in a child process; its errors raised here as the same kinds."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", __name__, str(source), str(output), fmt,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    try:
        _, said = await proc.communicate()
    except BaseException:  # cancelled (pause, cancel, shutdown): end the child first
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        await asyncio.to_thread(output.unlink, missing_ok=True)
        raise
    if proc.returncode == 0:
        return
    await asyncio.to_thread(output.unlink, missing_ok=True)
    lines = said.decode(errors="replace").strip().splitlines()
    message, _, hint = (lines[-1] if lines else "").partition("\t")
    if proc.returncode == NOT_AUDIO and message:
        raise InvalidMedia(message, hint=hint or None)
    if proc.returncode == NO_ENCODER and message:
        raise DownloadError(message, hint=hint or None)
    raise DownloadError(f"Converting {source.name} to {fmt} failed: "
                        f"{message or 'no reason given'}",
                        hint="The original is kept as downloaded; run the download again "
                             "to retry the conversion.")


def publish(part: Path, final: Path, original: Path) -> int:
    """The tagged ``part`` renamed to ``final`` (fsynced, the folder too), then the original
    removed; returns the final size."""
    rename_durably(part, final)
    if original != final:
        original.unlink(missing_ok=True)
    return final.stat().st_size


def _child(source: Path, output: Path, fmt: str) -> int:
    from minion_tui.downloads.remux_process import child_failed

    try:
        transcode(source, output, fmt)
    except (InvalidMedia, DownloadError) as error:
        status = NOT_AUDIO if isinstance(error, InvalidMedia) else NO_ENCODER
        return child_failed(output, f"{error.message}\t{error.hint or ''}", status)
    except Exception as error:  # reported to the parent through stderr and the exit code
        return child_failed(output, f"{type(error).__name__}: {error}", 1)
    return 0


if __name__ == "__main__":
    code = _child(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
    sys.stderr.flush()
    os._exit(code)
