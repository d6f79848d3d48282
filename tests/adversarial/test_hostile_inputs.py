"""Every CLI command over a table of hostile inputs: exit code, the JSON error contract, and
never a ``Traceback`` on stderr.

The commands come from the real parser (``minion_tui.cli.build_parser``): each leaf parser is
a command, and each of its arguments gets the hostile values that fit its kind — a URL or text
positional the text table, a whole-number option the number table, a float option the seconds
table, a choice the enum table, a folder option the path table. A command added to the CLI is
covered without a new row; ``test_every_command_has_cases`` fails if one is not. Values are
combined per argument, not as a cartesian product: every other argument keeps a valid value,
so each case says which input broke what.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from minion_tui.cli import build_parser
from minion_tui.emulator.catalog.build import build_catalog
from tests.adversarial.conftest import (
    Cli,
    Run,
    assert_failed_events,
    assert_json_error,
    assert_no_traceback,
)

EXAMPLES = build_catalog(1).examples  # the shared emulator's (seed 1)
TRACK = EXAMPLES["track_full"]
USER = EXAMPLES["user"]
LONG = "https://soundcloud.com/" + "a" * 70_000
PASSWORD = "hunter2-secret"

BAD_URL = ("invalid_url",)
ARGUMENT = ("invalid_argument",)
URL_OR_MISSING = ("invalid_url", "not_found")
URL_OR_ARGUMENT = ("invalid_url", "invalid_argument")  # "" where a USER is needed


@dataclass(frozen=True)
class Expect:
    """bad: the command must fail (True), succeed (False) or may do either (None); types:
    the error types allowed when it fails (None: any documented one)."""

    bad: bool | None = True
    types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Hostile:
    id: str
    value: str
    as_url: Expect = Expect()  # where a URL/URN is expected (TARGET, USER, TRACK)
    as_text: Expect = Expect(bad=None)  # where free text is expected (a query, a genre)
    forbidden: tuple[str, ...] = ()  # must appear nowhere in the output (a password)


TEXT = (
    Hostile("empty", "", Expect(types=URL_OR_ARGUMENT), Expect(types=ARGUMENT)),
    Hostile("blank", "   \t ", Expect(types=URL_OR_ARGUMENT), Expect(types=ARGUMENT)),
    Hostile("long-70k", LONG, Expect(types=BAD_URL), Expect(types=("invalid_argument",
                                                                   "invalid_url"))),
    Hostile("control-chars", "https://soundcloud.com/a\x01\x1b[2Jb/c\x7f",
            Expect(types=BAD_URL)),
    Hostile("newline", "https://soundcloud.com/a\nb/c", Expect(types=BAD_URL)),
    Hostile("spaces", "https://soundcloud.com/a b/c d", Expect(types=URL_OR_MISSING)),
    Hostile("percent-nul", "https://soundcloud.com/a%00b/c%0d%0a",
            Expect(types=URL_OR_MISSING)),
    Hostile("non-ascii-host", "https://sóundcloud.com/a/b", Expect(types=BAD_URL)),
    Hostile("punycode-garbage", "https://xn--/a/b", Expect(types=BAD_URL)),
    Hostile("port-too-big", "https://soundcloud.com:99999/a/b", Expect(types=BAD_URL)),
    Hostile("port-negative", "https://soundcloud.com:-1/a/b", Expect(types=BAD_URL)),
    Hostile("port-letters", "https://soundcloud.com:http/a/b", Expect(types=BAD_URL)),
    Hostile("ipv6-broken", "https://[::1/a/b", Expect(types=BAD_URL)),
    # A well-formed direct URL nobody answers: refused where a SoundCloud link is wanted,
    # a network failure where a direct media URL may be given (download).
    Hostile("ipv6-literal", "http://[::1]:1/a.m3u8", Expect(types=(*BAD_URL, "network"))),
    Hostile("file-scheme", "file:///etc/passwd", Expect(types=BAD_URL)),
    Hostile("javascript-scheme", "javascript:alert(1)", Expect(types=BAD_URL)),
    Hostile("data-scheme", "data:audio/mpeg;base64,AAAA", Expect(types=BAD_URL)),
    Hostile("userinfo", f"https://user:{PASSWORD}@soundcloud.com/a/b",
            Expect(types=URL_OR_MISSING), forbidden=(PASSWORD,)),
    Hostile("not-a-url", "not a url at all", Expect(types=BAD_URL)),
    Hostile("dot-dot", "../../../../etc/passwd", Expect(types=BAD_URL)),
    Hostile("urn-negative", "soundcloud:tracks:-1", Expect(types=BAD_URL)),
    Hostile("urn-huge", "soundcloud:tracks:" + "9" * 5000, Expect(types=URL_OR_MISSING)),
    Hostile("bidi-bom", "\u202e\ufeffhttps://soundcloud.com/a/b", Expect(types=BAD_URL)),
)
#: Options and short lists take a few of the text values, not all of them.
TEXT_FEW = ("empty", "long-70k", "control-chars", "non-ascii-host")

#: For a whole-number option: (id, value, bad).
WHOLE = (("negative", "-1", True), ("zero", "0", True), ("huge", "9" * 30, True),
         ("letters", "abc", True), ("exponent", "1e3", True), ("empty", "", True),
         ("nan", "nan", True), ("arabic-digits", "\u0663", None), ("padded", " 2 ", None))
#: For a seconds option (float): every one of them is a mistake.
SECONDS = (("negative", "-5", True), ("nan", "nan", True), ("inf", "inf", True),
           ("minus-inf", "-inf", True), ("overflow", "1e309", True), ("letters", "abc", True),
           ("empty", "", True))
#: For a choice (enum) argument.
CHOICE = (("empty", ""), ("bogus", "bogus"), ("upper", "TRACKS"), ("newline", "tracks\n"),
          ("long", "x" * 70_000))
#: For a folder option: a regular file where a folder must be, and below one.
FOLDER = (("a-file", "@FILE@"), ("below-a-file", "@FILE@/below"),
          ("proc", "/proc/self/mem/below"))
#: For a download TARGET|FILE that names a file: how to make it (bytes) or what it is.
FILES = (("missing", None), ("directory", "@DIR@"), ("unreadable", "/proc/self/mem"),
         ("bad-utf8", b"https://soundcloud.com/a/\xff\xfe\n"),
         ("binary-junk", bytes(range(256)) * 40),
         ("nul-bytes", b"\x00\x00" + TRACK.encode() + b"\x00\n"),
         ("long-line", LONG.encode() + b"\n"))
#: The emulator parses its own options (routed before our parser): its hostile arguments.
EMULATOR = (("port-too-big", ["--port=99999"]), ("port-negative", ["--port=-1"]),
            ("port-letters", ["--port=abc"]), ("seed-letters", ["--seed=abc"]),
            ("faults-unknown", ["--faults=bogus"]), ("faults-bad-param", ["--faults=slow:ms=x"]),
            ("host-garbage", ["--host=not a host!", "--port=0"]))
#: config.toml contents no command may crash on (each must be the `config` error, exit 2).
CONFIGS: dict[str, bytes | None] = {
    "nested-2000": b"a = " + b"[" * 2000 + b"]" * 2000 + b"\n",
    "bad-utf8": b"[net]\ntimeout = \xff\xfe\n",
    "binary-junk": bytes(range(256)) * 8,
    "directory": None,  # a folder where the file should be
    "nul-in-dir": b'[downloads]\ndir = "/tmp/a\\u0000b"\n',
    "wrong-types": b'[net]\ntimeout = "soon"\nmax_retries = 1e999\n[downloads]\nparallel = -3\n'
                   b'[endpoints]\n"https://api-v2.soundcloud.com" = "javascript:alert(1)"\n',
}
#: Configs that only some commands read: the rest may accept them.
READ_BY = {"nul-in-dir": ("download", "config show")}
#: The TUI would start on a config that is accepted, and only the ones that must be refused
#: are run without a command; the others run for every scriptable command.
TUI_CONFIGS = ("nested-2000", "bad-utf8", "directory")

#: A valid value for each positional, so that one hostile argument is the only bad one.
VALID = {"target": TRACK, "targets": TRACK, "query": "deep", "listing": "likes",
         "seconds": "10",  # ctl seek SECONDS
         # the write verbs: playlist PLAYLIST TRACK… POSITION
         "playlist": EXAMPLES["set_small"], "track": TRACK, "tracks": TRACK, "position": "1"}
#: Options every run of a command gets (play: one second, silently).
EXTRA = {"play": ["--for=1", "--ao=null"], "comment": ["--at=0:05"]}
URL_DESTS = {"target", "targets"}
NO_JSON = {"config init", "emulator", "(tui)"}  # commands without --json


@dataclass(frozen=True)
class Case:
    id: str
    command: str  # "resolve", "config show", "(tui)" for none
    argv: tuple[str, ...]
    expect: Expect
    forbidden: tuple[str, ...] = ()
    download: bool = False  # JSON lines of events instead of one document
    config: bytes | str | None = field(default="")  # "" = no config file


def leaf_parsers() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """(command words, parser) of every command the real parser knows; "(tui)" for the run
    without a command."""
    def walk(parser: argparse.ArgumentParser, words: list[str]
             ) -> Iterator[tuple[list[str], argparse.ArgumentParser]]:
        groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not groups or not words:
            yield words, parser
        for group in groups:
            for name, sub in group.choices.items():
                yield from walk(sub, [*words, name])

    for words, parser in walk(build_parser(), []):
        yield (" ".join(words) or "(tui)"), parser


def positionals(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not a.option_strings
            and not isinstance(a, argparse._SubParsersAction)]


def options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and a.nargs != 0
            and not isinstance(a, (argparse._HelpAction, argparse._VersionAction))]


def base(command: str, parser: argparse.ArgumentParser, *, skip: str = "") -> list[str]:
    words = [] if command == "(tui)" else command.split()
    values = []
    for action in positionals(parser):
        if action.dest == skip or action.nargs in ("?", argparse.REMAINDER):
            continue
        choices = list(action.choices or ())
        values.append(VALID.get(action.dest, str(choices[0]) if choices else "x"))
    if command == "browse" and skip != "target":
        values.append(USER)
    return [*words, *values, *EXTRA.get(command, [])]


def type_name(action: argparse.Action) -> str:
    return getattr(action.type, "__name__", "") if action.type else ""


def cases_for(command: str, parser: argparse.ArgumentParser) -> Iterator[Case]:
    download = command == "download"
    yield Case(f"{command}-unknown-option", command,
               (*base(command, parser), "--no-such-option"), Expect(types=ARGUMENT),
               download=download)
    if command not in NO_JSON:
        yield Case(f"{command}-flag-with-a-value", command,
                   (*base(command, parser), "--json=yes"), Expect(types=ARGUMENT),
                   download=download)
    if command == "emulator":
        for ident, args in EMULATOR:
            yield Case(f"emulator-{ident}", command, ("emulator", *args), Expect())
        return
    if command == "(tui)":
        yield Case("(tui)-unknown-command", command, ("no-such-command",),
                   Expect(types=ARGUMENT))
        for name in TUI_CONFIGS:
            yield Case(f"(tui)-config-{name}", command, (), Expect(types=("config",)),
                       config=CONFIGS[name])
        return  # --demo-data only ever starts the TUI (tests/tui covers it)
    for name, content in CONFIGS.items():
        if command not in READ_BY.get(name, (command,)):
            continue
        yield Case(f"{command}-config-{name}", command, tuple(base(command, parser)),
                   Expect(types=("config",)), config=content)
    for action in positionals(parser):
        rest = base(command, parser, skip=action.dest)
        if action.choices is not None:
            for ident, value in CHOICE:
                argv = [*rest]
                argv.insert(len(command.split()), value)
                yield Case(f"{command}-{action.dest}-{ident}", command, tuple(argv),
                           Expect(types=ARGUMENT))
            continue
        url = action.dest in URL_DESTS or command == "browse"
        for hostile in TEXT:
            expect = hostile.as_url if url else hostile.as_text
            argv = [*rest]
            argv.insert(len(command.split()) + (1 if command == "browse" else 0),
                        hostile.value)
            yield Case(f"{command}-{action.dest}-{hostile.id}", command, tuple(argv), expect,
                       hostile.forbidden, download=download)
        if download:
            for ident, _made in FILES:
                yield Case(f"download-file-{ident}", command,
                           ("download", f"@LIST:{ident}@"), Expect(), download=True)
    for action in options(parser):
        flag, kind = action.option_strings[-1], type_name(action)
        rest = base(command, parser)
        if kind in ("positive_int", "whole number"):
            values = [(i, v, Expect(bad=b, types=ARGUMENT)) for i, v, b in WHOLE]
        elif kind == "float":
            values = [(i, v, Expect(bad=b, types=ARGUMENT)) for i, v, b in SECONDS]
        elif action.choices is not None:
            values = [(i, v, Expect(types=ARGUMENT)) for i, v in CHOICE]
        elif kind == "Path":
            values = [(i, v, Expect()) for i, v in FOLDER]
        else:
            # Free text in an option (a genre, an audio output): empty means "not set".
            values = [(h.id, h.value, Expect(bad=None)) for h in TEXT if h.id in TEXT_FEW]
        for ident, value, expect in values:
            rest_here = [a for a in rest if not a.startswith(flag + "=")]
            yield Case(f"{command}-{flag.lstrip('-')}-{ident}", command,
                       (*rest_here, f"{flag}={value}"), expect, download=download)


CASES = [case for command, parser in leaf_parsers() for case in cases_for(command, parser)]


def test_every_command_has_cases() -> None:
    """A new command (or a new argument) is in the table without a new row."""
    commands = {command for command, _ in leaf_parsers()}
    assert {"(tui)", "config init", "config show", "emulator", "resolve", "stream", "search",
            "browse", "download", "play"} <= commands
    covered = {case.command for case in CASES}
    assert covered == commands
    for command, parser in leaf_parsers():
        for action in [*positionals(parser), *options(parser)]:
            if command in ("emulator", "(tui)"):
                continue
            mentioned = [c for c in CASES if c.command == command
                         and (f"-{action.dest}-" in c.id
                              or any(f"-{flag.lstrip('-')}-" in c.id
                                     for flag in action.option_strings))]
            assert mentioned, f"{command}: no hostile case for {action.dest}"
    assert len(CASES) == len({case.id for case in CASES})


def _materialize(case: Case, tmp_path: Path) -> tuple[list[str], Path]:
    """The argv with its placeholders made real; the folder downloads go to."""
    plain = tmp_path / "plain-file"
    plain.write_text("not a folder\n")
    folder = tmp_path / "a-folder"
    folder.mkdir(exist_ok=True)
    argv: list[str] = []
    for arg in case.argv:
        if arg.startswith("@LIST:"):
            ident = arg[len("@LIST:"):-1]
            made = dict(FILES)[ident]
            if made is None:
                arg = str(tmp_path / "no-such-list.txt")
            elif isinstance(made, bytes):
                path = tmp_path / f"{ident}.txt"
                path.write_bytes(made)
                arg = str(path)
            else:
                arg = str(folder) if made == "@DIR@" else made
        argv.append(arg.replace("@FILE@", str(plain)))
    out = tmp_path / "Music"
    if (case.command == "download" and case.config == ""
            and not any(a.startswith("--dir=") for a in argv)):
        argv.append(f"--dir={out}")
    return argv, out


def _write_config(content: bytes | None, xdg: Path) -> None:
    path = xdg / "config" / "minion-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)


def check(case: Case, run: Run, *, as_json: bool) -> None:
    assert_no_traceback(run)
    for secret in case.forbidden:
        assert secret not in run.stdout and secret not in run.stderr, run.describe()
    expect = case.expect
    if expect.bad is True:
        assert run.code != 0, "bad input was accepted:\n" + run.describe()
    if expect.bad is False:
        assert run.code == 0, run.describe()
    if not as_json:
        # download states its failures in its summary on stdout; the others on stderr.
        said = run.stdout + run.stderr if case.download else run.stderr
        if run.code != 0:
            assert said.strip(), "a failure says nothing:\n" + run.describe()
        return
    if case.download and run.code != 0 and not run.stdout.lstrip().startswith('{"error"'):
        assert_failed_events(run, expect.types)
    elif run.code != 0:
        assert_json_error(run, expect.types)
    elif case.download or case.command == "play":
        assert run.lines(), run.describe()
    else:
        json.loads(run.stdout)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, sc_cli: Cli, tmp_path: Path, isolated_env: Path) -> None:
    argv, out = _materialize(case, tmp_path)
    if case.config != "":
        _write_config(case.config if isinstance(case.config, bytes | None) else None,
                      isolated_env)
    as_json = case.command not in NO_JSON
    timeout = 20 if case.command == "(tui)" else 60
    run = sc_cli(*argv, *(["--json"] if as_json else []), timeout=timeout)
    check(case, run, as_json=as_json)
    if case.download and run.code != 0:
        # Nothing half-written under a final name: only finished files sit in the folder.
        leftovers = [p.name for p in out.rglob("*")] if out.is_dir() else []
        assert not [n for n in leftovers if n.endswith((".part", ".tmp"))], leftovers


#: Without --json the same inputs fail as one line on stderr, never a traceback.
PLAIN = [c for c in CASES if c.id.endswith(("-empty", "-long-70k", "-unknown-option"))
         and c.command not in NO_JSON]


@pytest.mark.parametrize("case", PLAIN, ids=[c.id for c in PLAIN])
def test_hostile_input_without_json(case: Case, sc_cli: Cli, tmp_path: Path) -> None:
    argv, _ = _materialize(case, tmp_path)
    run = sc_cli(*argv)
    check(case, run, as_json=False)
    if run.code != 0 and not case.download:
        assert run.stdout == "", run.describe()
