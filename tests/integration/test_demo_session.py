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
