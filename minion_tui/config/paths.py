"""Where minion-tui keeps its files: the config, data, cache and log folders, and the one log
file every part of the app writes to and names in its messages.

An absolute ``XDG_*`` variable wins on every platform; otherwise platformdirs, imported only
then, picks the platform's folder.

The app's own files (database, log, caches, config, later the token file) are private to the
user whatever the umask: folders are created 0700 (:func:`private_dirs`, as the XDG Base
Directory spec asks of a folder an app creates to write into) and files 0600
(:func:`private_opener`). Downloads are the user's music and follow the umask instead.
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


#: The mode of every file the app keeps for itself (before the umask, which only removes bits).
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dirs(path: Path) -> Path:
    """Create ``path`` and each missing folder above it as 0700; folders that exist are left
    as they are. Returns ``path``. OSError (PermissionError, …) as ``mkdir`` raises it."""
    path = Path(path)
    missing: list[Path] = []
    here = path
    while not here.is_dir() and here != here.parent:
        missing.append(here)
        here = here.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made meanwhile (another process), or a file: say so below
            if not folder.is_dir():
                raise
    return path


def private_opener(path: str, flags: int) -> int:
    """An ``opener`` for :func:`open` creating the file 0600: ``open(p, "w",
    opener=private_opener)``."""
    return os.open(path, flags, PRIVATE_FILE)


def default_download_dir() -> Path:
    import platformdirs  # deferred: the music dir is only needed when settings are built

    return Path(platformdirs.user_music_dir()) / APP_NAME
