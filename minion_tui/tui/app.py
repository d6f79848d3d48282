"""The Textual application: header, the four panes behind a tab bar, footer, key help and
command palette. The app only arranges panes and routes app-level messages; the work happens
in the service façade and, inside the TUI, in the panes."""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import Notify, SeverityLevel
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer, Header, Input, Tab, Tabs
from textual.worker import Worker, WorkerState

from minion_tui.errors import MinionError, RateLimited
from minion_tui.models import Judgment, Track
from minion_tui.tui.commands import DOMAIN_PROVIDERS
from minion_tui.tui.discovery_control import DiscoveryControl, FollowTarget
from minion_tui.tui.download_control import DownloadControl
from minion_tui.tui.heap import HeapKeeper
from minion_tui.tui.keymap import (
    bad_keys,
    binding_chains,
    entries_of,
    find_conflicts,
    help_only,
    keymap_report,
    remap,
    unknown_ids,
    usable,
)
from minion_tui.tui.messages import (
    ChooseTheme,
    FollowUser,
    HighlightedAction,
    OpenSource,
    PlayRequest,
    RateHighlighted,
    ShowPane,
)
from minion_tui.tui.panes import PANE_NAMES, PANES, BrowsePane, Pane
from minion_tui.tui.panes.downloads import DownloadsPane
from minion_tui.tui.panes.queue import QueuePane
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.player_control import PLAYER_BINDINGS, PlayerControl, PlayerKeys
from minion_tui.tui.screens.confirm_quit import ConfirmQuit
from minion_tui.tui.screens.help import HelpScreen, key_help
from minion_tui.tui.service_app import ServiceApp
from minion_tui.tui.sound_control import Analysed, SoundControl
from minion_tui.tui.themes import choose_theme, load_themes, with_rating_colours
from minion_tui.tui.tracklist import Tracklist
from minion_tui.tui.widgets.details import refresh_details
from minion_tui.tui.widgets.now_playing import NowPlayingBar
from minion_tui.tui.widgets.source_list import SourceList
from minion_tui.tui.widgets.track_list import TrackList
from minion_tui.tui.widgets.track_list_model import OPTIONAL_COLUMNS, parse_columns
from minion_tui.tui.widgets.waveform import Waveform
from minion_tui.tui.write_control import WriteControl

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Sequence

    from minion_tui.models import DownloadEvent, WaitNotice, WriteResult
    from minion_tui.service import Service

    #: What runs beside the app (see MinionApp): given the terminal writer, runs until
    #: cancelled when the app ends.
    Companion = Callable[[Callable[[str], None]], Awaitable[None]]

log = logging.getLogger(__name__)

_TOASTS_SHOWN = 3
#: Browse sources that list a user's profile (their target is the user): `f` follows them.
_USER_SOURCES = ("tracks", "toptracks", "likes", "reposts", "playlists", "albums",
                 "followings", "followers")


