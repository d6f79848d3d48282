"""The Browse pane's side of the façade: the user's ratings as a source, pinned sources, tags
to offer, the search history, and what the details panel shows (artwork, comments, where a
track surfaced). Mixed into :class:`minion_tui.service.Service`."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from minion_tui import config
from minion_tui.actions.core import ServiceCore
from minion_tui.errors import InvalidArgument
from minion_tui.models import Comment, Judgment, Playlist, Track

if TYPE_CHECKING:
    from minion_tui.store.records import SearchEntry, Source  # sources (issue 4)
    from minion_tui.store.surfacing import SurfacedBy  # details (issue 4)



# -- details (issue 4): the artwork cache --------------------------------------------------

#: JPEG, PNG, GIF and WebP (RIFF) signatures: a body without one is an error page, not art.
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8", b"RIFF")


def _read_if_exists(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise

# -- end details --------------------------------------------------------------------------


class LibraryActions(ServiceCore):
    """The Browse pane's sources and the details panel's extras."""

    # -- browse pane: the user's own ratings (issue 4) ------------------------------------

    async def my_ratings(
        self, judgments: Sequence[Judgment], *, limit: int | None = None
    ) -> list[Track]:
        """Stored tracks the user judged one of ``judgments``, newest verdict first."""
        store = await self.db()
        return await store.call(lambda: store.tracks_by_judgment(judgments, limit=limit))

    async def playlist_tracks(self, target: str) -> list[Track]:
        """The tracks of a playlist or album (URL or URN), stored with judgments joined in."""
        playlist = await self._resolve_as(target, Playlist)
        return await self._remember(playlist.tracks)

    # -- end browse pane ------------------------------------------------------------------

    # -- sources (issue 4) --------------------------------------------------------------------
    # Browse's source list: tags worth offering, pinned sources (the store's sources table)
    # and the search history.

    #: Tags offered under Discover while the store holds too few tagged tracks to choose.
    DEFAULT_TAGS = ("electronic", "house", "techno", "ambient", "hip hop")
    #: What can be pinned: a user's tab ("user_likes"...; target a user URL or URN), a tag,
    #: trending, a search (target: the query, urlencoded with its filters) or a playlist.
    PINNABLE_KINDS = ("user_tracks", "user_likes", "user_reposts", "user_playlists", "tag",
                      "trending", "search", "playlist")

    async def discover_tags(self, limit: int = 5) -> list[str]:
        """Tags to offer for browsing: the genres/tags carried by the most stored tracks,
        topped up from DEFAULT_TAGS while the store knows too few."""
        from minion_tui.store.catalog_tags import common_tags

        store = await self.db()
        found = await store.call(common_tags, store, limit)
        found += [t for t in self.DEFAULT_TAGS if t not in found]
        return found[:limit]

    async def recent_searches(self, limit: int = 20) -> list[SearchEntry]:
        """Past searches (query, kind, filters), newest first; repeating a search moves it to
        the top instead of listing it twice."""
        store = await self.db()
        return await store.call(store.recent_searches, limit)

    async def pinned_sources(self) -> list[Source]:
        """The sources the user pinned, in the order they were first pinned."""
        store = await self.db()
        return await store.call(lambda: store.sources(pinned_only=True))

    async def pin_source(self, kind: str, target: str, title: str) -> Source:
        """Pin a source (one of PINNABLE_KINDS) so it is listed on every start; pinning one
        already pinned only renames it."""
        from minion_tui.store.records import Source

        if kind not in self.PINNABLE_KINDS:
            raise InvalidArgument(f"A {kind!r} source cannot be pinned.",
                                  hint=f"Pin one of: {', '.join(self.PINNABLE_KINDS)}.")
        store = await self.db()
        known = {(s.kind, s.target): s for s in await store.call(store.sources)}
        # An unpinned row keeps its sync cursor: pinning it again resumes where it stopped.
        source = dataclasses.replace(known.get((kind, target)) or Source(None, kind, target),
                                     title=title, pinned=True)
        source_id = await store.call(store.upsert_source, source)
        return dataclasses.replace(source, id=source_id)

    async def unpin_source(self, kind: str, target: str) -> bool:
        """Unpin a source; False if it was not pinned. The row (and its sync cursor) stays."""
        store = await self.db()
        for source in await store.call(store.sources):
            if (source.kind, source.target) == (kind, target) and source.pinned:
                await store.call(store.upsert_source, dataclasses.replace(source, pinned=False))
                return True
        return False

    # -- end sources ---------------------------------------------------------------------------

    # -- details (issue 4) --------------------------------------------------------------------
    # What the details panel shows next to the track list: artwork, comments, provenance.

    #: Image sizes SoundCloud serves by URL suffix (soundcloud-protocol.md §2.1).
    ARTWORK_SIZES = ("t300x300", "t500x500")

    def artwork_url(self, track: Track, size: str = "t300x300") -> str | None:
        """The ``size`` variant of the track's artwork, or of its uploader's avatar when it
        has none (what SoundCloud's own pages show); None when neither exists."""
        import re

        user = track.raw.get("user")
        avatar = user.get("avatar_url") if isinstance(user, dict) else None
        url = track.artwork_url or (avatar if isinstance(avatar, str) else None)
        if not url or "default_avatar" in url:  # the grey placeholder is no picture
            return None
        # Every size but "original" is a JPEG, whatever the listed URL's suffix (doc §2.1).
        return re.sub(r"-[0-9a-z]+\.(jpg|png)$", f"-{size}.jpg", url)

    async def artwork(self, url: str) -> bytes:
        """The image at ``url`` (artwork or avatar): from the disk cache, else fetched once
        through the net layer and cached under the cache dir ("artwork", keyed by a hash of
        the URL, written atomically so a crash never leaves half an image)."""
        import hashlib

        path = config.cache_dir() / "artwork" / hashlib.sha256(url.encode()).hexdigest()
        cached = await asyncio.to_thread(_read_if_exists, path)
        if cached:
            return cached
        data = await self.http.get_bytes(url)
        if not data.startswith(_IMAGE_MAGIC):
            from minion_tui.errors import NetworkError

            raise NetworkError(f"{url} did not answer with an image.",
                               hint="The artwork is left out; it is tried again next time.")
        await asyncio.to_thread(_write_atomically, path, data)
        return data

    async def track_comments(self, track: Track, *, limit: int = 20) -> list[Comment]:
        """The first ``limit`` top-level comments on a track, as SoundCloud orders them."""
        found: list[Comment] = []
        async for page in self.soundcloud.comments(track.id, limit=limit):
            found += [c for c in page.items if isinstance(c, Comment)]
            if len(found) >= limit:
                break
        return found[:limit]

    async def provenance(self, urn: str, *, limit: int = 5) -> list[SurfacedBy]:
        """How a track was surfaced ("Likes of Alice", "Trending"), the latest ``limit``
        distinct sources first; recorded whenever browse() or search() brings it in."""
        from minion_tui.store.surfacing import surfaced_by

        store = await self.db()
        return await store.call(surfaced_by, store, urn, limit)

    # -- end details ----------------------------------------------------------------------
