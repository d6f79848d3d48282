"""An OAuth 2 authorization server, shared by the emulated SoundCloud and Mixcloud.

What it checks is what the real servers are documented to check (docs/accounts.md §5;
docs/soundcloud.md §5, docs/mixcloud.md §3): a registered client id, the exact
``redirect_uri`` (a loopback one on any port, RFC 8252 §7.3), PKCE S256 where the service
requires it (RFC 7636 §4.6), ``state`` echoed, codes that expire and are single-use (a code
spent twice revokes what it gave, RFC 6749 §4.1.2), refresh tokens that are single-use (a
spent one is refused and revokes its grant, OAuth 2.1 §4.3.1), access tokens that expire,
revocation, and a cap on client-credentials tokens per hour (docs/soundcloud.md §5: 30 per
hour).

Tokens are signed rather than looked up (a payload and an HMAC under the seed's secret), so a
token issued by one ``--demo`` process is accepted by the next one's emulator; what must be
remembered (spent codes and refresh tokens, revoked grants) is kept in memory. The consent
page approves at once: the authorize URL redirects straight to the redirect URI with the code
and the state, as a user who clicks "Connect" would see it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
CODE_TTL = 600.0


class OAuthError(Exception):
    """A refusal: ``error`` is the RFC 6749 code; ``redirect`` says whether it may be sent to
    the redirect URI (only once that URI is known to be the client's, §4.1.2.1)."""

    def __init__(self, error: str, description: str, *, status: int = 400,
                 redirect: str | None = None, state: str | None = None) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.redirect, self.state = redirect, state

    def location(self) -> str | None:
        if self.redirect is None:
            return None
        query = {"error": self.error, "error_description": self.description}
        if self.state is not None:
            query["state"] = self.state
        return _with_query(self.redirect, query)


@dataclass(frozen=True)
class App:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class _Code:
    app: str
    redirect_uri: str
    challenge: str | None
    user: str
    expires: float
    grant: str
    used: bool = False


@dataclass
class Issued:
    """Counters a test reads: what was given out, and what was refused."""

    access: int = 0
    refreshed: int = 0
    client_credentials: int = 0
    refused: list[str] = field(default_factory=list)


class OAuthServer:
    def __init__(self, name: str, secret: bytes, *, user: str, pkce: bool, expires: bool,
                 clock: Callable[[], float] = time.time, access_ttl: int = 3599,
                 client_credentials_per_hour: int = 30) -> None:
        self.name = name
        self._key = hashlib.sha256(b"oauth:" + name.encode() + secret).digest()
        self.user = user
        self.pkce = pkce
        self.expires = expires
        self._clock = clock
        self.offset = 0.0
        self.access_ttl = access_ttl
        self.client_credentials_per_hour = client_credentials_per_hour
        self.apps: dict[str, App] = {}
        self._codes: dict[str, _Code] = {}
        self._spent: set[str] = set()  # refresh tokens' nonces
        self._revoked: set[str] = set()  # grant ids
        self._cc_times: deque[float] = deque()
        self._lock = threading.Lock()
        self.issued = Issued()

    # -- set-up and test knobs ----------------------------------------------------------------
    def register(self, app: App) -> App:
        self.apps[app.client_id] = app
        return app

    def now(self) -> float:
        return self._clock() + self.offset

    def advance(self, seconds: float) -> None:
        """Move this server's clock on (expiry of codes and tokens), not the world's."""
        with self._lock:
            self.offset += seconds

    def revoke(self, token: str) -> bool:
        """What a user's "disconnect this app" does: every token of the grant stops working."""
        payload = self._read(token)
        if payload is None:
            return False
        with self._lock:
            self._revoked.add(payload["g"])
        return True

    def revoke_all(self) -> None:
        with self._lock:
            self._revoked.add("*")

    # -- the authorize endpoint ---------------------------------------------------------------
    def authorize(self, params: Mapping[str, str]) -> str:
        """The Location the consent page sends the browser to (code and state), or
        OAuthError."""
        app = self.apps.get(params.get("client_id", ""))
        if app is None:
            raise OAuthError("invalid_client", "Unknown client_id.")
        redirect = params.get("redirect_uri", "")
        if not redirect or not self._registered(app, redirect):
            raise OAuthError("invalid_request", "redirect_uri does not match the app's.")
        state = params.get("state")
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "Only response_type=code is offered.",
                             redirect=redirect, state=state)
        challenge = params.get("code_challenge")
        if self.pkce:
            if not challenge or params.get("code_challenge_method") != "S256":
                raise OAuthError("invalid_request", "PKCE with code_challenge_method=S256 is "
                                 "required.", redirect=redirect, state=state)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(app.client_id, redirect, challenge, self.user,
                                      self.now() + CODE_TTL, secrets.token_hex(8))
        query = {"code": code}
        if state is not None:
            query["state"] = state
        return _with_query(redirect, query)

    @staticmethod
    def _registered(app: App, redirect: str) -> bool:
        if redirect in app.redirect_uris:
            return True
        # RFC 8252 §7.3: a loopback redirect URI matches on any port.
        parts = _split(redirect)
        if parts is None or parts[1] not in ("127.0.0.1", "[::1]"):
            return False
        return any(_split(r) == (parts[0], parts[1], None, parts[3]) for r in app.redirect_uris)

    # -- the token endpoint -------------------------------------------------------------------
    def token(self, form: Mapping[str, str], basic: tuple[str, str] | None = None
              ) -> dict[str, Any]:
        grant = form.get("grant_type", "")
        client_id = basic[0] if basic else form.get("client_id", "")
        secret = basic[1] if basic else form.get("client_secret")
        app = self.apps.get(client_id)
        if app is None:
            raise self._refuse("invalid_client", "Unknown client_id.", status=401)
        if grant == "authorization_code":
            return self._exchange(app, form, secret)
        if grant == "refresh_token":
            self._client_secret(app, secret)
            return self._refresh(app, form.get("refresh_token", ""))
        if grant == "client_credentials":
            self._client_secret(app, secret)
            return self._client_credentials(app)
        raise self._refuse("unsupported_grant_type", f"grant_type {grant!r} is not offered.")

    def _client_secret(self, app: App, secret: str | None) -> None:
        if not secret or not hmac.compare_digest(secret, app.client_secret):
            raise self._refuse("invalid_client", "client_secret is wrong.", status=401)

    def _exchange(self, app: App, form: Mapping[str, str], secret: str | None) -> dict[str, Any]:
        if secret is not None or not self.pkce:
            self._client_secret(app, secret)
        with self._lock:
            code = self._codes.get(form.get("code", ""))
            if code is None or code.app != app.client_id:
                raise self._refuse("invalid_grant", "Unknown authorization code.")
            if code.used:
                self._revoked.add(code.grant)  # RFC 6749 §4.1.2: revoke what it gave
                raise self._refuse("invalid_grant", "The authorization code was already used.")
            code.used = True
        if self.now() > code.expires:
            raise self._refuse("invalid_grant", "The authorization code expired.")
        if form.get("redirect_uri") != code.redirect_uri:
            raise self._refuse("invalid_grant", "redirect_uri differs from the authorize "
                               "request's.")
        if code.challenge is not None or self.pkce:
            verifier = form.get("code_verifier", "")
            if not (43 <= len(verifier) <= 128 and set(verifier) <= _UNRESERVED):
                raise self._refuse("invalid_request", "code_verifier is missing or malformed.")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if not hmac.compare_digest(digest.rstrip(b"=").decode(), code.challenge or ""):
                raise self._refuse("invalid_grant", "code_verifier does not match the "
                                   "code_challenge.")
        self.issued.access += 1
        return self._tokens(code.user, code.grant, refresh=self.expires)

    def _refresh(self, app: App, token: str) -> dict[str, Any]:
        payload = self._read(token, kind="refresh")
        if payload is None:
            raise self._refuse("invalid_grant", "Unknown or revoked refresh token.")
        with self._lock:
            if payload["n"] in self._spent:
                self._revoked.add(payload["g"])  # a replayed refresh token: end the grant
                raise self._refuse("invalid_grant", "The refresh token was already used.")
            self._spent.add(payload["n"])
        self.issued.refreshed += 1
        return self._tokens(payload["u"], payload["g"], refresh=True)

    def _client_credentials(self, app: App) -> dict[str, Any]:
        now = self.now()
        with self._lock:
            while self._cc_times and self._cc_times[0] <= now - 3600:
                self._cc_times.popleft()
            if len(self._cc_times) >= self.client_credentials_per_hour:
                raise self._refuse("rate_limited", "Too many client-credentials tokens this "
                                   "hour; reuse the one you have.", status=429)
            self._cc_times.append(now)
        self.issued.client_credentials += 1
        return self._tokens("", secrets.token_hex(8), refresh=False, kind="client")

    def _tokens(self, user: str, grant: str, *, refresh: bool,
                kind: str = "access") -> dict[str, Any]:
        exp = self.now() + self.access_ttl if self.expires else None
        answer: dict[str, Any] = {"access_token": self._sign(kind, user, grant, exp)}
        if self.expires:
            answer.update(expires_in=self.access_ttl, scope="", token_type="bearer")
        if refresh:
            answer["refresh_token"] = self._sign("refresh", user, grant, None)
        return answer

    def _refuse(self, error: str, description: str, *, status: int = 400) -> OAuthError:
        self.issued.refused.append(error)
        return OAuthError(error, description, status=status)

    # -- tokens ---------------------------------------------------------------------------------
    def user_of(self, token: str | None, *, client: bool = False) -> str | None:
        """The user an access token speaks for ("" for a client-credentials token when
        ``client``), or None: unknown, expired or revoked."""
        payload = self._read(token or "", kind="access")
        if payload is None and client:
            payload = self._read(token or "", kind="client")
        if payload is None:
            return None
        exp = payload.get("e")
        if exp is not None and self.now() >= exp:
            return None
        return str(payload["u"])

    def _sign(self, kind: str, user: str, grant: str, exp: float | None) -> str:
        body = json.dumps({"k": kind, "u": user, "g": grant, "e": exp,
                           "n": secrets.token_hex(8)}, separators=(",", ":")).encode()
        mac = hmac.new(self._key, body, hashlib.sha256).digest()[:18]
        return f"{_b64(body)}.{_b64(mac)}"

    def _read(self, token: str, kind: str | None = None) -> dict[str, Any] | None:
        body_text, _, mac_text = token.partition(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except ValueError:
            return None
        if not hmac.compare_digest(hmac.new(self._key, body, hashlib.sha256).digest()[:18], mac):
            return None
        payload: dict[str, Any] = json.loads(body)
        if kind is not None and payload.get("k") != kind:
            return None
        with self._lock:
            if payload.get("g") in self._revoked or "*" in self._revoked:
                return None
        return payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text or len(text) > 4096:
        raise ValueError("not a token")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not a token") from exc


def _split(url: str) -> tuple[str, str, int | None, str] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return parts.scheme, host, port, parts.path


def _with_query(url: str, params: Mapping[str, str]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


async def read_form(request: Any) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body (the token request's, RFC 6749 §4.1.3),
    read without python-multipart; at most 64 KiB of it."""
    body = await request.body()
    return dict(parse_qsl(body[:65536].decode("utf-8", "replace"), keep_blank_values=True))


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """``Authorization: Basic base64(id:secret)`` → (id, secret), or None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None
