"""The two services' OAuth flows, as docs/accounts.md §2 and §3 describe them.

SoundCloud (OAuth 2.1; docs/soundcloud.md §5): ``GET https://secure.soundcloud.com/authorize``
with ``response_type=code``, ``client_id``, ``redirect_uri``, ``code_challenge`` (S256) and
``state``; the code, the refresh token and client credentials are exchanged at ``POST
https://secure.soundcloud.com/oauth/token`` (form-encoded); access tokens last ~1 h and each
refresh token works once; API calls carry ``Authorization: OAuth <token>``.

Mixcloud (docs/mixcloud.md §3): ``https://www.mixcloud.com/oauth/authorize?client_id&
redirect_uri`` (we add ``state``, which it echoes), then ``GET
https://www.mixcloud.com/oauth/access_token?client_id&redirect_uri&client_secret&code`` →
``{"access_token"}``; no expiry, no refresh; the token goes in the ``access_token`` query
parameter of api.mixcloud.com.

Every request goes through net/, with its secret as :class:`~minion_tui.net.Credentials`
naming only the origin it belongs to.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from minion_tui.auth.grant import CLIENT, OAUTH, Grant, token_answer
from minion_tui.errors import AuthError, MinionError, RateLimited
from minion_tui.net.spec import Credentials

if TYPE_CHECKING:
    from minion_tui.net import Http, Response

SC_SECURE = "https://secure.soundcloud.com"
SC_API = "https://api.soundcloud.com"
MC_WWW = "https://www.mixcloud.com"
MC_API = "https://api.mixcloud.com"
_REFUSALS = (400, 401, 403, 429)


class TokenRefused(AuthError):
    """The token endpoint said no to a code or a refresh token (``invalid_grant``…): the
    caller asks for a new sign-in."""

    def __init__(self, title: str, error: str) -> None:
        self.error = error
        super().__init__(f"{title} refused the sign-in token ({error}).")


class Flow(Protocol):
    name: str
    title: str
    pkce: bool

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str) -> str: ...
    async def exchange(self, code: str, *, redirect_uri: str, verifier: str) -> Grant: ...
    async def whoami(self, grant: Grant) -> str | None: ...


@dataclass(frozen=True)
class App:
    """A registered app: its client id and secret (the user's, from the settings)."""

    client_id: str
    client_secret: str | None = None


def _error_word(response: Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict):
        for key in ("error", "message"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])[:200]
    return f"HTTP {response.status_code}"


class SoundCloudFlow:
    name, title, pkce = "soundcloud", "SoundCloud", True

    def __init__(self, http: Http, app: App, *, clock: Callable[[], float] = time.time) -> None:
        self.http = http
        self.app = app
        self.clock = clock

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str) -> str:
        query = {"client_id": self.app.client_id, "redirect_uri": redirect_uri,
                 "response_type": "code", "code_challenge": challenge,
                 "code_challenge_method": "S256", "state": state}
        return f"{SC_SECURE}/authorize?{urlencode(query)}"

    async def _token(self, form: dict[str, str], *, basic: bool = False) -> Any:
        headers: dict[str, str] = {}
        if basic:
            pair = f"{self.app.client_id}:{self.app.client_secret or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        elif self.app.client_secret:
            form = {**form, "client_secret": self.app.client_secret}
        # The secret rides in the form body and a header given as Credentials, so it goes to
        # secure.soundcloud.com and nowhere a redirect might lead.
        credentials = Credentials(frozenset({SC_SECURE}), headers=headers)
        response = await self.http.request(
            "POST", f"{SC_SECURE}/oauth/token", data={"client_id": self.app.client_id, **form},
            headers={"Accept": "application/json"}, credentials=credentials,
            follow_redirects=False, allow_statuses=_REFUSALS)
        if response.status_code == 429:
            raise RateLimited("SoundCloud refused another token: its limit on tokens per "
                              "hour is reached.")
        if response.status_code >= 400:
            raise TokenRefused(self.title, _error_word(response))
        try:
            return response.json()
        except ValueError:
            raise TokenRefused(self.title, "an answer that is not JSON") from None

    def _grant(self, body: Any, kind: str = OAUTH) -> Grant:
        grant = token_answer(self.name, kind, body, self.clock())
        if grant is None:
            raise TokenRefused(self.title, "an answer without an access_token")
        return grant

    async def exchange(self, code: str, *, redirect_uri: str, verifier: str) -> Grant:
        return self._grant(await self._token({
            "grant_type": "authorization_code", "redirect_uri": redirect_uri,
            "code_verifier": verifier, "code": code}))

    async def refresh(self, grant: Grant) -> Grant:
        """The next grant for a refresh token (which is spent by this call)."""
        if not grant.refresh_token:
            raise TokenRefused(self.title, "no refresh token")
        fresh = self._grant(await self._token({
            "grant_type": "refresh_token", "refresh_token": grant.refresh_token}))
        return Grant(fresh.provider, fresh.kind, fresh.access_token,
                     fresh.refresh_token or None, fresh.expires_at,
                     fresh.scopes or grant.scopes, grant.user)

    async def client_credentials(self) -> Grant:
        """A token for public calls on the official API (Basic auth, docs/soundcloud.md §5)."""
        return self._grant(await self._token({"grant_type": "client_credentials"},
                                             basic=True), CLIENT)

    def credentials(self, grant: Grant) -> Credentials:
        return Credentials(frozenset({SC_API}),
                           headers={"Authorization": f"OAuth {grant.access_token}"})

    async def whoami(self, grant: Grant) -> str | None:
        body = await self.http.get_json(f"{SC_API}/me", credentials=self.credentials(grant))
        name = body.get("username") if isinstance(body, dict) else None
        return name if isinstance(name, str) else None


class MixcloudFlow:
    name, title, pkce = "mixcloud", "Mixcloud", False

    def __init__(self, http: Http, app: App) -> None:
        self.http = http
        self.app = app

    def authorize_url(self, *, redirect_uri: str, state: str, challenge: str) -> str:
        query = {"client_id": self.app.client_id, "redirect_uri": redirect_uri, "state": state}
        return f"{MC_WWW}/oauth/authorize?{urlencode(query)}"

    async def exchange(self, code: str, *, redirect_uri: str, verifier: str) -> Grant:
        # Mixcloud takes the secret in the query of a GET (§3): as Credentials, it goes to
        # www.mixcloud.com only, and never into a message (redact_url drops it).
        credentials = Credentials(frozenset({MC_WWW}),
                                  params={"client_secret": self.app.client_secret or ""})
        response = await self.http.request(
            "GET", f"{MC_WWW}/oauth/access_token",
            params={"client_id": self.app.client_id, "redirect_uri": redirect_uri,
                    "code": code},
            credentials=credentials, allow_statuses=_REFUSALS)
        try:
            body = response.json()
        except ValueError:
            body = None
        grant = token_answer(self.name, OAUTH, body, 0.0)
        if grant is None:
            word = body.get("error") if isinstance(body, dict) else None
            raise TokenRefused(self.title, str(word or f"HTTP {response.status_code}")[:200])
        return grant

    def credentials(self, grant: Grant) -> Credentials:
        return Credentials(frozenset({MC_API}), params={"access_token": grant.access_token})

    async def whoami(self, grant: Grant) -> str | None:
        try:
            body = await self.http.get_json(f"{MC_API}/me/", credentials=self.credentials(grant))
        except MinionError:
            return None
        name = body.get("username") if isinstance(body, dict) else None
        return name if isinstance(name, str) else None
