"""What the network layer tells a front end while it waits."""

from __future__ import annotations

from dataclasses import dataclass

from minion_tui.models.json_form import JsonModel


@dataclass(frozen=True)
class WaitNotice(JsonModel):
    """A request waits ``seconds`` before retrying ``host``; the TUI shows it, the CLI logs it."""

    host: str
    seconds: float
    reason: str  # e.g. "rate limited (HTTP 429)", "server error (HTTP 503)"
