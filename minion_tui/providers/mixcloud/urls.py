"""What a user can paste for Mixcloud: mixcloud.com pages (www., m., app., beta. and the bare
host; the api. host, whose paths are the site's, docs/mixcloud.md §1.1), with or without the
trailing slash, and URNs ``mixcloud:cloudcasts:USER/SLUG`` / ``mixcloud:users:USER``.

Pure string work, no I/O. A show's id is its key without the slashes (``USER/SLUG``, case
kept, docs/mixcloud.md §1.1); a user's id is the username.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from minion_tui.errors import InvalidURL
from minion_tui.providers.base import WebRef
from minion_tui.providers.pasted import checked, pasted_page, shown

Kind = Literal["show", "user", "playlist", "live"]

WEB = "https://www.mixcloud.com"
API = "https://api.mixcloud.com"
GRAPHQL = "https://app.mixcloud.com/graphql"
WEB_HOSTS = frozenset({"mixcloud.com", "www.mixcloud.com", "m.mixcloud.com", "app.mixcloud.com",
                       "beta.mixcloud.com", "api.mixcloud.com"})
# Usernames and slugs: letters, digits, "-", "_" and "." seen in keys; anything else that is
# no "/", "?", "#" or space is taken too (real slugs carry percent-encoded characters).
_NAME_RE = re.compile(r"[^/?#\s]+")
_URN_RE = re.compile(r"mixcloud:(cloudcasts?|users?|playlists?|live):(.+)", re.IGNORECASE)

#: First path segments that are site pages, not users (docs/mixcloud.md §1.2 and the site).
RESERVED = frozenset({
    "discover", "genres", "search", "select", "live", "upload", "uploads", "settings", "oauth",
    "developers", "about", "categories", "dashboard", "messages", "notifications", "me",
    "login", "logout", "signup", "signin", "register", "pro", "creators", "widget", "oembed",
    "graphql", "popular", "new", "tag", "tags", "track", "artist", "media", "static",
    "player", "privacy", "terms", "help", "jobs", "careers", "press", "apps", "support",
    "feed", "stream", "favorites", "listens", "playlists", "comments", "subscriptions",
    "rising", "trending", "home", "explore", "mixcloud-select", "faq", "legal", "cookies",
})
#: A profile's tabs (``/USER/TAB/``) by the provider-neutral listing names; yt-dlp's show
#: pattern excludes the first five as slugs (``stream|uploads|favorites|listens|playlists``).
USER_TABS = {"uploads": "tracks", "shows": "tracks", "favorites": "likes", "listens": "listens",
             "playlists": "playlists", "stream": "feed", "followers": "followers",
             "following": "followings", "comments": "comments", "reposts": "",
             "activity": "", "hosts": "", "about": ""}
#: A show's sub-pages (``/USER/SLUG/PAGE/``): the resource is the show.
SHOW_PAGES = frozenset({"favorites", "listeners", "comments", "similar", "reposts",
                        "tracklist"})
#: Search pages: ``/search/?mixcloud_query=…`` and ``/search/TYPE/?…``.
SEARCH_PAGES = {"": "tracks", "cloudcasts": "tracks", "shows": "tracks", "users": "users",
                "tags": "tags"}
_HINT = ("Paste a Mixcloud link: a show (https://www.mixcloud.com/<user>/<show>/), a profile "
         "(https://www.mixcloud.com/<user>/) or one of its tabs (…/favorites/, …/listens/), "
         "or a URN like mixcloud:cloudcasts:<user>/<show> or mixcloud:users:<user>.")


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed target: a show (``user`` + ``slug``), a user, a playlist (``slug``), or a
    user's live stream (docs/mixcloud.md §5: ``/live/USER/``)."""

    kind: Kind
    user: str
    slug: str = ""

    @property
    def id(self) -> str:
        if self.kind == "live":
            return f"live/{self.user}"
        return f"{self.user}/{self.slug}" if self.kind == "show" else (
            f"{self.user}/playlists/{self.slug}" if self.kind == "playlist" else self.user)

    @property
    def urn(self) -> str:
        collection = {"show": "cloudcasts", "user": "users", "playlist": "playlists",
                      "live": "live"}[self.kind]
        key = f"{self.user}/{self.slug}" if self.slug else self.user
        return f"mixcloud:{collection}:{key}"

    @property
    def path(self) -> str:
        """The key: the API and site path, with both slashes (docs/mixcloud.md §1.1)."""
        if self.kind == "live":
            return f"/live/{quote(self.user, safe='')}/"
        parts = [self.user, *(["playlists"] if self.kind == "playlist" else []),
                 *([self.slug] if self.slug else [])]
        return "/" + "/".join(quote(p, safe="") for p in parts) + "/"

    @property
    def web_url(self) -> str:
        return WEB + self.path

    @property
    def api_url(self) -> str:
        return API + self.path


def host(text: str) -> str:
    try:
        return (urlsplit(text if "://" in text else "https://" + text).hostname or "").lower()
    except ValueError:
        return ""


def is_mixcloud(target: str) -> bool:
    """Cheap check for the registry: a ``mixcloud:`` URN or a mixcloud.com site/API host
    (with or without a scheme)."""
    text = target.strip()
    if text.lower().startswith("mixcloud:"):
        return True
    return host(text) in WEB_HOSTS


