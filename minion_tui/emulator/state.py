"""The live knobs of a running emulator (client ids, faults, media expiry, call log).

Tests change these from their own thread while uvicorn serves from another, so every mutation
takes the lock.
"""

from __future__ import annotations

import hashlib
import string
import threading
import time
from collections.abc import Callable

from minion_tui.emulator.faults import FaultRuntime

_ALNUM = string.ascii_letters + string.digits
DEFAULT_OAUTH_TOKEN = "demo-oauth-token"


def make_client_id(seed: int, generation: int) -> str:
    """32 alphanumeric characters, like the web app's public id (§4)."""
    digest = hashlib.sha256(f"minion-emulator:{seed}:{generation}".encode()).digest()
    digest += hashlib.sha256(digest).digest()
    return "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:32])


class EmulatorState:
    def __init__(self, *, seed: int, faults: str = "", latency_ms: float = 0.0,
                 rotate_seconds: float | None = None, me_user_id: int = 0,
                 clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self.seed = seed
        self.clock = clock
        self.generation = 0
        self._client_id = make_client_id(seed, 0)
        #: Earlier ids that still work (the real service's old ids keep working for a while,
        #: docs/soundcloud.md §4), until revoked.
        self._still_valid: set[str] = set()
        self.web_pages: list[str] = []  # paths of soundcloud.com pages and JS assets served
        self.rotate_seconds = rotate_seconds
        self._rotated_at = clock()
        self.media_ttl: float | None = None  # seconds; None = duration + 120 s (§3.1)
        self.latency_ms = latency_ms
        self.api_calls: list[str] = []  # paths (no prefix, no query) of api-v2 requests
        self.api_urls: list[str] = []  # the same with their query strings
        self.api_times: list[float] = []  # time.monotonic() of each, as it arrived
        self.oauth_tokens: dict[str, int] = {DEFAULT_OAUTH_TOKEN: me_user_id}  # token -> user
        #: Who an official-API OAuth 2.1 access token speaks for (the SoundCloud OAuth
        #: server's ``user_of``, set by server.py), for the api-v2 routes that take one.
        self.official_user: Callable[[str], str | None] | None = None
        self.faults = FaultRuntime(faults)

    # -- client id -----------------------------------------------------------------------------
    @property
    def client_id(self) -> str:
        with self._lock:
            self._rotate_on_schedule()
            return self._client_id

    def current(self) -> tuple[str, int]:
        """(client id, generation) read together: the page and its assets must agree."""
        with self._lock:
            self._rotate_on_schedule()
            return self._client_id, self.generation

    def rotate_client_id(self, *, keep_old: bool = False) -> str:
        """A new id; every earlier one gets 401 from now on — or, with ``keep_old``, the one
        replaced goes on working (with those kept before) until :meth:`revoke_client_id`."""
        with self._lock:
            if keep_old:
                self._still_valid.add(self._client_id)
            else:
                self._still_valid.clear()
            self._rotate()
            return self._client_id

    def revoke_client_id(self, client_id: str) -> str:
        """``client_id`` gets 401 from now on; revoking the current id also rotates it (the
        page then serves a new one), the other kept ids go on working. The current id."""
        with self._lock:
            self._still_valid.discard(client_id)
            if client_id == self._client_id:
                self._rotate()
            return self._client_id

    def client_id_valid(self, candidate: str | None) -> bool:
        if candidate is None:
            return False
        current = self.client_id
        with self._lock:
            return candidate == current or candidate in self._still_valid

    def record_web_page(self, path: str) -> None:
        with self._lock:
            self.web_pages.append(path)

    def _rotate_on_schedule(self) -> None:
        if self.rotate_seconds and self.clock() - self._rotated_at >= self.rotate_seconds:
            self._still_valid.clear()
            self._rotate()

    def _rotate(self) -> None:
        self.generation += 1
        self._client_id = make_client_id(self.seed, self.generation)
        self._rotated_at = self.clock()

    # -- faults and counters -------------------------------------------------------------------
    def set_faults(self, profile: str) -> None:
        self.faults.set_profile(profile)

    def record_api_call(self, path: str, query: str, *, at: float | None = None) -> None:
        with self._lock:
            self.api_calls.append(path)
            self.api_urls.append(f"{path}?{query}" if query else path)
            self.api_times.append(time.monotonic() if at is None else at)

    def reset_counters(self) -> None:
        with self._lock:
            self.api_calls.clear()
            self.api_urls.clear()
            self.api_times.clear()
            self.web_pages.clear()
        self.faults.reset()

    def user_for_token(self, authorization: str | None) -> int | None:
        """`Authorization: OAuth <token>` -> the user id it belongs to (§1)."""
        if not authorization or not authorization.startswith("OAuth "):
            return None
        return self.oauth_tokens.get(authorization[len("OAuth "):].strip())

    def user_for_any_token(self, authorization: str | None) -> int | None:
        """:meth:`user_for_token`, or the user of an ``auth login`` (official API) access
        token: the original-file download takes either (not documented for the real
        api-v2, docs/accounts.md §6; the emulator assumes it does)."""
        found = self.user_for_token(authorization)
        if found is not None or self.official_user is None or not authorization \
                or not authorization.startswith("OAuth "):
            return found
        user = self.official_user(authorization[len("OAuth "):].strip())
        return int(user) if user is not None and user.isdigit() else None
