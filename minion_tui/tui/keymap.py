"""The user's ``[keymap]`` table checked against the bindings: keys bound twice and ids that do
not exist are reported once, at start, instead of a key silently doing the wrong thing.

The checks are pure functions over :class:`BindingEntry` values; :func:`entries_of` and
:func:`binding_chains` read them from a mounted DOM (every binding namespace that is active at
the same time: a widget, its ancestors, the screen and the app).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.dom import DOMNode
from textual.keys import _normalize_key_list  # the same normalisation App.set_keymap applies


@dataclass(frozen=True)
class BindingEntry:
    """One binding with an id, as declared by a class (its namespace)."""

    id: str
    keys: tuple[str, ...]
    namespace: str


@dataclass(frozen=True)
class KeyConflict:
    """A key that two or more binding ids active together both claim."""

    key: str
    ids: tuple[str, ...]

    @property
    def text(self) -> str:
        ids = " and ".join(self.ids)
        return f"key {self.key!r} is bound to both {ids}"


def split_keys(keys: str) -> tuple[str, ...]:
    """``"?,f1"`` → ``("question_mark", "f1")``."""
    return tuple(k for k in _normalize_key_list(keys).split(",") if k)


def remap(entries: Iterable[BindingEntry], keymap: Mapping[str, str]) -> list[BindingEntry]:
    """The bindings after ``[keymap]`` replaced the keys of the ids it names."""
    return [
        BindingEntry(e.id, split_keys(keymap[e.id]), e.namespace) if e.id in keymap else e
        for e in entries
    ]


def unknown_ids(entries: Iterable[BindingEntry], keymap: Mapping[str, str]) -> list[str]:
    """Ids in ``[keymap]`` that no binding has (typos, or bindings that were renamed)."""
    known = {e.id for e in entries}
    return sorted(set(keymap) - known)


def find_conflicts(
    chains: Iterable[Sequence[BindingEntry]], *, involving: Collection[str] | None = None
) -> list[KeyConflict]:
    """Keys bound to more than one id within one chain of bindings active together.

    ``involving`` keeps only conflicts where one of these ids takes part: at start the app
    passes the ids the user remapped, because among the defaults a focused widget shadowing
    its pane (``/`` filters a list, elsewhere it focuses the query) is deliberate."""
    found: dict[str, set[str]] = {}
    for chain in chains:
        by_key: dict[str, set[str]] = {}
        for entry in chain:
            for key in entry.keys:
                by_key.setdefault(key, set()).add(entry.id)
        for key, ids in by_key.items():
            if len(ids) > 1:
                found.setdefault(key, set()).update(ids)
    return [
        KeyConflict(key, tuple(sorted(ids)))
        for key, ids in sorted(found.items())
        if involving is None or ids & set(involving)
    ]


def keymap_report(conflicts: Sequence[KeyConflict], unknown: Sequence[str]) -> str | None:
    """One message for every problem, or None when the keymap is fine."""
    lines = [c.text for c in conflicts]
    lines += [
        f"no binding with id {binding_id!r} — ids are listed in the help screen (?)"
        for binding_id in unknown
    ]
    if not lines:
        return None
    return "[keymap] in config.toml: " + "; ".join(lines) + "."


# -- reading the DOM ------------------------------------------------------------------------


def entries_of(node_type: type[DOMNode]) -> list[BindingEntry]:
    """The bindings with ids that a node class declares (before any keymap)."""
    merged = node_type._merged_bindings
    if merged is None:
        return []
    seen: dict[str, BindingEntry] = {}
    for bindings in merged.key_to_bindings.values():
        for binding in bindings:
            if binding.id is None:  # Textual's own bindings have no ids and cannot be remapped
                continue
            old = seen.get(binding.id)
            keys = split_keys(binding.key)
            if old is not None:
                keys = (*old.keys, *keys)
            seen[binding.id] = BindingEntry(binding.id, keys, node_type.__name__)
    return list(seen.values())


def binding_chains(root: DOMNode) -> list[list[BindingEntry]]:
    """For every node under ``root`` (a screen), its bindings plus those of its ancestors
    (up to and including the app): the sets of bindings that are live together."""
    chains: list[list[BindingEntry]] = []
    for node in root.walk_children(with_self=True):
        chain: list[BindingEntry] = []
        current: DOMNode | None = node
        while current is not None:
            chain += entries_of(type(current))
            current = current.parent
        chains.append(chain)
    return chains
