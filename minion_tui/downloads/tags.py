# mypy: allow-untyped-calls
# (mutagen ships without type hints; every call into it would need an ignore otherwise.)
"""Tags written with mutagen: ID3v2.4 for MP3, MP4 atoms for M4A, Vorbis comments for Opus.

Tags are deterministic (no "downloaded at" stamp), so two downloads of the same track are
byte-identical — the resume proof compares files byte for byte.

A track downloaded as part of a set is tagged as a track of an album: its place in the set
and the set's length (ID3 ``TRCK`` "n/total", MP4 ``trkn``, Vorbis TRACKNUMBER and
TRACKTOTAL), the set's owner as the album artist (``TPE2``, ``aART``, ALBUMARTIST) and one
disc of one (``TPOS`` "1/1", ``disk``, DISCNUMBER and DISCTOTAL): a SoundCloud set has no
discs, and players that group by album artist and disc keep the set together that way. A
track on its own carries none of these (docs/downloads.md §2.6 lists the names).
"""

from __future__ import annotations

import base64
import io
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minion_tui.downloads.chapters import Chapter
from minion_tui.models import Track

# mutagen (~8 ms of imports) is needed only once the audio is complete: each writer imports
# what it uses, and downloads/preload.py loads it while a download waits on the network.


@dataclass(frozen=True)
class InSet:
    """Where a track sits in the set it is downloaded from: ``number`` of ``total`` (from 1),
    and the set's owner, who is the album artist."""

    number: int
    total: int
    album_artist: str = ""


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
    album_artist: str = ""
    # 0: not part of a set (no track or disc number is written).
    track_number: int = 0
    track_total: int = 0
    disc_number: int = 0
    disc_total: int = 0
    # A show's tracklist (chapters.py): MP4 chpl, ID3 CHAP + CTOC; empty for a track.
    chapters: tuple[Chapter, ...] = ()
    duration_ms: int = 0

    @classmethod
    def of(cls, track: Track, *, album: str = "", in_set: InSet | None = None) -> TrackTags:
        raw = track.raw
        bpm = raw.get("bpm")
        publisher = raw.get("publisher_metadata") or {}
        placed = in_set is not None and in_set.number > 0
        return cls(
            title=track.title,
            artist=track.artist,
            album=album or str(publisher.get("album_title") or ""),
            # Mixcloud has no genre field: its tags are the genres (docs/downloads.md §8).
            genre=track.genre or "; ".join(track.tags),
            date=(track.created_at or "")[:10],
            bpm=str(int(bpm)) if isinstance(bpm, int | float) and bpm else "",
            key=str(raw.get("key_signature") or ""),
            comment=track.description,
            source_url=track.url,
            album_artist=in_set.album_artist if in_set is not None and placed else "",
            track_number=in_set.number if in_set is not None and placed else 0,
            track_total=max(in_set.total, in_set.number) if in_set is not None and placed
            else 0,
            disc_number=1 if placed else 0,
            disc_total=1 if placed else 0,
            duration_ms=track.duration_ms,
        )

    def track_text(self) -> str:
        """"n/total" (ID3's TRCK form), "n" when the total is unknown, "" outside a set."""
        return _of_total(self.track_number, self.track_total)

    def disc_text(self) -> str:
        return _of_total(self.disc_number, self.disc_total)


def _of_total(number: int, total: int) -> str:
    if number <= 0:
        return ""
    return f"{number}/{total}" if total > 0 else str(number)


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str  # "image/jpeg" | "image/png"


def write_tags(path: Path, container: str, tags: TrackTags, cover: Cover | None) -> None:
    """Tag ``path`` (any file name, e.g. a ``.part``) as ``container`` ("mp3" | "m4a" | "opus"
    | "flac")."""
    if container == "mp3":
        _id3(path, tags, cover)
    elif container == "m4a":
        _mp4(path, tags, cover)
    elif container == "opus":
        _opus(path, tags, cover)
    elif container == "flac":
        _flac(path, tags, cover)
    else:
        raise ValueError(f"no tag writer for {container!r}")


