"""The question a destructive write asks before anything is sent (unlike, unrepost,
unfollow, a playlist deleted or a track taken out of one), in the form of ConfirmQuit's;
and the one-line text box the writes that need words ask with (a comment at the playing
position, a playlist's title)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option


class ConfirmWrite(ModalScreen[bool]):
    """Dismissed with True to go ahead, False to leave it as it is."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Do it", id="write.confirm"),
        Binding("n,escape", "answer(False)", "Leave it", id="write.cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(id="confirm-write")
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-write-box"):
            yield Static(self.question, id="confirm-write-text", markup=False)
            yield Static("y or enter: do it · n or escape: leave it", id="confirm-write-keys",
                         markup=False)

    def action_answer(self, go: bool) -> None:
        self.dismiss(go)


class TextPrompt(ModalScreen[str | None]):
    """One line of text: enter gives it (stripped), escape gives None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, *, value: str = "", limit: int = 1000) -> None:
        super().__init__(classes="text-prompt")  # no id: one may follow another
        self.question = question
        self.value = value
        self.limit = limit

    def compose(self) -> ComposeResult:
        with Vertical(id="text-prompt-box"):
            yield Static(self.question, id="text-prompt-text", markup=False)
            yield Input(self.value, id="text-prompt-input", max_length=self.limit)
            yield Static("enter: done · escape: cancel", id="text-prompt-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoosePlaylist(ModalScreen[str | None]):
    """One of your playlists: enter gives its URN, escape None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choose.cancel")]

    def __init__(self, question: str, playlists: list[tuple[str, str]]) -> None:
        super().__init__(classes="choose-playlist")
        self.question = question
        self.playlists = playlists

    def compose(self) -> ComposeResult:
        with Vertical(id="text-prompt-box"):
            yield Static(self.question, id="choose-playlist-text", markup=False)
            yield OptionList(*(Option(Text(title), id=urn) for urn, title in self.playlists),
                             id="choose-playlist-list")
            yield Static("enter: add to it · escape: cancel", markup=False)

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
