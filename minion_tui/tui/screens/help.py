"""The key help: every key that works where the user is, what it does and its binding id
(the name to use in the [keymap] table of config.toml)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from minion_tui.tui.panes.base import Pane


@dataclass(frozen=True)
class KeyHelp:
    """One line of the key help."""

    key: str
    description: str
    binding_id: str
    """Empty for Textual's own bindings, which cannot be remapped by id."""
    scope: str
    """Where the binding is defined: "app", a pane title, or a widget's type."""


def key_help(screen: Screen[object]) -> list[KeyHelp]:
    """The help rows for the keys that work on ``screen`` now: the focused pane's first, then
    the app's, then those of Textual's widgets and screen.

    Unlike ``Screen.active_bindings`` (one binding per key), bindings shadowed by a closer one
    are kept: ctrl+c copies a selection *and* quits when there is none, and both belong in the
    help. Disabled actions, duplicates, Textual's system bindings and its widgets' own keys
    are left out; hidden ones (show=False) are kept, since the help is where hidden keys can
    be found."""
    app = screen.app
    rows: list[tuple[int, KeyHelp]] = []
    # The same walk as Screen.active_bindings (textual/screen.py), without the one-per-key merge.
    for node, bindings in screen._modal_binding_chain:
        for _key, binding in bindings:
            if binding.system or app._check_action_state(binding.action, node) is False:
                continue
            # Textual's own widget keys (OptionList's arrows, scrolling, Input's editing) have
            # no id: ours move the same way and are listed, so theirs would only double the
            # list. The screen's focus keys (tab) stay.
            if binding.id is None and node is not screen and node is not app:
                continue
            rank, scope = _scope(app, node)
            row = KeyHelp(
                key=app.get_key_display(binding),
                description=binding.description or _describe_action(binding),
                binding_id=binding.id or "",
                scope=scope,
            )
            if (rank, row) not in rows:
                rows.append((rank, row))
    return [row for _rank, row in sorted(rows, key=lambda ranked: ranked[0])]


def _describe_action(binding: Binding) -> str:
    return binding.action.split(".")[-1].split("(")[0].replace("_", " ").capitalize()


def _scope(app: App[object], node: object) -> tuple[int, str]:
    """Where a binding comes from, ranked by how specific to the user's place it is."""
    if isinstance(node, Pane):
        return 0, f"{node.INFO.title} pane"
    if node is app:
        return 1, "app"
    # A widget inside a pane (the track list, the source list) is the focused pane's too: its
    # keys (j/k, rating, filter) are what the user is looking for, so they come first.
    pane = next((n for n in getattr(node, "ancestors", ()) if isinstance(n, Pane)), None)
    if pane is not None:
        return 0, f"{pane.INFO.title} pane · {_widget_name(node)}"
    return 2, type(node).__name__


def _widget_name(node: object) -> str:
    """"TrackList" → "track list"."""
    name = type(node).__name__
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()


class HelpScreen(ModalScreen[None]):
    """Lists the keys given to it (collected before it opened, since a modal screen has its own
    bindings); escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, rows: Sequence[KeyHelp]) -> None:
        super().__init__(id="help")
        self.rows = tuple(rows)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("Keys", id="help-title")
            table: DataTable[str] = DataTable(
                id="help-keys", cursor_type="row", zebra_stripes=True
            )
            table.add_columns("Key", "Does", "Binding id", "Where")
            for row in self.rows:
                table.add_row(row.key, row.description, row.binding_id, row.scope)
            yield table
            yield Static(
                "Remap a key in config.toml: [keymap] <binding id> = \"key,other key\". "
                "Press escape to close.",
                id="help-hint",
                markup=False,
            )
