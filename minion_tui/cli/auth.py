"""``auth``: sign in to a service, see who is signed in, sign out, keep a pasted session token.

* ``auth login PROVIDER [--no-browser]`` — the browser is sent to the service's sign-in page
  (with ``--demo``, the emulator's, which approves at once); with ``--no-browser``, or with no
  browser to open, the URL is printed on a line of its own (on stderr: stdout stays the
  result) and the sign-in waits for the callback, or for the redirect URL pasted on stdin.
* ``auth status`` — ``{"soundcloud": {"signed_in", "user", "scopes", "expires_at"}, …}``;
  SoundCloud's also has ``"budgets"``: ``{"streams" | "client_credentials" |
  "client_credentials_ip": {"used", "limit", "window_s", "resets_at"}}``
  (docs/accounts.md §7);
  no request is made.
* ``auth logout PROVIDER`` — the sign-in revoked at the service where it can be (SoundCloud's
  ``POST /sign-out``; offline, it is still forgotten here), then every token of it
  forgotten; ``--json`` adds ``"revoked"`` (true|false) and ``"revoke_url"`` (Mixcloud has
  no revoke API: where to disconnect the app) to the status.
* ``auth token soundcloud`` — a web-session token read from standard input (typed without
  echo at a terminal, or piped): never an argument, which the shell's history and every
  user's ``ps`` would show.

No token is ever printed: the results are the statuses above.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from minion_tui.cli.command import Choices, Command, add_choosing
from minion_tui.cli.output import note, print_json, print_table
from minion_tui.cli.session import session

if TYPE_CHECKING:
    from minion_tui.cli.command import Subparsers
    from minion_tui.models import AccountStatus

MAX_TOKEN = 8192


def _signing_in() -> Choices:
    return Choices(lambda _caps: _names(lambda c: bool(c.account_listings)))


def _pasting() -> Choices:
    return Choices(lambda _caps: _names(lambda c: c.pasted_token))


def _names(wanted: Callable[[Any], bool]) -> tuple[str, ...]:
    from minion_tui.service import provider_capabilities, provider_names

    return tuple(n for n in provider_names() if wanted(provider_capabilities(n)))


def _setup(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    auth = sub.add_parser("auth", help="sign in to a service, or out; who is signed in")
    actions = auth.add_subparsers(dest="auth_command", metavar="ACTION", required=True)
    login = actions.add_parser("login", parents=[common], help="sign in through the browser")
    add_choosing(login, "provider", choices=_signing_in())
    login.add_argument("--no-browser", action="store_true",
                       help="print the sign-in URL instead of opening a browser")
    actions.add_parser("status", parents=[common], help="who is signed in to each service")
    logout = actions.add_parser("logout", parents=[common], help="forget a service's tokens")
    add_choosing(logout, "provider", choices=_signing_in())
    token = actions.add_parser("token", parents=[common],
                               help="keep a pasted web-session token (read from stdin)")
    add_choosing(token, "provider", choices=_pasting())


def _print_statuses(statuses: dict[str, AccountStatus], *, as_json: bool) -> None:
    if as_json:
        print_json({name: status.to_json() for name, status in statuses.items()})
        return
    print_table(["service", "signed in", "user", "scopes", "expires"],
                [[name, "yes" if s.signed_in else "no", s.user or "", " ".join(s.scopes),
                  s.expires_at or ""] for name, s in statuses.items()])


def _announce(title: str) -> Callable[[str, bool], None]:
    def announce(url: str, opened: bool) -> None:
        said = (f"Opened the {title} sign-in page; approve it there. If it did not open, "
                "visit this URL:" if opened else
                f"To sign in to {title}, open this URL in a browser:")
        note(said)
        print(url, file=sys.stderr, flush=True)
        note("Waiting for the sign-in to finish (or paste the URL the browser ends up on, "
             "then Enter)…")
    return announce


async def _stdin_lines() -> AsyncIterator[str]:
    """Lines typed or piped on stdin, read by a daemon thread (a pending read must never
    hold up the end of the command)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            for line in sys.stdin:
                loop.call_soon_threadsafe(queue.put_nowait, line[:MAX_TOKEN])
        except (OSError, ValueError, RuntimeError):
            pass
        try:
            loop.call_soon_threadsafe(queue.put_nowait, None)
        except RuntimeError:  # the loop is gone: nobody waits any more
            pass

    if sys.stdin is None:
        return
    threading.Thread(target=read, name="minion-auth-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


async def _login(args: argparse.Namespace) -> int:
    from minion_tui.service import provider_title

    async with session(args) as service:
        status = await service.accounts.login(
            args.provider, browser=not args.no_browser,
            announce=_announce(provider_title(args.provider)), pasted=_stdin_lines())
    if not args.json:
        note(f"Signed in to {provider_title(args.provider)}"
             + (f" as {status.user}." if status.user else "."))
    _print_statuses({args.provider: status}, as_json=args.json)
    return 0


async def _status(args: argparse.Namespace) -> int:
    async with session(args) as service:
        statuses = await service.accounts.status()
        budgets = {name: await service.budgets.status(name) for name in statuses}
        where = None if args.json else await service.accounts.storage()
    if where is not None:
        note(f"Tokens are kept in the {where}.")
    if args.json:
        # Each status as login and logout print it, plus "budgets" where a service has any.
        print_json({name: {**s.to_json(), **({"budgets": budgets[name]} if budgets[name]
                                             else {})} for name, s in statuses.items()})
        return 0
    _print_statuses(statuses, as_json=False)
    rows = [[name, kind, "?" if b["used"] is None else f"{b['used']:,}", f"{b['limit']:,}",
             f"{b['window_s'] // 3600} h", b["resets_at"] or ""]
            for name, kinds in budgets.items() for kind, b in kinds.items()]
    if rows:
        print()
        print_table(["service", "budget", "used", "limit", "window", "frees up"], rows)
    return 0


async def _logout(args: argparse.Namespace) -> int:
    from minion_tui.service import provider_title

    async with session(args) as service:
        done = await service.accounts.logout(args.provider)
        statuses = await service.accounts.status()
    status = statuses[args.provider]
    if args.json:
        # The status as login and status print it, plus whether the service revoked it.
        print_json({args.provider: {**status.to_json(), "revoked": done.revoked,
                                    "revoke_url": done.revoke_url}})
        return 0
    title = provider_title(args.provider)
    if not done.removed:
        note(f"Was not signed in to {title}.")
    else:
        note(f"Signed out of {title}; {title} revoked the sign-in." if done.revoked else
             f"Signed out of {title} here; the sign-in was not revoked at {title}.")
    if done.note:
        note(done.note)
    _print_statuses({args.provider: status}, as_json=False)
    return 0


def _read_token() -> str:
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Paste the session token (not shown), then Enter: ")
    try:
        return sys.stdin.read(MAX_TOKEN + 1)
    except (OSError, ValueError, UnicodeDecodeError):
        return ""


async def _token(args: argparse.Namespace) -> int:
    text = await asyncio.to_thread(_read_token)
    async with session(args) as service:
        status = await service.accounts.paste_token(args.provider, text)
    _print_statuses({args.provider: status}, as_json=args.json)
    return 0


ACTIONS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "login": _login, "status": _status, "logout": _logout, "token": _token}


def _auth(args: argparse.Namespace) -> Coroutine[Any, Any, int]:
    return ACTIONS[args.auth_command](args)


COMMANDS = (Command("auth", _setup, _auth),)
