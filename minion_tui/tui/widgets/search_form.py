"""The search form: query (with suggestions from the service), type and filters.

The types, the filters and their choices are the ones the providers declare
(:func:`minion_tui.service.capabilities`); only the words of the empty choices are the form's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Select

from minion_tui.errors import MinionError
from minion_tui.service import capabilities, provider_title

if TYPE_CHECKING:
    from minion_tui.service import Capabilities, SearchFilter

log = logging.getLogger(__name__)

#: What an unset filter shows: the placeholder of a free-text one, the prompt of a choice.
PROMPTS = {"genre": "genre or tag", "duration": "any length", "created": "any time",
           "license": "any license"}


@dataclass(frozen=True)
class SearchRequest:
    """What the form asks for; empty filters are None."""

    query: str
    kind: str = "tracks"
    genre: str | None = None
    duration: str | None = None
    created: str | None = None
    license: str | None = None
    provider: str = ""
    """The provider searched ("" for the first registered)."""


class ServiceSuggester(Suggester):
    """Completes the query from the service's autocomplete. Input runs suggesters in a worker,
    so the loop never waits; a short pause drops requests for keys typed in quick succession."""

    def __init__(self, autocomplete: Callable[[str], Awaitable[list[str]]]) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        self._autocomplete = autocomplete
        self._latest = ""

    async def get_suggestion(self, value: str) -> str | None:
        self._latest = value
        await asyncio.sleep(0.15)
        if value != self._latest or len(value.strip()) < 2:
            return None
        try:
            found = await self._autocomplete(value)
        except MinionError as error:  # suggestions are a nicety: never a toast while typing
            log.info("autocomplete failed: %s", error.text)
            return None
        return next((s for s in found if s.casefold().startswith(value.casefold())), None)


#: The filters a request carries (the keywords of Service.catalog.search it is run with).
REQUEST_FILTERS = tuple(f.name for f in fields(SearchRequest) if f.name not in ("query", "kind"))


def _filter_widget(found: SearchFilter) -> Widget:
    id = f"search-{found.name}"
    if found.choices is None:
        return Input(placeholder=PROMPTS.get(found.name, found.name), id=id)
    labels = found.labels or found.choices
    return Select(zip(labels, found.choices, strict=True),
                  prompt=PROMPTS.get(found.name, f"any {found.name}"), id=id, allow_blank=True)


class SearchForm(Vertical):
    """The query line and, below it, the type and filter choices."""

    DEFAULT_CSS = """
    SearchForm { height: auto; }
    SearchForm #search-filters { height: auto; }
    SearchForm #search-filters > * { width: 1fr; }
    /* The provider searched, on the query's border: readable whether focused or not. */
    SearchForm #query { border-title-color: $text-accent; border-title-style: bold; }
    """

    def __init__(self, suggester: Suggester | None = None, *,
                 offered: Capabilities | None = None) -> None:
        """``offered``: the types and filters to offer (default: every provider's)."""
        super().__init__(id="search-form")
        self._suggester = suggester
        self._offered = offered or capabilities()
        self.provider = ""
        """The provider searched ("" = the first registered); P / ctrl+o switch it."""
        self._provider_filters = True

    @property
    def kinds(self) -> tuple[str, ...]:
        return self._offered.search_kinds

    def compose(self) -> ComposeResult:
        query = Input(placeholder=f"Search {provider_title()}", id="query",
                      suggester=self._suggester)
        query.border_title = self._provider_title("")
        yield query
        with Horizontal(id="search-filters"):
            yield Select(((k.capitalize(), k) for k in self.kinds), value=self.kinds[0],
                         allow_blank=False, id="search-kind")
            yield from self._filter_widgets()

    def on_mount(self) -> None:
        query = self.query_one("#query", Input)
        self.watch(query, "_suggestion", self._hint_suggestion, init=False)
        self.watch(query, "value", self._hint_suggestion, init=False)

    def on_descendant_focus(self) -> None:
        self._hint_suggestion()

    def on_descendant_blur(self) -> None:
        self._hint_suggestion()

    def _hint_suggestion(self) -> None:
        """Say in the query's lower border how to take the greyed completion (Input accepts
        it with → at the end of the text, which nothing on screen tells), whenever Input
        draws one."""
        query = self.query_one("#query", Input)
        suggestion = query._suggestion
        shown = (len(suggestion) > len(query.value) and query.has_focus
                 and suggestion.casefold().startswith(query.value.casefold()))
        query.border_subtitle = Content(f"→ takes “{suggestion}”") if shown else ""

    @staticmethod
    def _provider_title(name: str) -> Content:
        return Content(f"{provider_title(name)} · P / ctrl+o switches")

    def show_provider(self, name: str, *, first: bool, kinds: tuple[str, ...],
                      filters: bool) -> None:
        """Search ``name`` from now on: the query's border and placeholder say which, the
        type falls back to tracks when the provider has not the one chosen, and the filters
        the provider does not take are disabled (and left out of the request)."""
        self.provider = "" if first else name
        shown = provider_title(name)
        query = self.query_one("#query", Input)
        query.placeholder = f"Search {shown}"
        query.border_title = self._provider_title(name)
        kind = self.query_one("#search-kind", Select)
        if kind.value not in kinds:
            kind.value = kinds[0]
        self._provider_filters = filters
        for widget in self.query_one("#search-filters").children:
            if widget.id != "search-kind":
                widget.disabled = not filters

    def _filter_widgets(self) -> Iterator[Widget]:
        for found in self._offered.search_filters:
            if found.name in REQUEST_FILTERS:
                yield _filter_widget(found)

    def request(self) -> SearchRequest:
        values: dict[str, str | None] = {}
        for widget in self.query_one("#search-filters").children:
            name = (widget.id or "").removeprefix("search-")
            if isinstance(widget, Input):
                values[name] = widget.value.strip() or None
            elif isinstance(widget, Select):
                values[name] = widget.value if isinstance(widget.value, str) else None
        kind = values.pop("kind", None) or self.kinds[0]
        wanted = {k: v for k, v in values.items()
                  if k in REQUEST_FILTERS and self._provider_filters}
        return SearchRequest(query=self.query_one("#query", Input).value.strip(), kind=kind,
                             provider=self.provider, **wanted)
