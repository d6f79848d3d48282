"""`--demo` keeps what it writes with its data: the emulator's catalog, but downloads and a
theme choice go to the demo's folder, never to the user's Music folder or config file."""

from __future__ import annotations

from pathlib import Path

from minion_tui import config
from minion_tui.cli import build_parser
from minion_tui.cli.session import open_service


def test_demo_settings_point_into_the_demo_data(tmp_path: Path) -> None:
    user_config = config.config_path()
    user_config.parent.mkdir(parents=True, exist_ok=True)
    user_config.write_text('[keymap]\n"app.help" = "f2"\n[downloads]\ndir = "~/Music/x"\n',
                           encoding="utf-8")
    args = build_parser().parse_args(["--demo", "--demo-data", str(tmp_path / "demo")])
    with open_service(args) as service:
        assert service.demo
        assert service.data_dir == tmp_path / "demo"
        assert service.settings.downloads.dir == tmp_path / "demo" / "Music"
        assert service.settings.path == tmp_path / "demo" / "config.toml"
        assert dict(service.settings.keymap) == {"app.help": "f2"}  # the user's keys apply
        assert "sndcdn.com" in " ".join(service.settings.endpoints)


def _demo(*argv: str) -> list[str]:
    return ["--demo", *argv]


def test_the_demo_keeps_its_data_between_runs_beside_the_real_data() -> None:
    import asyncio

    from minion_tui.models import Judgment

    args = build_parser().parse_args(["--demo"])
    with open_service(args) as service:
        assert service.data_dir == config.data_dir() / "demo"
        assert service.settings.downloads.dir == config.data_dir() / "demo" / "Music"
        assert service.demo_notice is None  # nothing to warn about

        async def rate() -> str:
            try:
                async for page in service.catalog.browse("trending"):
                    urn = page.items[0].urn
                    await service.library.rate(urn, Judgment.LIKED)
                    return urn
                raise AssertionError("no trending page")
            finally:
                await service.aclose()

        liked = asyncio.run(rate())
    assert not (config.data_dir() / "minion.db").exists()  # the real data is untouched
    with open_service(build_parser().parse_args(["--demo"])) as service:

        async def ratings() -> list[str]:
            try:
                return [t.urn for t in await service.library.my_ratings(list(Judgment))]
            finally:
                await service.aclose()

        assert asyncio.run(ratings()) == [liked]


def test_demo_fresh_is_a_throwaway_directory_and_says_so() -> None:
    args = build_parser().parse_args(["--demo-fresh"])
    with open_service(args) as service:
        assert service.demo
        data = service.data_dir
        assert data != config.data_dir() / "demo" and data.exists()
        assert service.demo_notice is not None
        assert "deleted when you quit" in service.demo_notice
        assert "--demo-fresh" in service.demo_notice
    assert not data.exists()


def test_the_theme_chosen_in_the_demo_is_its_theme_next_time(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    args = build_parser().parse_args(["--demo", "--demo-data", str(demo)])
    with open_service(args) as service:
        assert service.settings.ui.theme == "minion-dark"
        config.set_config_value("ui.theme", "minion-light", path=service.settings.path)
    with open_service(args) as service:
        assert service.settings.ui.theme == "minion-light"
        assert service.settings.path == demo / "config.toml"
    # The user's own file is not where it went.
    assert "minion-light" not in (config.config_path().read_text(encoding="utf-8")
                                  if config.config_path().exists() else "")
