"""The public ``client_id`` that api-v2 wants on every request.

Where it comes from (docs/soundcloud.md §4): ``SOUNDCLOUD_CLIENT_ID`` if set, else scraped from
``https://soundcloud.com/``: the ``__sc_hydration`` apiClient entry first, then the JS assets in
reverse page order (the config asset is near the end; yt-dlp and NewPipe scan backwards too).
The id is cached on disk with its time and the page's ``__sc_version`` and reused for 4 h
(soundcloak's TTL: old ids keep working for a while); the page is then scraped again for the
current one. Every id scraped is kept in a pool (up to 10, each for 24 h after it was
scraped, with when it last worked and last failed, docs/accounts.md §7): a rate-limited id is
rotated away from, and an id refused with 401/403 falls back to the newest other id that
worked since it last failed, before the page is scraped again. Ids are never validated with
extra requests: a 401/403 on a real call is the signal (see :meth:`ClientIdSource.refresh`).
Budgets are counted per user, not per id (service/budgets.py), so rotating never takes the
app past a limit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from minion_tui import config
from minion_tui.errors import ClientIdUnavailable, MinionError

if TYPE_CHECKING:
    from minion_tui.net import Http

log = logging.getLogger(__name__)

HOME_PAGE = "https://soundcloud.com/"
ENV_VAR = "SOUNDCLOUD_CLIENT_ID"
CACHE_FILE = "soundcloud_client_id.json"
FRESH_FOR = 4 * 3600.0
#: How many scraped ids are kept, and for how long after they were scraped.
POOL_SIZE = 10
KEEP_FOR = 24 * 3600.0
#: A success of an id is written to the cache at most this often (it is kept in memory).
SUCCESS_SAVE_EVERY = 60.0
CONFIRMED_FOR = 120.0
RATE_LIMIT_PAUSE = 600.0  # the media endpoint's window is ~10 min (docs/soundcloud.md §1.7)

_ID = r"[0-9A-Za-z]{32}"
_HYDRATION_RE = re.compile(r"window\.__sc_hydration\s*=\s*(\[.*?\])\s*;?\s*</script>", re.DOTALL)
_HYDRATION_ID_RE = re.compile(
    r'"hydratable"\s*:\s*"apiClient"\s*,\s*"data"\s*:\s*\{\s*"id"\s*:\s*"(' + _ID + r')"'
)
_VERSION_RE = re.compile(r"""__sc_version\s*=\s*["'](\d+)["']""")
_SCRIPT_SRC_RE = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
# yt-dlp's regex, plus the quote/spacing variants seen in older pages ("query:{client_id:…}").
_ASSET_ID_RES = (
    re.compile(r"""client_id\s*:\s*["'](""" + _ID + r""")["']"""),
    re.compile(r"""["']client_id["']\s*:\s*["'](""" + _ID + r""")["']"""),
    re.compile(r"""client_id=(""" + _ID + r""")\b"""),
)


# -- scraping (pure) --------------------------------------------------------------------------


def id_from_hydration(html: str) -> str | None:
    """The apiClient id in ``window.__sc_hydration`` (parsed as JSON; regex if that fails)."""
    match = _HYDRATION_RE.search(html)
    if match:
        try:
            entries = json.loads(match.group(1))
        except ValueError:
            entries = None
        if isinstance(entries, list):
            for entry in entries:
                if isinstance(entry, dict) and entry.get("hydratable") == "apiClient":
                    data = entry.get("data")
                    found = data.get("id") if isinstance(data, dict) else None
                    if isinstance(found, str) and re.fullmatch(_ID, found):
                        return found
    loose = _HYDRATION_ID_RE.search(html)
    return loose.group(1) if loose else None


def sc_version(html: str) -> str | None:
    match = _VERSION_RE.search(html)
    return match.group(1) if match else None


def asset_urls(html: str, page_url: str = HOME_PAGE) -> list[str]:
    """The web app's JS assets in page order (attribute order and quoting vary; relative and
    absolute ``a-v2.sndcdn.com`` sources both occur). Third-party scripts are left out."""
    found: list[str] = []
    for src in _SCRIPT_SRC_RE.findall(html):
        url = urljoin(page_url, src.strip().replace("&amp;", "&"))
        path = url.split("?", 1)[0].split("#", 1)[0]
        if "/assets/" in path and path.endswith(".js") and url not in found:
            found.append(url)
    sndcdn = [u for u in found if "sndcdn.com/" in u]
    return sndcdn or found


def id_from_asset(script: str) -> str | None:
    for pattern in _ASSET_ID_RES:
        match = pattern.search(script)
        if match:
            return match.group(1)
    return None


# -- the source the API layer asks ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PooledId:
    id: str
    fetched_at: float
    limited_until: float = 0.0
    last_success: float | None = None
    last_failure: float | None = None

    @property
    def known_good(self) -> bool:
        """It worked, and has not failed since."""
        return self.last_success is not None and (self.last_failure is None
                                                  or self.last_success > self.last_failure)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "fetched_at": self.fetched_at, "limited_until": self.limited_until,
                "last_success": self.last_success, "last_failure": self.last_failure}


