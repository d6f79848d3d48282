"""The upload form (palette "Upload a track"): the audio file, its title, tags, artwork, the
service it goes to, and — for a service that keeps tracklists (Mixcloud) — a tracklist file,
one ``MM:SS Artist - Song`` a line. The form only gathers the words: write_control.py checks
them (on disk, off the UI loop) and sends the upload through ``service.writes``."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static


@dataclass(frozen=True)
class UploadRequest:
    """What the form was given ("" where a box was left empty)."""

    file: str
    title: str
    tags: str
    artwork: str
    provider: str
    tracklist: str


class UploadForm(ModalScreen[UploadRequest | None]):
    """Enter in the last box (or ctrl+s anywhere) uploads; escape leaves it."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="upload.cancel"),
        Binding("ctrl+s", "send", "Upload", id="upload.send"),
    ]
    BOXES = ("upload-file", "upload-title", "upload-tags", "upload-artwork", "upload-tracklist")

    def __init__(self, providers: list[tuple[str, str]], *, tracklists: tuple[str, ...] = ()
                 ) -> None:
        """``providers``: (name, title) of the services offering uploads, the default first;
        ``tracklists``: those of them that keep a tracklist."""
        super().__init__(id="upload-form")
        self.providers = providers
        self.tracklists = tracklists

    def compose(self) -> ComposeResult:
        with Vertical(id="text-prompt-box"):
            yield Static("Upload a track", id="upload-form-title", markup=False)
            yield Input(placeholder="Path of the audio file (MP3, M4A, WAV, FLAC, OGG, AIFF)",
                        id="upload-file", max_length=4096)
            yield Input(placeholder="Title (empty: the file's name)", id="upload-title",
                        max_length=100)
            yield Input(placeholder="Tags, separated by commas", id="upload-tags",
                        max_length=4000)
            yield Input(placeholder="Artwork: path of a JPEG or PNG (optional)",
                        id="upload-artwork", max_length=4096)
            yield Select([(Text(title), name) for name, title in self.providers],
                         allow_blank=False, value=self.providers[0][0], id="upload-provider")
            yield Input(placeholder="Tracklist file, one 'MM:SS Artist - Song' a line "
                        "(Mixcloud)", id="upload-tracklist", max_length=4096)
            yield Static("enter: next box, upload from the last · ctrl+s: upload · "
                         "escape: cancel", id="text-prompt-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one("#upload-file", Input).focus()
        self._tracklist_shown()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._tracklist_shown()

    def _tracklist_shown(self) -> None:
        self.query_one("#upload-tracklist", Input).display = \
            self.provider in self.tracklists

    @property
    def provider(self) -> str:
        value = self.query_one("#upload-provider", Select).value
        return value if isinstance(value, str) else self.providers[0][0]

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        shown = [box for box in self.BOXES
                 if self.query_one(f"#{box}", Input).display]
        here = event.input.id or ""
        if here in shown and here != shown[-1]:
            self.query_one(f"#{shown[shown.index(here) + 1]}", Input).focus()
            return
        self.action_send()

    def action_send(self) -> None:
        def value(box: str) -> str:
            field = self.query_one(f"#{box}", Input)
            return field.value.strip() if field.display else ""

        self.dismiss(UploadRequest(value("upload-file"), value("upload-title"),
                                   value("upload-tags"), value("upload-artwork"),
                                   self.provider, value("upload-tracklist")))

    def action_cancel(self) -> None:
        self.dismiss(None)
