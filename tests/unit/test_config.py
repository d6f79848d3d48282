"""config: precedence (defaults < config.toml < environment) with origins, the all-at-once
error report with line numbers, the endpoint map, `config init` and comment-keeping edits."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import platformdirs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minion_tui import config
from minion_tui.config import (
    SECTION_TYPES,
    SETTINGS,
    format_endpoints,
    locate_keys,
    parse_endpoints,
)
from minion_tui.errors import ConfigError, MinionError


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path | None = None, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config.load_settings(path=path, environ=environ or {})
    assert caught.value.exit_code == 2
    assert caught.value.to_json()["error"]["type"] == "config"
    return caught.value.problems


# -- where things live ----------------------------------------------------------------------


def test_directories_follow_the_xdg_variables(isolated_env: Path) -> None:
    assert config.config_path() == isolated_env / "config" / "minion-tui" / "config.toml"
    assert config.config_dir() == isolated_env / "config" / "minion-tui"
    assert config.data_dir() == isolated_env / "data" / "minion-tui"
    assert config.cache_dir() == isolated_env / "cache" / "minion-tui"
    assert config.log_dir() == isolated_env / "state" / "minion-tui" / "log"


def test_the_log_file_is_one_path_inside_the_log_dir(isolated_env: Path) -> None:
    assert config.log_path() == config.log_dir() / "minion-tui.log"


def test_load_settings_reads_the_file_under_xdg_config_home(isolated_env: Path) -> None:
    path = isolated_env / "config" / "minion-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    write(path, "[playback]\nvolume = 33\n")
    settings = config.load_settings(environ={})
    assert settings.playback.volume == 33
    assert settings.path == path
    assert settings.origin("playback.volume") == f"file {path}:2"


# -- precedence -----------------------------------------------------------------------------


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    settings = config.load_settings(path=tmp_path / "absent.toml", environ={})
    assert settings.net == config.NetSettings()
    assert settings.net.rate_limit == 15.0 and settings.net.max_retries == 5
    assert settings.downloads.dir == Path(platformdirs.user_music_dir()) / "minion-tui"
    assert settings.downloads.format == "best"
    assert settings.ui.theme == "minion-dark" and settings.playback.volume == 80
    assert dict(settings.endpoints) == {} and dict(settings.keymap) == {}
    assert {settings.origin(s.dotted) for s in SETTINGS} == {"default"}


def test_environment_beats_file_beats_default(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", """
        [soundcloud]
        client_id = "from-file"

        [net]
        rate_limit = 2.5
        max_retries = 7

        [downloads]
        parallel = 4
        dir = "~/tunes"
    """)
    environ = {
        "SOUNDCLOUD_CLIENT_ID": "from-env",
        "SOUNDCLOUD_RATE_LIMIT": "9",
        "SOUNDCLOUD_DOWNLOAD_DIR": str(tmp_path / "library"),
        "MIXCLOUD_CLIENT_ID": "mc-env",
        "SOUNDCLOUD_MAX_RETRIES": "",  # empty counts as unset: the file's 7 stays
    }
    settings = config.load_settings(path=path, environ=environ)

    assert settings.soundcloud.client_id == "from-env"
    assert settings.origin("soundcloud.client_id") == "env SOUNDCLOUD_CLIENT_ID"
    assert settings.net.rate_limit == 9.0
    assert settings.origin("net.rate_limit") == "env SOUNDCLOUD_RATE_LIMIT"
    assert settings.net.max_retries == 7
    assert settings.origin("net.max_retries") == f"file {path}:6"
    assert settings.downloads.parallel == 4
    assert settings.origin("downloads.parallel") == f"file {path}:9"
    assert settings.downloads.dir == tmp_path / "library"
    assert settings.mixcloud.client_id == "mc-env"
    assert settings.net.timeout == 20.0
    assert settings.origin("net.timeout") == "default"


def test_file_path_has_tilde_expanded(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", '[downloads]\ndir = "~/tunes"\n')
    settings = config.load_settings(path=path, environ={})
    assert settings.downloads.dir == Path.home() / "tunes"


def test_every_documented_environment_variable_is_read(tmp_path: Path) -> None:
    environ = {
        "SOUNDCLOUD_CLIENT_ID": "cid", "SOUNDCLOUD_CLIENT_SECRET": "csecret",
        "SOUNDCLOUD_ACCESS_TOKEN": "atoken", "SOUNDCLOUD_REFRESH_TOKEN": "rtoken",
        "SOUNDCLOUD_DOWNLOAD_DIR": "/srv/music", "SOUNDCLOUD_MAX_RETRIES": "0",
        "SOUNDCLOUD_RATE_LIMIT": "0.5", "SOUNDCLOUD_PARALLEL_DOWNLOADS": "16",
        "MIXCLOUD_CLIENT_ID": "mid", "MIXCLOUD_CLIENT_SECRET": "msecret",
    }
    s = config.load_settings(path=tmp_path / "none.toml", environ=environ)
    assert (s.soundcloud.client_id, s.soundcloud.client_secret) == ("cid", "csecret")
    assert (s.soundcloud.access_token, s.soundcloud.refresh_token) == ("atoken", "rtoken")
    assert s.downloads.dir == Path("/srv/music")
    assert (s.net.max_retries, s.net.rate_limit, s.downloads.parallel) == (0, 0.5, 16)
    assert (s.mixcloud.client_id, s.mixcloud.client_secret) == ("mid", "msecret")


def test_schema_and_dataclasses_agree() -> None:
    for section, section_type in SECTION_TYPES.items():
        declared = {f.name for f in dataclasses.fields(section_type)}
        described = {s.key for s in SETTINGS if s.section == section}
        assert declared == described, section


# -- the all-at-once error report -----------------------------------------------------------


def test_every_problem_of_a_file_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", """
        # my settings
        [net]
        ratelimit = 3
        rate_limit = "fast"
        max_retries = 99

        [foo]
        x = 1

        [downloads]
        format = "flac"
        template = "{artist} - {name}.{ext}"

        [ui]
        artwork = "yes"
        notes = '''
        volume = 1
        '''

        [playback]
        volume = 80
    """)
    problems = problems_of(path, {"SOUNDCLOUD_PARALLEL_DOWNLOADS": "many"})
    assert problems == [
        "line 3: unknown key [net] ratelimit (did you mean rate_limit?)",
        "line 4: [net] rate_limit must be a number > 0, got 'fast'",
        "line 5: [net] max_retries must be a whole number from 0 to 20, got 99",
        "line 7: unknown table [foo]",
        "line 11: [downloads] format must be one of best, mp3, m4a, opus, original, got 'flac'",
        "line 12: [downloads] template uses unknown field {name}; the known fields are "
        "artist, title, ext, playlist, index, id, genre, uploader, date",
        "line 15: [ui] artwork must be true or false, got 'yes'",
        "line 16: unknown key [ui] notes",
        "SOUNDCLOUD_PARALLEL_DOWNLOADS: must be a whole number from 1 to 16, got 'many'",
    ]


def test_the_report_names_the_file_and_what_to_do(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "[net]\ntimeout = 0\ndeadline = -1\n")
    with pytest.raises(ConfigError) as caught:
        config.load_settings(path=path, environ={})
    text = caught.value.text
    assert f"2 problem(s) in the configuration in {path}" in text
    assert "  - line 2: [net] timeout must be a number > 0, got 0" in text
    assert "  - line 3: [net] deadline must be a number > 0, got -1" in text
    assert "minion-tui config init" in text


def test_unknown_tables_and_stray_keys_get_suggestions(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", """
        rate_limit = 3
        colour = "red"
        [nett]
        timeout = 1
        [net.extra]
        a = 1
    """)
    assert problems_of(path) == [
        "line 1: unknown key rate_limit outside any table (did you mean to put it under [net]?)",
        "line 2: unknown key colour outside any table",
        "line 3: unknown table [nett] (did you mean [net]?)",
        "line 5: unknown key [net] extra",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("[net]\nrate_limit = true", "line 2: [net] rate_limit must be a number > 0, got true"),
        ("[net]\nrate_limit = nan", "line 2: [net] rate_limit must be a number > 0, got nan"),
        ("[net]\nmax_retries = 2.0",
         "line 2: [net] max_retries must be a whole number from 0 to 20, got 2.0"),
        ("[net]\nuser_agent = 5", "line 2: [net] user_agent must be a string, got 5"),
        ("[downloads]\nsegments = 33",
         "line 2: [downloads] segments must be a whole number from 1 to 32, got 33"),
        ("[downloads]\ndir = []", "line 2: [downloads] dir must be a folder path, got an array"),
        ("[downloads]\ntemplate = '{title:02d}.{ext}'",
         "line 2: [downloads] template cannot be filled in (Unknown format code 'd' for object "
         "of type 'str'), got '{title:02d}.{ext}'"),
        ("[downloads]\ntemplate = '{artist.upper}'",
         "line 2: [downloads] template uses unknown field {artist.upper}; the known fields are "
         "artist, title, ext, playlist, index, id, genre, uploader, date"),
        ("[downloads]\nset_template = '/tmp/{title}.{ext}'",
         "line 2: [downloads] set_template must stay inside the download folder (no leading / "
         "or ~, no ..), got '/tmp/{title}.{ext}'"),
        ("[ui]\ntheme = ''", "line 2: [ui] theme must be a theme name, got ''"),
        ("[playback]\nvolume = { level = 3 }",
         "line 2: [playback] volume must be a whole number from 0 to 100, got a table"),
        ("net = 3", "line 1: net must be a table ([net]), got 3"),
        ("[keymap]\nquit = ['q']",
         "line 2: [keymap] quit must be a key or comma-separated keys like 'ctrl+q,q', "
         "got an array"),
    ],
)
def test_wrong_types_and_values(tmp_path: Path, line: str, expected: str) -> None:
    path = write(tmp_path / "config.toml", line + "\n")
    assert problems_of(path) == [expected]


def test_syntax_error_has_line_and_column_and_env_problems_still_count(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "[net]\ntimeout = 3\nmax_retries = \n")
    assert problems_of(path, {"SOUNDCLOUD_RATE_LIMIT": "-2"}) == [
        "line 3, column 15: TOML syntax error: Invalid value",
        "SOUNDCLOUD_RATE_LIMIT: must be a number > 0, got '-2'",
    ]


def test_a_file_that_is_not_utf8_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"[ui]\ntheme = '\xff'\n")
    assert problems_of(path) == ["line 2: the file is not UTF-8 text; save it as UTF-8"]


def test_bad_environment_values_name_the_variable(tmp_path: Path) -> None:
    environ = {
        "SOUNDCLOUD_RATE_LIMIT": "x",
        "SOUNDCLOUD_MAX_RETRIES": "three",
        "SOUNDCLOUD_PARALLEL_DOWNLOADS": "0",
        "MINION_ENDPOINTS": "nonsense,https://a.example/path=http://b.example",
    }
    assert problems_of(tmp_path / "none.toml", environ) == [
        "SOUNDCLOUD_RATE_LIMIT: must be a number > 0, got 'x'",
        "SOUNDCLOUD_MAX_RETRIES: must be a whole number from 0 to 20, got 'three'",
        "SOUNDCLOUD_PARALLEL_DOWNLOADS: must be a whole number from 1 to 16, got '0'",
        "MINION_ENDPOINTS: entry 'nonsense' must look like ORIGIN=URL, e.g. "
        "https://api-v2.soundcloud.com=http://127.0.0.1:8750/sc-api-v2",
        "MINION_ENDPOINTS: in entry 'https://a.example/path=http://b.example': must be an "
        "origin like https://api-v2.soundcloud.com (scheme and host, no path), "
        "got 'https://a.example/path'",
    ]


# -- the endpoint map -----------------------------------------------------------------------


def test_endpoints_from_file_and_environment_merge_per_origin(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", """
        [endpoints]
        "https://api-v2.soundcloud.com" = "http://127.0.0.1:1/file-api"
        "https://soundcloud.com" = "http://127.0.0.1:1/file-web/"
    """)
    environ = {"MINION_ENDPOINTS": "https://API-V2.soundcloud.com=http://127.0.0.1:8750/sc-api-v2,"
               "https://api.mixcloud.com=http://127.0.0.1:8750/mc-api"}
    settings = config.load_settings(path=path, environ=environ)
    assert dict(settings.endpoints) == {
        "https://api-v2.soundcloud.com": "http://127.0.0.1:8750/sc-api-v2",
        "https://soundcloud.com": "http://127.0.0.1:1/file-web",
        "https://api.mixcloud.com": "http://127.0.0.1:8750/mc-api",
    }
    assert settings.origin("endpoints.https://api-v2.soundcloud.com") == "env MINION_ENDPOINTS"
    assert settings.origin("endpoints.https://soundcloud.com") == f"file {path}:3"
    assert settings.origin("endpoints.https://api.mixcloud.com") == "env MINION_ENDPOINTS"


def test_bad_endpoint_entries_in_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", """
        [endpoints]
        "https://soundcloud.com/tracks" = "http://127.0.0.1:1"
        "https://api-v2.soundcloud.com" = "ftp://127.0.0.1/x"
        "https://api.mixcloud.com" = 8750
    """)
    assert problems_of(path) == [
        "line 2: [endpoints] https://soundcloud.com/tracks must be an origin like "
        "https://api-v2.soundcloud.com (scheme and host, no path), "
        "got 'https://soundcloud.com/tracks'",
        "line 3: [endpoints] https://api-v2.soundcloud.com must be an http(s) URL like "
        "http://127.0.0.1:8750/sc-api-v2, got 'ftp://127.0.0.1/x'",
        "line 4: [endpoints] https://api.mixcloud.com must map to a URL string, got 8750",
    ]


_host = st.from_regex(r"[a-z][a-z0-9-]{0,12}(\.[a-z][a-z0-9-]{0,8}){0,3}", fullmatch=True)
_port = st.one_of(st.just(""), st.integers(1, 65535).map(lambda p: f":{p}"))
_origin = st.builds(lambda s, h, p: f"{s}://{h}{p}", st.sampled_from(["http", "https"]),
                    _host, _port)
_prefix = st.from_regex(r"(/[A-Za-z0-9._~-]{1,10}){0,3}", fullmatch=True)
_replacement = st.builds(lambda o, p: o + p, _origin, _prefix)


@given(st.dictionaries(_origin, _replacement, max_size=6))
def test_minion_endpoints_round_trip(mapping: dict[str, str]) -> None:
    assert parse_endpoints(format_endpoints(mapping)) == (mapping, [])


@given(st.dictionaries(_origin, _replacement, min_size=1, max_size=4))
def test_minion_endpoints_reach_the_settings(mapping: dict[str, str]) -> None:
    text = format_endpoints(mapping)
    settings = config.load_settings(path=Path("/nonexistent/minion/config.toml"),
                                    environ={"MINION_ENDPOINTS": f" {text} ,"})
    assert dict(settings.endpoints) == mapping


# -- config init and edits ------------------------------------------------------------------


def test_init_writes_a_commented_file_that_loads_to_the_defaults(isolated_env: Path) -> None:
    path = config.init_config()
    assert path == config.config_path() and path.is_file()
    text = path.read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"# {setting.key} = " in text
        if setting.env:
            assert f"# Environment: {setting.env}" in text
    assert "MINION_ENDPOINTS" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    settings = config.load_settings(environ={})
    assert settings.net == config.NetSettings()
    assert settings.downloads == config.DownloadSettings()
    assert {settings.origin(s.dotted) for s in SETTINGS} == {"default"}


def test_every_commented_default_in_the_init_file_is_valid_when_uncommented(
    tmp_path: Path,
) -> None:
    path = config.init_config(tmp_path / "config.toml")
    lines = path.read_text(encoding="utf-8").splitlines()
    setting_line = re.compile(r'^# (\w+|"[^"]+") = ')
    uncommented = [line[2:] if setting_line.match(line) else line for line in lines]
    assert len([a for a, b in zip(lines, uncommented, strict=True) if a != b]) == len(SETTINGS) + 3
    path.write_text("\n".join(uncommented) + "\n", encoding="utf-8")
    settings = config.load_settings(path=path, environ={})
    assert settings.net.rate_limit == 15.0
    assert settings.downloads.dir == Path(platformdirs.user_music_dir()) / "minion-tui"
    assert dict(settings.keymap) == {"app.quit": "q,ctrl+q"}
    assert settings.origin("ui.theme").startswith(f"file {path}:")


def test_set_config_value_keeps_comments_and_changes_the_value(tmp_path: Path) -> None:
    path = config.init_config(tmp_path / "config.toml")
    before = path.read_text(encoding="utf-8")
    help_line = "# Requests per second to each host. Lower it if you often see HTTP 429."
    assert help_line in before

    config.set_config_value("net.rate_limit", "5", path=path)
    config.set_config_value("ui.theme", "nord", path=path)
    config.set_config_value("ui.theme", "gruvbox", path=path)
    config.set_config_value("ui.artwork", False, path=path)
    config.set_config_value("endpoints.https://soundcloud.com", "http://127.0.0.1:9/web/",
                            path=path)

    after = path.read_text(encoding="utf-8")
    assert help_line in after
    assert "# Colour theme (built-in, or a *.toml in the themes folder of the config dir)." in after
    lines = after.splitlines()
    # the new key sits right under its commented-out default
    assert lines[lines.index("# rate_limit = 15.0") + 1] == "rate_limit = 5.0"
    assert lines.count('theme = "gruvbox"') == 1 and 'theme = "nord"' not in after
    removed = [line for line in before.splitlines() if line not in lines]
    assert removed == []

    settings = config.load_settings(path=path, environ={})
    assert settings.net.rate_limit == 5.0
    assert settings.origin("net.rate_limit") == f"file {path}:{lines.index('rate_limit = 5.0') + 1}"
    assert settings.ui.theme == "gruvbox" and settings.ui.artwork is False
    assert dict(settings.endpoints) == {"https://soundcloud.com": "http://127.0.0.1:9/web"}


def test_set_config_value_creates_the_file_and_table(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    config.set_config_value("playback.volume", 55, path=path)
    config.set_config_value("keymap.quit", "ctrl+q", path=path)
    config.set_config_value("downloads.dir", "~/Music/sets", path=path)
    text = path.read_text(encoding="utf-8")
    assert 'dir = "~/Music/sets"' in text
    settings = config.load_settings(path=path, environ={})
    assert settings.playback.volume == 55
    assert dict(settings.keymap) == {"quit": "ctrl+q"}
    assert settings.downloads.dir == Path.home() / "Music" / "sets"


def test_set_config_value_keeps_a_hand_written_inline_comment(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "[net]\ntimeout = 5  # slow wifi at home\n")
    config.set_config_value("net.timeout", 7.5, path=path)
    assert path.read_text(encoding="utf-8") == "[net]\ntimeout = 7.5  # slow wifi at home\n"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("net.rate_limit", "fast", "[net] rate_limit must be a number > 0, got 'fast'"),
        ("net.ratelimit", 3, "unknown setting net.ratelimit (did you mean net.rate_limit?)"),
        ("playback.volume", True,
         "[playback] volume must be a whole number from 0 to 100, got true"),
        ("endpoints.soundcloud.com", "http://x", "[endpoints] soundcloud.com must be an origin "
         "like https://api-v2.soundcloud.com (scheme and host, no path), got 'soundcloud.com'"),
    ],
)
def test_set_config_value_refuses_bad_values_and_leaves_the_file(
    tmp_path: Path, key: str, value: str | int | bool, expected: str
) -> None:
    path = write(tmp_path / "config.toml", "# mine\n[net]\ntimeout = 5\n")
    with pytest.raises(ConfigError) as caught:
        config.set_config_value(key, value, path=path)
    assert caught.value.problems == [expected]
    assert path.read_text(encoding="utf-8") == "# mine\n[net]\ntimeout = 5\n"


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "[ui]\ntheme = 'mine'\n")
    with pytest.raises(MinionError) as caught:
        config.init_config(path)
    assert str(path) in caught.value.text and "--force" in caught.value.text
    assert path.read_text(encoding="utf-8") == "[ui]\ntheme = 'mine'\n"
    config.init_config(path, force=True)
    assert "# theme = \"minion-dark\"" in path.read_text(encoding="utf-8")


# -- showing --------------------------------------------------------------------------------


def test_rows_cover_every_setting_and_mask_secrets(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", """
        [mixcloud]
        client_secret = "short"
        [keymap]
        quit = "ctrl+q"
    """)
    token = "s3cr3t-access-token-9f2c"
    settings = config.load_settings(path=path, environ={
        "SOUNDCLOUD_ACCESS_TOKEN": token, "SOUNDCLOUD_CLIENT_ID": "public-client-id"})
    rows = {key: (value, origin) for key, value, origin in config.effective_settings_rows(settings)}

    assert set(rows) >= {s.dotted for s in SETTINGS}
    assert rows["soundcloud.access_token"] == ("****9f2c", "env SOUNDCLOUD_ACCESS_TOKEN")
    assert rows["mixcloud.client_secret"] == ("****", f"file {path}:2")
    assert rows["soundcloud.refresh_token"] == ("(not set)", "default")
    assert rows["soundcloud.client_id"] == ("public-client-id", "env SOUNDCLOUD_CLIENT_ID")
    assert rows["net.rate_limit"] == ("15.0", "default")
    assert rows["ui.artwork"] == ("true", "default")
    assert rows["keymap.quit"] == ("ctrl+q", f"file {path}:4")
    assert rows["endpoints"] == ("(none)", "default")
    shown = " ".join(value for value, _ in rows.values())
    assert token[:-4] not in shown and "short" not in shown


def test_origin_of_unknown_and_added_keys() -> None:
    settings = config.load_settings(path=Path("/nonexistent/minion/config.toml"), environ={})
    with pytest.raises(KeyError):
        settings.origin("net.nope")
    demo = dataclasses.replace(settings, endpoints={"https://soundcloud.com": "http://x"})
    assert demo.origin("endpoints.https://soundcloud.com") == "program"


# -- the text scanner and import weight -----------------------------------------------------


def test_locate_keys_handles_quoted_dotted_and_multiline() -> None:
    text = textwrap.dedent('''\
        title = """
        [fake]
        key = 1
        """
        [ "net" ]
        'rate_limit' = 1
        a.b = 2
        [[hist]]
        [endpoints]
        "https://x.example" = "http://y"
    ''')
    lines = locate_keys(text)
    assert lines[("title",)] == 1
    assert ("fake",) not in lines and ("fake", "key") not in lines
    assert lines[("net",)] == 5
    assert lines[("net", "rate_limit")] == 6
    assert lines[("net", "a", "b")] == 7 and lines[("net", "a")] == 7
    assert lines[("hist",)] == 8
    assert lines[("endpoints", "https://x.example")] == 10


def test_importing_config_stays_light() -> None:
    code = ("import sys, minion_tui.config; "
            "print(sorted(m for m in ('tomlkit', 'textual', 'rich', 'platformdirs', 'httpx') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
