"""The keys that move through every list, declared once: `j` `k` `g` `G` `ctrl+d` `ctrl+u`
beside the arrows, `home`, `end`, `pgup` and `pgdn` (spotify-player and ncspot move the same
way in every list).

Each list names its own binding ids (the prefix, and the ids it had before), so a `[keymap]`
entry of one list does not move the keys of another; the keys and their order are the same
everywhere. Textual's lists (OptionList, DataTable) call the same moves by other action
names, hence ``top`` and ``bottom``.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.binding import Binding

#: move → (keys, description, the action of a RowCursor list).
MOVES: dict[str, tuple[str, str, str]] = {
    "down": ("j,down", "Down", "cursor_down"),
    "up": ("k,up", "Up", "cursor_up"),
    "top": ("g,home", "Top", "top"),
    "bottom": ("G,end", "Bottom", "bottom"),
    "page_down": ("ctrl+d,pagedown", "Page down", "page_down"),
    "page_up": ("ctrl+u,pageup", "Page up", "page_up"),
}

#: The actions of Textual's OptionList and DataTable for ``top`` and ``bottom``.
OPTION_LIST_ENDS = {"top": "first", "bottom": "last"}
DATA_TABLE_ENDS = {"top": "scroll_top", "bottom": "scroll_bottom"}


def list_bindings(prefix: str, *, actions: Mapping[str, str] | None = None,
                  ids: Mapping[str, str] | None = None) -> list[Binding]:
    """The moves as bindings with ids ``<prefix>.<move>`` (``ids`` keeps older names, e.g.
    ``{"down": "queue.cursor_down"}``); ``actions`` renames the actions a widget has under
    other names."""
    actions = actions or {}
    ids = ids or {}
    return [
        Binding(keys, actions.get(move, action), description, show=False,
                id=ids.get(move, f"{prefix}.{move}"))
        for move, (keys, description, action) in MOVES.items()
    ]
