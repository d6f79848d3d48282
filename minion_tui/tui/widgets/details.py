"""The details panel: what is known about the highlighted track, said plainly.

The text about the track shows at once; the artwork, the comments, a show's tracklist
(tui/tracklist.py) and where the track was surfaced load in one worker once the highlight
has settled (so holding `j` over twenty rows does not send twenty requests), and a newer
highlight cancels it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import textwrap
from collections.abc import Awaitable, Sequence
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from textual.containers import VerticalScroll
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from minion_tui.errors import MinionError
from minion_tui.models import Availability, Comment, Section, Track, format_duration
from minion_tui.service import same_key
from minion_tui.tui.evidence import evidence_line
from minion_tui.tui.service_app import service_of
from minion_tui.tui.tracklist import Tracklist, load_sections, offers_tracklist, section_line
from minion_tui.tui.widgets.artwork import (
    ArtworkView,
    artwork_size,
    decode,
    image_class,
    pick_renderer,
)
from minion_tui.tui.widgets.track_list import TrackList

if TYPE_CHECKING:
    from minion_tui.service import Service

log = logging.getLogger(__name__)
T = TypeVar("T")

HINT = "Highlight a track to see its details."
#: How long the highlight must stay on a row before comments and artwork are fetched.
SETTLE_SECONDS = 0.25
#: Text width inside the panel (40 columns less the padding).
PANEL_TEXT_WIDTH = 38
_LABEL = 11  # "Available  " — the width of the field names


def availability_text(track: Track) -> str:
    """Whether the track can be heard here, in words a listener understands."""
    if track.availability is Availability.PREVIEW:
        seconds = (track.preview_ms or 30_000) // 1000
        return f"Preview only: Go+ track, {seconds}\u00a0s"  # no break inside "30 s"
    if track.availability is Availability.DRM:
        return "DRM-protected: can't be played or downloaded here"
    if track.availability is Availability.BLOCKED:
        return "Not available in your country"
    if track.availability is Availability.EXCLUSIVE:
        return "Subscribers only: can't be played here"
    if track.availability is Availability.UNAVAILABLE:
        return "Nothing playable: the service offers no stream"
    return "Full track"


def _wrapped(line: str, width: int | None, indent: int) -> list[str]:
    """``line`` folded to ``width`` with later lines indented by ``indent`` (under the value
    of a field, so the names stay a clean column); unchanged without a width. A URL is cut
    at its slashes (never a word split at a hyphen), so it reads back whole."""
    if width is None or len(line) <= width:
        return [line]
    if "://" in line:
        return _wrapped_url(line, width, indent)
    return textwrap.wrap(line, width, subsequent_indent=" " * indent, break_on_hyphens=False) \
        or [line]


def _wrapped_url(line: str, width: int, indent: int) -> list[str]:
    lines: list[str] = []
    rest, room = line, width
    while len(rest) > room:
        cut = rest.rfind("/", 0, room) + 1 or room  # after a slash, else where it must
        if cut <= (indent if lines else 0) + 1:
            cut = room
        lines.append(rest[:cut])
        rest = " " * indent + rest[cut:]
    return [*lines, rest]


def sound_text(track: Track) -> str:
    """What the analysis measured: "128.0 BPM · A minor · 8A" (or "not analysed"), and the
    service's own figures beside it when they differ ("service: 126 BPM · Am")."""
    ours = " · ".join(part for part in (
        f"{track.bpm:.1f} BPM" if track.bpm else "", track.key or "", track.camelot or "")
        if part) or "not analysed"
    theirs = " · ".join(part for part in (
        f"{track.service_bpm:g} BPM" if track.service_bpm else "", track.service_key or "")
        if part)
    if theirs and not _same_sound(track):
        return f"{ours} (service: {theirs})"
    return ours


def _same_sound(track: Track) -> bool:
    if track.bpm is None and track.key is None:
        return False
    same_bpm = not track.service_bpm or (
        track.bpm is not None and abs(track.bpm - track.service_bpm) < 0.5)
    same = not track.service_key or (track.key is not None
                                     and same_key(track.key, track.service_key))
    return same_bpm and same


