"""The user's ``[keymap]`` table checked against the bindings: keys bound twice, ids that do
not exist and key names no terminal sends are reported once, at start, instead of a key
silently doing the wrong thing. An entry with a key name that is not one is not applied (the
binding keeps its keys): applied, it would unbind the keys the id had for a key that never
comes.

The checks are pure functions over :class:`BindingEntry` values; :func:`entries_of` and
:func:`binding_chains` read them from a mounted DOM (every binding namespace that is active at
the same time: a widget, its ancestors, the screen and the app).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import (
    Keys,
    _normalize_key_list,  # the same normalisation App.set_keymap applies
    key_to_character,
)


def help_only(key: str, action: str, description: str, id: str) -> Binding:
    """A binding the help screen lists and the footer leaves out (it would crowd out the
    pane's own keys); ``id`` is what ``[keymap]`` remaps it by."""
    return Binding(key, action, description, show=False, id=id)


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


_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
#: Named keys ("down", "pagedown", "f5", "space"...); Textual's "<any>"-like markers are not.
_NAMED_KEYS = frozenset(k.value for k in Keys if "+" not in k.value and "<" not in k.value)


def is_key_name(key: str) -> bool:
    """Whether Textual can ever see ``key`` (normalised, as :func:`split_keys` gives it):
    modifiers joined by "+" to one character, a named key, or a character's name
    ("question_mark")."""
    *modifiers, base = key.split("+")
    if not base or any(m not in _MODIFIERS for m in modifiers):
        return False
    return len(base) == 1 or base in _NAMED_KEYS or key_to_character(base) is not None


@dataclass(frozen=True)
class BadKeys:
    """A [keymap] entry with key names that are not keys; the binding keeps ``kept``."""

    id: str
    bad: tuple[str, ...]
    kept: tuple[str, ...]

    @property
    def text(self) -> str:
        names = ", ".join(repr(k) for k in self.bad) or "no key at all"
        verb = "is not a key name" if len(self.bad) == 1 else "are not key names"
        kept = ", ".join(self.kept) or "no key"
        return f"{names} {verb} ({self.id} keeps {kept})"


def bad_keys(entries: Iterable[BindingEntry], keymap: Mapping[str, str]) -> list[BadKeys]:
    """The [keymap] entries naming keys that do not exist, with the keys their binding keeps
    (its defaults)."""
    defaults: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        defaults.setdefault(entry.id, entry.keys)
    found = []
    for binding_id, keys in sorted(keymap.items()):
        named = split_keys(keys)
        bad = tuple(k for k in named if not is_key_name(k))
        if bad or not named:
            found.append(BadKeys(binding_id, bad, defaults.get(binding_id, ())))
    return found


def usable(keymap: Mapping[str, str], bad: Iterable[BadKeys]) -> dict[str, str]:
    """``keymap`` without the entries that name keys that are not keys."""
    dropped = {b.id for b in bad}
    return {k: v for k, v in keymap.items() if k not in dropped}


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


def keymap_report(conflicts: Sequence[KeyConflict], unknown: Sequence[str],
                  bad: Sequence[BadKeys] = ()) -> str | None:
    """One message for every problem, or None when the keymap is fine."""
    lines = [b.text for b in bad]
    lines += [c.text for c in conflicts]
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
