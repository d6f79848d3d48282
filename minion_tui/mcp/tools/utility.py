"""Utility: check a link without a request, and say which services are here and what each
offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from minion_tui.errors import InvalidURL
from minion_tui.mcp.context import ToolContext
from minion_tui.mcp.tooling import LOCAL_READ, NoArgs, arg, tool
from minion_tui.models.json_form import JsonModel

_KINDS = {"tracks": "track", "users": "user", "playlists": "playlist", "cloudcasts": "track",
          "shows": "track", "live": "live"}


@dataclass(frozen=True, slots=True)
class LinkCheck(JsonModel):
    """Whether a link is one the app can open: ``provider`` the service that claims it;
    ``kind`` what its shape names (track, user, playlist, short_link — followed when
    resolved —, live, tag, search, user_tab), null when invalid; ``listing`` the tab or
    search kind of a listing page; ``message`` what is wrong and what works when not
    ``valid``. Nothing is fetched: a valid link may still name nothing (resolve_url says)."""

    url: str
    valid: bool
    provider: str | None
    kind: str | None
    listing: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class ValidateUrl:
    url: str = arg("The link or URN to check, as pasted.", nonblank=True)


def _kind(text: str, provider: str) -> tuple[str, str | None]:
    """What a valid link's shape names, and the listing of a listing page."""
    from minion_tui.service import web_ref

    if text.lower().startswith(provider + ":"):  # a URN: soundcloud:tracks:123
        parts = text.split(":")
        return (_KINDS.get(parts[1].lower(), "resource") if len(parts) > 2 else "resource"), None
    parsed = urlsplit(text if "://" in text else "https://" + text)
    host = (parsed.hostname or "").lower()
    segments = [s for s in parsed.path.split("/") if s]
    if host.startswith("on."):
        return "short_link", None  # what it names is known once it is followed
    ref = web_ref(text)
    if ref is not None:
        if ref.kind == "user":
            return ("user_tab" if ref.page else "user"), ref.listing or None
        return ref.kind, ref.listing or None
    if host.startswith("api") and segments:
        return _KINDS.get(segments[0].lower(), "resource"), None
    if segments and segments[0].lower() == "live":
        return "live", None
    return ("user" if len(segments) <= 1 else "track"), None


@tool(title="Validate a link", output=LinkCheck, hints=LOCAL_READ,
      render=lambda r: (f"valid {r['provider']} {r['kind']} link" if r["valid"]
                        else f"not valid: {r['message']}"))
async def validate_url(ctx: ToolContext, args: ValidateUrl) -> LinkCheck:
    """Check a link (or URN) without any request: whether SoundCloud or Mixcloud claims it
    and its parser accepts it, and what kind of page it is (a track, a user, a playlist, a
    user's tab, a tag, a search, a short link). Use it to sort out pasted links cheaply;
    resolve_url then reads what a valid one names. No request, no rate limit."""
    from minion_tui.service import validate_link

    text = args.url.strip()
    try:
        provider = validate_link(text)
    except InvalidURL as exc:
        from minion_tui.service import claimed_by

        return LinkCheck(url=text, valid=False, provider=claimed_by(text), kind=None,
                         listing=None, message=exc.text)
    kind, listing = _kind(text, provider)
    return LinkCheck(url=text, valid=True, provider=provider, kind=kind, listing=listing,
                     message=None)


@dataclass(frozen=True, slots=True)
class ProviderInfo(JsonModel):
    """One service and what the app reads there: its ``charts`` (trending, popular…), the
    listings of a user, of a track and of the signed-in account, the search kinds, whether
    it autocompletes and has tag pages, and the writes a sign-in allows."""

    name: str
    title: str
    charts: tuple[str, ...]
    user_listings: tuple[str, ...]
    track_listings: tuple[str, ...]
    account_listings: tuple[str, ...]
    search_kinds: tuple[str, ...]
    autocomplete: bool
    tags: bool
    writes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Providers(JsonModel):
    """The services this app talks to, in order (the first is the default)."""

    providers: tuple[ProviderInfo, ...]


def _providers_text(r: dict[str, Any]) -> str:
    return "\n".join(f"{p['name']} ({p['title']}): charts {', '.join(p['charts']) or '-'}; "
                     f"user {', '.join(p['user_listings'])}; track "
                     f"{', '.join(p['track_listings'])}; account "
                     f"{', '.join(p['account_listings']) or '-'}" for p in r["providers"])


@tool(title="List the services", output=Providers, hints=LOCAL_READ, render=_providers_text)
async def list_providers(ctx: ToolContext, args: NoArgs) -> Providers:
    """The services (SoundCloud, Mixcloud) and what each offers: charts, user, track and
    account listings, search kinds, autocomplete, tags, writes. Use it to know which tools
    work for which provider before calling them. No request."""
    from minion_tui.service import provider_names

    found = []
    for name in provider_names():
        caps = ctx.service.catalog.capabilities(name)
        found.append(ProviderInfo(
            name=name, title=caps.title or name, charts=caps.charts,
            user_listings=caps.user_listings, track_listings=caps.track_listings,
            account_listings=caps.account_listings, search_kinds=caps.search_kinds,
            autocomplete=caps.autocomplete, tags=caps.tags, writes=caps.writes))
    return Providers(providers=tuple(found))


TOOLS = (validate_url, list_providers)
