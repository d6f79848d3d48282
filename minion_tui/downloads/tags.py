# mypy: allow-untyped-calls
# (mutagen ships without type hints; every call into it would need an ignore otherwise.)
"""Tags written with mutagen: ID3v2.4 for MP3, MP4 atoms for M4A, Vorbis comments for Opus.

Tags are deterministic (no "downloaded at" stamp), so two downloads of the same track are
byte-identical — the resume proof compares files byte for byte.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minion_tui.models import Track

# mutagen (~8 ms of imports) is needed only once the audio is complete: each writer imports
# what it uses, and downloads/preload.py loads it while a download waits on the network.


@dataclass(frozen=True)
class TrackTags:
    title: str
    artist: str
    album: str = ""
    genre: str = ""
    date: str = ""
    bpm: str = ""
    key: str = ""
    comment: str = ""
    source_url: str = ""

    @classmethod
    def of(cls, track: Track, *, album: str = "") -> TrackTags:
        raw = track.raw
        bpm = raw.get("bpm")
        publisher = raw.get("publisher_metadata") or {}
        return cls(
            title=track.title,
            artist=track.artist,
            album=album or str(publisher.get("album_title") or ""),
            genre=track.genre,
            date=(track.created_at or "")[:10],
            bpm=str(int(bpm)) if isinstance(bpm, int | float) and bpm else "",
            key=str(raw.get("key_signature") or ""),
            comment=track.description,
            source_url=track.url,
        )


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str  # "image/jpeg" | "image/png"


def write_tags(path: Path, container: str, tags: TrackTags, cover: Cover | None) -> None:
    """Tag ``path`` (any file name, e.g. a ``.part``) as ``container`` ("mp3" | "m4a" | "opus")."""
    if container == "mp3":
        _id3(path, tags, cover)
    elif container == "m4a":
        _mp4(path, tags, cover)
    elif container == "opus":
        _opus(path, tags, cover)
    else:
        raise ValueError(f"no tag writer for {container!r}")


def id3_tag(tags: TrackTags, cover: Cover | None) -> bytes:
    """The ID3v2.4 tag :func:`write_tags` puts in front of an MP3, as bytes: the join writes
    it first (remux.concatenate), so the finished file is never rewritten to insert it."""
    out = io.BytesIO()
    _id3_frames(tags, cover).save(out, v2_version=4, padding=lambda info: 0)
    return out.getvalue()


def _id3(path: Path, tags: TrackTags, cover: Cover | None) -> None:
    # padding=0 keeps the output independent of any previous tag size (determinism).
    _id3_frames(tags, cover).save(path, v2_version=4, padding=lambda info: 0)


def _id3_frames(tags: TrackTags, cover: Cover | None) -> Any:
    from mutagen.id3 import APIC, COMM, ID3, TALB, TBPM, TCON, TDRC, TIT2, TKEY, TPE1, WOAS

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    for frame, value in ((TALB, tags.album), (TCON, tags.genre), (TDRC, tags.date),
                         (TBPM, tags.bpm), (TKEY, tags.key)):
        if value:
            id3.add(frame(encoding=3, text=value))
    if tags.comment:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.comment))
    if tags.source_url:
        id3.add(WOAS(url=tags.source_url))
    if cover:
        id3.add(APIC(encoding=3, mime=cover.mime, type=3, desc="Cover", data=cover.data))
    return id3


def _mp4(path: Path, tags: TrackTags, cover: Cover | None) -> None:
    from mutagen.mp4 import MP4, MP4Cover

    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    atoms = {"\xa9nam": tags.title, "\xa9ART": tags.artist, "\xa9alb": tags.album,
             "\xa9gen": tags.genre, "\xa9day": tags.date, "\xa9cmt": tags.comment,
             "----:com.apple.iTunes:SOURCE": tags.source_url,
             "----:com.apple.iTunes:initialkey": tags.key}
    for atom, value in atoms.items():
        if not value:
            continue
        audio.tags[atom] = [value.encode()] if atom.startswith("----") else [value]
    if tags.bpm:
        audio.tags["tmpo"] = [int(tags.bpm)]
    if cover:
        kind = MP4Cover.FORMAT_PNG if cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        audio.tags["covr"] = [MP4Cover(cover.data, imageformat=kind)]
    audio.save(padding=lambda info: 0)


def _opus(path: Path, tags: TrackTags, cover: Cover | None) -> None:
    from mutagen.flac import Picture
    from mutagen.oggopus import OggOpus

    audio = OggOpus(path)
    assert audio.tags is not None
    fields = {"TITLE": tags.title, "ARTIST": tags.artist, "ALBUM": tags.album,
              "GENRE": tags.genre, "DATE": tags.date, "BPM": tags.bpm, "KEY": tags.key,
              "COMMENT": tags.comment, "CONTACT": tags.source_url}
    for name, value in fields.items():
        if value:
            audio.tags[name] = [value]
    if cover:
        picture = Picture()
        picture.type = 3
        picture.mime = cover.mime
        picture.data = cover.data
        audio.tags["METADATA_BLOCK_PICTURE"] = [base64.b64encode(picture.write()).decode()]
    audio.save(padding=lambda info: 0)
