"""Where minion-tui keeps its files: the config, data, cache and log folders, and the one log
file every part of the app writes to and names in its messages.

An absolute ``XDG_*`` variable wins on every platform; otherwise platformdirs, imported only
then, picks the platform's folder.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "minion-tui"
LOG_NAME = "minion-tui.log"


def _user_dir(xdg_variable: str, platform_function: str, *below: str) -> Path:
    # An absolute XDG_* variable wins on every platform (platformdirs only reads them on
    # Linux), so tests and users on macOS can relocate everything the same way.
    base = os.environ.get(xdg_variable, "")
    if os.path.isabs(base):
        return Path(base, APP_NAME, *below)
    import platformdirs

    return Path(getattr(platformdirs, platform_function)(APP_NAME, appauthor=False))


def config_dir() -> Path:
    return _user_dir("XDG_CONFIG_HOME", "user_config_dir")


def config_path() -> Path:
    return config_dir() / "config.toml"


def data_dir() -> Path:
    return _user_dir("XDG_DATA_HOME", "user_data_dir")


def cache_dir() -> Path:
    return _user_dir("XDG_CACHE_HOME", "user_cache_dir")


def log_dir() -> Path:
    return _user_dir("XDG_STATE_HOME", "user_log_dir", "log")


def log_path() -> Path:
    """The rotating log file: warnings and errors always, everything with ``--debug``, and
    the TUI's stderr (mpv's messages)."""
    return log_dir() / LOG_NAME


def default_download_dir() -> Path:
    import platformdirs  # deferred: the music dir is only needed when settings are built

    return Path(platformdirs.user_music_dir()) / APP_NAME
