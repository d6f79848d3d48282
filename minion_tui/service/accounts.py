"""``service.accounts``: signing in to the services, keeping the tokens, and handing them to
the providers as they need them (providers/base.py ``AccountAccess``).

One grant of each kind per provider sits in the secret store (auth/secrets.py: the keyring,
or a 0600 file): ``oauth`` (the sign-in; SoundCloud's refreshed before it expires),
``session`` (a SoundCloud web-session token pasted by the user, for api-v2) and ``client``
(SoundCloud client credentials for public official-API calls, cached: the service issues few
per hour). A refresh spends a single-use refresh token, so it runs under a lock shared by every
process of the user (auth/lock.py), re-reads the grant inside it (another process may have
refreshed already), and stores the new grant before the new token is used. A refresh the
service refuses (revoked, or expired beyond refresh) drops the grant and is AuthRequired
saying to sign in again.

Write actions (like, repost, follow, playlists, uploads) will ask for their token here too:
``token(provider, "oauth")`` is the one door to it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from minion_tui.errors import AuthError, AuthRequired, ConfigError, InvalidArgument
from minion_tui.models import AccountStatus, SignOut

if TYPE_CHECKING:
    from minion_tui.auth.flows import MixcloudFlow, SoundCloudFlow
    from minion_tui.auth.grant import Grant
    from minion_tui.auth.index import GrantIndex
    from minion_tui.auth.login import Announce, Opener
    from minion_tui.auth.secrets import SecretStore
    from minion_tui.service.core import Core

#: A token that expires within this many seconds is refreshed before it is used.
REFRESH_MARGIN = 300.0
KINDS = ("oauth", "session", "client")


class Accounts:
    def __init__(self, core: Core, *, demo: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        self._core = core
        self._demo = demo
        self.clock = clock
        self._secrets: SecretStore | None = None
        self._index: GrantIndex | None = None
        self._cache: dict[str, tuple[Any, Grant]] = {}
        core.account = self

    # -- what the service knows --------------------------------------------------------------
    @staticmethod
    def providers() -> tuple[str, ...]:
        """The providers one can sign in to (those declaring account listings)."""
        from minion_tui.providers import registry

        return tuple(e.name for e in registry.entries() if e.capabilities.account_listings)

    def _checked(self, provider: str) -> str:
        if provider not in self.providers():
            raise InvalidArgument(f"Cannot sign in to {provider!r}.",
                                  hint=f"Use one of: {', '.join(self.providers())}.")
        return provider

    @property
    def secrets(self) -> SecretStore:
        if self._secrets is None:
            from minion_tui.auth.secrets import SecretStore

            self._secrets = SecretStore(self._core.data_dir,
                                        service="minion-tui-demo" if self._demo else "minion-tui",
                                        warn=self._core.warn)
        return self._secrets

    @property
    def index(self) -> GrantIndex:
        if self._index is None:
            from minion_tui.auth.index import GrantIndex

            self._index = GrantIndex(self._core.data_dir)
        return self._index

    async def _get(self, provider: str, kind: str, *, fresh: bool = False) -> Grant | None:
        """The stored grant, or None. The index says whether there is one (no keyring is
        asked when there is not); a grant read once is kept while its entry is unchanged,
        so an API request does not cost a keyring lookup. ``fresh``: read it again."""
        from minion_tui.auth.grant import Grant

        key = f"{provider}:{kind}"

        def read() -> Grant | None:
            meta = self.index.entries()[1].get(key)
            if meta is None:
                return None
            cached = self._cache.get(key)
            if cached is not None and cached[0] == meta and not fresh:
                return cached[1]
            grant = Grant.loads(provider, kind, self.secrets.get(key))
            if grant is not None:
                self._cache[key] = (meta, grant)
            return grant

        return await asyncio.to_thread(read)

    async def _put(self, grant: Grant) -> None:
        def write() -> None:
            self.secrets.put(grant.key, grant.dumps())
            self.index.record(grant.key, grant)
            self._cache[grant.key] = (self.index.entries()[1].get(grant.key), grant)

        await asyncio.to_thread(write)

    async def _drop(self, provider: str, kind: str) -> bool:
        key = f"{provider}:{kind}"

        def drop() -> bool:
            known = key in self.index.entries()[1]
            removed = self.secrets.delete(key) if known else False
            self.index.record(key, None)
            self._cache.pop(key, None)
            return known or removed

        return await asyncio.to_thread(drop)

    def _flow(self, provider: str) -> SoundCloudFlow | MixcloudFlow:
        from minion_tui.auth.flows import App, MixcloudFlow, SoundCloudFlow

        settings = self._core.settings
        if provider == "soundcloud":
            sc = settings.soundcloud
            if not sc.app_id or not sc.client_secret:
                raise ConfigError(["signing in to SoundCloud needs your registered app: set "
                                   "soundcloud.app_id and soundcloud.client_secret (or "
                                   "SOUNDCLOUD_APP_ID and SOUNDCLOUD_CLIENT_SECRET); register "
                                   "one at https://soundcloud.com/you/apps"])
            return SoundCloudFlow(self._core.http, App(sc.app_id, sc.client_secret),
                                  clock=self.clock)
        mc = settings.mixcloud
        if not mc.client_id or not mc.client_secret:
            raise ConfigError(["signing in to Mixcloud needs your registered app: set "
                               "mixcloud.client_id and mixcloud.client_secret (or "
                               "MIXCLOUD_CLIENT_ID and MIXCLOUD_CLIENT_SECRET); register one "
                               "at https://www.mixcloud.com/developers/create/"])
        return MixcloudFlow(self._core.http, App(mc.client_id, mc.client_secret))

    # -- signing in and out ----------------------------------------------------------------
    async def login(self, provider: str, *, browser: bool, announce: Announce,
                    pasted: AsyncIterator[str] | None = None,
                    open_browser: Opener | None = None) -> AccountStatus:
        """Sign in through the browser (``browser``: the system's, or ``open_browser``; with
        ``--demo`` the emulator's consent page is followed here), or announce the URL and
        take the callback or a pasted redirect URL. The grant is stored; its status is
        returned."""
        from minion_tui.auth.browser import open_in_browser
        from minion_tui.auth.login import sign_in

        flow = self._flow(self._checked(provider))
        opener = None
        if browser:
            opener = open_browser or (self._consent_here if self._demo else open_in_browser)
        grant = await sign_in(flow, map_url=self._core.http.map_url, open_browser=opener,
                              announce=announce, pasted=pasted)
        await self._put(grant)
        return self._status(grant)

    async def _consent_here(self, url: str) -> bool:
        """The demo's browser: the emulated consent page approves at once, so following its
        redirect to the loopback callback is all a user would do."""
        http = self._core.http
        answer = await http.request("GET", http.unmap(url), follow_redirects=False,
                                    allow_statuses=(302, 303, 400))
        location = answer.headers.get("location")
        if not location:
            return False
        await http.request("GET", location, allow_statuses=(400, 404))
        return True

    async def logout(self, provider: str) -> SignOut:
        """Revoke the sign-in at the service where it offers that (SoundCloud's ``POST
        /sign-out``), best effort: offline or refused, it is forgotten here all the same and
        the note says it was not revoked; where the service offers none (Mixcloud), the note
        says where to disconnect the app. Then every token of ``provider`` is forgotten."""
        from minion_tui.errors import MinionError
        from minion_tui.service.catalog import provider_capabilities

        self._checked(provider)
        caps, title = provider_capabilities(provider), self._title(provider)
        entries = (await asyncio.to_thread(self.index.entries))[1]
        signed = f"{provider}:oauth" in entries
        revoked, note = False, ""
        if signed and caps.sign_out:
            try:
                await self._core.provider(provider).write("sign_out")  # type: ignore[attr-defined]
                revoked = True
            except MinionError as failed:
                note = (f"{title} was not told to revoke the sign-in "
                        f"({failed.message.rstrip('.')}); it is forgotten here only.")
        elif signed and caps.apps_page:
            note = (f"{title} offers apps no way to revoke a sign-in: to end it there too, "
                    f"disconnect minion-tui at {caps.apps_page}")
        if f"{provider}:session" in entries:
            note = " ".join(filter(None, (note, f"The pasted web session stays signed in on "
                                         f"{title}'s website until you sign out there.")))
        removed = any([await self._drop(provider, kind) for kind in KINDS])
        return SignOut(removed=removed, revoked=revoked,
                       revoke_url=caps.apps_page or None if not revoked and signed else None,
                       note=note)

    async def paste_token(self, provider: str, token: str) -> AccountStatus:
        """Keep a SoundCloud web-session token (the ``oauth_token`` cookie of a signed-in
        soundcloud.com, docs/soundcloud.md §1) for api-v2, once api-v2's ``/me`` accepts it."""
        from minion_tui.auth.grant import SESSION, Grant

        if self._checked(provider) != "soundcloud":
            raise InvalidArgument(f"{provider} takes no pasted token.",
                                  hint=f"Sign in with `minion-tui auth login {provider}`.")
        token = token.strip()
        if not token:
            raise InvalidArgument("No token was given.",
                                  hint="Paste the oauth_token cookie's value on standard "
                                  "input: `minion-tui auth token soundcloud < token.txt`.")
        if len(token) > 4096 or any(not c.isprintable() or c.isspace() for c in token):
            raise InvalidArgument("That is not a SoundCloud session token (it has spaces, "
                                  "control characters, or is far too long).",
                                  hint="Copy the value of the oauth_token cookie alone.")
        client = self._core.provider("soundcloud")
        try:
            user = await client.session_user(token)  # type: ignore[attr-defined]
        except AuthError:
            raise AuthError("SoundCloud did not accept that session token (api-v2's /me "
                            "refused it); it was not kept.",
                            hint="Copy the oauth_token cookie of a signed-in soundcloud.com "
                            "tab again (it changes when you sign in anew).") from None
        grant = Grant("soundcloud", SESSION, token, user=user.username)
        await self._put(grant)
        return self._status(grant)

    async def status(self) -> dict[str, AccountStatus]:
        """Who is signed in to each provider, from the index: no request is made, and no
        token read."""
        from minion_tui.auth.grant import Grant

        entries = (await asyncio.to_thread(self.index.entries))[1]
        found: dict[str, AccountStatus] = {}
        for provider in self.providers():
            kind = next((k for k in ("oauth", "session") if f"{provider}:{k}" in entries), None)
            meta = entries.get(f"{provider}:{kind}") if kind else None
            if meta is None:
                found[provider] = self._status(None)
                continue
            shown = Grant.loads(provider, kind or "", json.dumps({**meta, "access_token": ""}))
            found[provider] = self._status(shown)
        return found

    async def storage(self) -> str:
        """Where the tokens are kept: "keyring (<backend>)" or "file <path>"."""
        return await asyncio.to_thread(self.secrets.backend)

    @staticmethod
    def _status(grant: Grant | None) -> AccountStatus:
        if grant is None:
            return AccountStatus(signed_in=False)
        expires = (datetime.fromtimestamp(grant.expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                   if grant.expires_at is not None else None)
        return AccountStatus(signed_in=True, user=grant.user, scopes=grant.scopes,
                             expires_at=expires)

    # -- tokens, as providers ask for them (AccountAccess) ------------------------------------
    async def token(self, provider: str, kind: str) -> str | None:
        if kind == "client":
            return await self._client_token(provider)
        grant = await self._get(provider, kind)
        if grant is None:
            return None
        if grant.expiring(self.clock(), REFRESH_MARGIN):
            return await self._refresh(provider, grant.access_token, force=False)
        return grant.access_token

    async def refused(self, provider: str, kind: str, token: str) -> str:
        if kind == "oauth" and provider == "soundcloud":
            return await self._refresh(provider, token, force=True)
        await self._drop(provider, kind)
        raise AuthRequired(self._title(provider), provider, again=True)

    async def _refresh(self, provider: str, stale: str, *, force: bool) -> str:
        from minion_tui.auth.flows import SoundCloudFlow, TokenRefused
        from minion_tui.auth.lock import held

        async with held(self._core.data_dir / f"auth-{provider}.lock"):
            # read again: another process may have refreshed while this one waited
            grant = await self._get(provider, "oauth", fresh=True)
            if grant is None:
                raise AuthRequired(self._title(provider), provider, again=True)
            renewed = grant.access_token != stale
            if not grant.expiring(self.clock(), REFRESH_MARGIN) and (renewed or not force):
                return grant.access_token
            flow = self._flow(provider)
            if not isinstance(flow, SoundCloudFlow) or not grant.refresh_token:
                await self._drop(provider, "oauth")
                raise AuthRequired(self._title(provider), provider, again=True,
                                   why="it expired")
            try:
                fresh = await flow.refresh(grant)
            except TokenRefused as refused:
                await self._drop(provider, "oauth")
                raise AuthRequired(self._title(provider), provider, again=True,
                                   why=f"the refresh was refused: {refused.error}") from None
            await self._put(fresh)  # the new refresh token is kept before anything uses it
            return fresh.access_token

    async def _client_token(self, provider: str) -> str | None:
        from minion_tui.auth.flows import SoundCloudFlow
        from minion_tui.auth.lock import held

        if provider != "soundcloud":
            return None
        async with held(self._core.data_dir / f"auth-{provider}-client.lock"):
            grant = await self._get(provider, "client", fresh=True)
            if grant is not None and not grant.expiring(self.clock(), REFRESH_MARGIN):
                return grant.access_token
            flow = self._flow(provider)
            assert isinstance(flow, SoundCloudFlow)
            if self._core.budget is not None:  # 50 per 12 h per app, 30 per hour per IP
                await self._core.budget.spend(provider, "client_credentials")
            fresh = await flow.client_credentials()
            await self._put(fresh)
            return fresh.access_token

    @staticmethod
    def _title(provider: str) -> str:
        from minion_tui.service.catalog import provider_title

        return provider_title(provider)
