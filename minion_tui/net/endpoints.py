"""The endpoint map: real service origins -> replacement origins (the emulator, a replay).

Every URL the app touches passes through :meth:`EndpointMap.rewrite` at send time, including
absolute URLs that arrived inside responses (``next_href``, transcoding URLs, CDN links), so
the same code runs against SoundCloud or the emulator (ARCHITECTURE.md, "The endpoint map").
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Mapping
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
#: The longest URL sent (httpx's own limit, applied to both send paths alike).
MAX_URL_LENGTH = 65_536
#: How much of a URL a message shows (a 70,000-character one would bury the message).
SHOWN_URL_LENGTH = 200

# Query parameters that carry credentials or signatures. They never appear in messages the
# user sees or in logs: a client_id is semi-secret, and CloudFront Signature/Policy/Key-Pair-Id
# let anyone fetch the signed stream until it expires.
SECRET_PARAMS = frozenset(
    {
        "client_id",
        "client_secret",
        "oauth_token",
        "access_token",
        "refresh_token",
        "secret_token",
        "signature",
        "policy",
        "key-pair-id",
    }
)


def _origin_of(parts: SplitResult) -> str | None:
    """``scheme://host[:port]`` normalised (lower case, default port dropped), or None."""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def origin_of(url: str) -> str | None:
    """The normalised ``scheme://host[:port]`` of an http(s) URL, or None (another scheme,
    no host, a port that does not parse)."""
    try:
        return _origin_of(urlsplit(url))
    except ValueError:  # an unbalanced IPv6 bracket
        return None


def _parse_origin(text: str, *, what: str, allow_path: bool) -> tuple[str, str]:
    """Validate one side of a mapping; returns (origin, path prefix without trailing slash)."""
    parts = urlsplit(text.strip())
    origin = _origin_of(parts)
    if origin is None:
        raise ValueError(
            f"{what} {text!r} is not an http(s) origin; write it like "
            "'https://api-v2.soundcloud.com' or 'http://127.0.0.1:8750/sc-api-v2'."
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{what} {text!r} must not carry a query, fragment or credentials.")
    prefix = parts.path.rstrip("/")
    if prefix and not allow_path:
        raise ValueError(
            f"{what} {text!r} has a path; a real origin is only scheme://host[:port] "
            "(the replacement may carry a path prefix)."
        )
    return origin, prefix


class EndpointMap:
    """Real origins -> replacements (a replacement may carry a path prefix).

    Matching is exact on scheme + host + port: ``https://soundcloud.com`` does not cover
    ``https://api-v2.soundcloud.com`` or ``http://soundcloud.com``. Immutable and hashable, so
    it can be a dataclass default.
    """

    __slots__ = ("_by_real", "_by_replacement")

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        by_real: dict[str, tuple[str, str]] = {}
        for real, replacement in pairs:
            real_origin, _ = _parse_origin(real, what="Real origin", allow_path=False)
            target = _parse_origin(replacement, what="Replacement", allow_path=True)
            if real_origin in by_real:
                raise ValueError(f"Real origin {real_origin} is mapped twice; keep one entry.")
            if target in by_real.values():
                # unmap() must be able to tell the origins apart again.
                raise ValueError(
                    f"Two real origins map to the same replacement {replacement!r}; give each "
                    "its own path prefix."
                )
            by_real[real_origin] = target
        self._by_real = by_real
        # Longest prefix first, so /sc-api-v2 wins over / on the same replacement origin.
        self._by_replacement = sorted(
            ((t_origin, prefix, real) for real, (t_origin, prefix) in by_real.items()),
            key=lambda item: len(item[1]),
            reverse=True,
        )

    @classmethod
    def parse(cls, text: str) -> EndpointMap:
        """Parse the MINION_ENDPOINTS form: ``real=replacement[,real=replacement...]``."""
        pairs: list[tuple[str, str]] = []
        for number, chunk in enumerate(text.split(","), start=1):
            if not chunk.strip():
                continue
            real, sep, replacement = chunk.partition("=")
            if not sep or not real.strip() or not replacement.strip():
                raise ValueError(
                    f"Endpoint entry {number} ({chunk.strip()!r}) is not 'real=replacement', e.g. "
                    "'https://api-v2.soundcloud.com=http://127.0.0.1:8750/sc-api-v2'."
                )
            pairs.append((real.strip(), replacement.strip()))
        return cls(pairs)

    @classmethod
    def from_dict(cls, mapping: Mapping[str, str]) -> EndpointMap:
        return cls(mapping.items())

    def rewrite(self, url: str) -> str:
        """Real-origin URL -> mapped URL; unmapped URLs come back unchanged."""
        if not self._by_real:
            return url
        parts = urlsplit(url)
        origin = _origin_of(parts)
        target = self._by_real.get(origin) if origin else None
        if target is None:
            return url
        t_origin, prefix = target
        t_parts = urlsplit(t_origin)
        return urlunsplit((t_parts.scheme, t_parts.netloc, prefix + parts.path, *parts[3:]))

    def unmap(self, url: str) -> str:
        """Mapped URL -> real-origin URL (unchanged if it matches no replacement)."""
        if not self._by_real:
            return url
        parts = urlsplit(url)
        origin = _origin_of(parts)
        if origin is None:
            return url
        for t_origin, prefix, real in self._by_replacement:
            if t_origin != origin:
                continue
            path = parts.path
            if prefix and not (path == prefix or path.startswith(prefix + "/")):
                continue
            r_parts = urlsplit(real)
            return urlunsplit((r_parts.scheme, r_parts.netloc, path[len(prefix) :], *parts[3:]))
        return url

    def to_string(self) -> str:
        """The MINION_ENDPOINTS form (parse(to_string()) == self)."""
        return ",".join(f"{real}={replacement}" for real, replacement in self.items())

    def items(self) -> ItemsView[str, str]:
        mapping = {real: origin + prefix for real, (origin, prefix) in self._by_real.items()}
        return mapping.items()

    def __bool__(self) -> bool:
        return bool(self._by_real)

    def __len__(self) -> int:
        return len(self._by_real)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EndpointMap) and self._by_real == other._by_real

    def __hash__(self) -> int:
        return hash(frozenset(self._by_real.items()))

    def __repr__(self) -> str:
        return f"EndpointMap.parse({self.to_string()!r})"


