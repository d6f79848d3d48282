"""What a user can paste: soundcloud.com permalinks (incl. private ``/s-…`` links), mobile and
short links, API ``uri`` forms and URNs, turned into one :class:`Target`.

Pure string work, no I/O: the client decides what each target costs in requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from minion_tui.errors import InvalidURL
from minion_tui.providers.base import WebRef
from minion_tui.providers.pasted import checked, pasted_page, shown

Collection = Literal["tracks", "users", "playlists"]
TargetKind = Literal["urn", "permalink", "short"]

WEB = "https://soundcloud.com"
API_ORIGIN = "https://api.soundcloud.com"
SHORT_HOST = "on.soundcloud.com"
WEB_HOSTS = frozenset({"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"})
API_HOSTS = frozenset({"api.soundcloud.com", "api-v2.soundcloud.com", "api-widget.soundcloud.com"})

_COLLECTIONS: dict[str, Collection] = {
    "tracks": "tracks", "track": "tracks",
    "users": "users", "user": "users",
    "playlists": "playlists", "playlist": "playlists",
}
# ids exceed 2^31 (docs/soundcloud.md §2.1); 19 digits hold any 64-bit one, more is no id.
_URN_RE = re.compile(r"soundcloud:(tracks?|users?|playlists?):(\d{1,19})", re.IGNORECASE)
_SECRET_RE = re.compile(r"s-[A-Za-z0-9]+")
_SLUG_RE = re.compile(r"[A-Za-z0-9_-]+")
#: The longest target taken: SoundCloud's links, tracking parameters and all, are a few
#: hundred characters; a longer one is a paste gone wrong (and would be sent on to /resolve).

# First path segments of soundcloud.com that are app pages, not a user's permalink.
_RESERVED = frozenset({
    "discover", "search", "stream", "feed", "you", "charts", "upload", "messages",
    "notifications", "settings", "pages", "terms-of-use", "mobile", "jobs", "imprint", "popular",
    "people", "tags", "tag", "signin", "signup", "login", "logout", "connect", "premium",
    "go", "gopro", "pro", "creator", "artists", "apps", "press", "help", "legal",
    "community-guidelines", "explore", "home", "library", "sets", "tracks", "groups", "player",
    "widget", "oembed", "robots.txt", "stations",
})
# Second path segments that are tabs of a user's profile (the resource is the user).
_USER_TABS = frozenset({
    "tracks", "likes", "reposts", "albums", "sets", "popular-tracks", "followers", "following",
    "comments", "spotlight", "info",
})
# Third path segments that are sub-pages of a track (the resource is the track).
_TRACK_PAGES = frozenset({"recommended", "likes", "reposts", "sets", "albums", "comments"})


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed user target. ``kind`` says how to fetch it:

    * ``urn``: ``collection`` + ``id`` are known, fetch directly;
    * ``permalink``: ask ``/resolve`` with ``url`` (canonical, secret token kept in the path);
    * ``short``: follow the redirect of ``url`` first, then parse the result again.
    """

    kind: TargetKind
    url: str = ""
    collection: Collection | None = None
    id: str | None = None
    secret_token: str | None = None

    @property
    def urn(self) -> str | None:
        return f"soundcloud:{self.collection}:{self.id}" if self.collection and self.id else None


def parse_urn(text: str) -> tuple[Collection, str] | None:
    """``soundcloud:tracks:123`` (any case, singular accepted) → ("tracks", "123")."""
    match = _URN_RE.fullmatch(text.strip())
    if not match:
        return None
    return _COLLECTIONS[match.group(1).lower()], match.group(2)


def urn_for(collection: Collection, resource_id: str) -> str:
    return f"soundcloud:{collection}:{resource_id}"


def api_uri(urn: str) -> str:
    """The 2025+ ``uri`` form: ``https://api.soundcloud.com/tracks/soundcloud%3Atracks%3A<id>``
    (docs/soundcloud.md §1.1). resolve() accepts it back."""
    parsed = parse_urn(urn)
    if parsed is None:
        raise InvalidURL(f"Not a SoundCloud URN: {urn!r}.", hint=_URN_HINT)
    collection, resource_id = parsed
    return f"{API_ORIGIN}/{collection}/{quote(urn_for(collection, resource_id), safe='')}"


