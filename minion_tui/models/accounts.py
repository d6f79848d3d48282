"""Who is signed in to each service, as ``auth status`` shows it: never a token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from minion_tui.models.json_form import JsonModel


@dataclass(frozen=True)
class AccountStatus(JsonModel):
    signed_in: bool
    user: str | None = None
    scopes: tuple[str, ...] = ()
    expires_at: str | None = None
    """When the access token expires (ISO 8601, UTC); null when it does not (Mixcloud's, a
    pasted session token) or nobody is signed in. A refresh renews it unasked."""


@dataclass(frozen=True)
class SignOut:
    """What ``auth logout`` did: whether a sign-in was forgotten here (``removed``), whether
    the service itself revoked it (``revoked``), where the user ends it by hand when it did
    not (``revoke_url``: Mixcloud's applications page; None when there is none), and a
    sentence saying why not (``note``)."""

    removed: bool
    revoked: bool = False
    revoke_url: str | None = None
    note: str = ""


@dataclass(frozen=True)
class WriteResult:
    """What a write action did (``service.writes``), as every write verb prints it with
    ``--json``: ``{"ok": true, "action", "provider", "target", "title"}``, plus
    ``"playlist"`` (and its ``"sharing"``) when a playlist was made or changed and
    ``"comment"`` when one was written. ``target`` is the URN acted on ("" for a playlist
    not made yet); ``title`` what it is called, for a message."""

    action: str
    provider: str
    target: str
    title: str = ""
    playlist: Any = None
    sharing: str | None = None
    comment: Any = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": True, "action": self.action, "provider": self.provider,
                               "target": self.target, "title": self.title}
        if self.playlist is not None:
            out["playlist"] = self.playlist.to_json()
            out["sharing"] = self.sharing
        if self.comment is not None:
            out["comment"] = self.comment.to_json()
        return out
