"""``service.writes``: the write actions, one method each, over the providers' writers
(providers/base.py ``Writer``; which actions a provider offers is its
``capabilities.writes``). Tokens come only from ``service.accounts`` (the providers ask it).

Arguments are checked first and without a request (:func:`check_text`, :func:`check_target`,
:func:`parse_at`, :func:`check_position`): a blank one is InvalidArgument naming it, a link
the app does not understand InvalidURL. The front ends check them before they ask for a
confirmation, and ask for it before anything goes out. Then the target is resolved (a URN
is taken as it is, a link resolved to get its URN and title) and the action sent. Errors:
AuthRequired when not signed in, NotFound, InvalidArgument (refused by the service, an action
the provider does not offer), RateLimited.

Every method returns a :class:`~minion_tui.models.WriteResult`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from minion_tui.errors import InvalidArgument, InvalidURL
from minion_tui.models import Playlist, Section, Track, WriteResult

if TYPE_CHECKING:
    from minion_tui.providers.base import Provider
    from minion_tui.service.core import Core

MAX_TITLE = 100
MAX_COMMENT = 1000
MAX_TARGET = 4096
MAX_TRACKS = 500
_AT = re.compile(r"(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d)")
#: The words the front ends show for each write action family.
DESTRUCTIVE = ("unlike", "unrepost", "unfollow", "playlist_delete", "playlist_remove",
               "unlisten_later")


def check_text(value: str | None, name: str, *, limit: int) -> str:
    """A title or comment: not blank, no control characters, at most ``limit`` long."""
    text = (value or "").strip()
    if not text:
        raise InvalidArgument(f"{name} is empty.", hint=f"Give {name} some words.")
    if len(text) > limit:
        raise InvalidArgument(f"{name} is too long ({len(text)} characters; at most {limit}).")
    if any(not c.isprintable() for c in text):
        raise InvalidArgument(f"{name} has control characters in it.",
                              hint="Type it as plain text on one line.")
    return text


def check_target(value: str | None, name: str) -> str:
    """A link or URN of a provider the app knows, checked without a request."""
    from minion_tui.providers.registry import provider_for

    text = (value or "").strip()
    if not text:
        raise InvalidArgument(f"{name} is empty.", hint=f"Pass {name} as a link or a URN.")
    if len(text) > MAX_TARGET:
        raise InvalidURL(f"{name} is far too long to be a link ({len(text)} characters).")
    provider_for(text)
    return text


def parse_at(value: str | None) -> int:
    """``--at MM:SS`` (or ``H:MM:SS``) → milliseconds."""
    text = (value or "").strip()
    if not text:
        raise InvalidArgument("--at is empty.", hint="Give the time as MM:SS, like 1:05.")
    match = _AT.fullmatch(text)
    if match is None:
        raise InvalidArgument(f"--at must be a time as MM:SS or H:MM:SS, not {text[:40]!r}.",
                              hint="Like --at 1:05.")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000


#: The largest audio file an upload reads (it is sent from memory).
MAX_AUDIO = 512 * 1024 * 1024
#: The largest picture (Mixcloud's limit, docs/mixcloud.md §3; SoundCloud documents none).
MAX_PICTURE = 10 * 1024 * 1024
MAX_TAGS = 30
_AUDIO_MAGIC = ((0, b"ID3", "audio/mpeg"), (0, b"\xff\xfb", "audio/mpeg"),
                (0, b"\xff\xf3", "audio/mpeg"), (0, b"\xff\xf2", "audio/mpeg"),
                (4, b"ftyp", "audio/mp4"), (0, b"RIFF", "audio/wav"), (0, b"fLaC", "audio/flac"),
                (0, b"OggS", "audio/ogg"), (0, b"FORM", "audio/aiff"))
_IMAGE_MAGIC = ((0, b"\xff\xd8\xff", "image/jpeg"), (0, b"\x89PNG\r\n\x1a\n", "image/png"))


def check_file(value: str | None, name: str, *, image: bool = False) -> tuple[str, str]:
    """An audio file (or, ``image``, a JPEG or PNG picture) to upload, checked on disk
    without reading it all: (its path, its content type). Missing, a folder, unreadable,
    empty, too big or not audio/a picture is InvalidArgument saying which."""
    from minion_tui.service.sections import regular_file

    path, shown = regular_file(value, name, MAX_PICTURE if image else MAX_AUDIO)
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError as problem:
        raise InvalidArgument(f"{name} {shown} cannot be read: "
                              f"{problem.strerror or problem}.") from None
    if not head:
        raise InvalidArgument(f"{name} {shown} is empty.")
    for offset, magic, kind in (_IMAGE_MAGIC if image else _AUDIO_MAGIC):
        if head[offset:offset + len(magic)] == magic:
            return path, kind
    what = "a JPEG or PNG picture" if image else "an audio file (MP3, M4A, WAV, FLAC, OGG, AIFF)"
    raise InvalidArgument(f"{name} {shown} is not {what}.")


def check_tags(value: str | None) -> tuple[str, ...]:
    """``--tags "deep house, dub"`` → ("deep house", "dub"); blank → none."""
    tags = tuple(dict.fromkeys(t.strip() for t in (value or "").split(",") if t.strip()))
    if len(tags) > MAX_TAGS:
        raise InvalidArgument(f"At most {MAX_TAGS} tags.")
    for tag in tags:
        if len(tag) > 100 or any(not c.isprintable() for c in tag) or '"' in tag:
            raise InvalidArgument(f"The tag {tag[:40]!r} is too long or has characters a tag "
                                  "cannot.")
    return tags


def check_position(value: str | None) -> int:
    """A position in a playlist, 1 first."""
    text = (value or "").strip()
    if not text:
        raise InvalidArgument("POSITION is empty.", hint="Give a number, 1 for the first.")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10_000:
        raise InvalidArgument(f"POSITION must be a whole number from 1, not {text[:40]!r}.")
    return int(text)


class Writes:
    def __init__(self, core: Core) -> None:
        self._core = core

    # -- what is offered -------------------------------------------------------------------
    @staticmethod
    def offering(action: str) -> tuple[str, ...]:
        """The providers offering the write family ``action`` ("like", "playlist"…)."""
        from minion_tui.service.catalog import provider_capabilities, provider_names

        return tuple(n for n in provider_names() if action in provider_capabilities(n).writes)

    def _writer(self, provider: Provider, family: str) -> Any:
        from minion_tui.providers.base import Writer

        if family not in provider.capabilities.writes or not isinstance(provider, Writer):
            title = provider.capabilities.title or provider.name
            others = self.offering(family)
            raise InvalidArgument(f"{title} has no {family.replace('_', ' ')} action.",
                                  hint=f"Offered on: {', '.join(others) or 'none'}.")
        return provider

    async def _subject(self, target: str) -> tuple[Provider, str, str, Any]:
        """(provider, urn, title, resource or None): a URN as given, a link resolved."""
        from minion_tui.providers.registry import provider_for

        target = check_target(target, "TARGET")
        provider = self._core.provider(provider_for(target))
        from minion_tui.service.catalog import provider_names

        if "://" not in target and target.split(":", 1)[0].lower() in provider_names():
            urn = self._core.checked_urn(target)
            return provider, urn, "", None
        resource = await provider.resolve(target)
        title = str(getattr(resource, "title", None) or getattr(resource, "username", ""))
        return provider, resource.urn, title, resource

    async def _simple(self, action: str, family: str, target: str) -> WriteResult:
        provider, urn, title, _ = await self._subject(target)
        await self._writer(provider, family).write(action, urn)
        return WriteResult(action, provider.name, urn, title)

    # -- likes, reposts, follows, listen later ---------------------------------------------
    async def like(self, target: str) -> WriteResult:
        """Like a track or playlist (Mixcloud: favourite a show)."""
        return await self._simple("like", "like", target)

    async def unlike(self, target: str) -> WriteResult:
        return await self._simple("unlike", "like", target)

    async def repost(self, target: str) -> WriteResult:
        return await self._simple("repost", "repost", target)

    async def unrepost(self, target: str) -> WriteResult:
        return await self._simple("unrepost", "repost", target)

    async def follow(self, user: str) -> WriteResult:
        return await self._simple("follow", "follow", user)

    async def unfollow(self, user: str) -> WriteResult:
        return await self._simple("unfollow", "follow", user)

    async def listen_later(self, target: str) -> WriteResult:
        """Mixcloud: add a show to "listen later"."""
        return await self._simple("listen_later", "listen_later", target)

    async def unlisten_later(self, target: str) -> WriteResult:
        return await self._simple("unlisten_later", "listen_later", target)

    # -- playlists ------------------------------------------------------------------------
    async def _track_urns(self, tracks: Sequence[str]) -> list[str]:
        urns: list[str] = []
        for target in tracks:
            _, urn, _, resource = await self._subject(target)
            if resource is not None and not isinstance(resource, Track):
                raise InvalidArgument(f"{target[:80]} is a {resource.kind}, not a track.")
            if resource is None and ":tracks:" not in urn:
                raise InvalidArgument(f"{urn[:80]} is not a track's URN.")
            urns.append(urn)
        return urns

    def _result(self, action: str, provider: str, playlist: Playlist) -> WriteResult:
        sharing = playlist.raw.get("sharing") if isinstance(playlist.raw, dict) else None
        return WriteResult(action, provider, playlist.urn, playlist.title, playlist=playlist,
                           sharing=sharing if isinstance(sharing, str) else None)

    async def playlist_create(self, title: str, *, private: bool = False,
                              tracks: Sequence[str] = (), provider: str | None = None
                              ) -> WriteResult:
        title = check_text(title, "TITLE", limit=MAX_TITLE)
        for track in tracks:
            check_target(track, "TRACK")
        if len(tracks) > MAX_TRACKS:
            raise InvalidArgument(f"At most {MAX_TRACKS} tracks at once.")
        name = provider or next(iter(self.offering("playlist")), None)
        if name is None:
            raise InvalidArgument("No service offers playlists.")
        source = self._core.provider(name)
        writer = self._writer(source, "playlist")
        urns = await self._track_urns(tracks)
        made = await writer.write("playlist_create", "", title=title, private=private,
                                  tracks=urns)
        return self._result("playlist_create", source.name, made)

    async def _playlist(self, target: str) -> tuple[Any, str, Playlist, list[str]]:
        provider, urn, _, resource = await self._subject(target)
        if resource is not None and not isinstance(resource, Playlist):
            raise InvalidArgument(f"{target[:80]} is a {resource.kind}, not a playlist.")
        writer = self._writer(provider, "playlist")
        playlist, urns = await writer.write("playlist_get", urn)
        return writer, urn, playlist, list(urns)

    async def playlist_rename(self, target: str, title: str) -> WriteResult:
        title = check_text(title, "TITLE", limit=MAX_TITLE)
        provider, urn, _, _ = await self._subject(target)
        changed = await self._writer(provider, "playlist").write("playlist_update", urn,
                                                                 title=title)
        return self._result("playlist_rename", provider.name, changed)

    async def playlist_privacy(self, target: str, private: bool) -> WriteResult:
        provider, urn, _, _ = await self._subject(target)
        changed = await self._writer(provider, "playlist").write("playlist_update", urn,
                                                                 private=private)
        return self._result("playlist_privacy", provider.name, changed)

    async def playlist_add(self, target: str, tracks: Sequence[str]) -> WriteResult:
        check_target(target, "PLAYLIST")
        if not tracks:
            raise InvalidArgument("No TRACK was given.", hint="Name one or more tracks.")
        for track in tracks:
            check_target(track, "TRACK")
        writer, urn, _, urns = await self._playlist(target)
        added = await self._track_urns(tracks)
        if len(urns) + len(added) > MAX_TRACKS:
            raise InvalidArgument(f"A playlist holds at most {MAX_TRACKS} tracks here.")
        changed = await writer.write("playlist_update", urn, tracks=[*urns, *added])
        return self._result("playlist_add", writer.name, changed)

    async def playlist_remove(self, target: str, track: str) -> WriteResult:
        check_target(target, "PLAYLIST")
        check_target(track, "TRACK")
        writer, urn, playlist, urns = await self._playlist(target)
        (gone,) = await self._track_urns([track])
        if gone not in urns:
            raise InvalidArgument(f"{gone} is not in {playlist.title or urn}.")
        changed = await writer.write("playlist_update", urn,
                                     tracks=[u for u in urns if u != gone])
        return self._result("playlist_remove", writer.name, changed)

    async def playlist_move(self, target: str, track: str, position: int) -> WriteResult:
        check_target(target, "PLAYLIST")
        check_target(track, "TRACK")
        writer, urn, playlist, urns = await self._playlist(target)
        (moved,) = await self._track_urns([track])
        if moved not in urns:
            raise InvalidArgument(f"{moved} is not in {playlist.title or urn}.")
        if position > len(urns):
            raise InvalidArgument(f"POSITION {position} is past the end: "
                                  f"{playlist.title or urn} has {len(urns)} tracks.")
        rest = [u for u in urns if u != moved]
        rest.insert(position - 1, moved)
        changed = await writer.write("playlist_update", urn, tracks=rest)
        return self._result("playlist_move", writer.name, changed)

    async def keep_playlist(self, title: str, tracks: Sequence[str], *,
                            provider: str = "soundcloud", private: bool = True
                            ) -> tuple[WriteResult, bool]:
        """Make your playlist called ``title`` hold exactly ``tracks`` (URNs, in order, at
        most MAX_TRACKS): created (private) when you have none by that title, rewritten only
        when its tracks differ — a second call with the same tracks sends no write. The
        result and whether anything was written (idempotent: likes playlist, radio --save)."""
        from minion_tui.providers.base import AccountReader

        title = check_text(title, "TITLE", limit=MAX_TITLE)
        urns = list(dict.fromkeys(tracks))[:MAX_TRACKS]
        source = self._core.provider(provider)
        writer = self._writer(source, "playlist")
        mine: Playlist | None = None
        if isinstance(source, AccountReader):
            async for page in source.account_listing("myplaylists"):
                mine = next((p for p in page.items
                             if isinstance(p, Playlist) and p.title == title), None)
                if mine is not None:
                    break
        if mine is None:
            made = await writer.write("playlist_create", "", title=title, private=private,
                                      tracks=urns)
            return self._result("playlist_create", source.name, made), True
        playlist, held = await writer.write("playlist_get", mine.urn)
        if list(held) == urns:
            return self._result("playlist_keep", source.name, playlist), False
        changed = await writer.write("playlist_update", mine.urn, tracks=urns)
        return self._result("playlist_keep", source.name, changed), True

    async def playlist_delete(self, target: str) -> WriteResult:
        provider, urn, title, _ = await self._subject(target)
        await self._writer(provider, "playlist").write("playlist_delete", urn)
        return WriteResult("playlist_delete", provider.name, urn, title)

    # -- uploads ---------------------------------------------------------------------------
    async def upload(self, file: str, *, title: str, tags: Sequence[str] = (),
                     description: str | None = None, artwork: str | None = None,
                     private: bool = False, provider: str | None = None,
                     sections: Sequence[Section] = ()) -> WriteResult:
        """Upload an audio file with its title, tags, description and artwork, and (where
        the service keeps tracklists: Mixcloud) its ``sections`` (service/sections.py)."""
        import asyncio

        title = check_text(title, "--title", limit=MAX_TITLE)
        path, kind = check_file(file, "FILE")
        picture = check_file(artwork, "--artwork", image=True) if artwork else None
        name = provider or next(iter(self.offering("upload")), None)
        if name is None:
            raise InvalidArgument("No service offers uploads.")
        source = self._core.provider(name)
        writer = self._writer(source, "upload")
        _tracklist_kept(source, sections)
        audio = await asyncio.to_thread(_read, path)
        image = await asyncio.to_thread(_read, picture[0]) if picture else None
        import os

        made = await writer.write(
            "upload", "", title=title, tags=tuple(tags), description=description,
            private=private, audio=(os.path.basename(path), audio, kind),
            artwork=(os.path.basename(picture[0]), image, picture[1])
            if picture and image is not None else None, sections=tuple(sections))
        return WriteResult("upload", source.name, made.urn, made.title)

    async def track_update(self, target: str, *, title: str | None = None,
                           tags: Sequence[str] | None = None, description: str | None = None,
                           artwork: str | None = None,
                           sections: Sequence[Section] | None = None) -> WriteResult:
        """Change an upload's title, tags, description, artwork or (Mixcloud) tracklist;
        the others stay. Sections given replace the whole tracklist (docs/mixcloud.md §3)."""
        import asyncio
        import os

        if title is not None:
            title = check_text(title, "--title", limit=MAX_TITLE)
        picture = check_file(artwork, "--artwork", image=True) if artwork else None
        if title is None and tags is None and description is None and picture is None \
                and not sections:
            raise InvalidArgument("Nothing to change.",
                                  hint="Give --title, --tags, --description, --artwork or "
                                  "--section.")
        provider, urn, _, _ = await self._subject(target)
        _tracklist_kept(provider, sections or ())
        image = await asyncio.to_thread(_read, picture[0]) if picture else None
        changed = await self._writer(provider, "upload").write(
            "track_update", urn, title=title,
            tags=tuple(tags) if tags is not None else None, description=description,
            artwork=(os.path.basename(picture[0]), image, picture[1])
            if picture and image is not None else None,
            sections=tuple(sections) if sections else None)
        return WriteResult("track_update", provider.name, changed.urn, changed.title)

    async def track_delete(self, target: str) -> WriteResult:
        provider, urn, title, _ = await self._subject(target)
        await self._writer(provider, "upload").write("track_delete", urn)
        return WriteResult("track_delete", provider.name, urn, title)

    # -- comments -------------------------------------------------------------------------
    async def comment(self, target: str, at_ms: int, text: str) -> WriteResult:
        """A comment on a track at ``at_ms`` into it."""
        text = check_text(text, "TEXT", limit=MAX_COMMENT)
        provider, urn, title, resource = await self._subject(target)
        writer = self._writer(provider, "comment")
        track = resource if isinstance(resource, Track) else None
        if resource is not None and track is None:
            raise InvalidArgument(f"{target[:80]} is a {resource.kind}, not a track.")
        if track is None:
            track = await self._core.track_by_urn(urn)
        if at_ms > track.duration_ms:
            raise InvalidArgument(f"--at is past the end of {track.title} "
                                  f"({track.duration_ms // 60000}:"
                                  f"{track.duration_ms // 1000 % 60:02d}).")
        made = await writer.write("comment", urn, body=text, timestamp=at_ms)
        return WriteResult("comment", provider.name, urn, track.title or title, comment=made)


def _tracklist_kept(provider: Provider, sections: Sequence[Section]) -> None:
    """Sections only go to a service that keeps tracklists (Mixcloud's ``sections``)."""
    if sections and "tracklist" not in provider.capabilities.track_listings:
        title = provider.capabilities.title or provider.name
        raise InvalidArgument(f"{title} keeps no tracklists: --section and --tracklist are "
                              "for a Mixcloud upload.", hint="Add --provider mixcloud.")


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_AUDIO + 1)
    except OSError as problem:
        raise InvalidArgument(f"{path[:200]} cannot be read: "
                              f"{problem.strerror or problem}.") from None


__all__ = ["DESTRUCTIVE", "Writes", "check_file", "check_position", "check_tags",
           "check_target", "check_text", "parse_at"]
