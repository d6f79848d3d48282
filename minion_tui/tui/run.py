"""Entry point used by the CLI: run the TUI over an open service."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from minion_tui.config import private_dirs, private_opener

if TYPE_CHECKING:
    from minion_tui.service import Service
    from minion_tui.tui.app import Companion


def run_app(service: Service, *, companions: Sequence[Companion] = ()) -> int:
    """Run the TUI until the user quits; the app closes the service on the way out.
    ``companions`` run beside it (MinionApp says how). Returns the process exit code (0 on
    a normal quit, 1 if the app crashed)."""
    # Imported here so the CLI can build its parser (and answer --help) without Textual.
    from minion_tui.config import log_path
    from minion_tui.tui.app import MinionApp

    app = MinionApp(service, companions=companions)
    with stderr_to(log_path()):
        app.run()
    return app.return_code if app.return_code is not None else 0


@contextlib.contextmanager
def stderr_to(log_file: Path) -> Iterator[None]:
    """Point file descriptor 2 at ``log_file`` while the TUI runs.

    Native libraries loaded by libmpv (libasound: "ALSA lib pcm.c: ... Unknown PCM default",
    JACK, PipeWire) write straight to fd 2, past Python and past mpv's terminal=no, and so
    over the TUI. Textual itself draws on ``sys.__stderr__`` and prints a crash traceback on
    ``sys.stderr``, so both become a stream on a duplicate of the terminal's fd 2: the screen
    and the traceback still reach the terminal, only the libraries' scribbles go to the log.
    Everything is put back on exit. When the log cannot be opened, nothing changes.
    """
    try:
        private_dirs(log_file.parent)
        target = private_opener(str(log_file), os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    except OSError:
        yield
        return
    with contextlib.suppress(ValueError, OSError, AttributeError):
        sys.stderr.flush()
    encoding = getattr(sys.stderr, "encoding", None) or "utf-8"
    terminal = os.fdopen(os.dup(2), "w", buffering=1, encoding=encoding,
                         errors="backslashreplace")
    saved = sys.stderr, sys.__stderr__
    sys.stderr = terminal
    setattr(sys, "__stderr__", terminal)  # noqa: B010 - typeshed marks it read-only
    os.dup2(target, 2)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):
            terminal.flush()
        os.dup2(terminal.fileno(), 2)
        sys.stderr = saved[0]
        setattr(sys, "__stderr__", saved[1])  # noqa: B010
        terminal.close()
        os.close(target)
