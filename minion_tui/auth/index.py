"""Which sign-ins exist, without their tokens: ``<data dir>/accounts.json``.

``{"soundcloud:oauth": {"user", "scopes", "expires_at"}, …}`` — what ``auth status`` shows,
and whether a grant is there at all. Reading it costs a small file, not a keyring: anonymous
browsing (no entry) never loads ``keyring``, ``auth status`` never asks it, and a token is read
from the secret store only when one is known to be there. The file is rewritten atomically
(0600) with every grant stored or dropped; its modification time tells another process's
change, so a cached token is read again after a refresh elsewhere.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from minion_tui.auth.grant import Grant
from minion_tui.auth.secrets import write_private_json

FILE_NAME = "accounts.json"


class GrantIndex:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._entries: dict[str, dict[str, Any]] = {}

    def entries(self) -> tuple[tuple[int, int] | None, dict[str, dict[str, Any]]]:
        """(a stamp of the file as read, the entries): re-read only when the file changed."""
        with self._lock:
            try:
                info = os.stat(self.path)
                stamp: tuple[int, int] | None = (info.st_mtime_ns, info.st_size)
            except OSError:
                stamp = None
            if stamp != self._stamp:
                self._entries = self._read() if stamp is not None else {}
                self._stamp = stamp
            return self._stamp, dict(self._entries)

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, dict)}

    def record(self, key: str, grant: Grant | None) -> None:
        """Note ``grant`` under ``key`` (None: drop it)."""
        with self._lock:
            entries = self._read()
            if grant is None:
                if key not in entries:
                    return
                entries.pop(key)
            else:
                entries[key] = {"user": grant.user, "scopes": list(grant.scopes),
                                "expires_at": grant.expires_at}
            write_private_json(self.path, entries)
            self._stamp = None  # read back on next use, with the new file's stamp
