"""Which provider handles a target, by URL, URN or name; and what all of them offer.

Adding a provider is one package under ``providers/`` exporting a ``ProviderEntry`` and one
line in ``_BUILT_IN`` below (tests register theirs with :func:`register`). Validates targets as
well, so a malformed URL or a non-music page fails here with a message saying what works.
"""

from __future__ import annotations

from minion_tui.errors import InvalidArgument, InvalidURL
from minion_tui.net.endpoints import display_url
from minion_tui.providers.base import Capabilities, ProviderEntry, SearchFilter, WebRef
from minion_tui.providers.mixcloud import entry as mixcloud
from minion_tui.providers.soundcloud import entry as soundcloud

_BUILT_IN: tuple[ProviderEntry, ...] = (
    soundcloud.ENTRY,
    mixcloud.ENTRY,
)
_entries: dict[str, ProviderEntry] = {entry.name: entry for entry in _BUILT_IN}


def register(entry: ProviderEntry) -> None:
    """Add (or replace) a provider; the built-in ones are registered on import."""
    _entries[entry.name] = entry


def unregister(name: str) -> None:
    """Remove a provider :func:`register` added (tests)."""
    if name in _entries and all(e.name != name for e in _BUILT_IN):
        del _entries[name]


def names() -> tuple[str, ...]:
    return tuple(_entries)


def entries() -> tuple[ProviderEntry, ...]:
    return tuple(_entries.values())


def find(name: str | None = None) -> ProviderEntry | None:
    """The provider called ``name`` (None or "": the first registered), or None: a lookup
    that builds nothing, for what runs per row (a track list's source column)."""
    if not name:
        return next(iter(_entries.values()), None)
    return _entries.get(name)


def entry(name: str) -> ProviderEntry:
    """The provider called ``name``; InvalidArgument naming the known ones otherwise."""
    try:
        return _entries[name]
    except KeyError:
        raise InvalidArgument(f"There is no provider {name!r}.",
                              hint=f"Use one of: {', '.join(_entries)}.") from None


def provider_for(target: str) -> str:
    """The name of the provider a pasted target (URL, bare ``host/path``, URN) belongs to,
    after checking the provider can open it. Raises InvalidURL otherwise, with what works."""
    text = target.strip()
    for candidate in _entries.values():
        if candidate.claims(text):
            candidate.validate(text)  # raises InvalidURL with the reason
            return candidate.name
    raise InvalidURL(
        f"Not a link the app understands: '{display_url(text)}'.",
        hint="Paste a SoundCloud link (https://soundcloud.com/<artist>/<track>, …/sets/<name>, "
        "a profile, an on.soundcloud.com short link), a Mixcloud link (a show "
        "https://www.mixcloud.com/<user>/<show>/ or a profile) or a URN like "
        "soundcloud:tracks:123 or mixcloud:cloudcasts:<user>/<show>.",
    )


def web_ref(text: str) -> WebRef | None:
    """What a pasted page URL names when it is a listing rather than one resource (see
    :class:`WebRef`), asked of the provider that claims it; None otherwise."""
    text = text.strip()
    return next((e.web_ref(text) for e in _entries.values() if e.claims(text)), None)


def provider_of_urn(urn: str) -> str:
    """The provider whose URNs start like ``urn`` (``soundcloud:tracks:1`` → soundcloud)."""
    prefix = urn.split(":", 1)[0]
    for candidate in _entries.values():
        if (candidate.urn_prefix or candidate.name) == prefix:
            return candidate.name
    return provider_for(urn)


def capabilities() -> Capabilities:
    """What the registered providers offer together (the front ends' choices): every name
    any provider declares, in the order first declared; a filter's choices merged."""
    every = [e.capabilities for e in _entries.values()]

    def union(field: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for c in every for name in getattr(c, field)))

    filters: dict[str, SearchFilter] = {}
    for c in every:
        for f in c.search_filters:
            known = filters.get(f.name)
            if known is None:
                filters[f.name] = f
                continue
            choices = (None if known.choices is None or f.choices is None
                       else tuple(dict.fromkeys((*known.choices, *f.choices))))
            kinds = tuple(dict.fromkeys((*known.kinds, *f.kinds)))
            words = {**dict(zip(f.choices or (), f.labels, strict=False)),
                     **dict(zip(known.choices or (), known.labels, strict=False))}
            labels = (tuple(words.get(c, c) for c in choices)
                      if choices and words else ())
            filters[f.name] = SearchFilter(f.name, choices, kinds, known.help or f.help,
                                           labels)
    return Capabilities(
        charts=union("charts"), tags=any(c.tags for c in every),
        user_listings=union("user_listings"), track_listings=union("track_listings"),
        search_kinds=union("search_kinds"), search_filters=tuple(filters.values()),
        mixed_search=any(c.mixed_search for c in every),
        autocomplete=any(c.autocomplete for c in every), stream_kinds=union("stream_kinds"),
        formats=union("formats"), originals=any(c.originals for c in every),
        writes=union("writes"), account_listings=union("account_listings"),
        pasted_token=any(c.pasted_token for c in every),
        max_range_bytes=min((c.max_range_bytes for c in every if c.max_range_bytes),
                            default=None),
    )
