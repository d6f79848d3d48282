"""What a sign-in leaves behind: a :class:`Grant` (the tokens, when the access token expires,
the scopes, who signed in), and its JSON form for the secret store.

A grant's ``repr`` names no token, so neither a log line nor a traceback's locals can show
one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

#: Kinds of grant, one of each per provider: an OAuth sign-in, a pasted web-session token
#: (api-v2, docs/soundcloud.md §1), a client-credentials token for public official-API calls.
OAUTH, SESSION, CLIENT = "oauth", "session", "client"


@dataclass(frozen=True)
class Grant:
    provider: str
    kind: str
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None
    """Epoch seconds; None: the token does not expire (Mixcloud's, a pasted one)."""
    scopes: tuple[str, ...] = ()
    user: str | None = None

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.kind}"

    def expiring(self, now: float, margin: float) -> bool:
        """Whether it expires within ``margin`` seconds (or has)."""
        return self.expires_at is not None and self.expires_at - now <= margin

    def with_user(self, user: str | None) -> Grant:
        return replace(self, user=user)

    def dumps(self) -> str:
        return json.dumps({"access_token": self.access_token,
                           "refresh_token": self.refresh_token,
                           "expires_at": self.expires_at, "scopes": list(self.scopes),
                           "user": self.user})

    @classmethod
    def loads(cls, provider: str, kind: str, text: str | None) -> Grant | None:
        """The grant stored as ``text``, or None (missing, or not one of ours)."""
        if not text:
            return None
        try:
            data: Any = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            return None
        expires = data.get("expires_at")
        scopes = data.get("scopes")
        user = data.get("user")
        refresh = data.get("refresh_token")
        return cls(provider, kind, data["access_token"],
                   refresh if isinstance(refresh, str) else None,
                   float(expires) if isinstance(expires, int | float) else None,
                   tuple(s for s in scopes if isinstance(s, str))
                   if isinstance(scopes, list) else (),
                   user if isinstance(user, str) else None)


def token_answer(provider: str, kind: str, body: Any, now: float) -> Grant | None:
    """The grant in a token endpoint's JSON answer (RFC 6749 §5.1: ``access_token``,
    ``expires_in``, ``refresh_token``, ``scope`` space-separated), or None without a token."""
    if not isinstance(body, dict):
        return None
    token = body.get("access_token")
    if not isinstance(token, str) or not token.strip():
        return None
    expires_in = body.get("expires_in")
    refresh = body.get("refresh_token")
    scope = body.get("scope")
    return Grant(provider, kind, token.strip(),
                 refresh if isinstance(refresh, str) and refresh else None,
                 now + float(expires_in) if isinstance(expires_in, int | float)
                 and not isinstance(expires_in, bool) else None,
                 tuple(scope.split()) if isinstance(scope, str) else ())
