"""Command palette (ctrl+p) providers."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from minion_tui.tui.messages import ShowPane
from minion_tui.tui.panes import PANES, PaneInfo


class PaneCommands(Provider):
    """"Go to Browse" and friends: switch panes from the palette."""

    def _go(self, pane: PaneInfo) -> None:
        self.app.post_message(ShowPane(pane.name))

    async def discover(self) -> Hits:
        for pane in PANES:
            yield DiscoveryHit(f"Go to {pane.title}", lambda p=pane: self._go(p),
                               help=pane.summary)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for pane in PANES:
            # Match the summary too, so "download" or "queue next" find their pane.
            text = f"Go to {pane.title}"
            score = max(matcher.match(text), matcher.match(pane.summary) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(text), lambda p=pane: self._go(p),
                          text=text, help=pane.summary)
