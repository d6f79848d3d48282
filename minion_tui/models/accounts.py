"""Who is signed in to each service, as ``auth status`` shows it: never a token."""

from __future__ import annotations

from dataclasses import dataclass

from minion_tui.models.json_form import JsonModel


@dataclass(frozen=True)
class AccountStatus(JsonModel):
    signed_in: bool
    user: str | None = None
    scopes: tuple[str, ...] = ()
    expires_at: str | None = None
    """When the access token expires (ISO 8601, UTC); null when it does not (Mixcloud's, a
    pasted session token) or nobody is signed in. A refresh renews it unasked."""
