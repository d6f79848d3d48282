"""The configuration: the typed settings and their layered loading (defaults < config.toml <
environment), the declaration of every key, writing config.toml, and where the app keeps its
files (one :func:`log_path` for everything that writes or names the log).

This module is the package's public face: code outside ``minion_tui/config/`` imports from
here only (``tests/unit/test_config_boundary.py`` checks it). Nothing heavy is imported:
tomlkit only when writing the file, platformdirs only when a folder is not set by XDG_*.
"""

from __future__ import annotations

from minion_tui.config.paths import (
    APP_NAME,
    cache_dir,
    config_dir,
    config_path,
    data_dir,
    log_dir,
    log_path,
    private_dirs,
    private_opener,
)
from minion_tui.config.schema import (
    SECTION_TYPES,
    SETTINGS,
    AccountSettings,
    AnalysisSettings,
    DesktopSettings,
    DiscoverySettings,
    DownloadSettings,
    MixcloudSettings,
    NetSettings,
    PlaybackSettings,
    Setting,
    SoundCloudSettings,
    UiSettings,
    whole_range,
)
from minion_tui.config.settings import (
    Settings,
    effective_settings_rows,
    effective_settings_values,
    load_settings,
)
from minion_tui.config.themes import BUILTIN_THEME_DIR, TEXTUAL_THEMES, check_theme, theme_names
from minion_tui.config.toml_edit import init_config, set_config_value
from minion_tui.config.toml_lines import locate_keys
from minion_tui.config.values import AudioOutput, Invalid, format_endpoints, parse_endpoints


def audio_output(text: str) -> str | None:
    """``text`` checked as ``[playback] audio_output`` is (an mpv driver name or a list of
    them); raises ValueError saying what it must be."""
    try:
        value: str | None = AudioOutput().from_text(text)
    except Invalid as exc:
        raise ValueError(f"the audio output {exc}") from None
    return value


__all__ = [
    "APP_NAME",
    "BUILTIN_THEME_DIR",
    "SECTION_TYPES",
    "SETTINGS",
    "TEXTUAL_THEMES",
    "AccountSettings",
    "AnalysisSettings",
    "DesktopSettings",
    "DiscoverySettings",
    "DownloadSettings",
    "MixcloudSettings",
    "NetSettings",
    "PlaybackSettings",
    "Setting",
    "Settings",
    "SoundCloudSettings",
    "UiSettings",
    "audio_output",
    "cache_dir",
    "check_theme",
    "config_dir",
    "config_path",
    "data_dir",
    "effective_settings_rows",
    "effective_settings_values",
    "format_endpoints",
    "init_config",
    "load_settings",
    "locate_keys",
    "log_dir",
    "log_path",
    "parse_endpoints",
    "private_dirs",
    "private_opener",
    "set_config_value",
    "theme_names",
    "whole_range",
]