def file_source(path: Path) -> str | None:
    """The source URL a finished file records (what :class:`TrackTags` wrote as
    ``source_url``: WOAS, the MP4 SOURCE atom, the Vorbis CONTACT), or None when it records
    none or cannot be read. A file's own record of what it is: direct downloads have no
    archive rows (batch.py), and a name says nothing about the source."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".mp3":
            from mutagen.id3 import ID3, ID3NoHeaderError

            try:
                frames = ID3(path).getall("WOAS")
            except ID3NoHeaderError:
                return None
            return str(frames[0].url) if frames else None
        if suffix == ".m4a":
            from mutagen.mp4 import MP4

            tags = MP4(path).tags
            values = tags.get("----:com.apple.iTunes:SOURCE") if tags is not None else None
            return bytes(values[0]).decode("utf-8", "replace") if values else None
        if suffix in (".opus", ".flac"):
            import mutagen

            comments = mutagen.File(path).tags
            values = comments.get("CONTACT") if comments is not None else None
            return str(values[0]) if values else None
    except Exception:  # mutagen raises its own kinds for every unreadable file
        return None
    return None


def id3_tag(tags: TrackTags, cover: Cover | None) -> bytes:
    """The ID3v2.4 tag :func:`write_tags` puts in front of an MP3, as bytes: the join writes
    it first (remux.concatenate), so the finished file is never rewritten to insert it."""
    out = io.BytesIO()
    _id3_frames(tags, cover).save(out, v2_version=4, padding=_reserved)
    return out.getvalue()


#: Bytes of padding left in an MP3's ID3 tag and an Opus file's comments: room for the tempo
#: and key (write_sound) and the ReplayGain gain and peak (write_gain) the analysis adds once
#: the download is complete, so adding them rewrites the tag in place instead of moving the
#: audio behind it.
SOUND_ROOM = 256


def _reserved(info: Any) -> int:
    return SOUND_ROOM


def _kept(info: Any) -> int:
    """Padding when adding tags to a finished file: what is left of the room if the new tags
    fit (the audio does not move, the file keeps its size), else the room again."""
    return int(info.padding) if info.padding >= 0 else SOUND_ROOM


def _id3(path: Path, tags: TrackTags, cover: Cover | None) -> None:
    # A fixed padding keeps the output independent of any previous tag size (determinism).
    _id3_frames(tags, cover).save(path, v2_version=4, padding=_reserved)


def _id3_frames(tags: TrackTags, cover: Cover | None) -> Any:
    from mutagen.id3 import (
        APIC,
        COMM,
        ID3,
        TALB,
        TBPM,
        TCON,
        TDRC,
        TIT2,
        TKEY,
        TPE1,
        TPE2,
        TPOS,
        TRCK,
        WOAS,
    )

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=tags.title))
    id3.add(TPE1(encoding=3, text=tags.artist))
    for frame, value in ((TALB, tags.album), (TPE2, tags.album_artist),
                         (TRCK, tags.track_text()), (TPOS, tags.disc_text()),
                         (TCON, tags.genre), (TDRC, tags.date),
                         (TBPM, tags.bpm), (TKEY, tags.key)):
        if value:
            id3.add(frame(encoding=3, text=value))
    if tags.comment:
        id3.add(COMM(encoding=3, lang="eng", desc="", text=tags.comment))
    if tags.source_url:
        id3.add(WOAS(url=tags.source_url))
    if cover:
        id3.add(APIC(encoding=3, mime=cover.mime, type=3, desc="Cover", data=cover.data))
    _id3_chapters(id3, tags)
    return id3


def _id3_chapters(id3: Any, tags: TrackTags) -> None:
    """ID3v2 Chapter Frame Addendum: one CHAP per chapter (start and end in ms, its
    title in a TIT2) and a top-level, ordered CTOC listing them."""
    from mutagen.id3 import CHAP, CTOC, TIT2, TPE1, CTOCFlags

    chapters = tags.chapters
    if not chapters:
        return
    ids = [f"chp{n}" for n in range(len(chapters))]
    for n, chapter in enumerate(chapters):
        end = chapters[n + 1].start_ms if n + 1 < len(chapters) else max(
            tags.duration_ms, chapter.start_ms)
        sub: list[Any] = [TIT2(encoding=3, text=chapter.title)]
        if chapter.artist:
            sub.append(TPE1(encoding=3, text=chapter.artist))
        id3.add(CHAP(element_id=ids[n], start_time=chapter.start_ms, end_time=end,
                     sub_frames=sub))
    id3.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                 child_element_ids=ids, sub_frames=[TIT2(encoding=3, text=tags.title)]))


def _mp4(path: Path, tags: TrackTags, cover: Cover | None) -> None:
    if tags.chapters:
        from minion_tui.downloads.mp4_moov import tag_moov

        if tag_moov(path, tags, cover, tags.chapters,
                    lambda audio: _mp4_atoms(audio, tags, cover)):
            return
    if _mp4_in_place(path, lambda audio: _mp4_atoms(audio, tags, cover)):
        return
    from mutagen.mp4 import MP4

    audio = MP4(path)
    _mp4_atoms(audio, tags, cover)
    audio.save(padding=lambda info: 0)


def _mp4_atoms(audio: Any, tags: TrackTags, cover: Cover | None) -> None:
    from mutagen.mp4 import MP4Cover

    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    atoms = {"\xa9nam": tags.title, "\xa9ART": tags.artist, "\xa9alb": tags.album,
             "aART": tags.album_artist,
             "\xa9gen": tags.genre, "\xa9day": tags.date, "\xa9cmt": tags.comment,
             "----:com.apple.iTunes:SOURCE": tags.source_url,
             "----:com.apple.iTunes:initialkey": tags.key}
    for atom, value in atoms.items():
        if not value:
            continue
        audio.tags[atom] = [value.encode()] if atom.startswith("----") else [value]
    if tags.bpm:
        audio.tags["tmpo"] = [int(tags.bpm)]
    if tags.track_number:
        audio.tags["trkn"] = [(tags.track_number, tags.track_total)]
    if tags.disc_number:
        audio.tags["disk"] = [(tags.disc_number, tags.disc_total)]
    if cover:
        kind = MP4Cover.FORMAT_PNG if cover.mime == "image/png" else MP4Cover.FORMAT_JPEG
        audio.tags["covr"] = [MP4Cover(cover.data, imageformat=kind)]


def mp4_room(tags: TrackTags, cover: Cover | None) -> int:
    """Bytes of tags :func:`write_tags` puts in an M4A's moov (an upper bound: each atom's
    headers are well under 64 bytes), which remux.py reserves after the moov."""
    text = (tags.title, tags.artist, tags.album, tags.genre, tags.date, tags.comment,
            tags.source_url, tags.key, tags.bpm, tags.album_artist)
    # trkn and disk: a 32-byte atom each (header, data header, 8 bytes of numbers).
    from minion_tui.downloads.mp4_moov import chapters_room

    return 1024 + 256 + 64 * 2 + sum(64 + len(value.encode()) for value in text) + (
        64 + len(cover.data) if cover else 0) + chapters_room(tags.chapters)


def _mp4_in_place(path: Path, apply: Callable[[Any], None]) -> bool:
    """Tag an MP4 whose moov is followed by free space (remux.py reserves it) without moving
    a byte of the audio; False when there is no such room (the caller lets mutagen insert).

    The moov alone is tagged by mutagen in memory and written back over itself and part of
    the free atom, which shrinks by what the moov grew. mutagen shifts the chunk offsets
    (stco/co64) as if the audio had moved by that much; they are shifted back, since it
    did not."""
    from mutagen import MutagenError
    from mutagen.mp4 import MP4

    from minion_tui.downloads.mp4_moov import free_after, shift_chunk_offsets, top_level_atoms

    with open(path, "rb+") as file:
        atoms = top_level_atoms(file)
        names = [name for name, _, _ in atoms]
        if b"moov" not in names:
            return False
        at = names.index(b"moov")
        # Fragments after the moov (Mixcloud's progressive file) address their data from
        # their own moof: with the room taken in place nothing after the moov moves.
        if b"mdat" in names[:at] or b"moof" in names[:at] or b"mdat" not in names[at + 1:]:
            # Audio before the moov (a moov at the end): mutagen's insert moves only the bytes
            # after the tags, and chunk offsets pointing there must not be shifted back below.
            return False
        _, moov_start, moov_size = atoms[at]
        room = free_after(atoms, at)
        file.seek(0)
        head = file.read(moov_start + moov_size)
        copy = io.BytesIO(head)
        try:
            audio = MP4(copy)
            apply(audio)
            audio.save(copy, padding=lambda info: 0)
        except MutagenError:  # whatever it is, the whole file is mutagen's to judge
            return False
        grown = len(copy.getbuffer()) - len(head)
        left = room - grown
        if left < 0 or 0 < left < 8:  # no room, or too little for a free atom's header
            return False
        tagged = bytearray(copy.getvalue())
        shift_chunk_offsets(tagged, moov_start, -grown)
        file.seek(0)
        file.write(tagged)
        if left:
            file.write(struct.pack(">I4s", left, b"free") + bytes(left - 8))
    return True


def _vorbis_fields(tags: TrackTags) -> dict[str, str]:
    """The Vorbis comments of an Opus or FLAC file (empty values left out by the callers)."""
    return {"TITLE": tags.title, "ARTIST": tags.artist, "ALBUM": tags.album,
            "GENRE": tags.genre, "DATE": tags.date, "BPM": tags.bpm, "KEY": tags.key,
            "COMMENT": tags.comment, "CONTACT": tags.source_url,
            "ALBUMARTIST": tags.album_artist,
            "TRACKNUMBER": str(tags.track_number) if tags.track_number else "",
            "TRACKTOTAL": str(tags.track_total) if tags.track_number else "",
            "DISCNUMBER": str(tags.disc_number) if tags.disc_number else "",
            "DISCTOTAL": str(tags.disc_total) if tags.disc_number else ""}


def _picture(cover: Cover) -> Any:
    from mutagen.flac import Picture

    picture = Picture()
    picture.type = 3  # front cover
    picture.mime = cover.mime
    picture.data = cover.data
    return picture


def _opus(path: Path, tags: TrackTags, cover: Cover | None) -> None:
    from mutagen.oggopus import OggOpus

    audio = OggOpus(path)
    assert audio.tags is not None
    for name, value in _vorbis_fields(tags).items():
        if value:
            audio.tags[name] = [value]
    if cover:
        picture = _picture(cover)
        audio.tags["METADATA_BLOCK_PICTURE"] = [base64.b64encode(picture.write()).decode()]
    audio.save(padding=_reserved)


def _flac(path: Path, tags: TrackTags, cover: Cover | None) -> None:
    """A FLAC's Vorbis comments and its PICTURE block (download --convert flac)."""
    from mutagen.flac import FLAC

    audio = FLAC(path)
    if audio.tags is None:
        audio.add_tags()
    comments: Any = audio.tags
    for name, value in _vorbis_fields(tags).items():
        if value:
            comments[name] = [value]
    if cover:
        audio.clear_pictures()
        audio.add_picture(_picture(cover))
    audio.save(padding=_reserved)


