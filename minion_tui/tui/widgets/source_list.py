"""The list of sources on the left of Browse: headed sections (Discover, Mixcloud, Pinned,
Searches, My ratings, the user opened last) of listings to open, navigable with vim keys.

Headings are disabled options, so the cursor skips them and Enter never "opens" one. Also
here: how a source is kept when pinned, and what the source box below the list accepts."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode

from textual.binding import BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from minion_tui.models import Source
from minion_tui.service import (
    claimed_by,
    provider_capabilities,
    provider_names,
    provider_title,
    web_ref,
)
from minion_tui.tui.widgets.list_keys import OPTION_LIST_ENDS, list_bindings


def all_user_tabs() -> tuple[str, ...]:
    """Every user listing a pinned source may name: each provider's tabs."""
    return tuple(dict.fromkeys(tab for name in provider_names()
                               for tab in provider_capabilities(name).user_tabs))

#: Search filters a remembered search may carry (Service.search keyword arguments).
SEARCH_FILTERS = ("genre", "duration", "created", "license")


@dataclass(frozen=True)
class SourceRef:
    """A listing Browse can open.

    ``listing`` is a :meth:`Service.browse` listing ("trending", "tag", a user's tab...),
    "ratings" (target: a judgment value, None for every rating), "search" (target: the query)
    or "playlist" (target: its URL or URN)."""

    listing: str
    target: str | None
    title: str
    """The heading shown above its tracks ("Likes of dj", "Tag: house")."""
    filters: tuple[tuple[str, str], ...] = ()
    """A search's filters, as (name, value) pairs."""
    provider: str = ""
    """The provider of a chart or a tag ("" for the first registered; a user's listing and a
    playlist are the provider's whose URL ``target`` is)."""


@dataclass(frozen=True)
class SourceEntry:
    key: str
    """Option id, unique within the list."""
    label: str
    ref: SourceRef


@dataclass(frozen=True)
class SourceSection:
    title: str
    entries: Sequence[SourceEntry]
    hint: str = ""
    """Shown dimmed next to the heading (e.g. how to fill an empty section)."""


def _named_provider(provider: str | None) -> str:
    """The provider a SourceRef names: "" for the first registered (the default)."""
    names = provider_names()
    return "" if not provider or (names and provider == names[0]) else provider


def user_tabs(provider: str | None) -> tuple[str, ...]:
    """The listings offered for a user of ``provider`` (the first registered's when
    unknown)."""
    return provider_capabilities(provider).user_tabs or provider_capabilities().user_tabs


def tab_title(listing: str, provider: str | None, name: str) -> str:
    """"Likes of NAME" on SoundCloud, "Favourites of NAME" on Mixcloud."""
    return f"{provider_capabilities(provider).word(listing)} of {name}"


def user_ref(listing: str, target: str, name: str) -> SourceRef:
    """A user's listing, named in its provider's words (the provider claims ``target``)."""
    provider = _named_provider(claimed_by(target))
    return SourceRef(listing, target, tab_title(listing, provider, name), provider=provider)


def tag_ref(tag: str, provider: str = "") -> SourceRef:
    where = f" ({provider_title(provider)})" if provider else ""
    return SourceRef("tag", tag, f"Tag: {tag}{where}", provider=provider)


# -- pinned sources: how a SourceRef is kept in the store's sources table ------------------


def stored_form(ref: SourceRef) -> tuple[str, str] | None:
    """(kind, target) of the sources row for ``ref``; None for what is always listed anyway
    (the user's ratings)."""
    if ref.target and ref.listing in all_user_tabs():
        return f"user_{ref.listing}", ref.target
    if ref.target and ref.listing == "tag" and ref.provider:
        # Kept as the provider's own tag page, which names the provider when read back.
        return "tag", f"{ref.provider}:tag:{ref.target}"
    if ref.target and ref.listing in ("tag", "playlist"):
        return ref.listing, ref.target
    if ref.listing == "trending":
        return "trending", ""
    if ref.provider and ref.target is None and ref.listing not in ("inbox", "ratings"):
        return "chart", f"{ref.provider}:{ref.listing}"  # a provider's chart
    if ref.target and ref.listing == "search":
        # The filters travel with the query, so a pinned filtered search stays filtered.
        return "search", urlencode([("q", ref.target), *ref.filters])
    return None


def ref_of_stored(source: Source) -> SourceRef | None:
    """The listing a pinned sources row stands for (None for kinds Browse cannot list)."""
    kind, target, title = source.kind, source.target, source.title
    if kind.startswith("user_") and kind[5:] in all_user_tabs() and target:
        listing = kind[5:]
        ref = user_ref(listing, target, target)
        return dataclasses.replace(ref, title=title) if title else ref
    if kind == "tag" and target.count(":") >= 2 and target.split(":")[1] == "tag":
        provider, _, tag = target.partition(":tag:")
        ref = tag_ref(tag, provider)
        return dataclasses.replace(ref, title=title) if title else ref
    if kind == "chart" and ":" in target:
        provider, _, listing = target.partition(":")
        return SourceRef(listing, None, title or chart_title(provider, listing),
                         provider=provider)
    if kind in ("tag", "playlist") and target:
        return SourceRef(kind, target, title or target)
    if kind == "trending":
        return SourceRef("trending", None, title or "Trending")
    if kind == "search":
        pairs = parse_qsl(target)
        query = next((v for k, v in pairs if k == "q"), "")
        filters = tuple((k, v) for k, v in pairs if k in SEARCH_FILTERS)
        return SourceRef("search", query, title or f"Search: {query}", filters) if query else None
    return None


