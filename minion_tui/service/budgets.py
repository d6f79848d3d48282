"""``service.budgets``: SoundCloud's published request limits, counted in the database and
spent where the requests are made (docs/accounts.md §7).

* ``streams``: 15,000 play-stream requests per 24 h (docs/soundcloud.md §5, the rate-limits
  page). Counted by the provider right before each transcoding-URL resolution — the one
  place a stream is asked for (providers/soundcloud/api.py ``Api.media``).
* ``client_credentials``: 50 client-credentials tokens per 12 h per app, and
  ``client_credentials_ip``: 30 per hour per IP (same page). Counted right before
  ``service.accounts`` asks for one.

The stream budget is counted per user — the signed-in one (OAuth or a pasted session), else
"anonymous" — and not per client id, so switching ids (the pool, providers/soundcloud/
client_id.py) never takes the app past a limit. The client-credentials ones are per app (the
app id) and per machine. At 90 % of a budget the front ends are warned once (``Core.warn``:
stderr in the CLI, a toast in the TUI); at 100 % the request is not made and RateLimited
says when a slot frees (``retry_after``). Counting is a write done along the way: a store
that cannot take it (locked, read-only) is warned about and the request goes on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from minion_tui.errors import InvalidArgument, RateLimited, StoreError

if TYPE_CHECKING:
    from minion_tui.service.core import Core
    from minion_tui.store.budgets import Limit, Use

#: A budget this used (a share of its limit) is warned about.
WARN_AT = 0.9


def _limits() -> dict[str, Limit]:
    from minion_tui.store.budgets import Limit

    return {
        "streams": Limit("soundcloud:streams", 15_000, 24 * 3600.0),
        "client_credentials": Limit("soundcloud:client_credentials", 50, 12 * 3600.0),
        "client_credentials_ip": Limit("soundcloud:client_credentials_ip", 30, 3600.0),
    }


#: What each kind of request spends.
SPENDS = {"streams": ("streams",), "client_credentials": ("client_credentials",
                                                          "client_credentials_ip")}
_WHAT = {"streams": "stream requests", "client_credentials": "client-credentials tokens",
         "client_credentials_ip": "client-credentials tokens from this machine"}


class Budgets:
    def __init__(self, core: Core, *, clock: Callable[[], float] = time.time) -> None:
        self._core = core
        self.clock = clock
        self._index: Any = None
        core.budget = self

    async def _owners(self, provider: str) -> dict[str, str]:
        """Whose budget each one is: the signed-in user's stream budget, the app's and this
        machine's client-credentials ones."""
        if self._index is None:
            from minion_tui.auth.index import GrantIndex

            self._index = GrantIndex(self._core.data_dir)
        entries = (await asyncio.to_thread(self._index.entries))[1]
        user = next((m.get("user") for k in ("oauth", "session")
                     if isinstance(m := entries.get(f"{provider}:{k}"), dict)
                     and m.get("user")), None)
        app = self._core.settings.soundcloud.app_id or "-"
        return {"streams": f"user:{user}" if user else "anonymous",
                "client_credentials": f"app:{app}", "client_credentials_ip": "machine"}

    async def spend(self, provider: str, kind: str) -> None:
        """Count one request of ``kind`` (BudgetGate); RateLimited when it would pass a
        limit, and a warning once a budget is 90 % used."""
        if provider != "soundcloud":
            return
        if kind not in SPENDS:
            raise InvalidArgument(f"No budget counts {kind!r} requests.")
        from minion_tui.store import budgets

        limits, owners = _limits(), await self._owners(provider)
        pairs = [(limits[name], owners[name]) for name in SPENDS[kind]]
        lost = "the request budget was not counted"
        try:
            store = await self._core.db()
        except StoreError as exc:  # no database to count in: the request still goes
            self._core.warn(f"{lost}: {exc.text}", cause=exc.text)
            return
        now = self.clock()
        uses = await self._core.write_aside(lost, lambda: budgets.spend(store, pairs, now))
        for use in uses or ():
            name = use.limit.budget.split(":", 1)[1]
            if use.refused:
                wait = max(1.0, (use.resets_at or now + use.limit.window) - now)
                raise RateLimited(
                    f"SoundCloud allows {use.limit.count:,} {_WHAT[name]} per "
                    f"{_span(use.limit.window)}, and all of them were used "
                    f"({_whose(owners[name])}); minion-tui does not ask again before "
                    f"{_iso(now + wait)}.", retry_after=wait)
            if use.share >= WARN_AT:
                self._core.warn(
                    f"SoundCloud {_WHAT[name]}: {use.used:,} of {use.limit.count:,} per "
                    f"{_span(use.limit.window)} used ({_whose(owners[name])}); at the limit "
                    f"minion-tui stops asking until the oldest leaves the window"
                    f"{f' ({_iso(use.resets_at)})' if use.resets_at else ''}.",
                    cause=f"budget {use.limit.budget} {owners[name]}")

    async def status(self, provider: str) -> dict[str, dict[str, Any]]:
        """Each budget of ``provider`` as ``auth status`` shows it: ``{"used", "limit",
        "window_s", "resets_at"}`` (ISO 8601 UTC, null when nothing is counted; ``used`` is
        null when the database cannot be read)."""
        if provider != "soundcloud":
            return {}
        from minion_tui.store import budgets

        limits, owners = _limits(), await self._owners(provider)
        pairs = [(limits[name], owners[name]) for name in limits]
        try:
            store = await self._core.db()
            uses = await store.call(budgets.usage, store, pairs, self.clock())
        except StoreError as exc:  # the counts cannot be read: said, and shown as unknown
            self._core.warn(f"the request budgets could not be read: {exc.text}",
                            cause=exc.text)
            return {name: {"used": None, "limit": limit.count, "window_s": int(limit.window),
                           "resets_at": None} for name, limit in limits.items()}
        return {name: _shown(use) for name, use in zip(limits, uses, strict=True)}


def _shown(use: Use) -> dict[str, Any]:
    return {"used": use.used, "limit": use.limit.count, "window_s": int(use.limit.window),
            "resets_at": _iso(use.resets_at) if use.resets_at is not None else None}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _span(seconds: float) -> str:
    hours = seconds / 3600
    return "hour" if hours == 1 else f"{hours:g} h"


def _whose(owner: str) -> str:
    if owner.startswith("user:"):
        return f"by {owner[5:]}"
    if owner.startswith("app:"):
        return "by this app"
    return "on this machine" if owner == "machine" else "without a sign-in"
