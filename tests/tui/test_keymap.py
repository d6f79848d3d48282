"""[keymap]: remapping binding ids, and reporting keys bound twice or ids that do not exist."""

from __future__ import annotations

from collections.abc import Callable

from minion_tui.tui.app import MinionApp
from minion_tui.tui.keymap import (
    BindingEntry,
    KeyConflict,
    binding_chains,
    entries_of,
    find_conflicts,
    keymap_report,
    remap,
    split_keys,
    unknown_ids,
)

AppFactory = Callable[..., MinionApp]

APP = [BindingEntry("app.quit", ("q",), "MinionApp"),
       BindingEntry("app.help", ("question_mark", "f1"), "MinionApp")]
LIST = [BindingEntry("list.rate_liked", ("l",), "TrackList")]


def test_keys_are_normalised_like_textual_does() -> None:
    assert split_keys("?, f1,ctrl+x") == ("question_mark", "f1", "ctrl+x")


def test_remap_replaces_only_the_named_ids() -> None:
    assert remap(APP, {"app.quit": "x,ctrl+q"}) == [
        BindingEntry("app.quit", ("x", "ctrl+q"), "MinionApp"), APP[1]]


def test_a_remap_onto_a_taken_key_is_a_conflict_naming_both_ids() -> None:
    chain = remap(APP + LIST, {"list.rate_liked": "q"})
    assert find_conflicts([chain]) == [KeyConflict("q", ("app.quit", "list.rate_liked"))]
    # Bindings that are never active together do not conflict.
    assert find_conflicts([remap(APP, {}), remap(LIST, {"list.rate_liked": "q"})]) == []


def test_conflicts_can_be_limited_to_the_remapped_ids() -> None:
    chain = [*APP, BindingEntry("list.quit_too", ("q",), "TrackList")]
    assert find_conflicts([chain], involving=["app.help"]) == []
    assert len(find_conflicts([chain], involving=["app.quit"])) == 1


def test_the_report_lists_every_problem_in_one_message() -> None:
    report = keymap_report([KeyConflict("q", ("app.quit", "list.rate_liked"))],
                           unknown_ids(APP, {"app.qiut": "x"}))
    assert report == (
        "[keymap] in config.toml: key 'q' is bound to both app.quit and list.rate_liked; "
        "no binding with id 'app.qiut' — ids are listed in the help screen (?)."
    )
    assert keymap_report([], []) is None


async def test_the_dom_chains_hold_app_and_pane_bindings(app: MinionApp) -> None:
    async with app.run_test():
        ids = {e.id for chain in binding_chains(app.screen) for e in chain}
        assert {"app.quit", "app.help", "search.focus_query"} <= ids
        assert "app.quit" in {e.id for e in entries_of(MinionApp)}


async def test_a_remapped_key_works_and_the_old_one_does_not(make_app: AppFactory) -> None:
    app = make_app(keymap={"app.quit": "f10"})
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        assert [n.message for n in app._notifications] == []
        await pilot.press("f10")
        await pilot.pause()
        assert not app.is_running


async def test_conflicts_and_unknown_ids_are_one_warning_at_start(
    make_app: AppFactory,
) -> None:
    app = make_app(keymap={"app.help": "q", "no.such.binding": "z"})
    async with app.run_test() as pilot:
        await pilot.pause()
        notes = list(app._notifications)
        assert len(notes) == 1
        assert notes[0].severity == "warning"
        assert "key 'q' is bound to both app.help and app.quit" in notes[0].message
        assert "no binding with id 'no.such.binding'" in notes[0].message


def test_key_names_that_are_not_keys_are_found_and_not_applied() -> None:
    from minion_tui.tui.keymap import bad_keys, is_key_name, usable

    for good in ("j", "question_mark", "ctrl+d", "pagedown", "f5", "shift+tab", "space"):
        assert is_key_name(good), good
    for bad in ("notakey!!", "ctrl+", "hyperspace+x", "f99", "pgdn"):
        assert not is_key_name(bad), bad
    keymap = {"app.quit": "f10", "app.help": "f1,notakey!!"}
    found = bad_keys(APP, keymap)
    assert [b.text for b in found] == [
        "'notakey!!' is not a key name (app.help keeps question_mark, f1)"]
    assert usable(keymap, found) == {"app.quit": "f10"}