class ClientIdSource:
    """Hands out the client id to use; scrapes, caches, refreshes and rotates it."""

    def __init__(self, http: Http, *, cache_dir: Path, configured: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._http = http
        self.clock = clock
        self._path = Path(cache_dir) / CACHE_FILE
        self._configured = (configured or os.environ.get(ENV_VAR) or "").strip() or None
        self._lock = asyncio.Lock()
        self._active: str | None = None
        self._version: str | None = None
        self._pool: list[PooledId] = []
        self._confirmed: tuple[str | None, float] = (None, 0.0)
        self.scrapes = 0  # how many times the page was scraped (tests and bench read it)
        self.fallbacks = 0  # how many refusals were answered by a pooled id (no scrape)
        self._saved_success: dict[str, float] = {}
        self._load()

    @property
    def active(self) -> str | None:
        return self._active

    @property
    def pool(self) -> tuple[PooledId, ...]:
        """The ids kept, newest scraped first, without those past :data:`KEEP_FOR`."""
        now = self.clock()
        return tuple(p for p in self._pool if now - p.fetched_at < KEEP_FOR)

    def succeeded(self, client_id: str) -> None:
        """A request with ``client_id`` was answered (not 401/403): it is known-good. Kept in
        memory at once, written to the cache at most once a minute per id."""
        now = self.clock()
        found = False
        for i, p in enumerate(self._pool):
            if p.id == client_id:
                found = True
                was_good = p.known_good
                self._pool[i] = replace(p, last_success=now)
                break
        if not found:
            return
        if not was_good or now - self._saved_success.get(client_id, 0.0) >= SUCCESS_SAVE_EVERY:
            self._saved_success[client_id] = now
            self._save()

    async def current(self) -> str:
        """The id to send now: the configured one, a fresh cached one, or a newly scraped one."""
        if self._active:
            return self._active
        async with self._lock:
            if self._active:
                return self._active
            if self._configured:
                self._remember(self._configured)
                self._active = self._configured
                return self._active
            now = self.clock()
            fresh = [p for p in self._pool if now - p.fetched_at < FRESH_FOR
                     and (p.last_failure is None or p.known_good)]
            usable = [p for p in fresh if p.limited_until <= now] or fresh
            if usable:
                self._active = usable[0].id
                return self._active
            return await self._scrape_locked()

    async def refresh(self, stale: str) -> str | None:
        """After a 401/403 with ``stale``: the id to retry with, or None to give up.

        ``stale`` is marked failed; the newest other pooled id that worked since it last
        failed (and is not rate limited) is the answer, without a request. Only when there is
        none is the page scraped again. Concurrent failures share one answer: if another
        request already replaced ``stale``, its replacement is returned."""
        async with self._lock:
            if self._active and self._active != stale:
                return self._active
            now = self.clock()
            confirmed_id, confirmed_at = self._confirmed
            if confirmed_id == stale and now - confirmed_at < CONFIRMED_FOR:
                # The page served this very id again moments ago: the refusal is not about
                # the id (bot wall, private content), so another scrape would not help.
                return None
            self._failed(stale, now)
            if self._configured == stale:
                self._configured = None  # a rejected configured id is not retried this session
            spare = next((p.id for p in self.pool if p.id != stale and p.known_good
                          and p.limited_until <= now), None)
            if spare is not None:
                log.info("client id %s… refused; falling back to %s…", stale[:6], spare[:6])
                self.fallbacks += 1
                self._active = spare
                self._save()
                return spare
            fresh = await self._scrape_locked(trust_version=False)
            if fresh == stale:
                self._confirmed = (stale, now)
                return None
            return fresh

    async def rotate(self, limited: str, retry_after: float | None = None) -> str | None:
        """After a 429 with ``limited``: another id not known to be limited, or None."""
        async with self._lock:
            now = self.clock()
            until = now + (retry_after or RATE_LIMIT_PAUSE)
            self._pool = [replace(p, limited_until=until) if p.id == limited else p
                          for p in self._pool]
            spare = next((p.id for p in self.pool if p.id != limited and p.limited_until <= now
                          and (p.last_failure is None or p.known_good)), None)
            if spare is None and not self._configured:
                try:  # the site may have moved on to a new id meanwhile
                    scraped = await self._scrape_locked()
                except ClientIdUnavailable:
                    scraped = None
                spare = scraped if scraped and scraped != limited else None
            if spare is not None:
                log.info("client id %s… rate limited; rotating to %s…", limited[:6], spare[:6])
                self._active = spare
                self._save()
            else:
                self._active = limited
            return spare

    # -- internals ----------------------------------------------------------------------------

    async def _scrape_locked(self, *, trust_version: bool = True) -> str:
        self.scrapes += 1
        try:
            html = await self._http.get_text(HOME_PAGE)
        except MinionError as exc:
            raise _unavailable(f"could not load {HOME_PAGE} ({exc.message})") from exc
        found = id_from_hydration(html)
        version = sc_version(html)
        if (found is None and trust_version and version and version == self._version
                and self._pool):
            found = self._pool[0].id  # same web-app build as last time: same config asset
        if found is None:
            found = await self._scan_assets(asset_urls(html))
        if found is None:
            raise _unavailable("no client id in the page or in its scripts")
        self._version = version or self._version
        self._remember(found)
        self._active = found
        self._save()
        return found

    async def _scan_assets(self, urls: list[str]) -> str | None:
        for url in reversed(urls):
            try:
                script = await self._http.get_text(url)
            except MinionError as exc:
                log.debug("skipping asset %s: %s", url, exc)
                continue
            found = id_from_asset(script)
            if found:
                return found
        return None

    def _remember(self, client_id: str) -> None:
        """``client_id`` was just scraped (or configured): first in the pool, which keeps the
        newest :data:`POOL_SIZE` ids younger than :data:`KEEP_FOR`."""
        now = self.clock()
        known = next((p for p in self._pool if p.id == client_id), None)
        others = [p for p in self._pool if p.id != client_id and now - p.fetched_at < KEEP_FOR]
        entry = (replace(known, fetched_at=now) if known is not None
                 else PooledId(client_id, now))
        self._pool = [entry, *others][:POOL_SIZE]

    def _failed(self, client_id: str, now: float) -> None:
        self._pool = [replace(p, last_failure=now) if p.id == client_id else p
                      for p in self._pool]
        if self._active == client_id:
            self._active = None
        self._save()

    def _load(self) -> None:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict):
            return
        self._version = data.get("sc_version") if isinstance(data.get("sc_version"), str) else None
        pool: list[PooledId] = []
        pooled = data.get("pool")
        entries: list[Any] = pooled if isinstance(pooled, list) else []
        for entry in [*entries, data]:  # pool entries carry limited_until
            if not isinstance(entry, dict):
                continue
            cid, at = entry.get("client_id", entry.get("id")), entry.get("fetched_at")
            until = entry.get("limited_until", 0.0)
            if (isinstance(cid, str) and re.fullmatch(_ID, cid) and isinstance(at, int | float)
                    and self.clock() - at < KEEP_FOR and all(p.id != cid for p in pool)):
                pool.append(PooledId(cid, float(at),
                                     float(until) if isinstance(until, int | float) else 0.0,
                                     _time(entry.get("last_success")),
                                     _time(entry.get("last_failure"))))
        self._pool = pool[:POOL_SIZE]

    def _save(self) -> None:
        head = self._pool[0] if self._pool else None
        data = {
            "client_id": head.id if head else None,
            "fetched_at": head.fetched_at if head else None,
            "sc_version": self._version,
            "pool": [p.to_json() for p in self._pool],
        }
        try:
            config.private_dirs(self._path.parent)
            tmp = self._path.with_name(f".{self._path.name}.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8", opener=config.private_opener) as out:
                out.write(json.dumps(data, indent=1))
            tmp.replace(self._path)
        except OSError as exc:  # a read-only cache only costs a scrape next time
            log.warning("cannot write the client id cache %s: %s", self._path, exc)


def _time(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _unavailable(why: str) -> ClientIdUnavailable:
    return ClientIdUnavailable(
        f"Could not get a SoundCloud client id: {why}.",
        hint=f"Check your network, or set {ENV_VAR} to the client_id the soundcloud.com web app "
        "sends (visible in the browser's network tab).",
    )
