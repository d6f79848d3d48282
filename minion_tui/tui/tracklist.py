"""A show's tracklist (Mixcloud's sections, docs/mixcloud.md §2.8): the lines the details
panel lists with their times, the section playing at a position (the now-playing bar names
it), and the list itself: `e` enters it from a track list, `enter` on a section seeks there
when the show is the one playing (else plays the show from there), `escape` leaves.

Sections come from ``Service.catalog.browse("tracklist", SHOW)``, like any other listing; a
provider that does not declare the listing has none, and nothing is asked of it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from minion_tui.models import Section, Track, format_duration
from minion_tui.tui.widgets.list_keys import OPTION_LIST_ENDS, list_bindings

if TYPE_CHECKING:
    from minion_tui.service import Service

log = logging.getLogger(__name__)

#: Sections read at most (a tracklist is a few dozen; a hostile answer is cut here).
MAX_SECTIONS = 500


def offers_tracklist(service: Service, track: Track) -> bool:
    """Whether the track's provider has tracklists (Mixcloud does, SoundCloud does not)."""
    try:
        return "tracklist" in service.catalog.capabilities(track.provider).track_listings
    except Exception:  # an unknown provider: no tracklist rather than an error
        return False


async def load_sections(service: Service, track: Track) -> list[Section]:
    """The show's sections, in order (empty when the provider has none or hides them)."""
    if not offers_tracklist(service, track):
        return []
    found: list[Section] = []
    async for page in service.catalog.browse("tracklist", track.url or track.urn):
        found += [s for s in page.items if isinstance(s, Section)]
        if len(found) >= MAX_SECTIONS:
            break
    return found[:MAX_SECTIONS]


def section_name(section: Section) -> str:
    """"Artist – Title" for a track, the chapter's name for a chapter."""
    if section.kind == "chapter" or not section.artist:
        return section.title or section.artist
    return f"{section.artist} – {section.title}" if section.title else section.artist


def section_time(section: Section) -> str:
    """m:ss (h:mm:ss past the hour), or "--:--" when the service gives no start."""
    return "--:--" if section.start_ms is None else format_duration(section.start_ms / 1000)


def section_line(section: Section) -> str:
    mark = "▸ " if section.kind == "chapter" else ""
    return f"{section_time(section):>7}  {mark}{section_name(section)}"


def current_section(sections: Sequence[Section], position: float) -> Section | None:
    """The section playing at ``position`` seconds: the last one started by then (sections
    without a start time are skipped: nobody knows where they are)."""
    now_ms = position * 1000
    playing: Section | None = None
    for section in sections:
        if section.start_ms is not None and section.start_ms <= now_ms:
            if playing is None or section.start_ms >= (playing.start_ms or 0):
                playing = section
    return playing


class Tracklist(OptionList):
    """The sections of the show in the details panel; focusable only once it has some."""

    DEFAULT_CSS = """
    Tracklist { height: auto; max-height: 16; border: none; padding: 0; }
    Tracklist:focus { background-tint: $foreground 5%; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Seek / play from here", id="tracklist.choose"),
        Binding("escape", "leave", "Leave the tracklist", id="tracklist.leave"),
        *list_bindings("tracklist", actions=OPTION_LIST_ENDS),
    ]

    @dataclass
    class Chosen(Message):
        """Enter on a section: seek there (the show playing) or play the show from there."""

        track: Track
        section: Section

    class Left(Message):
        """Escape: the focus goes back to the track list the panel describes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.track: Track | None = None
        self.sections: list[Section] = []

    def show(self, track: Track | None, sections: Sequence[Section]) -> None:
        self.track, self.sections = track, list(sections)
        self.clear_options()
        self.add_options([Option(Content(section_line(s)), id=f"section-{i}")
                          for i, s in enumerate(self.sections)])
        self.display = bool(self.sections)
        if self.sections:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.track is None or event.option_index >= len(self.sections):
            return
        section = self.sections[event.option_index]
        if section.start_ms is None:
            self.notify(f"Mixcloud gives no start time for {section_name(section)}, so "
                        "there is nowhere to seek; choose a section with a time.",
                        title="Tracklist", severity="warning", timeout=5)
            return
        self.post_message(self.Chosen(self.track, section))

    def action_leave(self) -> None:
        self.post_message(self.Left())