def parse_urn(text: str) -> Target | None:
    """``mixcloud:cloudcasts:USER/SLUG`` → a show, ``mixcloud:users:USER`` → a user,
    ``mixcloud:playlists:USER/SLUG`` → a playlist; None for anything else."""
    match = _URN_RE.fullmatch(text.strip())
    if not match:
        return None
    collection = match.group(1).lower().rstrip("s")
    parts = [p for p in match.group(2).strip("/").split("/") if p]
    if not all(_NAME_RE.fullmatch(p) for p in parts):
        return None
    if collection == "user" and len(parts) == 1:
        return Target("user", parts[0])
    if collection == "cloudcast" and len(parts) == 2:
        return Target("show", parts[0], parts[1])
    if collection == "playlist" and len(parts) == 2:
        return Target("playlist", parts[0], parts[1])
    if collection == "live" and len(parts) == 1:
        return Target("live", parts[0])
    return None


def urn_of_key(kind: Kind, key: str) -> str:
    """The URN of an API ``key`` (``/USER/SLUG/``): case kept, slashes trimmed."""
    collection = {"show": "cloudcasts", "user": "users", "playlist": "playlists",
                  "live": "live"}[kind]
    return f"mixcloud:{collection}:{key_id(key)}"


def key_id(key: str) -> str:
    """``/spartacus/party-time/`` → ``spartacus/party-time`` (unquoted, case kept)."""
    return "/".join(unquote(p) for p in key.strip().strip("/").split("/") if p)


def parse_target(target: str) -> Target:
    """What a pasted target names; InvalidURL saying what is wrong and what works."""
    text = checked(target, "Mixcloud", _HINT)
    if text.lower().startswith("mixcloud:"):
        found = parse_urn(text)
        if found is None:
            raise InvalidURL(f"Malformed Mixcloud URN {shown(text)}.", hint=_HINT)
        return found
    segments, where = _segments(text, target)
    return _from_path(segments, target, where)


def _segments(text: str, target: str) -> tuple[list[str], str]:
    url = text if "://" in text else "https://" + text
    try:
        parts = urlsplit(url)
        name = (parts.hostname or "").lower()
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"Malformed URL {shown(target)}: {exc}.", hint=_HINT) from exc
    if parts.scheme not in ("http", "https") or name not in WEB_HOSTS:
        raise InvalidURL(f"Not a Mixcloud link: {shown(target)}.", hint=_HINT)
    if parts.username is not None or parts.password is not None:
        raise InvalidURL(f"The link {shown(target)} carries a user name or password; "
                         "Mixcloud links never do.", hint="Remove the part before the @.")
    if port is not None and port != (443 if parts.scheme == "https" else 80):
        raise InvalidURL(f"{name}:{port} is not a Mixcloud address ({shown(target)}).",
                         hint=_HINT)
    return [unquote(s) for s in parts.path.split("/") if s], name


def _from_path(segments: list[str], target: str, where: str) -> Target:
    if not segments:
        raise InvalidURL(f"{shown(target)} is Mixcloud's home page, not a show or a "
                         "profile.", hint=_HINT)
    user = segments[0]
    if user.lower() == "live" and len(segments) == 2 and _NAME_RE.fullmatch(segments[1]):
        return Target("live", segments[1])
    if user.lower() in RESERVED:
        raise InvalidURL(f"{shown(target)} is a Mixcloud page ({user}), not a show or a "
                         "profile.", hint=_HINT)
    if not all(_NAME_RE.fullmatch(s) for s in segments):
        raise InvalidURL(f"Malformed Mixcloud link {shown(target)}.", hint=_HINT)
    rest = segments[1:]
    if not rest:
        return Target("user", user)
    if rest[0].lower() == "playlists" and len(rest) == 2:
        return Target("playlist", user, rest[1])
    if rest[0].lower() in USER_TABS:
        if len(rest) == 1 or where == "api.mixcloud.com":
            return Target("user", user)
        raise InvalidURL(f"Unrecognised Mixcloud link {shown(target)}.", hint=_HINT)
    if len(rest) == 1 or (len(rest) == 2 and rest[1].lower() in SHOW_PAGES):
        return Target("show", user, rest[0])
    raise InvalidURL(f"Unrecognised Mixcloud link {shown(target)} (a show is "
                     "/<user>/<show>/).", hint=_HINT)


def web_ref(text: str) -> WebRef | None:
    """What a pasted mixcloud.com page names as a listing: a tag (``/discover/TAG/``,
    ``/genres/TAG/``), a profile or one of its tabs, a playlist, a search page; user URNs
    list the user's shows. None for a show, an app page or another host."""
    text = text.strip()
    if text.lower().startswith("mixcloud:users:"):
        return WebRef("user", text, "tracks")
    page = pasted_page(text)
    if page is None or page.host not in WEB_HOSTS:
        return None
    path = page.path
    if not path:
        return None
    first = path[0].lower()
    if first == "search":
        what = path[1].lower() if len(path) > 1 else ""
        query = parse_qs(page.parts.query)
        words = (query.get("mixcloud_query") or query.get("q") or [""])[0]
        return WebRef("search", words, SEARCH_PAGES.get(what, ""), page=what)
    if first in ("discover", "genres") and len(path) >= 2:
        return WebRef("tag", path[1], page=path[1])
    if first in RESERVED:
        return None
    base = f"{WEB}/{quote(path[0], safe='')}/"
    if len(path) == 1:
        return WebRef("user", base, "tracks")
    tab = path[1].lower()
    if tab == "playlists" and len(path) == 3:
        return WebRef("playlist", f"{base}playlists/{quote(path[2], safe='')}/", page=path[2])
    if tab in USER_TABS and len(path) == 2:
        return WebRef("user", base, USER_TABS[tab], page=tab)
    return None