_URN_HINT = "Use soundcloud:tracks:<id>, soundcloud:users:<id> or soundcloud:playlists:<id>."
_URL_HINT = (
    "Paste the link of a track, a set/album or a profile, e.g. "
    "https://soundcloud.com/<artist>/<track>, …/sets/<name> or a URN like soundcloud:tracks:123."
)


def is_soundcloud(target: str) -> bool:
    """Cheap host/URN check (no validation of the path): used by the provider registry."""
    text = target.strip()
    if text.lower().startswith("soundcloud:"):
        return True
    host = _host(text)
    return host in WEB_HOSTS or host in API_HOSTS or host == SHORT_HOST


def parse_target(target: str) -> Target:
    """Parse what a user pasted. Raises InvalidURL saying what is wrong and what works."""
    text = checked(target, "SoundCloud", _URL_HINT)
    if text.lower().startswith("soundcloud:"):
        parsed = parse_urn(text)
        if parsed is None:
            raise InvalidURL(f"Malformed SoundCloud URN {shown(text)}.", hint=_URN_HINT)
        return Target("urn", collection=parsed[0], id=parsed[1])
    if "://" not in text and _host("https://" + text) in (WEB_HOSTS | {SHORT_HOST}):
        text = "https://" + text  # "soundcloud.com/artist/track" pasted without a scheme
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"Malformed URL {shown(target)}: {exc}.", hint=_URL_HINT) from exc
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidURL(f"Not a SoundCloud link: {shown(target)}.", hint=_URL_HINT)
    if parts.username is not None or parts.password is not None:
        raise InvalidURL(f"The link {shown(target)} carries a user name or password; "
                         "SoundCloud links never do.",
                         hint="Remove the part before the @ (and change that password if it "
                         "was a real one).")
    if port is not None and port != (443 if parts.scheme == "https" else 80):
        raise InvalidURL(f"{host}:{port} is not a SoundCloud address ({shown(target)}).",
                         hint=_URL_HINT)
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if host == SHORT_HOST:
        if not segments:
            raise InvalidURL(f"The short link {shown(target)} has no code.", hint=_URL_HINT)
        return Target("short", url=f"https://{SHORT_HOST}/{'/'.join(segments)}")
    if host in API_HOSTS:
        return _parse_api_path(segments, target)
    if host not in WEB_HOSTS:
        raise InvalidURL(f"{host} is not a SoundCloud address ({shown(target)}).", hint=_URL_HINT)
    return _parse_web_path(segments, target)


def _parse_api_path(segments: list[str], target: str) -> Target:
    # /tracks/123, /tracks/soundcloud:tracks:123 (the URN-encoded uri, docs/soundcloud.md §1.1),
    # /playlists/soundcloud:playlists:N (playlist embeds)
    if len(segments) >= 2 and segments[0].lower() in _COLLECTIONS:
        collection = _COLLECTIONS[segments[0].lower()]
        tail = segments[1]
        parsed = parse_urn(tail)
        if parsed is not None and parsed[0] == collection:
            return Target("urn", collection=collection, id=parsed[1])
        if tail.isdigit():
            return Target("urn", collection=collection, id=tail)
    raise InvalidURL(f"Not a SoundCloud track, user or playlist API URL: {shown(target)}.",
                     hint=_URL_HINT)


def _parse_web_path(segments: list[str], target: str) -> Target:
    if not segments:
        raise InvalidURL(f"{shown(target)} is SoundCloud's home page, not a track, set or "
                         "profile.", hint=_URL_HINT)
    user = segments[0]
    if user.lower() in _RESERVED or not _SLUG_RE.fullmatch(user):
        raise InvalidURL(f"{shown(target)} is a SoundCloud page ({user}), not a track, set "
                         "or profile.", hint=_URL_HINT)
    rest = segments[1:]
    if not rest or (len(rest) == 1 and rest[0].lower() in _USER_TABS):
        return Target("permalink", url=f"{WEB}/{user}")
    if rest[0].lower() == "sets":  # /user/sets/<slug>[/s-XXXX]
        return _playlist(user, rest[1:], target)
    if rest[0].lower() in _USER_TABS and len(rest) >= 2 and rest[0].lower() != "sets":
        return Target("permalink", url=f"{WEB}/{user}")  # e.g. /user/likes/… deep links
    slug = rest[0]
    if not _SLUG_RE.fullmatch(slug):
        raise InvalidURL(f"Malformed track link {shown(target)}.", hint=_URL_HINT)
    secret = rest[1] if len(rest) >= 2 and _SECRET_RE.fullmatch(rest[1]) else None
    if len(rest) >= 2 and secret is None and rest[1].lower() not in _TRACK_PAGES:
        raise InvalidURL(f"Unrecognised track link {shown(target)}.", hint=_URL_HINT)
    url = f"{WEB}/{user}/{slug}" + (f"/{secret}" if secret else "")
    return Target("permalink", url=url, collection="tracks", secret_token=secret)