def _moov_last(path: Path) -> bool:
    from minion_tui.downloads.mp4_moov import top_level_atoms

    with open(path, "rb") as file:
        names = [name for name, _, _ in top_level_atoms(file)]
    return bool(names) and names[-1] == b"moov"


def initial_key(key: str) -> str:
    """A key name as the tags spell it (ID3's TKEY: at most three characters, "m" for
    minor): "A minor" → "Am", "F# major" → "F#"."""
    tonic, _, mode = key.partition(" ")
    return tonic + ("m" if mode == "minor" else "")


def _mp4_tagged(path: Path, apply: Callable[[Any], None]) -> bool:
    """``apply`` to an M4A's tags: into the room remux.py leaves after the moov when there is
    some (the file keeps its size and the audio stays put); a moov at the end grows in place.
    A moov in front of the audio with no room would move all of it (a two-hour show: 100 MB
    rewritten) for a few small atoms: left alone (False), the store keeps the figures."""
    def tagged(audio: Any) -> None:
        if audio.tags is None:
            audio.add_tags()
        apply(audio)

    if _mp4_in_place(path, tagged):
        return True
    if not _moov_last(path):
        return False
    from mutagen.mp4 import MP4

    audio = MP4(path)
    tagged(audio)
    audio.save()
    return True


