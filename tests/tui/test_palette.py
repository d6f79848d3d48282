"""ctrl+p: one provider per domain, each offering its commands on an empty palette and by
search; choosing one posts the app-level message the panes act on."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.message import Message

from minion_tui.tui.app import MinionApp
from minion_tui.tui.commands import (
    DOMAIN_PROVIDERS,
    PaneCommands,
    RatingCommands,
    SourceCommands,
    ThemeCommands,
)
from minion_tui.tui.messages import OpenSource, RateHighlighted, ShowPane


async def _texts(app: MinionApp, provider: type) -> list[str]:
    instance = provider(app.screen)
    return [c.text for c in await instance.commands()]


async def test_every_domain_has_a_provider_with_discover_hits(app: MinionApp) -> None:
    assert set(DOMAIN_PROVIDERS) <= set(MinionApp.COMMANDS)
    async with app.run_test():
        assert await _texts(app, PaneCommands) == [
            "Go to Browse", "Go to Search", "Go to Queue", "Go to Downloads"]
        sources = await _texts(app, SourceCommands)
        assert {"Trending", "My ratings", "Search history"} <= set(sources)
        assert await _texts(app, RatingCommands) == [
            "Rate highlighted: liked", "Rate highlighted: not interested",
            "Rate highlighted: not quite", "Rate highlighted: clear"]
        themes = await _texts(app, ThemeCommands)
        assert themes[:2] == ["Theme: minion-crate", "Theme: minion-dark"]
        assert "Theme: minion-light" in themes
        # Each domain's commands are offered on an empty palette too (discover).
        for provider in DOMAIN_PROVIDERS:
            discovered = [hit.text async for hit in provider(app.screen).discover()]
            assert discovered == await _texts(app, provider), provider.__name__


async def test_past_searches_are_offered_again(app: MinionApp) -> None:
    async with app.run_test():
        store = await app.service._core.db()
        await store.call(store.add_search, "night drive", "tracks", {})
        assert "Search again: night drive" in await _texts(app, SourceCommands)


async def _choose(app: MinionApp, typed: str) -> list[Message]:
    posted: list[Message] = []
    async with app.run_test(message_hook=posted.append) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*typed)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
    return posted


async def test_choosing_a_source_posts_open_source(app: MinionApp) -> None:
    posted = await _choose(app, "Trending")
    assert OpenSource("trending", None, "Trending") in [
        m for m in posted if isinstance(m, OpenSource)]


async def test_choosing_a_rating_posts_rate_highlighted(app: MinionApp) -> None:
    posted = await _choose(app, "Rate highlighted: not quite")
    assert [m.judgment for m in posted if isinstance(m, RateHighlighted)] == ["not_quite"]


async def test_choosing_a_pane_posts_show_pane(app: MinionApp) -> None:
    posted = await _choose(app, "Go to Downloads")
    assert [m.pane for m in posted if isinstance(m, ShowPane)] == ["downloads"]
