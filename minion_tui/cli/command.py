"""What a command module declares: :class:`Command` (its parser setup and its handler), and the
argument types and choices the commands share.

Each command group module (catalog.py, download.py, play.py, config_cmd.py, emulator_cmd.py,
tui_cmd.py) exports ``COMMANDS``; ``minion_tui.cli`` builds the parser from them and runs the
handler of the one named on the command line. Modules import nothing heavy at the top: the
parser is built for every call, ``--help`` included.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias, overload

from minion_tui import config
from minion_tui.errors import UsageError

if TYPE_CHECKING:
    from minion_tui.service import Capabilities

    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

Handler: TypeAlias = Callable[[argparse.Namespace], "int | Coroutine[Any, Any, int]"]


#: Whether a usage error is raised (inside :func:`parse_command_line`) or printed.
_RAISING: ContextVar[bool] = ContextVar("minion_cli_raising", default=False)


class Parser(argparse.ArgumentParser):
    """argparse, except that inside :func:`parse_command_line` a usage error is raised as
    :class:`UsageError` instead of printed, so ``main`` can render it (the JSON error with
    ``--json``, argparse's usage lines otherwise). Anywhere else it is plain argparse (print
    and exit 2). Subparsers are made of the same class."""

    def error(self, message: str) -> NoReturn:
        if not _RAISING.get():
            super().error(message)
        raise UsageError(f"{self.prog}: {message}.",
                         hint=f"See `{self.prog} --help` for what it takes.",
                         usage=f"{self.format_usage()}{self.prog}: error: {message}\n")


def parse_command_line(parser: argparse.ArgumentParser, argv: Sequence[str]
                       ) -> argparse.Namespace:
    """``parser.parse_args(argv)``, raising :class:`UsageError` for a line that does not
    parse (``--help`` and ``--version`` still print and exit).

    Words left over are refused by the command they were given to, not by the top level:
    argparse's own "minion-tui: unrecognized arguments: house" names neither the command nor
    what it takes (see :func:`leftover_message`)."""
    token = _RAISING.set(True)
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            command = innermost(parser, args)
            command.error(leftover_message(command, args, extras))
        return args
    finally:
        _RAISING.reset(token)


def innermost(parser: argparse.ArgumentParser, args: argparse.Namespace
              ) -> argparse.ArgumentParser:
    """The (sub)parser of the command ``args`` were parsed for: ``minion-tui config show``'s
    for ``config show``."""
    while True:
        found = next((a for a in parser._actions
                      if isinstance(a, argparse._SubParsersAction)), None)
        chosen = getattr(args, found.dest, None) if found is not None else None
        if found is None or chosen not in found.choices:
            return parser
        parser = found.choices[chosen]


def leftover_message(command: argparse.ArgumentParser, args: argparse.Namespace,
                     extras: Sequence[str]) -> str:
    """What is wrong with the words ``command`` did not take: an unknown option, or
    arguments past the ones it takes (with how to quote a query of several words)."""
    options = [e for e in extras if e.startswith("-") and not _number(e)]
    if options:
        return f"unknown option {options[0]!r}"
    takes = [_named(a) for a in command._actions
             if not a.option_strings and not isinstance(a, argparse._SubParsersAction)]
    said = ", ".join(repr(e) for e in extras)
    noun = "argument" if len(extras) == 1 else "arguments"
    message = (f"unexpected {noun} {said}: it takes {' '.join(takes)}" if takes
               else f"unexpected {noun} {said}: it takes no arguments")
    query = getattr(args, "query", None)
    if isinstance(query, str):  # `search deep house`: the shell split one query in two
        whole = " ".join([query, *extras])
        message += (f"; quote a query of several words: {command.prog} \"{whole}\"")
    return message


def _named(action: argparse.Action) -> str:
    """A positional argument as the message names it: ``TARGET``, ``[TARGET]``."""
    name = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
    return f"[{name}]" if action.nargs == "?" else name


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Command:
    """One command: ``setup(subparsers, common)`` adds its parser (``common`` is the parent
    with --json/--debug/--demo); ``handler(args)`` runs it and returns the exit code (a
    coroutine is run with asyncio)."""

    name: str | None
    """None: the command run when none is named (the TUI)."""
    setup: Callable[[Subparsers, argparse.ArgumentParser], None]
    handler: Handler
    online: bool = True
    """Whether it goes online: then the HTTPS context is prepared on a thread right after
    parsing (``service.preload_network``)."""


class Choices(Sequence[str]):
    """argparse ``choices`` taken from the providers' capabilities on first use.

    argparse builds every subparser for each call; asking the capabilities while building
    would import the whole service for ``--help`` and ``config``. The values are read only
    when an argument is checked or its help is printed. Attach them with
    :func:`add_choosing`: ``add_argument`` itself reads ``choices`` once.
    """

    def __init__(self, pick: Callable[[Capabilities], Sequence[str]]) -> None:
        self._pick = pick
        self._values: tuple[str, ...] | None = None

    @property
    def values(self) -> tuple[str, ...]:
        if self._values is None:
            from minion_tui.service import capabilities

            self._values = tuple(self._pick(capabilities()))
        return self._values

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self.values[index]

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __contains__(self, value: object) -> bool:
        return value in self.values


def add_choosing(parser: argparse.ArgumentParser, *flags: str, choices: Choices,
                 **kwargs: Any) -> argparse.Action:
    """``parser.add_argument(*flags, choices=choices, **kwargs)``, but with the choices set
    after the call: ``add_argument`` formats the argument once to check its metavar, which
    would read lazy choices at once."""
    action = parser.add_argument(*flags, **kwargs)
    action.choices = choices
    return action


def filter_choices(name: str) -> Choices:
    """The values of the search filter ``name``."""
    def pick(caps: Capabilities) -> Sequence[str]:
        found = caps.search_filter(name)
        return (found.choices or ()) if found else ()

    return Choices(pick)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000")
    return value


def within(setting: str) -> Callable[[str], int]:
    """An argparse type bounded like ``setting`` in the config schema (one source of limits):
    ``--jobs 99`` is refused with the range instead of opening 99 × segments connections."""
    low, high = config.whole_range(setting)

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be from {low} to {high} (like {setting}), got {value}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its error by __name__
    return parse


def audio_output(text: str) -> str:
    """An argparse type for mpv's audio output, checked as the setting is."""
    from minion_tui import config

    try:
        value = config.audio_output(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:  # leaving it out is how to ask for mpv's automatic choice
        raise argparse.ArgumentTypeError("expected an mpv audio output such as 'null', got ''")
    return value


def seconds(*, zero: bool) -> Callable[[str], float]:
    """An argparse type for a time in seconds: a finite number, not negative (and above zero
    unless ``zero``). ``float()`` alone takes "nan", "inf" and "-5", which mpv reads as "from
    the end" or never stops on."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            least = "0 or more" if zero else "more than 0"
            raise argparse.ArgumentTypeError(
                f"expected a number of seconds, {least}, got {text!r}")
        return value

    parse.__name__ = "seconds"
    return parse