def _id3_of(path: Path) -> Any:
    """The MP3's ID3 tag, or a new one when it has none."""
    from mutagen.id3 import ID3, ID3NoHeaderError

    try:
        return ID3(path)
    except ID3NoHeaderError:
        return ID3()


def _with_comments(path: Path) -> Any:
    """An Ogg or FLAC file opened by mutagen with its Vorbis comments (added when it had
    none); None when mutagen does not know the file."""
    import mutagen

    audio = mutagen.File(path)
    if audio is None:
        return None
    if audio.tags is None:
        audio.add_tags()
    return audio


def write_sound(path: Path, bpm: float | None, key: str | None) -> bool:
    """Add the measured tempo and key to a finished file's tags, keeping every other tag:
    ID3 TBPM / TKEY (MP3), MP4 ``tmpo`` and the iTunes ``initialkey`` atom (M4A), Vorbis
    BPM / INITIALKEY (Opus, Ogg, FLAC). The downloads leave room for them, so the audio
    does not move. False for a container without such tags (WAV), an M4A without room, or
    nothing to write."""
    suffix = path.suffix.lower()
    tempo = f"{round(bpm)}" if bpm else ""
    spelled = initial_key(key) if key else ""
    if not tempo and not spelled:
        return False
    if suffix == ".mp3":
        from mutagen.id3 import TBPM, TKEY

        id3 = _id3_of(path)
        for frame, value in ((TBPM, tempo), (TKEY, spelled)):
            if value:
                id3.setall(frame.__name__, [frame(encoding=3, text=value)])
        id3.save(path, v2_version=4, padding=_kept)
        return True
    if suffix in (".m4a", ".mp4", ".aac"):
        def apply(audio: Any) -> None:
            if tempo:
                audio.tags["tmpo"] = [int(tempo)]
            if spelled:
                audio.tags["----:com.apple.iTunes:initialkey"] = [spelled.encode()]

        return _mp4_tagged(path, apply)
    if suffix in (".opus", ".ogg", ".oga", ".flac"):
        audio = _with_comments(path)
        if audio is None:
            return False
        comments: Any = audio.tags
        if tempo:
            comments["BPM"] = [tempo]
        if spelled:
            comments["INITIALKEY"] = [spelled]
        audio.save(padding=_kept)
        return True
    return False


