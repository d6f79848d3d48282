"""The question `q` asks while downloads are running: quitting stops them, and says that they
continue from their segment journal the next time the app starts (the Downloads pane finds
them queued or running and has them resume)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


def quit_question(running: int) -> str:
    one = running == 1
    what = "1 download is running" if one else f"{running} downloads are running"
    them, they, resume = ("it", "it", "resumes") if one else ("them", "they", "resume")
    return (f"{what}. Quit now? Quitting stops {them}; {they} {resume} where {they} "
            "stopped the next time you start minion-tui.")


class ConfirmQuit(ModalScreen[bool]):
    """Dismissed with True to quit, False to stay."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Quit", id="quit.confirm"),
        Binding("n,escape", "answer(False)", "Stay", id="quit.cancel"),
    ]

    def __init__(self, running: int) -> None:
        super().__init__(id="confirm-quit")
        self.running = running

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-quit-box"):
            yield Static(quit_question(self.running), id="confirm-quit-text", markup=False)
            yield Static("y or enter: quit · n or escape: stay", id="confirm-quit-keys",
                         markup=False)

    def action_answer(self, quit: bool) -> None:
        self.dismiss(quit)
