"""Reading config.toml into text and TOML data, with every way a file can be wrong reported
as one problem line instead of an exception: a folder or a FIFO where the file should be, a
file too big to be a configuration, unreadable, not UTF-8, or values nested so deep that
the parsers (tomllib and tomlkit, both recursive) run out of stack.

Loading (``settings``) and ``config set`` (``toml_edit``) both read through here, so the two
say the same thing about the same file. The file is stat'ed before it is opened (opening a
FIFO would wait for a writer forever) and read at most :data:`MAX_BYTES` + 1 bytes.
"""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any

from minion_tui.config.toml_lines import describe_syntax_error

#: A commented config.toml is a few KB; anything past this is not a configuration.
MAX_BYTES = 1 << 20
#: Arrays or inline tables inside each other deeper than this are reported (a setting needs
#: two: a list of lists at most); the parsers themselves give up at a few hundred.
MAX_NESTING = 100


class Unusable(ValueError):
    """The file cannot be used; ``str()`` is the problem line for the report."""


def read_text(path: Path) -> str | None:
    """The text of ``path``, None when it does not exist; Unusable saying why otherwise."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise Unusable(f"{path} is a folder, not a file; remove or rename it "
                       "(`minion-tui config init` then writes a fresh file)")
    if not stat.S_ISREG(info.st_mode):
        raise Unusable(f"{path} is not a regular file (a FIFO, device or socket); replace it "
                       "with a text file")
    if info.st_size > MAX_BYTES:
        raise _too_big(info.st_size)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if len(data) > MAX_BYTES:  # it grew since the stat
        raise _too_big(len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Unusable(f"line {line}: the file is not UTF-8 text; save it as UTF-8") from None


def parse(text: str) -> dict[str, Any]:
    """``text`` parsed by tomllib; Unusable with the line for a syntax error or for values
    nested too deep."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Unusable(describe_syntax_error(str(exc), text)) from None
    except RecursionError:
        raise too_deep(text) from None


def too_deep(text: str) -> Unusable:
    """The problem of a text a recursive parser gave up on, with the line where the nesting
    goes past :data:`MAX_NESTING`."""
    line = deep_line(text, MAX_NESTING)
    where = f"line {line}: " if line else ""
    return Unusable(f"{where}values nested too deeply (arrays or inline tables inside each "
                    f"other, more than {MAX_NESTING} levels); a setting needs at most 2")


def deep_line(text: str, limit: int) -> int | None:
    """The 1-based line where ``[``/``{`` nesting (outside strings and comments) first goes
    deeper than ``limit``. Only run once a parser failed, so its cost is never paid on a
    good file."""
    depth, line, i, end = 0, 1, 0, len(text)
    while i < end:
        char = text[i]
        if char == "\n":
            line += 1
        elif char == "#":
            newline = text.find("\n", i)
            i = end if newline < 0 else newline
            continue
        elif char in "\"'":
            quote = text[i : i + 3] if text.startswith(char * 3, i) else char
            j = i + len(quote)
            while j < end and not text.startswith(quote, j):
                if text[j] == "\\" and char == '"':
                    j += 1
                elif text[j] == "\n" and len(quote) == 1:
                    break  # an unclosed one-line string: go on from its line's end
                j += 1
            line += text.count("\n", i, j)
            i = j if j < end and text[j] == "\n" else j + len(quote)
            continue
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def _too_big(size: int) -> Unusable:
    return Unusable(f"the file is {size / 1e6:.1f} MB, far more than a configuration needs "
                    f"(at most {MAX_BYTES >> 20} MiB); is it the right file? Move it aside, or "
                    "run `minion-tui config init --force` to replace it with a fresh one")


def _unreadable(path: Path, exc: OSError) -> Unusable:
    if isinstance(exc, PermissionError):
        return Unusable(f"cannot read the file: permission denied; make it readable "
                        f"(chmod u+r {path}) or set XDG_CONFIG_HOME to another folder")
    return Unusable(f"cannot read the file: {exc.strerror or exc}")


