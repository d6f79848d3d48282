"""Running the CLI as a user the kernel holds to permission bits.

The suite usually runs as root, and root ignores permission bits: a chmod'ed file or folder
is writable to it all the same. So a test of "the folder is not writable" runs the real
``minion-tui`` as ``nobody`` (``setpriv --reuid=nobody --regid=nogroup --clear-groups``),
in a folder under /tmp that nobody can reach (pytest's own tmp_path is root's, mode 0700).
Run as an ordinary user, the CLI runs as that user and the bits already apply.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

MINION = str(Path(sys.executable).with_name("minion-tui"))
_SETPRIV = ("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups")


def _drop_needed() -> bool:
    return os.geteuid() == 0


def _drop_works() -> bool:
    if shutil.which("setpriv") is None:
        return False
    try:
        pwd.getpwnam("nobody")
        done = subprocess.run([*_SETPRIV, "true"], capture_output=True, timeout=60)
    except (KeyError, OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def require_permission_bits() -> None:
    """Skip when permission bits cannot be made to apply: root without setpriv or a nobody
    user (the only case where a chmod'ed file cannot be tested)."""
    if _drop_needed() and not _drop_works():
        pytest.skip("running as root and cannot drop to nobody (setpriv missing): root ignores "
                    "permission bits, so a read-only file cannot be tested")


def user_ids() -> tuple[int, int]:
    """The uid and gid the CLI runs as."""
    if _drop_needed():
        entry = pwd.getpwnam("nobody")
        return entry.pw_uid, entry.pw_gid
    return os.getuid(), os.getgid()


def hand_over(*paths: Path) -> None:
    """Make ``paths`` belong to the user the CLI runs as (recursively for folders)."""
    uid, gid = user_ids()
    for path in paths:
        for found in [path, *(path.rglob("*") if path.is_dir() else ())]:
            os.chown(found, uid, gid, follow_symlinks=False)


@pytest.fixture
def reachable_tmp() -> Iterator[Path]:
    """A fresh folder the unprivileged user can reach (mode 0755 under /tmp)."""
    folder = Path(tempfile.mkdtemp(prefix="minion-perm-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for found in [folder, *folder.rglob("*")]:
            if found.is_dir() and not found.is_symlink():
                found.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def xdg_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment with every XDG folder under ``home`` and none of the shell's
    SOUNDCLOUD_*/MIXCLOUD_*/MINION_* variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SOUNDCLOUD_", "MIXCLOUD_", "MINION_"))}
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"), XDG_STATE_HOME=str(home / "state"),
               HOME=str(home), PYTHONDONTWRITEBYTECODE="1")
    env.update(extra or {})
    return env


def run_cli(*argv: str, env: Mapping[str, str], timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
    """``minion-tui argv…`` as the unprivileged user (the timeout only guards a hang)."""
    return _run([MINION, *argv], env, timeout)


def run_python(code: str, *, env: Mapping[str, str], timeout: float = 120
               ) -> subprocess.CompletedProcess[str]:
    """``python -c code`` (this interpreter) as the unprivileged user."""
    return _run([sys.executable, "-c", code], env, timeout)


def _run(argv: list[str], env: Mapping[str, str], timeout: float
         ) -> subprocess.CompletedProcess[str]:
    prefix = _SETPRIV if _drop_needed() else ()
    return subprocess.run([*prefix, *argv], env=dict(env), capture_output=True, text=True,
                          timeout=timeout, cwd="/")