class MinionApp(PlayerKeys, ServiceApp):
    """minion-tui. Give it an open :class:`~minion_tui.service.Service`; the app closes it
    when it exits."""

    CSS_PATH = "app.tcss"
    TITLE = "minion-tui"
    COMMANDS = App.COMMANDS | set(DOMAIN_PROVIDERS)

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(number), f"show_pane('{pane.name}')", pane.title, id=pane.binding_id)
            for number, pane in enumerate(PANES, start=1)
        ),
        Binding("question_mark,f1", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # Replaces App's own ctrl+q (which has no id): a priority binding, so it quits even
        # while a text input has focus.
        Binding("ctrl+q", "quit", "Quit (even while typing)", show=False, priority=True,
                id="app.quit_anywhere"),
        # Not a priority binding: with text selected, ctrl+c copies it (Screen and Input
        # bindings come first and step aside when there is nothing to copy).
        help_only("ctrl+c", "quit", "Quit", "app.interrupt"),
        # Declared here (App would add it without an id) so [keymap] can move it.
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True,
                id="app.palette"),
        # Out of any text box, back to the keys of the pane around it (the query has its own,
        # closer binding). A focused Input lets escape through, so this one is reached.
        help_only("escape", "leave_input", "Leave the text box", "app.leave_input"),
        # Not priority bindings, so typing in an input never plays.
        *PLAYER_BINDINGS,
        # With nothing to act on, they say why (a toast) rather than doing nothing.
        help_only("d", "download_highlighted", "Download", "downloads.start"),
        help_only("D", "download_set", "Download the set", "downloads.start_set"),
        # The highlighted track in any list (Browse, Search, Queue, History).
        help_only("o", "go_artist", "Go to the artist", "track.go_artist"),
        help_only("O", "go_set", "Go to the set", "track.go_set"),
        help_only("y", "copy_link('track')", "Copy the track's link", "track.copy_link"),
        help_only("Y", "copy_link('artist')", "Copy the artist's link", "track.copy_artist_link"),
        # Discovery (tui/discovery_control.py): the highlighted artist, user or source.
        help_only("f", "toggle_follow", "Follow / unfollow the artist", "discovery.follow"),
        # ctrl+r: no meaning to terminals or to Textual (ctrl+s / ctrl+q are flow control).
        help_only("ctrl+r", "sync_discovery", "Sync followed artists", "discovery.sync"),
        help_only("R", "radio('track')", "Radio from the track", "discovery.radio"),
        # Writes on the service (tui/write_control.py): the highlighted track, else the one
        # playing. l/x/n/u rate here (local); these go to the service, signed in.
        help_only("z", "write('like')", "Like on the service", "write.like"),
        help_only("Z", "write('unlike')", "Take back the like (asks)", "write.unlike"),
        help_only("w", "write('repost')", "Repost on the service", "write.repost"),
        help_only("W", "write('unrepost')", "Take back the repost (asks)", "write.unrepost"),
        help_only("C", "comment_here", "Comment at the playing position", "write.comment"),
        # Tempo and key (tui/sound_control.py): B for BPM, M for "more like this".
        help_only("B", "analyse_highlighted", "Analyse tempo and key", "analysis.analyse"),
        help_only("M", "more_like_this", "More like this (by sound)", "analysis.similar"),
    ]

    def __init__(self, service: Service, *, companions: Sequence[Companion] = ()) -> None:
        """``companions`` run beside the app for as long as it runs (the desktop integration
        the CLI hands in: MPRIS, notifications, the ctl socket), each given a function that
        writes an escape sequence to the terminal between frames."""
        super().__init__(service)
        self._companions = tuple(companions)
        # Themes (themes.py): built in, then the user's; bad files are reported on mount.
        from minion_tui.config import config_dir

        for textual_theme in list(self.available_themes.values()):
            self.register_theme(with_rating_colours(textual_theme))
        themes, skipped = load_themes(config_dir() / "themes")
        for theme in themes:
            self.register_theme(theme)
        self._theme_problems = [p.text for p in skipped]
        self._heap = HeapKeeper()
        self.theme, problem = choose_theme(service.settings.ui.theme, self.available_themes)
        if problem:
            self._theme_problems.append(problem)

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        tabs = Tabs(*(Tab(p.title, id=p.tab_id) for p in PANES), id="pane-tabs")
        # The number keys (and the mouse) switch panes; a focusable tab bar would only be one
        # more stop in the tab order.
        tabs.can_focus = False
        yield tabs
        with ContentSwitcher(initial=PANES[0].name, id="panes"):
            yield BrowsePane(notice=self.service.demo_notice,
                             hide_not_interested=self.service.settings.ui.hide_not_interested)
            yield SearchPane(
                hide_not_interested=self.service.settings.ui.hide_not_interested)
            yield QueuePane()
            yield DownloadsPane()
        yield NowPlayingBar(id="now-playing")  # under every pane
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "demo" if self.service.demo else ""
        if self.service.settings.accounts.sync_likes:
            self.service.outbox.kick()  # likes owed from an earlier run, sent in the background
        self.sound_control.follow()
        self.set_keymap(self._usable_keymap())
        for problem in self._theme_problems:
            log.warning("%s", problem)
            self.notify(problem, title="Theme", severity="warning", timeout=10)
        self.service.on_wait(self._announce_wait)
        self.service.on_warning(self._announce_warning)
        self.download_control.follow(self._show_download_event)
        self.show_pane(PANES[0].name)
        # The first frame waits for everything done until here (bench/startup.py: spawn →
        # Ready < 0.5 s); what it does not need comes right after it.
        self.call_after_refresh(self._after_first_frame)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown):
            self._heap.touched()  # the heap's compaction waits for a quiet moment
        await super().on_event(event)

    def _after_first_frame(self) -> None:
        """Start-up work the first frame does not show: the keymap's check (≈ 50 ms of
        walking every widget's bindings), the bar's restored track (a store read)."""
        self._report_keymap_problems()
        self.player_control.show_restored()  # the bar names what space resumes
        self.discovery_control.load()  # who is followed: the details panel and palette say
        for companion in self._companions:
            self.run_worker(companion(self._write_terminal), group="companions",
                            exit_on_error=False, description="Desktop integration")
        # Everything alive after start-up (modules, classes, widgets) lives as long as the app:
        # moved out of the collector's sight (now, then every few seconds), a full collection
        # no longer walks it and stalls a key for 40-70 ms (bench/playback.py saw it).
        self._heap.start(self)

    def _write_terminal(self, text: str) -> None:
        """Through the driver, so the sequence never lands inside a frame being drawn."""
        driver = self._driver
        if driver is not None:
            driver.write(text)
            driver.flush()

    async def on_unmount(self) -> None:
        try:
            await self.service.aclose()
        except Exception:  # the terminal is already restored; a close failure is only logged
            log.exception("closing the service failed")

    # -- panes ------------------------------------------------------------------------------

    @property
    def current_pane(self) -> str:
        """Name of the pane in front ("browse", "search", "queue" or "downloads")."""
        current = self.query_one("#panes", ContentSwitcher).current
        assert current is not None
        return current

    def show_pane(self, name: str) -> None:
        """Bring a pane to the front, mark its tab and focus it. Key, mouse (through the tab
        bar) and palette all end here; calling it for the pane already in front only
        re-focuses it."""
        if name not in PANE_NAMES:
            raise ValueError(f"unknown pane {name!r}; expected one of {sorted(PANE_NAMES)}")
        pane = self.query_one(f"#{name}", Pane)
        self.query_one("#pane-tabs", Tabs).active = pane.INFO.tab_id
        self.query_one("#panes", ContentSwitcher).current = name
        self.set_focus(pane.default_focus())

    def action_show_pane(self, name: str) -> None:
        self.show_pane(name)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        tab_id = event.tab.id or ""
        name = tab_id.removeprefix("tab-")
        if name in PANE_NAMES and name != self.current_pane:
            self.show_pane(name)

    def on_show_pane(self, message: ShowPane) -> None:
        self.show_pane(message.pane)

    # -- rating and sources: any track list, any pane -------------------------------------

    def on_track_list_rate_requested(self, message: TrackList.RateRequested) -> None:
        message.stop()
        self.rate(message.track.urn, message.judgment, shown_in=message.track_list)

    def on_rate_highlighted(self, message: RateHighlighted) -> None:
        track = self.highlighted_track()
        if track is None:
            self._say_why("Highlight a track first: l / x / n rate the track under the cursor "
                          "in Browse, Search, the Queue or the History.", "Rating")
            return
        judgment = Judgment(message.judgment) if message.judgment else None
        focused = self.focused
        self.rate(track.urn, judgment,
                  shown_in=focused if isinstance(focused, TrackList) else None)

    def highlighted_track(self) -> Track | None:
        """The track under the cursor of the focused list: a track list, or a Queue or
        History row."""
        focused = self.focused
        if isinstance(focused, TrackList):
            return focused.highlighted
        if focused is not None:
            pane = next((n for n in (focused, *focused.ancestors) if isinstance(n, QueuePane)),
                        None)
            if pane is not None:
                return pane.highlighted_track()
        return None

    @work(group="rating", exit_on_error=False, description="Saving a rating")
    async def rate(self, urn: str, judgment: Judgment | None, *,
                   shown_in: TrackList | None = None) -> None:
        """Store the judgment, then change the badge in every list showing the track: the
        badge appears only once the commit has returned, so a rating that shows survives a
        crash. ``shown_in``: the list it was rated in, which says what x hid there."""
        await self.service.library.rate(urn, judgment)
        for track_list in self.query(TrackList):
            track_list.set_judgment(urn, judgment)
        refresh_details(self.screen)
        self.player_control.rated(urn, judgment)  # the now-playing bar's badge
        self._reload_queue()  # Queue and History rows carry the badge too
        # In the Inbox the row itself leaves: nothing to explain.
        if judgment is Judgment.NOT_INTERESTED and shown_in is not None \
                and not shown_in.remove_rated:
            self._say_hidden(shown_in)

    def _say_hidden(self, track_list: TrackList) -> None:
        """x hides a row: say so, how many are hidden, and how to see them."""
        hidden = track_list.hidden_count
        if hidden:
            self.notify(f"Not interested: hidden from this list, {hidden} hidden in all — "
                        "H shows them.", title="Rating", timeout=5)
        else:
            self.notify("Not interested: still listed, because H shows not-interested "
                        "tracks here.", title="Rating", timeout=5)

    # -- the highlighted track: its artist, its set, its links ------------------------------

    async def on_highlighted_action(self, message: HighlightedAction) -> None:
        message.stop()
        await self.run_action(message.action)

    def _track_or_say(self, what: str) -> Track | None:
        track = self.highlighted_track()
        if track is None:
            self._say_why(f"Highlight a track first: {what} works on the track under the "
                          "cursor in Browse, Search, the Queue or the History.")
        return track

    def action_go_artist(self) -> None:
        track = self._track_or_say("o (go to the artist)")
        if track is None:
            return
        target = track.uploader_url or track.uploader_urn
        if not target:
            self.notify(f"The service named no uploader for {track.title}; search for "
                        f"{track.artist} instead (2).", severity="warning", timeout=6)
            return
        self.on_open_source(OpenSource("tracks", target, f"Tracks of {track.uploader}"))

    def action_go_set(self) -> None:
        focused = self.focused
        if isinstance(focused, SourceList) and (ref := focused.highlighted_ref) is not None \
                and ref.listing == "playlist":
            self.show_pane("browse")
            self.query_one(BrowsePane).open_ref(ref)
            return
        track = self._track_or_say("O (go to the set)")
        if track is None:
            return
        browse = self.query_one(BrowsePane)
        found = browse.set_of(track.urn)
        if found is None:
            self.notify(f"{track.title} was not listed from a set here: O opens the set a "
                        "track was listed in (o opens the artist, whose Playlists list "
                        "their sets).", severity="warning", timeout=6)
            return
        self.show_pane("browse")
        browse.open_ref(found)

    def action_copy_link(self, which: str) -> None:
        key = "y" if which == "track" else "Y"
        track = self._track_or_say(f"{key} (copy the {which}'s link)")
        if track is None:
            return
        url = track.url if which == "track" else track.uploader_url
        if not url:
            self._say_why(f"No link to the {which} of {track.title} is known.")
            return
        # OSC 52: the terminal puts it on the clipboard (over ssh too, where it supports it).
        self.copy_to_clipboard(url)
        self.notify(f"Copied {url}", title="Link copied", timeout=4)

    def on_open_source(self, message: OpenSource) -> None:
        if message.kind == "search" and not message.target:
            self.show_pane("search")
            return
        self.show_pane("browse")
        self.query_one(BrowsePane).open_source(message.kind, message.target, message.title)

    # -- toasts ----------------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast as plain text, whoever asks (widgets pass markup=True by default):
        they carry track titles, URLs and config keys such as "[playback] audio_output",
        which markup would swallow or, for a title like "[/]", fail to render."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- quitting ---------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """q, ctrl+q, ctrl+c: with downloads running, ask first (screens/confirm_quit.py)."""
        main = self.screen_stack[0] if self.screen_stack else None
        running = main.query_one(DownloadsPane).running_count if main is not None else 0
        if not running or isinstance(self.screen, ConfirmQuit):
            self.exit()
            return

        def answered(quit: bool | None) -> None:
            if quit:
                self.exit()

        self.push_screen(ConfirmQuit(running), answered)

    def _on_notify(self, event: Notify) -> None:
        """At most three toasts at once, the newest: a burst (a batch of failures) pushes
        the oldest out instead of filling the screen."""
        super()._on_notify(event)
        shown = list(self._notifications)
        for old in shown[:-_TOASTS_SHOWN]:
            self._unnotify(old, refresh=False)
        if len(shown) > _TOASTS_SHOWN:
            self._refresh_notifications()

    # -- help, palette ----------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        # Collected here: once the modal screen is up, its own bindings are the active ones.
        self.push_screen(HelpScreen(key_help(self.screen)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Theme":  # ThemeCommands offers ours (and saves the choice)
                continue
            if command.title == "Keys":  # Textual's key panel; ours is the help screen
                yield SystemCommand("Keys", "List every key that works here, with its "
                                    "binding id", self.action_help)
            else:
                yield command

    # -- failures ---------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a failed worker becomes a toast instead of a crash (workers
        are started with exit_on_error=False)."""
        if event.state is not WorkerState.ERROR:
            return
        worker = event.worker
        error = worker.error
        what = worker.description or worker.name or "A background task"
        if isinstance(error, RateLimited):
            log.info("%s failed: %s", what, error.text, exc_info=error)
            # While retries remain, the net layer waits and retries by itself (the "Waiting N s"
            # toast of _announce_wait says when); this error means they ran out.
            wait = (f"try again in about {error.retry_after:.0f} s" if error.retry_after
                    else "try again in a few minutes")
            self.notify(f"SoundCloud is still rate limiting after the retries; {wait}.",
                        title=f"{what}: rate limited", severity="warning", timeout=10)
        elif isinstance(error, MinionError):
            # GeoBlocked, DrmOnly, PreviewOnly, ClientIdUnavailable...: .text says what to do.
            log.info("%s failed: %s", what, error.text, exc_info=error)
            self.notify(error.text, title=f"{what} failed", severity="error", timeout=10)
        else:
            # The traceback goes to the log only; the toast names the failure and the file.
            from minion_tui.config import log_path

            log.error("%s failed unexpectedly", what, exc_info=error)
            short = f"{type(error).__name__}: {error}".strip().rstrip(":")
            if len(short) > 120:
                short = short[:119] + "…"
            self.notify(
                f"Something went wrong: {short}. Details are in "
                f"{log_path()}.",
                title=f"{what} failed unexpectedly", severity="error", timeout=10,
            )

    # -- theme choice, keymap report, long waits (themes.py, keymap.py) -----------------------

    def on_choose_theme(self, message: ChooseTheme) -> None:
        self.choose_theme(message.name)

    def choose_theme(self, name: str) -> None:
        """Switch to a registered theme and remember it in config.toml (from the palette)."""
        self.theme = name
        self._save_theme(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="config",
          description="Saving the theme")
    def _save_theme(self, name: str) -> None:
        from minion_tui.config import set_config_value

        set_config_value("ui.theme", name, path=self.service.settings.path)

    def _usable_keymap(self) -> dict[str, str]:
        """[keymap] without the entries whose keys are not key names (reported on mount)."""
        keymap = dict(self.service.settings.keymap)
        return usable(keymap, bad_keys([], keymap))

    def _report_keymap_problems(self) -> None:
        """Key names that are not keys, keys bound twice after [keymap], and ids it names
        that do not exist: one toast."""
        wanted = dict(self.service.settings.keymap)
        if not wanted:  # nothing remapped: the defaults have no problem to report
            return
        modals = entries_of(HelpScreen) + entries_of(ConfirmQuit)
        defaults = [e for chain in binding_chains(self.screen) for e in chain]
        bad = bad_keys(defaults + modals, wanted)
        keymap = usable(wanted, bad)
        chains = [remap(chain, keymap) for chain in binding_chains(self.screen)]
        known = [e for chain in chains for e in chain] + modals
        report = keymap_report(find_conflicts(chains, involving=keymap),
                               unknown_ids(known, wanted), bad)
        if report:
            log.warning("%s", report)
            self.notify(report, title="Keymap", severity="warning", timeout=15)

    def _announce_wait(self, notice: WaitNotice) -> None:
        """Service listener: a long wait for a host becomes a toast. The notice may come from
        the app's own loop or from a worker thread."""
        text = f"Waiting {notice.seconds:.0f} s for {notice.host} ({notice.reason})"
        self._toast(text, title="Waiting", timeout=min(max(notice.seconds, 3), 10))

    def _announce_warning(self, text: str) -> None:
        """Service listener: a write done along the way failed (the database is locked or
        read-only); what the user asked for went on, so a toast, not an error. From the
        app's loop or a worker thread. A request budget near its limit (service/budgets.py)
        comes this way too, before the service would refuse."""
        title = "Not saved" if " not saved" in text or " not counted" in text else "Warning"
        self._toast(text, title=title, severity="warning", timeout=10)

    def _say_why(self, text: str, title: str = "") -> None:
        """A key with nothing to act on says why (a warning for 5 s) rather than doing
        nothing."""
        self.notify(text, title=title, severity="warning", timeout=5)

    def _toast(self, text: str, **options: Any) -> None:
        """``notify`` from the app's own thread or, hopping to it, from any other."""
        if self._thread_id == threading.get_ident():
            self.notify(text, **options)
        else:
            self.call_from_thread(self.notify, text, **options)

    # -- playback: keys (PlayerKeys), play requests, waveform clicks → tui/player_control.py --

    @cached_property
    def player_control(self) -> PlayerControl:
        return PlayerControl(self, self.service, rate=self.rate,
                             queue_changed=self._reload_queue)

    def _reload_queue(self) -> None:
        # The main screen's pane, also while a modal (help) is on top.
        for pane in self.screen_stack[0].query(QueuePane) if self.screen_stack else []:
            pane.reload()

    def on_track_list_selected(self, message: TrackList.Selected) -> None:
        message.stop()
        # The list becomes what plays next (as in ncspot and spotify-player).
        self.player_control.play_in(message.track_list.visible_tracks, message.track)

    def on_tracklist_chosen(self, message: Tracklist.Chosen) -> None:
        message.stop()
        self.player_control.play_section(message.track, (message.section.start_ms or 0) / 1000)

    def on_play_request(self, message: PlayRequest) -> None:
        message.stop()
        self.player_control.request(message)

    def on_waveform_seek(self, message: Waveform.Seek) -> None:
        message.stop()
        self.player_control.seek_fraction(message.fraction)

    # -- downloads: `d` and `D` pick the target; tui/download_control.py does the rest -------

    @cached_property
    def download_control(self) -> DownloadControl:
        return DownloadControl(self, self.service)

    def _show_download_event(self, event: DownloadEvent) -> None:
        """Every event of every download moves its row in the pane."""
        self.query_one(DownloadsPane).apply_event(event)

    def on_downloads_pane_jobs_left(self, message: DownloadsPane.JobsLeft) -> None:
        message.stop()
        self.download_control.resume()

    def action_leave_input(self) -> None:
        focused = self.focused
        pane = next((n for n in focused.ancestors if isinstance(n, Pane)), None) \
            if focused is not None else None
        if pane is not None:
            self.set_focus(pane.default_focus())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the keys (footer, help) and lets them through, e.g. `d` while typing.
        if action == "leave_input":
            return isinstance(self.focused, Input)
        return True

    def _highlighted_download(self) -> tuple[str, str] | None:
        """(URL, what to call it) of the focused list's highlighted track, or of the
        highlighted source when it is a set."""
        focused = self.focused
        track = self.highlighted_track()
        if track is not None:
            return track.url or track.urn, f"{track.artist} - {track.title}"
        if isinstance(focused, SourceList):
            ref = focused.highlighted_ref
            if ref is not None and ref.listing == "playlist" and ref.target:
                return ref.target, ref.title
        return None

    def _listed_set(self) -> tuple[str, str] | None:
        """(URL, title) of the set whose tracks Browse lists, while Browse is in front."""
        if self.current_pane != "browse":
            return None
        source = self.query_one(BrowsePane).source
        if source is None or source.listing != "playlist" or not source.target:
            return None
        return source.target, source.title

    def action_download_highlighted(self) -> None:
        found = self._highlighted_download()
        if found is None:
            self._say_why("Nothing to download here: highlight a track (or a set among the "
                          "sources) and press d.", "Download")
            return
        self.download_control.start(*found)

    def action_download_set(self) -> None:
        found = self._listed_set()
        if found is None:
            self.notify("No set is listed: D downloads the set Browse lists. Open one first "
                        "(a user's Playlists, or Search → Playlists); d downloads one track.",
                        title="Download", severity="warning", timeout=6)
            return
        self.download_control.start(*found)

    # -- writes on the service: z Z w W C → tui/write_control.py ----------------------------

    @cached_property
    def write_control(self) -> WriteControl:
        return WriteControl(self, self.service, playlist_changed=self._playlist_changed)

    def _playlist_changed(self, result: WriteResult) -> None:
        """A write changed a playlist: if Browse shows it, list it again (its new title)."""
        from dataclasses import replace

        browse = self.query_one(BrowsePane)
        source = browse.source
        if source is not None and source.listing == "playlist" and \
                source.target == result.target:
            browse.open_ref(replace(source, title=result.title or source.title), back=True,
                            focus=False)

    def _write_subject(self, what: str) -> Track | None:
        """The highlighted track, else the one playing."""
        track = self.highlighted_track()
        if track is None:
            now, _ = self.service.player.now_playing()
            track = now.track if now is not None else None
        if track is None:
            self._say_why(f"Highlight a track first: {what} works on the track under the "
                          "cursor, or the one playing.")
        return track

    def action_write(self, action: str) -> None:
        track = self._write_subject(action)
        if track is not None:
            self.write_control.run(action, track.urn, track.title)

    def action_follow_on_service(self, follow: bool = True) -> None:
        track = self._write_subject("following the artist")
        if track is None:
            return
        if not track.uploader_urn:
            self._say_why(f"The service named no uploader for {track.title}.")
            return
        self.write_control.run("follow" if follow else "unfollow", track.uploader_urn,
                               track.uploader or track.artist)

    def action_comment_here(self) -> None:
        now, state = self.service.player.now_playing()
        if now is None or state is None:
            self._say_why("Play a track first: C comments at the position playing.")
            return
        self.write_control.comment(now.track, state.position)

    def action_new_playlist(self) -> None:
        self.write_control.create_playlist(self.highlighted_track())

    def _browsed_playlist(self, what: str) -> tuple[str, str] | None:
        """(URN, title) of the playlist open in Browse, else a toast saying to open one."""
        source = self.query_one(BrowsePane).source
        if source is not None and source.listing == "playlist" and source.target:
            return source.target, source.title
        self._say_why(f"Open a playlist in Browse first: {what} works on the playlist being "
                      "browsed (yours, under You).")
        return None

    def action_playlist_write(self, what: str) -> None:
        """rename, public, private, delete: the playlist browsed; remove, move: the highlighted
        track in it."""
        found = self._browsed_playlist(f"{what} the playlist")
        if found is None:
            return
        urn, title = found
        control = self.write_control
        if what == "rename":
            control.rename_playlist(urn, title)
        elif what in ("public", "private"):
            control.playlist_privacy(urn, what == "private")
        elif what == "delete":
            control.delete_playlist(urn, title)
        else:
            track = self._track_or_say(f"{what} from the playlist")
            if track is not None:
                (control.remove_from_playlist if what == "remove"
                 else control.move_in_playlist)(urn, title, track)

    def action_add_to_playlist(self) -> None:
        track = self._write_subject("adding to a playlist")
        if track is not None:
            self.write_control.add_to_playlist(track)

    def action_track_write(self, what: str) -> None:
        """title, tags, description, delete: your own highlighted track."""
        track = self._track_or_say(f"changing your track's {what}")
        if track is None:
            return
        if what == "delete":
            self.write_control.delete_track(track)
        else:
            self.write_control.update_track(track, what)

    def action_upload(self) -> None:
        self.write_control.upload()

    # -- tempo and key: analyse (B), more like this (M), columns → tui/sound_control.py ----

    @cached_property
    def sound_control(self) -> SoundControl:
        return SoundControl(self, self.service)

    @cached_property
    def sound_columns(self) -> frozenset[str]:
        """The optional track-list columns shown: ``[ui] columns`` ("bpm, key, camelot")."""
        wanted, unknown = parse_columns(self.service.settings.ui.columns)
        if unknown:
            self.notify(f"[ui] columns: {', '.join(unknown)} — not a column (choose among "
                        f"{', '.join(OPTIONAL_COLUMNS)}).", title="Config",
                        severity="warning", timeout=8)
        return wanted

    def toggle_sound_columns(self) -> None:
        """Show the BPM, Key and Camelot columns in every list, or hide them."""
        shown = frozenset() if self.sound_columns else frozenset(OPTIONAL_COLUMNS)
        self.sound_columns = shown
        for track_list in self.query(TrackList):
            track_list.set_extra_columns(shown)

    def on_analysed(self, message: Analysed) -> None:
        self.sound_control.apply(message)

    def action_analyse_highlighted(self) -> None:
        track = self._track_or_say("B (analyse tempo and key)")
        if track is not None:
            self.sound_control.analyse(track)

    def action_more_like_this(self) -> None:
        track = self._track_or_say("M (more like this)")
        if track is not None:
            self.on_open_source(OpenSource("sounds_like", track.urn,
                                           f"Sounds like {track.title}"))

    def action_sort_tracks(self, column: str) -> None:
        """Sort the focused list (the palette's "Sort by BPM" / "Sort by key")."""
        focused = self.focused
        if not isinstance(focused, TrackList):
            self._say_why("Focus a track list first: the sort applies to the list under the "
                          "cursor.", "Sort")
            return
        focused.sort_by(column)

    # -- discovery: follow (f), sync (ctrl+r), radio (R) → tui/discovery_control.py --------

    @cached_property
    def discovery_control(self) -> DiscoveryControl:
        return DiscoveryControl(self, self.service)

    def follow_target(self, focused: Widget | None = None) -> FollowTarget | None:
        """Who `f` follows: the highlighted user (a Search result, a user's source in Browse)
        or the artist of the highlighted track. ``focused``: the main screen's focus when a
        modal (the palette) is on top."""
        focused = self.focused if focused is None else focused
        if isinstance(focused, SourceList) and (ref := focused.highlighted_ref) is not None \
                and ref.listing in _USER_SOURCES and ref.target:
            return FollowTarget(ref.target, ref.title.partition(" of ")[2] or ref.title)
        search = next((n for n in (focused.ancestors if focused is not None else ())
                       if isinstance(n, SearchPane)), None)
        if search is not None and (user := search.highlighted_user()) is not None:
            return FollowTarget(user.urn, user.username)
        track = self._track_of(focused)
        if track is None or not (track.uploader_urn or track.uploader_url):
            return None
        return FollowTarget(track.uploader_urn or track.uploader_url or "",
                            track.uploader or track.artist)

    def _track_of(self, focused: Widget | None) -> Track | None:
        if focused is self.focused:
            return self.highlighted_track()
        if isinstance(focused, TrackList):
            return focused.highlighted
        return None

    def action_toggle_follow(self) -> None:
        who = self.follow_target()
        if who is None:
            self._say_why("Nothing to follow here: highlight a track (f follows its artist), "
                          "a user in Search, or a user's source in Browse.", "Follow")
            return
        self.discovery_control.toggle(who)

    def on_follow_user(self, message: FollowUser) -> None:
        message.stop()
        self.discovery_control.set_following(FollowTarget(message.urn, message.name),
                                             message.follow)

    def action_sync_discovery(self) -> None:
        self.discovery_control.sync()

    def action_radio(self, which: str = "track") -> None:
        """A radio from the highlighted track (or, ``which`` "artist", its artist; on a
        user row, that user)."""
        track = self.highlighted_track()
        if track is not None and which == "track":
            self.discovery_control.radio(track.urn, track.title)
            return
        who = self.follow_target()
        if who is None:
            self._say_why("Highlight a track first: R plays a radio grown from the track "
                          "under the cursor (or from a user in Search).", "Radio")
            return
        self.discovery_control.radio(who.target, who.name)