def _playlist(user: str, rest: list[str], target: str) -> Target:
    if not rest:
        return Target("permalink", url=f"{WEB}/{user}")  # the "sets" tab of the profile
    slug = rest[0]
    if not _SLUG_RE.fullmatch(slug):
        raise InvalidURL(f"Malformed set link {shown(target)}.", hint=_URL_HINT)
    secret = rest[1] if len(rest) >= 2 and _SECRET_RE.fullmatch(rest[1]) else None
    url = f"{WEB}/{user}/sets/{slug}" + (f"/{secret}" if secret else "")
    return Target("permalink", url=url, collection="playlists", secret_token=secret)


def _host(text: str) -> str:
    try:
        return (urlsplit(text).hostname or "").lower()
    except ValueError:
        return ""


# -- pages that name a listing rather than one resource ------------------------------------

# The tabs of a user's profile page, as their URLs end (soundcloud.com/USER/likes), by the
# provider-neutral listing names.
PROFILE_TABS = {"tracks": "tracks", "likes": "likes", "reposts": "reposts",
                "sets": "playlists", "albums": "albums", "popular-tracks": "toptracks"}
# soundcloud.com/search/<what>?q=… → search kinds (/search alone lists "everything": we take
# its tracks, the only thing there to list as tracks).
SEARCH_PAGES = {"": "tracks", "sounds": "tracks", "sets": "playlists", "albums": "albums"}


def user_listing(url: str) -> tuple[str, str]:
    """The listing a pasted profile URL asks for: ``…/USER/likes`` → ("likes", ``…/USER``);
    a bare profile URL lists the user's tracks."""
    base, _, tab = url.rstrip("/").rpartition("/")
    if tab in PROFILE_TABS and "/" in base.split("://")[-1]:
        return PROFILE_TABS[tab], base
    return "tracks", url


def web_ref(text: str) -> WebRef | None:
    """What a pasted soundcloud.com page names as a listing: a tag page, a set, a profile or
    one of its tabs, a search page; short links and user URNs list the user's tracks once
    resolved. None for anything else (a track, an app page, another host)."""
    text = text.strip()
    if text.lower().startswith("soundcloud:users:"):
        return WebRef("user", text, "tracks")
    page = pasted_page(text)
    if page is None:
        return None
    url, parts, path = page.url, page.parts, page.path
    if page.host == SHORT_HOST:
        # A short link says nothing about what it points to; resolving it tells.
        return WebRef("user", url, "tracks")
    if page.host not in WEB_HOSTS:
        return None
    if path[:1] == ["search"]:
        what = path[1].lower() if len(path) > 1 else ""
        query = (parse_qs(parts.query).get("q") or [""])[0]
        return WebRef("search", query, SEARCH_PAGES.get(what, ""), page=what)
    if len(path) == 2 and path[0] == "tags":
        return WebRef("tag", path[1], page=path[1])
    if len(path) == 3 and path[1] == "sets":
        return WebRef("playlist", url.rstrip("/"), page=path[2])
    if len(path) == 1 or (len(path) == 2 and path[1] in PROFILE_TABS):
        listing, target = user_listing(url)
        return WebRef("user", target, listing, page=path[1] if len(path) == 2 else "")
    tab = path[1].lower() if len(path) >= 2 else ""
    if tab in _USER_TABS and not (tab == "sets" and len(path) > 2) \
            and path[0].lower() not in _RESERVED:
        # Another tab (…/followers), or a deep link under one (…/likes/…): the user's.
        base = f"{parts.scheme}://{parts.netloc}/{path[0]}"
        return WebRef("user", base, PROFILE_TABS.get(tab, ""), page=tab)
    return None