def details_text(track: Track, *, width: int | None = None,
                 surfaced: Sequence[str] = (), following: bool | None = None,
                 evidence: str = "") -> str:
    """The panel's text for ``track`` (plain, no markup: titles may contain brackets).

    With ``width`` long lines are folded to fit (field values under their column, the
    description by paragraph); ``surfaced`` are the provenance labels ("Likes of Alice");
    ``following`` whether its artist is followed (None: not known, no line); ``evidence``
    who vouched for it and when ("liked by A · 3 days ago", tui/evidence.py)."""
    counts = track.counts

    def n(value: int | None) -> str:
        return "—" if value is None else f"{value:,}"

    fields = [
        f"Length     {format_duration(track.duration_ms / 1000, unknown='')}",
        f"Plays      {n(counts.plays)}   Likes {n(counts.likes)}   Reposts {n(counts.reposts)}",
        f"Genre      {track.genre or '—'}",
        f"Sound      {sound_text(track)}",
        f"Tags       {', '.join(track.tags) or '—'}",
        f"License    {track.license or '—'}",
        f"Created    {(track.created_at or '—')[:10]}",
        f"Available  {availability_text(track)}",
        f"Rating     {track.judgment.value.replace('_', ' ') if track.judgment else 'not rated'}",
    ]
    # The pages, to open in a browser or paste elsewhere (y / Y copy them).
    if track.url:
        fields.append(f"Link       {track.url}")
    if track.uploader_url:
        fields.append(f"Artist     {track.uploader_url}")
    if following is not None:
        fields.append("Follow     following — f unfollows" if following
                      else "Follow     f follows the artist")
    if surfaced:
        fields.append(f"Surfaced by: {', '.join(surfaced)}")
    lines = [*_wrapped(track.title, width, 0), *_wrapped(f"by {track.artist}", width, 3), ""]
    for field in fields:
        lines += _wrapped(field, width, _LABEL if not field.startswith("Surfaced") else 2)
    if evidence:
        lines += _wrapped(evidence, width, 2)
    if track.description:
        lines.append("")
        for paragraph in track.description.strip().splitlines():
            folded = textwrap.wrap(paragraph, width) if width else [paragraph]
            lines += folded or [""]  # a blank line between paragraphs stays
    return "\n".join(lines)


def comment_time(ms: int | None) -> str:
    """Where in the track a comment sits: m:ss, or h:mm:ss past the first hour."""
    return "" if ms is None else format_duration(ms / 1000)


def comments_text(comments: Sequence[Comment], *, width: int | None = None) -> str:
    """"m:ss  user: body" per comment, in the order they sit in the track."""
    ordered = sorted(comments, key=lambda c: (c.timestamp_ms is None, c.timestamp_ms or 0))
    lines: list[str] = []
    for comment in ordered:
        at = comment_time(comment.timestamp_ms)
        head = f"{at}  " if at else ""
        body = " ".join(comment.body.split())
        lines += _wrapped(f"{head}{comment.user.username}: {body}", width, len(head))
    return "\n".join(lines)


async def _listed(track: Track, what: str,
                  load: Awaitable[list[T]]) -> tuple[list[T] | None, str]:
    """What ``load`` lists and no note, or None and the note saying why it couldn't be loaded
    (the log says more)."""
    try:
        return await load, ""
    except MinionError as exc:
        log.info("%s of %s: %s", what, track.urn, exc.text)
        return None, f"couldn't load: {exc.message}"


