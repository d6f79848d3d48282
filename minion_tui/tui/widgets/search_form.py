"""The search form: query (with suggestions from the service), type and filters."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Select

from minion_tui.errors import MinionError

log = logging.getLogger(__name__)

# The values api-v2 accepts for each filter (soundcloud-protocol.md, search filters).
KINDS = ("tracks", "users", "playlists", "albums")
DURATIONS = (("< 2 min", "short"), ("2–10 min", "medium"), ("10–30 min", "long"),
             ("> 30 min", "epic"))
CREATED = (("Last hour", "last_hour"), ("Last day", "last_day"), ("Last week", "last_week"),
           ("Last month", "last_month"), ("Last year", "last_year"))
LICENSES = (("To share", "to_share"), ("To use commercially", "to_use_commercially"),
            ("To modify commercially", "to_modify_commercially"))


@dataclass(frozen=True)
class SearchRequest:
    """What the form asks for; empty filters are None."""

    query: str
    kind: str = "tracks"
    genre: str | None = None
    duration: str | None = None
    created: str | None = None
    license: str | None = None


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


def _select(options: tuple[tuple[str, str], ...], prompt: str, id: str) -> Select[str]:
    return Select(options, prompt=prompt, id=id, allow_blank=True)


class SearchForm(Vertical):
    """The query line and, below it, the type and filter choices."""

    DEFAULT_CSS = """
    SearchForm { height: auto; }
    SearchForm #search-filters { height: auto; }
    SearchForm #search-filters > * { width: 1fr; }
    """

    def __init__(self, suggester: Suggester | None = None) -> None:
        super().__init__(id="search-form")
        self._suggester = suggester

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search SoundCloud", id="query", suggester=self._suggester)
        with Horizontal(id="search-filters"):
            yield Select(((k.capitalize(), k) for k in KINDS), value="tracks",
                         allow_blank=False, id="search-kind")
            yield Input(placeholder="genre or tag", id="search-genre")
            yield _select(DURATIONS, "any length", "search-duration")
            yield _select(CREATED, "any time", "search-created")
            yield _select(LICENSES, "any license", "search-license")

    def request(self) -> SearchRequest:
        def chosen(id: str) -> str | None:
            value = self.query_one(f"#{id}", Select).value
            return value if isinstance(value, str) else None

        genre = self.query_one("#search-genre", Input).value.strip()
        return SearchRequest(
            query=self.query_one("#query", Input).value.strip(),
            kind=chosen("search-kind") or "tracks",
            genre=genre or None,
            duration=chosen("search-duration"),
            created=chosen("search-created"),
            license=chosen("search-license"),
        )