def gain_text(lufs: float) -> str:
    """ReplayGain 2.0's gain as the tags spell it: dB to -18 LUFS, two decimals ("-6.52 dB")."""
    return f"{-18.0 - lufs:.2f} dB"


def write_gain(path: Path, lufs: float, peak: float, *, album: bool = False) -> bool:
    """Add a finished file's ReplayGain 2.0 track (or ``album``) gain and peak to its tags,
    keeping every other tag (docs/analysis.md §11): ID3 TXXX REPLAYGAIN_TRACK_GAIN / _PEAK
    (MP3), MP4 ``----:com.apple.iTunes:replaygain_track_gain`` / ``_peak`` (M4A), Vorbis
    REPLAYGAIN_TRACK_GAIN / _PEAK (Ogg Vorbis, FLAC); Opus only R128_TRACK_GAIN (Q7.8 dB to
    -23 LUFS, RFC 7845 §5.2.1, which asks Opus files not to carry REPLAYGAIN_ tags). Into the
    room the downloads leave, like write_sound; False where there is no such tag or room."""
    scope = "ALBUM" if album else "TRACK"
    gain, peak_text = gain_text(lufs), f"{peak:.6f}"
    suffix = path.suffix.lower()
    if suffix == ".mp3":
        from mutagen.id3 import TXXX

        id3 = _id3_of(path)
        for name, value in ((f"REPLAYGAIN_{scope}_GAIN", gain),
                            (f"REPLAYGAIN_{scope}_PEAK", peak_text)):
            id3.setall(f"TXXX:{name}", [TXXX(encoding=3, desc=name, text=[value])])
        id3.save(path, v2_version=4, padding=_kept)
        return True
    if suffix in (".m4a", ".mp4", ".aac"):
        def apply(audio: Any) -> None:
            base = f"----:com.apple.iTunes:replaygain_{scope.lower()}_"
            audio.tags[base + "gain"] = [gain.encode()]
            audio.tags[base + "peak"] = [peak_text.encode()]

        return _mp4_tagged(path, apply)
    if suffix in (".opus", ".ogg", ".oga", ".flac"):
        audio = _with_comments(path)
        if audio is None:
            return False
        comments: Any = audio.tags
        from mutagen.oggopus import OggOpus

        if isinstance(audio, OggOpus):
            q78 = max(-32768, min(32767, round((-23.0 - lufs) * 256)))
            comments[f"R128_{scope}_GAIN"] = [str(q78)]
        else:
            comments[f"REPLAYGAIN_{scope}_GAIN"] = [gain]
            comments[f"REPLAYGAIN_{scope}_PEAK"] = [peak_text]
        audio.save(padding=_kept)
        return True
    return False
