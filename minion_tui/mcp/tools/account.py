"""Who is signed in to each service, and what is left of SoundCloud's published request
budgets. Never a token. Signing in itself is the user's to do (a browser), not a tool's."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import LOCAL_READ, NoArgs, tool
from minion_tui.models.json_form import JsonModel


@dataclass(frozen=True, slots=True)
class Budget(JsonModel):
    """One of SoundCloud's published limits as counted here (docs/accounts.md §7): ``name``
    (streams: play-stream requests per 24 h; client_credentials: app tokens per 12 h;
    client_credentials_ip: tokens per hour from this machine), ``used`` in the window now
    (null when the count cannot be read), ``limit``, ``remaining`` (null with ``used``),
    ``window_s`` its length in seconds, ``resets_at`` when the oldest counted request leaves
    the window (ISO 8601 UTC; null when nothing is counted). At 0 remaining the app stops
    asking and the tools answer rate_limited with retry_after."""

    name: str
    used: int | None
    limit: int
    remaining: int | None
    window_s: int
    resets_at: str | None


@dataclass(frozen=True, slots=True)
class Account(JsonModel):
    """One service: ``signed_in``, the ``user`` name, the ``scopes`` granted, ``expires_at``
    when the access token expires (ISO 8601 UTC; null when it does not or nobody is signed
    in: a refresh renews it unasked), and its request ``budgets`` (SoundCloud only)."""

    provider: str
    signed_in: bool
    user: str | None
    scopes: Sequence[str]
    expires_at: str | None
    budgets: Sequence[Budget]


@dataclass(frozen=True, slots=True)
class Accounts(JsonModel):
    """Every service the app knows, in order."""

    accounts: Sequence[Account]


def render_accounts(r: dict[str, Any]) -> str:
    lines = []
    for a in r["accounts"]:
        if a["signed_in"]:
            line = f"{a['provider']}: signed in as {a['user'] or '?'}"
            if a["expires_at"]:
                line += f", token until {a['expires_at']}"
        else:
            line = f"{a['provider']}: not signed in"
        lines.append(line)
        for b in a["budgets"]:
            left = "?" if b["remaining"] is None else f"{b['remaining']:,}"
            lines.append(f"  {b['name']}: {left} of {b['limit']:,} left per "
                         f"{b['window_s'] // 3600} h")
    return "\n".join(lines)


@tool(title="Account status and budgets", output=Accounts, hints=LOCAL_READ,
      render=render_accounts)
async def account_status(ctx: ToolContext, args: NoArgs) -> Accounts:
    """Whether the user is signed in to each service (SoundCloud, Mixcloud), as whom, with
    which scopes and until when, and how much is left of SoundCloud's published request
    budgets (15,000 stream requests per 24 h; 50 client tokens per 12 h, 30 per hour per
    machine). Call it before a write to know whether it can work, and when rate_limited.
    Never shows a token. Reads what is kept here: no request. To sign in the user runs
    `minion-tui auth login PROVIDER` themselves (a browser); no tool does it."""
    statuses = await ctx.service.accounts.status()
    found = []
    for name, status in statuses.items():
        budgets = []
        for kind, b in (await ctx.service.budgets.status(name)).items():
            used = b["used"]
            budgets.append(Budget(name=kind, used=used, limit=b["limit"],
                                  remaining=None if used is None else max(0, b["limit"] - used),
                                  window_s=b["window_s"], resets_at=b["resets_at"]))
        found.append(Account(provider=name, signed_in=status.signed_in, user=status.user,
                             scopes=tuple(status.scopes), expires_at=status.expires_at,
                             budgets=budgets))
    return Accounts(accounts=found)


TOOLS = (account_status,)

LEFT_OUT = (
    ("sign in (auth login)", "signing in is OAuth in the user's browser, approved by them: "
     "an assistant must not drive it, and no tool may hold or reveal a token; the user runs "
     "`minion-tui auth login PROVIDER`, then account_status shows it"),
    ("sign out (auth logout)", "forgetting the user's tokens is the user's decision, made "
     "with `minion-tui auth logout PROVIDER`; not a tool an assistant should call"),
)
