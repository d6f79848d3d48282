"""Command palette (ctrl+p): one provider per domain — navigation (panes), sources (trending,
ratings, pinned sources, past searches), rating and going to (the highlighted track's artist,
set and links), following, sync and radio, and themes. Each
offers its commands with ``discover`` (the empty palette) and ``search`` (fuzzy matched).

Providers only post app-level messages (tui/messages.py); the app and the panes do the work."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from minion_tui.models import Judgment
from minion_tui.tui.messages import (
    ChooseTheme,
    FollowUser,
    HighlightedAction,
    OpenSource,
    RateHighlighted,
    ShowPane,
)
from minion_tui.tui.panes import PANES, PaneInfo
from minion_tui.tui.service_app import service_of
from minion_tui.tui.themes import RATING_VARIABLES

if TYPE_CHECKING:
    from minion_tui.models import Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: what it shows, what it explains, what it does."""

    text: str
    help: str
    run: Callable[[], object]


class DomainCommands(Provider):
    """A provider whose commands are a plain list: discover shows all, search ranks them
    by the text (and, a little lower, by the help)."""

    async def commands(self) -> list[PaletteCommand]:
        raise NotImplementedError

    def _act(self, action: str) -> None:
        """Run an app action on the highlighted row of the main screen (the palette's own
        screen is in front of it)."""
        self.app.post_message(HighlightedAction(action))

    def _actions(self, rows: Sequence[tuple[str, str, str]]) -> list[PaletteCommand]:
        """Commands from rows of (text, help, the app action run on the highlighted row)."""
        return [PaletteCommand(text, help, partial(self._act, action))
                for text, help, action in rows]

    async def discover(self) -> Hits:
        for command in await self.commands():
            yield DiscoveryHit(command.text, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in await self.commands():
            # Match the help too, so "download" or "queue next" find their pane.
            score = max(matcher.match(command.text), matcher.match(command.help) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(command.text), command.run,
                          text=command.text, help=command.help)


class PaneCommands(DomainCommands):
    """"Go to Browse" and friends: switch panes from the palette."""

    def _go(self, pane: PaneInfo) -> None:
        self.app.post_message(ShowPane(pane.name))

    async def commands(self) -> list[PaletteCommand]:
        return [PaletteCommand(f"Go to {p.title}", p.summary, partial(self._go, p))
                for p in PANES]


class SourceCommands(DomainCommands):
    """Listings to open in Browse: trending, the tracks rated so far, pinned sources, past
    searches."""

    def _open(self, kind: str, target: str | None, title: str) -> None:
        self.app.post_message(OpenSource(kind, target, title))

    async def commands(self) -> list[PaletteCommand]:
        found = [
            PaletteCommand("Trending", "Open SoundCloud's trending tracks in Browse",
                           lambda: self._open("trending", None, "Trending")),
            PaletteCommand("My ratings", "Open every track you rated in Browse",
                           lambda: self._open("ratings", None, "My ratings")),
        ]
        for judgment in Judgment:
            title = f"My ratings: {_JUDGMENT_TITLES[judgment]}"
            found.append(PaletteCommand(
                title, f"Open the tracks you rated {_JUDGMENT_TITLES[judgment]} in Browse",
                partial(self._open, "ratings", judgment.value, title)))
        pinned, queries = await self._remembered()
        for source in pinned:
            title = source.title or f"{source.kind} {source.target}"
            found.append(PaletteCommand(
                f"Pinned: {title}", "Open this pinned source in Browse (p there unpins it)",
                partial(self._open, "pinned", str(source.id), title)))
        found.append(PaletteCommand("Search history", "Open the Search pane with past queries",
                                    lambda: self._open("search", None, "Search history")))
        for query in queries:
            title = f"Search again: {query}"
            found.append(PaletteCommand(title, "Run a past search again",
                                        partial(self._open, "search", query, title)))
        return found

    async def _remembered(self) -> tuple[list[Source], list[str]]:
        """Pinned sources and past queries (the palette still works without them; the log
        says why)."""
        library = service_of(self.app).library
        try:
            pinned = await library.pinned_sources()
            entries = await library.recent_searches(20)
        except Exception:
            log.warning("pinned sources / search history unavailable for the palette",
                        exc_info=True)
            return [], []
        return pinned, list(dict.fromkeys(e.query for e in entries))


_JUDGMENT_TITLES = {
    Judgment.LIKED: "liked",
    Judgment.NOT_INTERESTED: "not interested",
    Judgment.NOT_QUITE: "not quite",
}


class RatingCommands(DomainCommands):
    """Rate the highlighted track (the focused list acts on :class:`RateHighlighted`)."""

    def _rate(self, judgment: Judgment | None) -> None:
        self.app.post_message(RateHighlighted(None if judgment is None else judgment.value))

    async def commands(self) -> list[PaletteCommand]:
        found = [
            PaletteCommand(f"Rate highlighted: {title}", f"Mark the highlighted track {title}",
                           partial(self._rate, judgment))
            for judgment, title in _JUDGMENT_TITLES.items()
        ]
        found.append(PaletteCommand("Rate highlighted: clear",
                                    "Forget your rating of the highlighted track",
                                    lambda: self._rate(None)))
        return found


class TrackCommands(DomainCommands):
    """The highlighted track's artist, set and links (the keys o, O, y, Y)."""

    async def commands(self) -> list[PaletteCommand]:
        return self._actions(_TRACK_ACTIONS)


_TRACK_ACTIONS = (
    ("Go to artist", "List the tracks of the highlighted track's uploader in Browse (o)",
     "go_artist"),
    ("Go to set", "Open the set the highlighted track was listed in (O)", "go_set"),
    ("Copy track link", "Copy the highlighted track's URL to the clipboard (y)",
     "copy_link('track')"),
    ("Copy artist link", "Copy the URL of the highlighted track's uploader (Y)",
     "copy_link('artist')"),
)


class DiscoveryCommands(DomainCommands):
    """Follow or unfollow the highlighted artist, unfollow anyone followed, sync them, and
    radio from the highlighted track or artist (the keys f, ctrl+r, R)."""

    def _set(self, urn: str, name: str, follow: bool) -> None:
        self.app.post_message(FollowUser(urn, name, follow))

    async def commands(self) -> list[PaletteCommand]:
        app = self.app
        control = getattr(app, "discovery_control", None)
        following: dict[str, str] = dict(control.following) if control is not None else {}
        found: list[PaletteCommand] = []
        # The main screen's focus: the palette itself is the screen in front.
        target_of = getattr(app, "follow_target", None)
        main = app.screen_stack[0] if app.screen_stack else None
        who = target_of(main.focused) if target_of is not None and main is not None else None
        if who is not None and who.target not in following:
            found.append(PaletteCommand(
                f"Follow {who.name}", "Follow their likes and reposts; sync brings them in (f)",
                # Follow, never toggle: a source's target is a profile URL, not the URN the
                # follows are kept by, so a followed user can be offered here too.
                partial(self._set, who.target, who.name, True)))
        for urn, name in sorted(following.items(), key=lambda item: item[1].lower()):
            found.append(PaletteCommand(
                f"Unfollow {name}", "Stop following their likes and reposts (you follow "
                f"{len(following)})", partial(self._set, urn, name, False)))
        found += [
            PaletteCommand("Sync followed artists", "Fetch what the artists you follow "
                           "liked and reposted (ctrl+r)", partial(self._act, "sync_discovery")),
            PaletteCommand("Radio from this track", "Play related tracks, the station and "
                           "what its likers liked, endlessly (R)",
                           partial(self._act, "radio('track')")),
            PaletteCommand("Radio from this artist", "Play a radio grown from the "
                           "highlighted track's artist", partial(self._act, "radio('artist')")),
        ]
        return found


class SoundCommands(DomainCommands):
    """Tempo and key (tui/sound_control.py): analyse the highlighted track, more like it,
    the BPM / Key / Camelot columns and the sorts by them (the keys B, M, T)."""

    def _columns(self) -> None:
        toggle = getattr(self.app, "toggle_sound_columns", None)
        if toggle is not None:
            toggle()

    async def commands(self) -> list[PaletteCommand]:
        shown = bool(getattr(self.app, "sound_columns", ()))
        return [
            PaletteCommand("Analyse tempo and key", "Measure the highlighted track's BPM and "
                           "key from its first minutes (B)",
                           partial(self._act, "analyse_highlighted")),
            PaletteCommand("More like this", "List the analysed tracks that sound like the "
                           "highlighted one in Browse (M)", partial(self._act, "more_like_this")),
            PaletteCommand("Tempo and key columns: " + ("hide" if shown else "show"),
                           "The BPM, Key and Camelot columns in every track list "
                           "([ui] columns)", self._columns),
            PaletteCommand("Sort by BPM", "Sort the focused list by measured tempo (T)",
                           partial(self._act, "sort_tracks('bpm')")),
            PaletteCommand("Sort by key", "Sort the focused list round the Camelot wheel, "
                           "mixable keys together (T twice)",
                           partial(self._act, "sort_tracks('key')")),
        ]


class ThemeCommands(DomainCommands):
    """Every registered theme (ours first); choosing one switches to it and saves it in
    config.toml. Themes without the rating colours our stylesheet uses are left out (the app
    gives Textual's own themes defaults for them, so in practice none is)."""

    def _choose(self, name: str) -> None:
        self.app.post_message(ChooseTheme(name))

    async def commands(self) -> list[PaletteCommand]:
        app = self.app
        current = app.theme
        return [
            PaletteCommand(f"Theme: {name}", "in use" if name == current else "Switch to "
                           "this theme and remember it", partial(self._choose, name))
            for name, theme in sorted(app.available_themes.items(),
                                      key=lambda item: (not item[0].startswith("minion"),
                                                        item[0]))
            if all(v in theme.variables for v in RATING_VARIABLES)
        ]


class WriteCommands(DomainCommands):
    """Writes on the service, signed in: the keys z Z w W C, and what has no key."""

    async def commands(self) -> list[PaletteCommand]:
        return self._actions(_WRITE_ACTIONS)


_WRITE_ACTIONS = (
    ("Like on the service", "Like the highlighted (or playing) track on SoundCloud, "
     "favourite it on Mixcloud (z)", "write('like')"),
    ("Unlike on the service", "Take back the like, after asking (Z)", "write('unlike')"),
    ("Repost on the service", "Repost the highlighted track (w)", "write('repost')"),
    ("Unrepost on the service", "Take back the repost, after asking (W)",
     "write('unrepost')"),
    ("Follow the artist on the service", "Follow the highlighted track's uploader on "
     "SoundCloud or Mixcloud (f follows locally)", "follow_on_service(True)"),
    ("Unfollow the artist on the service", "Stop following the uploader on the service, "
     "after asking", "follow_on_service(False)"),
    ("Comment here", "Comment on the playing track at its position (C)", "comment_here"),
    ("New playlist", "Make a playlist on the service with the highlighted track",
     "new_playlist"),
    ("Add to playlist", "Add the highlighted track to one of your playlists (a chooser)",
     "add_to_playlist"),
    ("Remove from playlist", "Take the highlighted track out of the playlist being "
     "browsed, after asking", "playlist_write('remove')"),
    ("Move in playlist", "Move the highlighted track to a position in the playlist being "
     "browsed", "playlist_write('move')"),
    ("Rename playlist", "Give the playlist being browsed a new title",
     "playlist_write('rename')"),
    ("Make playlist public", "Anyone can see the playlist being browsed",
     "playlist_write('public')"),
    ("Make playlist private", "Only you see the playlist being browsed",
     "playlist_write('private')"),
    ("Delete playlist", "Delete the playlist being browsed on the service, after asking",
     "playlist_write('delete')"),
    ("Retitle your track", "Change the title of your own highlighted track on the service",
     "track_write('title')"),
    ("Retag your track", "Change the tags of your own highlighted track",
     "track_write('tags')"),
    ("Describe your track", "Change the description of your own highlighted track",
     "track_write('description')"),
    ("Delete your track", "Delete your own highlighted track on the service, after asking",
     "track_write('delete')"),
    ("Upload a track", "Upload an audio file with its title, tags, artwork and "
     "(Mixcloud) tracklist", "upload"),
    ("Listen later", "Add the highlighted Mixcloud show to your listen later",
     "write('listen_later')"),
    ("Remove from listen later", "Take the highlighted Mixcloud show out of listen later, "
     "after asking", "write('unlisten_later')"),
)


DOMAIN_PROVIDERS = (PaneCommands, SourceCommands, RatingCommands, TrackCommands,
                    DiscoveryCommands, WriteCommands, SoundCommands, ThemeCommands)
