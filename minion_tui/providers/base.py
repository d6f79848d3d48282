"""The provider protocol: what service.py may ask of any music service.

Provider-neutral on purpose (Mixcloud comes later): lookups by URL/URN, search, a few
listings every service has, and streams. Service-specific listings (SoundCloud stations,
reposts...) live on the concrete class; the service reaches them by name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol, runtime_checkable

from minion_tui.models import Comment, Page, Playlist, StreamChoice, Track, User

Resource = Track | Playlist | User


@runtime_checkable
class Provider(Protocol):
    """A music service. Every method raises only ``minion_tui.errors.MinionError`` subclasses."""

    name: str

    async def resolve(self, target: str) -> Resource:
        """A pasted URL, short link or URN → the resource (playlists with every track)."""
        ...

    async def track(self, track_id: str) -> Track: ...

    async def tracks(self, ids: Sequence[str]) -> list[Track]:
        """Tracks in the order asked; ids the service does not return are skipped."""
        ...

    async def user(self, user_id: str) -> User: ...

    def search(self, query: str, *, kind: str = "tracks", limit: int | None = None,
               **filters: Any) -> AsyncIterator[Page[Track | User | Playlist]]:
        """Pages as they arrive; never more items than ``limit`` in total."""
        ...

    async def autocomplete(self, query: str, *, limit: int = 10) -> list[str]: ...

    def user_tracks(self, user_id: str, *, limit: int | None = None
                    ) -> AsyncIterator[Page[Track]]: ...

    def user_followings(self, user_id: str, *, limit: int | None = None
                        ) -> AsyncIterator[Page[User]]: ...

    def user_followers(self, user_id: str, *, limit: int | None = None
                       ) -> AsyncIterator[Page[User]]: ...

    def comments(self, track_id: str, *, limit: int | None = None
                 ) -> AsyncIterator[Page[Comment]]: ...

    def tag(self, tag: str, *, limit: int | None = None) -> AsyncIterator[Page[Track]]: ...

    async def stream(self, track: Track | str, *, require_full: bool = False,
                     prefer: str | None = None) -> StreamChoice:
        """A playable, signed stream: never DRM; previews flagged, or refused (PreviewOnly)
        with ``require_full``."""
        ...

    async def refresh_stream(self, choice: StreamChoice) -> StreamChoice:
        """A new signed URL of the same kind after the CDN refused an expired one."""
        ...

    def url_for(self, urn: str) -> str:
        """A URL for the resource that ``resolve`` accepts back."""
        ...
