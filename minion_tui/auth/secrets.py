"""Where sign-in tokens are kept: the OS keyring, or where there is none a file only the user
can read.

The keyring (``keyring``: the macOS Keychain, Windows' Credential Locker, the Secret Service
of a Linux desktop) is imported on first use, never by importing the service or the CLI.
A backend counts as a keyring when the user chose it (``PYTHON_KEYRING_BACKEND``) or when
keyring itself ranks it as a real one (priority >= 1): the plaintext and "fail" backends it
falls back to on a headless machine do not. There, and whenever the keyring fails at use
(no D-Bus session, a locked collection), tokens go to ``<data dir>/secrets.json``: created
0600 in a 0700 folder, written whole to a temporary file, fsynced and renamed over the old
one, so a crash leaves the old tokens or the new ones, never half of either. The first write
there warns once that no keyring was found.

Values are JSON documents (auth/grant.py); nothing here logs or shows them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minion_tui import config

log = logging.getLogger(__name__)

FILE_NAME = "secrets.json"


class SecretStore:
    """get / put / delete by key, in the keyring (service ``service``) or the private file in
    ``folder``. ``warn`` is told, once, when the file is used for lack of a keyring."""

    def __init__(self, folder: Path, *, service: str = "minion-tui",
                 warn: Callable[[str], None] | None = None) -> None:
        self.folder = Path(folder)
        self.service = service
        self._warn = warn
        self._keyring: Any = None
        self._checked = False
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.folder / FILE_NAME

    # -- which backend --------------------------------------------------------------------------
    def backend(self) -> str:
        """"keyring (<backend name>)" or "file <path>"."""
        ring = self._ring()
        if ring is None:
            return f"file {self.path}"
        return f"keyring ({type(ring).__module__}.{type(ring).__name__})"

    def _ring(self) -> Any:
        if not self._checked:
            self._checked = True
            self._keyring = _usable_keyring()
        return self._keyring

    def _lost_keyring(self, error: Exception) -> None:
        log.warning("the keyring failed (%s); using %s instead", type(error).__name__, self.path)
        self._keyring = None

    # -- reading and writing ----------------------------------------------------------------
    def get(self, key: str) -> str | None:
        with self._lock:
            ring = self._ring()
            if ring is not None:
                try:
                    found = ring.get_password(self.service, key)
                except Exception as error:  # any backend failure: the file takes over
                    self._lost_keyring(error)
                else:
                    return found if isinstance(found, str) else None
            return self._read_file().get(key)

    def put(self, key: str, value: str) -> None:
        with self._lock:
            ring = self._ring()
            if ring is not None:
                try:
                    ring.set_password(self.service, key, value)
                except Exception as error:
                    self._lost_keyring(error)
                else:
                    self._drop_from_file(key)  # never two copies, one of them stale
                    return
            entries = self._read_file()
            entries[key] = value
            self._write_file(entries)

    def delete(self, key: str) -> bool:
        with self._lock:
            removed = False
            ring = self._ring()
            if ring is not None:
                try:
                    if ring.get_password(self.service, key) is not None:
                        ring.delete_password(self.service, key)
                        removed = True
                except Exception as error:
                    self._lost_keyring(error)
            return self._drop_from_file(key) or removed

    # -- the file ------------------------------------------------------------------------------
    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("cannot read %s (%s); treating it as empty", self.path,
                        type(error).__name__)
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}

    def _drop_from_file(self, key: str) -> bool:
        entries = self._read_file()
        if key not in entries:
            return False
        del entries[key]
        self._write_file(entries)
        return True

    def _write_file(self, entries: dict[str, str]) -> None:
        first = not self.path.exists()
        write_private_json(self.path, entries)
        if first and self._warn is not None:
            self._warn(f"No system keyring is available, so sign-in tokens are kept in "
                       f"{self.path}, readable only by you. Install a keyring (the Secret "
                       "Service of your desktop, or set PYTHON_KEYRING_BACKEND) to keep them "
                       "there instead.")


def write_private_json(path: Path, data: Any) -> None:
    """``data`` as JSON at ``path``, 0600 in a 0700 folder, atomically: a temporary file
    beside it, fsynced, renamed over it."""
    config.private_dirs(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temp, "w", encoding="utf-8", opener=config.private_opener) as out:
            json.dump(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)  # an old temp file may have kept other bits
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _usable_keyring() -> Any:
    """The keyring backend to use, or None (none installed, only a fallback one, or keyring
    itself fails to load)."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # not installed, or broken: the file serves
        return None
    try:
        ring = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(ring, fail.Keyring):
        return None
    chosen = bool(os.environ.get("PYTHON_KEYRING_BACKEND", "").strip())
    try:
        priority = float(type(ring).priority)  # a classproperty on the backend class
    except Exception:
        priority = 0.0
    return ring if chosen or priority >= 1 else None
