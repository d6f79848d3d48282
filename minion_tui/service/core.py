"""What every sub-service shares: the configuration, the HTTP client, the store and the
providers, created on first use and closed in one place.

Nothing here imports Textual or Rich, and heavy modules are created on first use so
`minion-tui --help` and the TUI's first frame stay fast.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from minion_tui import config
from minion_tui.errors import InvalidArgument
from minion_tui.models import Page, Playlist, Track, User

if TYPE_CHECKING:
    from minion_tui.models import WaitNotice
    from minion_tui.net import Http
    from minion_tui.providers.base import AccountAccess, BudgetGate, Provider
    from minion_tui.store import Store
    from minion_tui.store.surfacing import Surfacing

log = logging.getLogger(__name__)

Resource = Track | Playlist | User
Item = TypeVar("Item")

DB_FILENAME = "minion.db"
#: Seconds a write that a read does along the way (search history, tracks seen) waits for
#: another process's lock before it is skipped; a write the user asked for waits longer.
ASIDE_PATIENCE = 1.0


class Core:
    """The owned components. Sub-services hold one; :meth:`aclose` closes what they
    registered (newest first, so the player stops before the client it reads through),
    then the HTTP client, then the store."""

    def __init__(self, settings: config.Settings, *, data_dir: Path | None = None) -> None:
        self.settings = settings
        self.data_dir = Path(data_dir) if data_dir else config.data_dir()
        self._http: Http | None = None
        self._store: Store | None = None
        self._providers: dict[str, Provider] = {}
        self._wait_listeners: list[Callable[[WaitNotice], None]] = []
        self._warning_listeners: list[Callable[[str], None]] = []
        self._warned: set[str] = set()
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self._store_lock = asyncio.Lock()
        #: The sign-ins providers ask for (service.accounts sets itself here).
        self.account: AccountAccess | None = None
        #: The request budgets providers spend (service.budgets sets itself here).
        self.budget: BudgetGate | None = None

    # -- owned components -------------------------------------------------------------------

    @property
    def http(self) -> Http:
        if self._http is None:
            from minion_tui.net import BROWSER_USER_AGENT, EndpointMap, Http, HttpOptions

            net = self.settings.net
            options = HttpOptions(
                endpoints=EndpointMap.from_dict(self.settings.endpoints),
                rate_limit=net.rate_limit,
                cdn_rate_limit=net.cdn_rate_limit,  # CDN budget (net/hosts.py)
                max_retries=net.max_retries,
                timeout=net.timeout,
                deadline=net.deadline,
                retry_after_cap=net.retry_after_cap,
                user_agent=net.user_agent or BROWSER_USER_AGENT,
                impersonate_hosts=frozenset(
                    h.strip().lower() for h in (net.impersonate or "").split(",") if h.strip()),
            )
            self._http = Http(options, on_wait=self._announce_wait)
        return self._http

    async def db(self) -> Store:
        """The store, opened (and migrated) on a worker thread the first time it is needed,
        so neither the migration nor its backup copy ever runs on the event loop."""
        if self._store is None:
            async with self._store_lock:
                if self._store is None:
                    from minion_tui.store import Store

                    self._store = await asyncio.to_thread(
                        Store.open, self.data_dir / DB_FILENAME
                    )
        return self._store

    def provider(self, name: str) -> Provider:
        """The provider called ``name``, built on first use."""
        found = self._providers.get(name)
        if found is None:
            from minion_tui.providers import registry
            from minion_tui.providers.base import ProviderContext

            context = ProviderContext(self.http, config.cache_dir(), self.settings,
                                      account=self.account, budget=self.budget)
            found = self._providers[name] = registry.entry(name).create(context)
        return found

    def provider_for(self, target: str) -> Provider:
        """The provider a pasted target belongs to (InvalidURL saying what works if none)."""
        from minion_tui.providers.registry import provider_for

        return self.provider(provider_for(target))

    def provider_of(self, item: Track | Playlist | User | str) -> Provider:
        """The provider of a model (by its ``provider`` field) or a URN."""
        if isinstance(item, str):
            from minion_tui.providers.registry import provider_of_urn

            return self.provider(provider_of_urn(item))
        return self.provider(item.provider)

    def checked_urn(self, urn: str) -> str:
        """``urn`` as its provider accepts it, without a request: an unknown provider, a
        malformed id or a URN of the wrong shape is InvalidURL saying what works."""
        from minion_tui.providers.registry import entry, provider_of_urn

        urn = urn.strip()
        entry(provider_of_urn(urn)).validate(urn)
        return urn

    def on_wait(self, listener: Callable[[WaitNotice], None]) -> None:
        """Be told when a request has to wait long (rate limits, Retry-After)."""
        self._wait_listeners.append(listener)

    def _announce_wait(self, notice: WaitNotice) -> None:
        log.info("waiting %.1f s for %s: %s", notice.seconds, notice.host, notice.reason)
        for listener in self._wait_listeners:
            listener(notice)

    def on_warning(self, listener: Callable[[str], None]) -> None:
        """Be told (once per distinct problem) when something the user did not ask for
        failed and the work went on without it: the search history could not be saved."""
        self._warning_listeners.append(listener)

    def warn(self, text: str, *, cause: str | None = None) -> None:
        """Tell the listeners ``text``, once per ``cause`` (default: the text itself): one
        locked database is one warning, however many writes it refused."""
        log.warning("%s", text)
        key = text if cause is None else cause
        if key in self._warned:
            return
        self._warned.add(key)
        for listener in self._warning_listeners:
            listener(text)

    async def write_aside(self, lost: str, fn: Callable[[], Item]) -> Item | None:
        """Run ``fn``, a write a read does along the way, on the store's thread. When the
        store cannot take it (locked by another process, read-only, the disk full) the read
        goes on: the front ends are warned (``lost`` says what: "the search history was not
        saved") and None is returned."""
        from minion_tui.errors import StoreError

        store = await self.db()

        def patiently() -> Item:
            with store.patience(ASIDE_PATIENCE):
                return fn()

        try:
            return await store.call(patiently)
        except StoreError as exc:
            self.warn(f"{lost}: {exc.text}", cause=exc.text)
            return None

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        """Run ``closer`` on :meth:`aclose`, before the client and the store close."""
        self._closers.append(closer)

    async def aclose(self) -> None:
        """Close what the sub-services registered, then the HTTP client, then the database."""
        while self._closers:
            await self._closers.pop()()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._store is not None:
            store, self._store = self._store, None
            await asyncio.to_thread(store.close)

    # -- reading, as every sub-service needs it ---------------------------------------------

    async def resolve_as(self, target: str, cls: type[Item]) -> Item:
        """Resolve ``target`` and insist it is a ``cls`` (InvalidArgument otherwise)."""
        resource = await self.provider_for(target).resolve(target)
        if not isinstance(resource, cls):
            raise InvalidArgument(
                f"{target} is a {resource.kind}, not a {cls.__name__.lower()}.",
                hint=f"Pass the URL or URN of a {cls.__name__.lower()}.",
            )
        return resource

    async def track_by_urn(self, urn: str) -> Track:
        """The stored track, else the provider's."""
        store = await self.db()
        track = await store.call(store.get_track, urn)
        if track is None:
            track = await self.resolve_as(urn, Track)
        return track

    async def remember(
        self, tracks: Sequence[Track], surfacing: Surfacing | None = None
    ) -> list[Track]:
        """Store tracks (one transaction, with their provenance when ``surfacing`` says where
        they came from) and return them with their judgments joined in. Storing them is a
        write aside: a locked or read-only store only costs the caching."""
        if not tracks:
            return []
        store = await self.db()
        from minion_tui.store.surfacing import record

        await self.write_aside("the tracks seen were not saved",
                               lambda: record(store, tracks, surfacing))
        from minion_tui.store import sounds

        urns = [t.urn for t in tracks]

        def joined() -> tuple[dict[str, Any], dict[str, Any]]:
            return store.judgments(urns), sounds.for_urns(store, urns)

        judged, measured = await store.call(joined)
        out = []
        for t in tracks:
            found = measured.get(t.urn)
            if found is None:
                out.append(dataclasses.replace(t, judgment=judged.get(t.urn)))
            else:
                bpm, key, camelot = found
                out.append(dataclasses.replace(t, judgment=judged.get(t.urn), bpm=bpm,
                                               key=key, camelot=camelot))
        return out

    async def remembered(
        self,
        pages: AsyncIterator[Page[Any]],
        surfacing: Callable[[], Surfacing | None] | None = None,
    ) -> AsyncIterator[Page[Any]]:
        """Pages with their tracks stored and judged. ``surfacing`` is asked once the first
        page is in: the listing's subject (the user whose likes these are) is only resolved
        by then."""
        async for page in pages:
            items = list(page.items)
            tracks = [i for i in items if isinstance(i, Track)]
            if tracks:
                surfaced = surfacing() if surfacing else None
                joined = iter(await self.remember(tracks, surfaced))
                items = [next(joined) if isinstance(i, Track) else i for i in items]
            yield Page(items=items, next_href=page.next_href, total=page.total)