class TrackDetails(VerticalScroll, can_focus=False):
    """The highlighted track: artwork, :func:`details_text` with where it was surfaced, and
    its comments. Panes call :meth:`show_track`; :attr:`text` is what the panel says."""

    DEFAULT_CSS = """
    TrackDetails { width: 40; height: 1fr; padding: 0 1; }
    TrackDetails > #details-text { width: 100%; height: auto; }
    TrackDetails > #details-comments { width: 100%; height: auto; margin-top: 1; }
    TrackDetails > #details-tracklist-title { width: 100%; height: auto; margin-top: 1; }
    """

    #: Seconds the highlight must rest on a row before its extras are fetched.
    settle_seconds = SETTLE_SECONDS

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.track: Track | None = None
        self.surfaced: list[str] = []
        self.evidence = ""
        self.comments: list[Comment] | None = None
        self.comments_note = ""
        self.sections: list[Section] | None = None
        """The show's tracklist (None: not loaded, or the provider has none)."""
        self.sections_note = ""
        self._settle: Timer | None = None

    def compose(self):  # type: ignore[no-untyped-def]
        yield ArtworkView(id="details-artwork")
        yield Static(HINT, id="details-text", markup=False)
        yield Static("", id="details-tracklist-title", markup=False)
        yield Tracklist(id="details-tracklist")
        yield Static("", id="details-comments", markup=False)

    # -- what it says -------------------------------------------------------------------------

    @property
    def service(self) -> Service:
        return service_of(self.app)

    @property
    def text(self) -> str:
        """Everything the panel says, as plain text (the artwork aside)."""
        if self.track is None:
            return HINT
        body = details_text(self.track, width=PANEL_TEXT_WIDTH, surfaced=self.surfaced,
                            following=self._following(self.track), evidence=self.evidence)
        parts = [body, self._tracklist_section(), self._comments_section()]
        return "\n\n".join(p for p in parts if p)

    def _tracklist_title(self) -> str:
        if self.track is None or not offers_tracklist(self.service, self.track):
            return ""
        if self.sections_note:
            return f"Tracklist\n{self.sections_note}"
        if self.sections is None:
            return "Tracklist\nloading…"
        if not self.sections:
            return "Tracklist\nnot shown by the uploader"
        return f"Tracklist ({len(self.sections)}) · e enters"

    def _tracklist_section(self) -> str:
        title = self._tracklist_title()
        if not title or not self.sections:
            return title
        return "\n".join([title, *(section_line(s) for s in self.sections)])

    def enter_tracklist(self) -> bool:
        """Focus the tracklist (`e`); False, with a message saying why, when there is none."""
        tracklist = self.query_one(Tracklist)
        if self.display and tracklist.display and tracklist.option_count:
            tracklist.focus()
            return True
        if self.track is None:
            why = "Highlight a show first."
        elif not offers_tracklist(self.service, self.track):
            why = f"{self.track.title} has no tracklist: only Mixcloud shows have one."
        elif self.sections is None and not self.sections_note:
            why = "The tracklist is still loading; press e again in a moment."
        elif not self.display:
            why = "The details panel is hidden (i shows it; it needs 110 columns)."
        else:
            why = f"{self.track.title} has no tracklist to enter."
        self.notify(why, title="Tracklist", severity="warning", timeout=5)
        return False

    def _following(self, track: Track) -> bool | None:
        """Whether the artist is followed, as the app's discovery control knows it (None
        outside the app, or for a track with no known uploader)."""
        control = getattr(self.app, "discovery_control", None)
        if control is None or not track.uploader_urn:
            return None
        return bool(control.follows(track.uploader_urn))

    def _comments_section(self) -> str:
        if self.track is None:
            return ""
        total = self.track.counts.comments
        title = "Comments" if total is None else f"Comments ({total:,})"
        if self.comments_note:
            return f"{title}\n{self.comments_note}"
        if self.comments is None:
            return f"{title}\nloading…" if total != 0 else ""
        if not self.comments:
            return "" if total in (0, None) else f"{title}\nnone shown"
        return f"{title}\n{comments_text(self.comments, width=PANEL_TEXT_WIDTH)}"

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        if self.track is None:
            self.query_one("#details-text", Static).update(HINT)
            self.query_one("#details-tracklist-title", Static).update("")
            self.query_one(Tracklist).show(None, [])
            self.query_one("#details-comments", Static).update("")
            return
        body = details_text(self.track, width=PANEL_TEXT_WIDTH, surfaced=self.surfaced,
                            following=self._following(self.track), evidence=self.evidence)
        self.query_one("#details-text", Static).update(body)
        self.query_one("#details-tracklist-title", Static).update(self._tracklist_title())
        tracklist = self.query_one(Tracklist)
        if tracklist.track is not self.track or tracklist.sections != (self.sections or []):
            tracklist.show(self.track, self.sections or [])
        self.query_one("#details-comments", Static).update(self._comments_section())

    # -- following the highlight ----------------------------------------------------------------

    def show_track(self, track: Track | None) -> None:
        """Show ``track`` now; its artwork, comments and provenance follow once it settles.
        The same track again (e.g. after a rating) only refreshes the text."""
        same = track is not None and self.track is not None and track.urn == self.track.urn
        self.track = track
        if same:
            self._redraw()
            return
        self.surfaced, self.comments, self.comments_note, self.evidence = [], None, "", ""
        self.sections, self.sections_note = None, ""
        if self._settle is not None:
            self._settle.stop()
            self._settle = None
        self.workers.cancel_group(self, "details")
        if self.is_mounted:
            # Keep the picture's room while the next one loads, so the text does not jump
            # up and down as the highlight moves; the stale picture itself is hidden.
            artwork = self.query_one(ArtworkView)
            if track is not None and self._artwork_url(track):
                artwork.hold()
            else:
                artwork.clear()
        self._redraw()
        if track is not None and self.is_mounted:
            self._settle = self.set_timer(self.settle_seconds, lambda: self._load_extras(track))

    def on_mount(self) -> None:
        self._redraw()

    def on_tracklist_left(self, message: Tracklist.Left) -> None:
        """Escape in the tracklist: back to the list whose highlighted show this is."""
        message.stop()
        parent = self.parent
        lists = [t for t in parent.query(TrackList) if t.display] if parent else []
        if lists:
            lists[0].focus()

    def on_resize(self) -> None:
        # The picture follows the panel (artwork.py says why textual-image would not). The
        # scrollbar's room is always left out: a picture that grew into it when the text fits
        # would bring the scrollbar back, and narrow the picture again, on every resize.
        space = self.content_size
        gutter = self.styles.scrollbar_size_vertical if self.styles.overflow_y != "hidden" else 0
        self.query_one(ArtworkView).fit(max(0, space.width - gutter), space.height)

    def _artwork_url(self, track: Track) -> str | None:
        service = self.service
        if not service.settings.ui.artwork:
            return None
        renderer = pick_renderer(os.environ, headless=self.app.is_headless)
        return service.catalog.artwork_url(track, artwork_size(renderer))

    def _showing(self, track: Track) -> bool:
        """Whether the panel still shows ``track``: the same track (its URN) as
        :meth:`show_track` judges it, not the same object, which a list refreshing its rows
        (a rating, a page merged, an analysis) replaces while its extras settle or load."""
        return self.track is not None and self.track.urn == track.urn

    def _load_extras(self, track: Track) -> None:
        self._settle = None
        if not self._showing(track):
            return
        # The function, not a coroutine made now: an exclusive worker replaced before it
        # starts (the next highlight) would leave that coroutine never awaited.
        self.run_worker(partial(self._extras, track),  # type: ignore[arg-type]  # awaited
                        group="details", exclusive=True,
                        exit_on_error=False, description="Loading the track's details")

    async def _extras(self, track: Track) -> None:
        service = self.service
        await asyncio.gather(self._load_provenance(service, track),
                             self._load_comments(service, track),
                             self._load_tracklist(service, track),
                             self._load_artwork(service, track))

    async def _load_tracklist(self, service: Service, track: Track) -> None:
        if not offers_tracklist(service, track):
            return
        sections, note = await _listed(track, "tracklist", load_sections(service, track))
        if self._showing(track):
            self.sections, self.sections_note = sections, note
            self._redraw()

    async def _load_provenance(self, service: Service, track: Track) -> None:
        try:
            found = await service.library.provenance(track.urn)
        except MinionError as exc:  # the panel goes on without it
            log.info("provenance of %s: %s", track.urn, exc.text)
            return
        if self._showing(track):
            self.surfaced = [s.label for s in found]
            self.evidence = evidence_line(found)
            self._redraw()

    async def _load_comments(self, service: Service, track: Track) -> None:
        if track.counts.comments == 0:
            self.comments = []
            return
        comments, note = await _listed(track, "comments", service.catalog.comments(track))
        if self._showing(track):
            self.comments, self.comments_note = comments, note
            self._redraw()

    async def _load_artwork(self, service: Service, track: Track) -> None:
        url = self._artwork_url(track)
        if url is None:
            return
        renderer = pick_renderer(os.environ, headless=self.app.is_headless)
        try:
            data = await service.catalog.artwork(url)
            # Decoding and textual-image's first import are CPU work: off the event loop.
            picture, widget = await asyncio.to_thread(
                lambda: (decode(data), image_class(renderer)))
        except (MinionError, OSError, ValueError) as exc:  # PIL raises OSError on bad data
            log.info("artwork of %s (%s): %s", track.urn, url, exc)
            if self._showing(track):
                self.query_one(ArtworkView).clear()
            return
        if self._showing(track):
            await self.query_one(ArtworkView).show(picture, widget)


def refresh_details(root: Widget) -> None:
    """Re-read the highlighted track of each list next to a details panel under ``root``
    (after a rating, so the panel's "Rating" line follows the badge)."""
    for details in root.query(TrackDetails):
        parent = details.parent
        if parent is None:
            continue
        for track_list in parent.query(TrackList):
            if track_list.display and details.track is not None:
                details.show_track(track_list.highlighted)