def chart_title(provider: str, listing: str) -> str:
    """"Mixcloud: Popular", "Mixcloud: Live now"."""
    return f"{provider_title(provider)}: {provider_capabilities(provider).word(listing)}"


def provider_section(provider: str, charts: Sequence[str]) -> SourceSection:
    """A second provider's own sources (Mixcloud: Popular, Hot, New, Live now, the tags it
    features; the box takes any other as a tag URL), each opened through the same
    Service.catalog.browse calls with ``provider`` set."""
    caps = provider_capabilities(provider)
    entries = [SourceEntry(f"{provider}:{chart}", caps.word(chart),
                           SourceRef(chart, None, chart_title(provider, chart),
                                     provider=provider))
               for chart in charts]
    entries += [SourceEntry(f"{provider}:tag:{tag}", f"#{tag}", tag_ref(tag, provider))
                for tag in caps.featured_tags]
    return SourceSection(provider_title(provider), entries)


# -- what the source box accepts -----------------------------------------------------------

def typed_source(text: str) -> SourceRef | str:
    """What the source box asks for: ``#tag``, a profile URL (or one of its tabs), a set URL,
    a tag page or a user URN, of any provider: the service says what a pasted page names
    (``web_ref``) and whose it is (``claimed_by``); nothing is parsed here. Anything else
    returns the message saying what was expected."""
    text = text.strip()
    if text.startswith("#"):
        tag = text[1:].strip()
        return SourceRef("tag", tag, f"Tag: {tag}") if tag else "Type a tag after #, e.g. #house."
    names = [provider_title(n) for n in provider_names()]
    expected = (f"Browse opens #tags and {' or '.join(names)} profiles: paste a profile URL "
                "such as https://soundcloud.com/NAME or https://www.mixcloud.com/NAME/ "
                "(or …/NAME/likes).")
    ref = web_ref(text)
    provider = claimed_by(text)
    if ref is not None and ref.kind == "tag":
        return tag_ref(ref.target, _named_provider(provider))
    if ref is not None and ref.kind == "playlist":
        return SourceRef("playlist", ref.target, f"Playlist {ref.page}",
                         provider=_named_provider(provider))
    if ref is not None and ref.kind == "user" and ref.listing:
        return user_ref(ref.listing, ref.target, ref.target)
    if provider is None:
        if " " in text or "." not in text:
            return f"{text!r} is not a URL. {expected} To search, use the Search pane (2)."
        return f"{text.split('://')[-1].split('/')[0]} is not {' or '.join(names)}. {expected}"
    what = "a track" if ref is None else "not a profile"
    return f"That URL is {what}. {expected}"


class SourceList(OptionList):
    """Sections of sources; ``show`` rebuilds them and keeps the cursor on the same source."""

    DEFAULT_CSS = """
    SourceList {
        height: 1fr;
        & > .option-list--option-disabled {
            color: $text-accent;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *list_bindings("sources", actions=OPTION_LIST_ENDS,
                       ids={"top": "sources.first", "bottom": "sources.last"}),
    ]

    def __init__(self, sections: Sequence[SourceSection] = (), *, id: str | None = None
                 ) -> None:
        # Titles come from SoundCloud ("[FREE DL] ..."): never read them as markup.
        super().__init__(id=id, markup=False)
        self._refs: dict[str, SourceRef] = {}
        self.show(sections)

    def show(self, sections: Sequence[SourceSection]) -> None:
        """Replace the sections; the cursor stays on the source it was on, if still listed."""
        keep = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option] = []
        self._refs = {}
        for section in sections:
            heading = Content.assemble((section.title, "bold"),
                                       (f"  {section.hint}" if section.hint else "", "dim"))
            options.append(Option(heading, id=f"heading-{len(options)}", disabled=True))
            for entry in section.entries:
                options.append(Option(Content(f"  {entry.label}"), id=entry.key))  # plain: titles
                self._refs[entry.key] = entry.ref
        self.clear_options()
        self.add_options(options)
        if keep in self._refs:
            self.highlight(keep)
        else:
            self.action_first()

    def validate_highlighted(self, highlighted: int | None) -> int | None:
        """The cursor never rests on a heading: one asked for lands on the source below it
        (or above, after the last section)."""
        index = super().validate_highlighted(highlighted)
        if index is None or not self.options[index].disabled:
            return index
        below = range(index + 1, len(self.options))
        above = range(index - 1, -1, -1)
        return next((i for i in (*below, *above) if not self.options[i].disabled), None)

    def ref(self, key: str | None) -> SourceRef | None:
        """The source of an option id (None for headings)."""
        return self._refs.get(key or "")

    def listed(self) -> list[tuple[str, SourceRef]]:
        """(option id, source) of every source listed, in order."""
        return list(self._refs.items())

    @property
    def highlighted_ref(self) -> SourceRef | None:
        option = self.highlighted_option
        return self.ref(option.id) if option else None

    def highlight(self, key: str) -> None:
        """Put the cursor on a source by its option id (nothing happens if it is not listed)."""
        try:
            self.highlighted = self.get_option_index(key)
        except OptionDoesNotExist:
            pass
