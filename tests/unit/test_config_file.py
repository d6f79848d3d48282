"""config.toml that is not a sane text file: nested too deep, huge, not UTF-8, a folder, a
FIFO, unreadable. Each is one line of the configuration report (ConfigError, type `config`,
exit 2), from loading and from `config set` alike, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from minion_tui import config
from minion_tui.errors import ConfigError
from tests.unprivileged import hand_over, require_permission_bits, run_cli, xdg_env


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config.load_settings(path=path, environ={})
    assert caught.value.exit_code == 2 and caught.value.type == "config"
    return caught.value.problems


def deep_arrays(levels: int) -> str:
    return "[net]\ntimeout = 3\n\n[ui]\ntheme = " + "[" * levels + "]" * levels + "\n"


def test_arrays_nested_two_thousand_deep_are_a_problem_with_a_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(deep_arrays(2000), encoding="utf-8")
    assert problems_of(path) == [
        "line 5: values nested too deeply (arrays or inline tables inside each other, more "
        "than 100 levels); a setting needs at most 2"
    ]


def test_inline_tables_nested_deep_are_the_same_problem(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[endpoints]\n\"https://a.example\" = " + "{a = " * 2000 + "1" + "}" * 2000
                    + "\n", encoding="utf-8")
    assert problems_of(path) == [
        "line 2: values nested too deeply (arrays or inline tables inside each other, more "
        "than 100 levels); a setting needs at most 2"
    ]


def test_config_set_on_a_deeply_nested_file_reports_it_and_leaves_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    text = deep_arrays(2000)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.set_config_value("net.rate_limit", "5", path=path)
    assert caught.value.problems == [
        "line 5: values nested too deeply (arrays or inline tables inside each other, more "
        "than 100 levels); a setting needs at most 2"
    ]
    assert path.read_text(encoding="utf-8") == text


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with path.open("w", encoding="utf-8") as out:
        out.write("[net]\ntimeout = 3\n")
        out.write(("# " + "x" * 98 + "\n") * 30_000)  # 3 MB of comments
    assert problems_of(path) == [
        "the file is 3.0 MB, far more than a configuration needs (at most 1 MiB); is it the "
        "right file? Move it aside, or run `minion-tui config init --force` to replace it "
            "with a fresh one"
    ]
    with pytest.raises(ConfigError) as caught:
        config.set_config_value("net.rate_limit", "5", path=path)
    assert caught.value.problems == problems_of(path)


def test_a_folder_where_the_file_should_be(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()
    assert problems_of(path) == [
        f"{path} is a folder, not a file; remove or rename it (`minion-tui config init` then "
        "writes a fresh file)"
    ]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    assert problems_of(path) == [
        f"{path} is not a regular file (a FIFO, device or socket); replace it with a text file"
    ]


def test_invalid_utf8_in_config_set_is_the_same_problem_as_in_loading(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[net]\ntimeout = 3\n[ui]\ntheme = '\xff'\n")
    expected = ["line 4: the file is not UTF-8 text; save it as UTF-8"]
    assert problems_of(path) == expected
    with pytest.raises(ConfigError) as caught:
        config.set_config_value("net.rate_limit", "5", path=path)
    assert caught.value.problems == expected


def test_the_cli_reports_a_deep_config_as_json_with_exit_2(reachable_tmp: Path) -> None:
    env = xdg_env(reachable_tmp)
    path = reachable_tmp / "config" / "minion-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(deep_arrays(2000), encoding="utf-8")
    for argv in (("config", "show", "--json"), ("search", "deep", "--json")):
        done = run_cli(*argv, env=env)
        assert "Traceback" not in done.stderr
        assert done.returncode == 2, done.stderr
        error = json.loads(done.stdout)["error"]
        assert error["type"] == "config"
        assert "line 5: values nested too deeply" in error["message"]


def test_an_unreadable_file_says_how_to_make_it_readable(reachable_tmp: Path) -> None:
    require_permission_bits()
    env = xdg_env(reachable_tmp)
    path = reachable_tmp / "config" / "minion-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[net]\ntimeout = 3\n", encoding="utf-8")
    hand_over(reachable_tmp)
    path.chmod(0o200)  # the owner may write, not read
    done = run_cli("config", "show", "--json", env=env)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, done.stderr
    error = json.loads(done.stdout)["error"]
    assert error["type"] == "config"
    assert (f"  - cannot read the file: permission denied; make it readable "
            f"(chmod u+r {path}) or set XDG_CONFIG_HOME to another folder") in error["message"]