def merge_query(url: str, params: Mapping[str, str] | None) -> str:
    """``url`` with ``params`` merged into its query; ``params`` override same-named keys."""
    if not params:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query = urlencode([*kept, *((k, str(v)) for k, v in params.items())])
    return urlunsplit((*parts[:3], query, parts.fragment))


def redact_url(url: str) -> str:
    """The URL as it may be shown to the user: credential and signature parameters removed,
    and the password of a ``user:password@`` replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL one can take apart (an unbalanced bracket): as it is
        return url
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        netloc = f"{userinfo.partition(':')[0]}:***@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k.lower() not in SECRET_PARAMS]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def display_url(url: str) -> str:
    """``url`` as a message shows it: redacted (:func:`redact_url`), control characters
    escaped (``\\n``, ``\\x01``), and cut to its first characters when it is very long."""
    text = "".join(repr(c)[1:-1] if _is_control(c) else c for c in redact_url(url))
    if len(text) <= SHOWN_URL_LENGTH:
        return text
    return f"{text[:SHOWN_URL_LENGTH - 50]}… ({len(url):,} characters)"


def _is_control(char: str) -> bool:
    return ord(char) < 32 or 127 <= ord(char) < 160


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be requested at all, in words, or None: only http(s) URLs with a
    host, a port that parses, no control characters and at most MAX_URL_LENGTH characters
    are sent (a space or a non-ASCII path is percent-encoded on the way, as httpx does)."""
    if len(url) > MAX_URL_LENGTH:
        return f"it is {len(url):,} characters long (at most {MAX_URL_LENGTH:,} are sent)"
    control = next((c for c in url if _is_control(c)), None)
    if control is not None:
        return f"it contains a control character (U+{ord(control):04X})"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # an unbalanced IPv6 bracket, a port out of range
        return f"it does not parse ({error})"
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return f"only http and https URLs are fetched, not {parts.scheme or 'a relative one'}:"
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "its port is 0"
    return None


def host_of(url: str) -> str:
    """The host[:port] a URL points at (the key for per-host limits and stats)."""
    return urlsplit(url).netloc.rpartition("@")[2].lower()
