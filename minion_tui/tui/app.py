"""The Textual application: header, the four panes behind a tab bar, footer, key help and
command palette. The app only arranges panes and routes app-level messages; the work happens
in the service façade and, inside the TUI, in the panes."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header, Tab, Tabs
from textual.worker import Worker, WorkerState

from minion_tui.errors import MinionError
from minion_tui.tui.commands import PaneCommands
from minion_tui.tui.messages import ShowPane
from minion_tui.tui.panes import PANE_NAMES, PANES, BrowsePane, Pane
from minion_tui.tui.panes.downloads import DownloadsPane
from minion_tui.tui.panes.queue import QueuePane
from minion_tui.tui.panes.search import SearchPane
from minion_tui.tui.screens.help import HelpScreen, key_help
from minion_tui.tui.themes import BUILTIN_THEMES, choose_theme

if TYPE_CHECKING:
    from collections.abc import Iterable

    from minion_tui.service import Service

log = logging.getLogger(__name__)


class MinionApp(App[None]):
    """minion-tui. Give it an open :class:`~minion_tui.service.Service`; the app closes it
    when it exits."""

    CSS_PATH = "app.tcss"
    TITLE = "minion-tui"
    COMMANDS = App.COMMANDS | {PaneCommands}

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
        Binding("ctrl+c", "quit", "Quit", show=False, id="app.interrupt"),
        # Declared here (App would add it without an id) so [keymap] can move it.
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True,
                id="app.palette"),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        for theme in BUILTIN_THEMES:
            self.register_theme(theme)
        self.theme, self._theme_problem = choose_theme(
            service.settings.ui.theme, self.available_themes
        )

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(icon="♪")
        tabs = Tabs(*(Tab(p.title, id=p.tab_id) for p in PANES), id="pane-tabs")
        # The number keys (and the mouse) switch panes; a focusable tab bar would only be one
        # more stop in the tab order.
        tabs.can_focus = False
        yield tabs
        with ContentSwitcher(initial=PANES[0].name, id="panes"):
            yield BrowsePane(notice=self.service.demo_notice)
            yield SearchPane()
            yield QueuePane()
            yield DownloadsPane()
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "demo" if self.service.demo else ""
        self.set_keymap(dict(self.service.settings.keymap))
        if self._theme_problem:
            self.notify(self._theme_problem, title="Theme", severity="warning", timeout=10)
        self.show_pane(PANES[0].name)

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

    # -- help, palette ----------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        # Collected here: once the modal screen is up, its own bindings are the active ones.
        self.push_screen(HelpScreen(key_help(self.screen)))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
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
        if isinstance(error, MinionError):
            log.info("%s failed: %s", what, error.text, exc_info=error)
            self.notify(error.text, title=f"{what} failed", severity="error", timeout=10)
        else:
            log.error("%s failed unexpectedly", what, exc_info=error)
            self.notify(
                f"{what} failed unexpectedly ({type(error).__name__}: {error}). "
                "Run with --debug and look in the log file for details.",
                title="Unexpected error", severity="error", timeout=10,
            )
