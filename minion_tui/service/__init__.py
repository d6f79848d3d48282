"""The one façade the TUI, the CLI and (later) the agent interface use: :class:`Service`,
composed of sub-services over one shared :class:`~minion_tui.service.core.Core`:

* ``service.catalog`` — reading the services: resolve, stream, search, autocomplete, browse,
  comments, artwork (catalog.py);
* ``service.library`` — the user's library: ratings, pinned sources, the search history,
  tags to offer, provenance (library.py);
* ``service.player`` — playback, the queue, the history, the waveform (player.py);
* ``service.downloads`` — downloads as jobs (downloads.py);
* ``service.discovery`` — followed sources and their sync (discovery.py).
* ``service.accounts`` — signing in to the services and the tokens kept for it
  (accounts.py);
* ``service.budgets`` — SoundCloud's published request limits, counted (budgets.py);
* ``service.outbox`` — remote actions (likes) queued in the database and sent in order
  (outbox.py);
* ``service.writes`` — likes, reposts, follows, playlists, comments, listen later, each
  a method, with the sign-in ``service.accounts`` keeps (writes.py);
* ``service.inbox`` — the ranked inbox of what followed artists surfaced, and radio queues
  (inbox.py).
* ``service.analysis`` — tempo and key of files and streams, tracks similar by sound
  (analysis.py).

Create it with :meth:`Service.open`; close it with :meth:`Service.aclose`. The HTTP client,
the store, the providers and the player are created on first use and are not public.
Nothing here imports Textual or Rich (a test checks it in a fresh interpreter).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Self

from minion_tui import config
from minion_tui.providers.base import Capabilities, SearchFilter, WebRef
from minion_tui.service.accounts import Accounts
from minion_tui.service.analysis import Analysis, key_code, mixing_codes, same_key
from minion_tui.service.budgets import Budgets
from minion_tui.service.catalog import (
    Catalog,
    capabilities,
    claimed_by,
    is_claimed,
    provider_capabilities,
    provider_names,
    provider_title,
    validate_link,
    web_ref,
)
from minion_tui.service.core import DB_FILENAME, Core, Resource
from minion_tui.service.discovery import Discovery
from minion_tui.service.downloads import Downloads
from minion_tui.service.inbox import Inbox, InboxFilters
from minion_tui.service.library import DEFAULT_TAGS, PINNABLE_KINDS, Library
from minion_tui.service.outbox import Outbox
from minion_tui.service.player import Player
from minion_tui.service.sections import parse_sections, read_tracklist, tracklist_of
from minion_tui.service.writes import (
    MAX_COMMENT,
    MAX_TITLE,
    Writes,
    check_file,
    check_position,
    check_tags,
    check_target,
    check_text,
    parse_at,
)

if TYPE_CHECKING:
    from minion_tui.models import WaitNotice
    from minion_tui.store.outbox import OutboxItem


def preload_network() -> None:
    """Start building the HTTPS context on a thread now (once per process; returns at once):
    a front end about to go online calls it right after parsing its command, so the CA bundle
    is parsed beside the imports still to come (net/tls.py says why)."""
    from minion_tui.net import tls

    tls.preload()


class Service:
    """Everything the app can do, behind one object."""

    def __init__(self, settings: config.Settings, *, demo: bool = False,
                 data_dir: Path | None = None, demo_notice: str | None = None) -> None:
        self.settings = settings
        self.demo = demo
        self.demo_notice = demo_notice
        self._core = Core(settings, data_dir=data_dir)
        self.budgets = Budgets(self._core)
        self.accounts = Accounts(self._core, demo=demo)
        self.outbox = Outbox(self._core)
        self.catalog = Catalog(self._core)
        self.library = Library(self._core, self.outbox, self.catalog)
        self.player = Player(self._core, self.catalog)
        self.downloads = Downloads(self._core, self.catalog)
        self.discovery = Discovery(self._core)
        self.inbox = Inbox(self._core, self.catalog)
        self.analysis = Analysis(self._core, self.catalog)
        self.downloads.after_each(self.analysis.after_download)
        self.writes = Writes(self._core)
        # [accounts] sync_likes: a like the library queued is sent as the write action would.
        self.outbox.register("soundcloud", "like", self._send_like)
        self.outbox.register("soundcloud", "unlike", self._send_unlike)
        self.downloads.after_each_set(self.analysis.after_set)

    @classmethod
    def open(
        cls,
        *,
        settings: config.Settings | None = None,
        demo: bool = False,
        data_dir: Path | None = None,
        demo_notice: str | None = None,
        endpoints: Mapping[str, str] | None = None,
    ) -> Self:
        """Load the configuration (raising ConfigError listing every problem) and build the
        service. ``endpoints`` extends the endpoint map (the demo installs its emulator's map)."""
        settings = settings or config.load_settings()
        if endpoints:
            merged = {**settings.endpoints, **endpoints}
            settings = dataclasses.replace(settings, endpoints=merged)
        return cls(settings, demo=demo, data_dir=data_dir, demo_notice=demo_notice)

    @property
    def data_dir(self) -> Path:
        return self._core.data_dir

    def on_warning(self, listener: Callable[[str], None]) -> None:
        """Be told (once per distinct problem) when a write done along the way failed and the
        work went on without it: "the search history was not saved: The database … is
        locked by process 1234 (minion-tui download …) …"."""
        self._core.on_warning(listener)

    def on_wait(self, listener: Callable[[WaitNotice], None]) -> None:
        """Be told when a request has to wait long (rate limits, Retry-After)."""
        self._core.on_wait(listener)

    async def _send_like(self, item: OutboxItem) -> None:
        await self.writes.like(item.target)

    async def _send_unlike(self, item: OutboxItem) -> None:
        await self.writes.unlike(item.target)

    async def aclose(self) -> None:
        """Stop the player, release the HTTP client and close the database cleanly."""
        await self._core.aclose()


__all__ = [
    "DB_FILENAME",
    "DEFAULT_TAGS",
    "MAX_COMMENT",
    "MAX_TITLE",
    "PINNABLE_KINDS",
    "Accounts",
    "Analysis",
    "Budgets",
    "Capabilities",
    "Catalog",
    "Discovery",
    "Downloads",
    "Inbox",
    "InboxFilters",
    "Library",
    "Outbox",
    "Player",
    "Resource",
    "SearchFilter",
    "Service",
    "WebRef",
    "Writes",
    "capabilities",
    "check_file",
    "check_position",
    "check_tags",
    "check_target",
    "check_text",
    "claimed_by",
    "is_claimed",
    "key_code",
    "mixing_codes",
    "parse_at",
    "parse_sections",
    "preload_network",
    "provider_capabilities",
    "provider_names",
    "provider_title",
    "read_tracklist",
    "same_key",
    "tracklist_of",
    "validate_link",
    "web_ref",
]
