"""Uploads as the signed-in user: check a file first (locally, nothing sent), upload it with
its title, tags, description and artwork (SoundCloud or Mixcloud), change an upload's
metadata, replace its artwork, delete it (SoundCloud)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from minion_tui.errors import InvalidArgument
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import (
    LOCAL_READ,
    REMOTE_CHANGE,
    REMOTE_DESTROY,
    REMOTE_SET,
    arg,
    tool,
)
from minion_tui.mcp.tools.social import WriteDone, done, render_done
from minion_tui.models.json_form import JsonModel
from minion_tui.service import tracklist_of


def _offering() -> tuple[str, ...]:
    from minion_tui.service.writes import Writes

    return Writes.offering("upload")


#: Mixcloud's upload limits (MC §3 "Upload"): 5 tags, a 1000-character description.
MIXCLOUD_TAGS = 5
MIXCLOUD_DESCRIPTION = 1000

FILE = ("The audio file's path on this machine (MP3, M4A, WAV, FLAC, OGG or AIFF; at most "
        "512 MiB).")
ARTWORK = "A JPEG or PNG picture's path on this machine (at most 10 MiB)."
TAGS = ("Tags, one per item (a tag may have spaces; no commas or double quotes); at most 30, "
        "Mixcloud takes 5.")
UPLOAD_TARGET = ("The upload: a soundcloud.com link or a soundcloud:tracks:… URN (upload_track "
                 "returns it). It must be the signed-in user's.")


@dataclass(frozen=True, slots=True)
class FileCheck(JsonModel):
    """What prepare_upload found: the audio file's ``path`` (as read), ``content_type``,
    ``size_bytes`` and ``duration_s`` (null when its length cannot be read from the file);
    the artwork's ``artwork_path``, ``artwork_type`` and ``artwork_bytes`` (null without
    one); ``providers`` the services it can go to as it is; ``notes`` what to know before
    uploading (limits that apply to one service only)."""

    path: str
    content_type: str
    size_bytes: int
    duration_s: float | None
    artwork_path: str | None
    artwork_type: str | None
    artwork_bytes: int | None
    providers: Sequence[str]
    notes: Sequence[str]


def render_check(r: dict[str, Any]) -> str:
    from minion_tui.models import format_duration

    length = format_duration(r["duration_s"]) if r["duration_s"] is not None else "length ?"
    lines = [f"{r['path']}: {r['content_type']}, {r['size_bytes']:,} bytes, {length}"]
    if r["artwork_path"]:
        lines.append(f"artwork {r['artwork_path']}: {r['artwork_type']}, "
                     f"{r['artwork_bytes']:,} bytes")
    lines.append(f"can go to: {', '.join(r['providers']) or 'none'}")
    lines += [f"note: {n}" for n in r["notes"]]
    return "\n".join(lines)


def _duration(path: str) -> float | None:
    """The audio's length in seconds from its headers (mutagen, on a thread); None when it
    cannot be read."""
    try:
        import mutagen

        found = mutagen.File(path)
    except Exception:  # any damaged or odd file: the length is just unknown
        return None
    length = getattr(getattr(found, "info", None), "length", None)
    if isinstance(length, int | float) and length > 0:
        return round(float(length), 3)
    return None


def _tags(tags: Sequence[str] | None) -> tuple[str, ...] | None:
    from minion_tui.service.writes import check_tags

    if tags is None:
        return None
    if any("," in t for t in tags):
        raise InvalidArgument("'tags' has a tag with a comma in it.",
                              hint="Give each tag as its own item.")
    return check_tags(",".join(tags))


def _file(value: str, name: str, *, image: bool = False) -> tuple[str, str]:
    from minion_tui.service.writes import check_file

    return check_file(value, name, image=image)


@dataclass(frozen=True, slots=True)
class Prepare:
    file: str = arg(FILE, nonblank=True, max_length=4096)
    artwork: str | None = arg(ARTWORK, default=None, nonblank=True, max_length=4096)
    tags: tuple[str, ...] | None = arg(TAGS, default=None, max_length=100)
    description: str | None = arg("The description you mean to give it.", default=None,
                                  max_length=4000)


@tool(title="Check a file for upload", output=FileCheck, hints=LOCAL_READ,
      render=render_check)
async def prepare_upload(ctx: ToolContext, args: Prepare) -> FileCheck:
    """Check, on this machine and without sending anything, that a file can be uploaded:
    it exists and is readable, is audio by its first bytes, is within the size limit, and
    how long it is; the same for the artwork; and which services take the tags and
    description as given. Use it before upload_track. No request, no sign-in needed."""
    path, kind = await asyncio.to_thread(_file, args.file, "file")
    size = (await asyncio.to_thread(_stat, path))
    picture = None
    if args.artwork is not None:
        picture = await asyncio.to_thread(_file, args.artwork, "artwork", image=True)
    tags = _tags(args.tags) or ()
    length = await asyncio.to_thread(_duration, path)
    providers = list(_offering())
    notes = []
    if "mixcloud" in providers and (len(tags) > MIXCLOUD_TAGS or len(
            args.description or "") > MIXCLOUD_DESCRIPTION):
        providers.remove("mixcloud")
        notes.append(f"Mixcloud takes at most {MIXCLOUD_TAGS} tags and a description of "
                     f"{MIXCLOUD_DESCRIPTION} characters.")
    if length is None:
        notes.append("Its length could not be read from the file's headers; the service "
                     "may refuse it if it is damaged.")
    return FileCheck(path=path, content_type=kind, size_bytes=size, duration_s=length,
                     artwork_path=picture[0] if picture else None,
                     artwork_type=picture[1] if picture else None,
                     artwork_bytes=await asyncio.to_thread(_stat, picture[0])
                     if picture else None,
                     providers=providers, notes=notes)


def _stat(path: str) -> int:
    import os

    return os.stat(path).st_size


@dataclass(frozen=True, slots=True)
class Upload:
    file: str = arg(FILE, nonblank=True, max_length=4096)
    title: str = arg("The upload's title: plain text on one line, at most 100 characters.",
                     nonblank=True, max_length=100)
    tags: tuple[str, ...] | None = arg(TAGS, default=None, max_length=100)
    description: str | None = arg("Its description (Mixcloud: at most 1000 characters).",
                                  default=None, max_length=4000)
    artwork: str | None = arg(ARTWORK, default=None, nonblank=True, max_length=4096)
    private: bool = arg("Upload it private (Mixcloud: unlisted); default public.",
                        default=False)
    provider: str | None = arg("The service to upload to (default: soundcloud).",
                               default=None, choices=_offering)
    sections: tuple[str, ...] | None = arg(
        "Mixcloud only: the show's tracklist, one section per item in playing order, each "
        "'MM:SS Artist - Song' (H:MM:SS past an hour), or 'MM:SS Chapter name' for a chapter; "
        "start times must increase.", default=None, max_length=500)


@tool(title="Upload a track", output=WriteDone, hints=REMOTE_CHANGE, render=render_done)
async def upload_track(ctx: ToolContext, args: Upload) -> WriteDone:
    """Upload an audio file from this machine to SoundCloud (default) or Mixcloud as the
    signed-in user, with its title, tags, description and artwork; returns the new track's
    URN. Not idempotent: each call makes another upload, so never retry one that succeeded
    (check with the user's tracks first). Check the file with prepare_upload first. One
    large request (the file is sent whole; up to 512 MiB); reports progress and can be
    cancelled until the file is sent. For Mixcloud, `sections` sends the show's tracklist
    (SoundCloud keeps none: invalid_argument). Needs the user signed in (else
    auth_required; they sign in themselves)."""
    tags = _tags(args.tags) or ()
    sections = tracklist_of(args.sections or ()) or ()
    await ctx.progress(0, 2, "checking the file")
    await asyncio.to_thread(_file, args.file, "file")
    await ctx.progress(1, 2, "uploading")
    result = await ctx.service.writes.upload(
        args.file, title=args.title, tags=tags, description=args.description,
        artwork=args.artwork, private=args.private, provider=args.provider,
        sections=sections)
    await ctx.progress(2, 2, "uploaded")
    return done(result)


@dataclass(frozen=True, slots=True)
class Update:
    target: str = arg(UPLOAD_TARGET, nonblank=True, max_length=4096)
    title: str | None = arg("A new title (plain text on one line, at most 100 characters).",
                            default=None, nonblank=True, max_length=100)
    tags: tuple[str, ...] | None = arg(TAGS + " They replace all of its tags.", default=None,
                                       max_length=100)
    description: str | None = arg("A new description (replaces the old one).", default=None,
                                  max_length=4000)
    sections: tuple[str, ...] | None = arg(
        "Mixcloud only: the show's tracklist, one section per item in playing order, each "
        "'MM:SS Artist - Song' (H:MM:SS past an hour), or 'MM:SS Chapter name' for a chapter; "
        "start times must increase. Replaces the whole tracklist.", default=None, max_length=500)


@tool(title="Update an upload's metadata", output=WriteDone, hints=REMOTE_SET,
      render=render_done)
async def update_track(ctx: ToolContext, args: Update) -> WriteDone:
    """Change the title, tags or description of one of the signed-in user's uploads on
    SoundCloud or Mixcloud (what is not given stays; at least one must be), and for a
    Mixcloud show its tracklist (`sections` replaces the whole list; any tag given replaces
    all tags). For the picture use replace_artwork. One request (two with a link). Needs the
    user signed in (else auth_required)."""
    tags = _tags(args.tags)
    sections = tracklist_of(args.sections or ())
    if args.title is None and tags is None and args.description is None and sections is None:
        raise InvalidArgument("update_track: nothing to change.",
                              hint="Give title, tags, description or sections.")
    return done(await ctx.service.writes.track_update(
        args.target, title=args.title, tags=tags, description=args.description,
        sections=sections))


@dataclass(frozen=True, slots=True)
class Artwork:
    target: str = arg(UPLOAD_TARGET, nonblank=True, max_length=4096)
    artwork: str = arg(ARTWORK, nonblank=True, max_length=4096)


@tool(title="Replace an upload's artwork", output=WriteDone, hints=REMOTE_DESTROY,
      render=render_done,
      confirm=lambda args: f"Replace the artwork of {args.target} with {args.artwork}? "
      "The old picture is not kept.")
async def replace_artwork(ctx: ToolContext, args: Artwork) -> WriteDone:
    """Replace the picture of one of the signed-in user's SoundCloud uploads with a JPEG or
    PNG from this machine. Destructive (the old picture is gone): the user is asked first.
    One request with the picture (two with a link). Needs the user signed in (else
    auth_required)."""
    await asyncio.to_thread(_file, args.artwork, "artwork", image=True)
    return done(await ctx.service.writes.track_update(args.target, artwork=args.artwork))


@dataclass(frozen=True, slots=True)
class Delete:
    target: str = arg(UPLOAD_TARGET, nonblank=True, max_length=4096)


@tool(title="Delete an upload", output=WriteDone, hints=REMOTE_DESTROY, render=render_done,
      confirm=lambda args: f"Delete the upload {args.target} from SoundCloud for good?")
async def delete_track(ctx: ToolContext, args: Delete) -> WriteDone:
    """Delete one of the signed-in user's SoundCloud uploads for good (its likes, reposts and
    comments go with it). Destructive and not undoable: the user is asked first. One
    request (two with a link). Needs the user signed in (else auth_required)."""
    return done(await ctx.service.writes.track_delete(args.target))


TOOLS = (prepare_upload, upload_track, update_track, replace_artwork, delete_track)

LEFT_OUT = (
    ("replace audio", "no documented API replaces an upload's audio: SoundCloud's protocol "
     "notes (§5) list none, and the update the app sends (PUT /tracks/{urn}, "
     "docs/writes.md §7) carries metadata and artwork only; Mixcloud's edit takes every "
     "upload field except mp3 (MC §3 'Editing an upload'). Delete and upload again instead"),
    ("delete a Mixcloud upload", "Mixcloud's API documents no delete for an upload (MC §3)"),
)
