"""Themes as data: the shipped TOML files, user themes, and switching (and saving) a theme."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.theme import Theme

from minion_tui.config import config_dir
from minion_tui.tui.app import MinionApp
from minion_tui.tui.themes import (
    BUILTIN_THEME_DIR,
    RATING_VARIABLES,
    ThemeFileError,
    load_theme_dir,
    load_themes,
    theme_from_toml,
)

AppFactory = Callable[..., MinionApp]


def test_the_shipped_themes_load_with_rating_colours() -> None:
    themes, problems = load_theme_dir(BUILTIN_THEME_DIR)
    assert problems == []
    names = {t.name for t in themes}
    assert {"minion-dark", "minion-light"} <= names and len(names) >= 4
    for theme in themes:
        assert all(v in theme.variables for v in RATING_VARIABLES), theme.name
    dark = next(t for t in themes if t.name == "minion-dark")
    assert (dark.primary, dark.dark, dark.variables["rating-liked"]) == ("#FF7A2F", True,
                                                                          "#8BD17C")
    assert next(t for t in themes if t.name == "minion-light").dark is False


def test_a_theme_file_becomes_a_textual_theme() -> None:
    theme = theme_from_toml('name = "dusk"\nprimary = "#112233"\ndark = false\n'
                            '[variables]\nrating-liked = "#00ff00"\n')
    assert isinstance(theme, Theme)
    assert (theme.name, theme.primary, theme.dark) == ("dusk", "#112233", False)
    assert theme.variables["rating-liked"] == "#00ff00"
    assert theme.variables["rating-not-quite"] == "$warning"  # a default fills the gap


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('primary = "#fff"', "missing 'name'"),
        ('name = "x"', "missing 'primary'"),
        ('name = "x"\nprimary = "not-a-colour"', "'primary' = 'not-a-colour' is not a colour"),
        ('name = "x"\nprimary = "#fff"\nshade = 1', "unknown key(s) shade"),
        ('name = "x"\nprimary = "#fff"\ndark = "yes"', "'dark' must be true or false"),
        ("name = ", "not valid TOML"),
    ],
)
def test_bad_theme_files_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ThemeFileError) as caught:
        theme_from_toml(text)
    assert problem in str(caught.value)


def test_user_themes_come_after_the_builtin_ones(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text('name = "minion-dark"\nprimary = "#010203"\n')
    (tmp_path / "broken.toml").write_text('name = "broken"\n')
    themes, problems = load_themes(tmp_path)
    assert themes[-1].name == "minion-dark" and themes[-1].primary == "#010203"
    assert [(p.path.name, "missing 'primary'" in p.problem) for p in problems] == [
        ("broken.toml", True)
    ]


async def test_a_bad_user_theme_is_a_warning_and_a_good_one_is_usable(
    make_app: AppFactory,
) -> None:
    user = config_dir() / "themes"
    user.mkdir(parents=True)
    (user / "bad.toml").write_text("name = \n")
    (user / "velvet.toml").write_text('name = "velvet"\nprimary = "#7a1f5c"\n')
    app = make_app(theme="velvet")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "velvet"
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1
        assert str(user / "bad.toml") in messages[0] and "not valid TOML" in messages[0]


async def test_switching_theme_from_the_palette_saves_it(app: MinionApp,
                                                          tmp_path: Path) -> None:
    async with app.run_test() as pilot:
        assert app.theme == "minion-dark"
        dark_background = app.screen.styles.background
        await pilot.press("ctrl+p")
        await pilot.press(*"Theme: minion-light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.theme == "minion-light"
        assert app.get_css_variables()["rating-liked"] == "#2E8B3E"
        assert app.screen.styles.background != dark_background
    config = (tmp_path / "config.toml").read_text()
    assert 'theme = "minion-light"' in config


async def test_the_demo_starts_in_the_theme_chosen_in_it_last_time(tmp_path: Path) -> None:
    from minion_tui.cli import build_parser
    from minion_tui.cli.session import open_service

    args = build_parser().parse_args(["--demo", "--demo-data", str(tmp_path / "demo")])
    with open_service(args) as service:
        app = MinionApp(service)
        async with app.run_test() as pilot:
            assert app.theme == "minion-dark"
            app.choose_theme("minion-light")
            await pilot.pause()
            await app.workers.wait_for_complete()
    assert 'theme = "minion-light"' in (tmp_path / "demo" / "config.toml").read_text()
    with open_service(args) as service:
        again = MinionApp(service)
        async with again.run_test() as pilot:
            assert again.theme == "minion-light"
            assert again.screen.styles.background is not None
