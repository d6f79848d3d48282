"""The loopback redirect of a native app's sign-in (RFC 8252 §7.3), and PKCE (RFC 7636).

:class:`Callback` listens on 127.0.0.1 on a port the system picks, and accepts exactly one
request: ``GET <path>?code=…&state=…`` whose ``state`` is the one this sign-in sent (RFC 6749
§10.12: a callback of someone else's sign-in must not be taken). That request gets a page
saying the sign-in went through and the listener closes at once, so a second request finds
no one listening. A request with the wrong state, or the service's ``error=…``, gets an error
page and ends the sign-in with an AuthError saying so. Other paths (a browser's favicon) get a
404 and do not count. Only the request line is read, at most 16 KiB of head, within a few
seconds: nothing slow or large keeps the sign-in waiting.

The same check applies to a redirect URL pasted by hand (:meth:`Callback.paste`), for a
browser on another machine that cannot reach this one's loopback.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import html
import secrets
from urllib.parse import parse_qsl, urlsplit

from minion_tui.errors import AuthError

HOST = "127.0.0.1"
PATH = "/callback"
MAX_HEAD = 16 * 1024
READ_TIMEOUT = 5.0


def new_verifier() -> str:
    """A PKCE code verifier: 64 characters of the unreserved set (RFC 7636 §4.1: 43-128)."""
    return secrets.token_urlsafe(48)


def challenge(verifier: str) -> str:
    """BASE64URL(SHA256(verifier)) without padding: the S256 method (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    return secrets.token_urlsafe(24)


class Callback:
    def __init__(self, state: str, *, title: str, path: str = PATH) -> None:
        self.state = state
        self.title = title
        self.path = path
        self.port = 0
        self._server: asyncio.Server | None = None
        self._done: asyncio.Future[dict[str, str]] | None = None

    @property
    def redirect_uri(self) -> str:
        return f"http://{HOST}:{self.port}{self.path}"

    async def start(self) -> Callback:
        self._done = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._serve, HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def wait(self, seconds: float) -> dict[str, str]:
        """The callback's query (``code`` in it) once the one matching request came, or
        AuthError (wrong state, the service refused, nothing came in ``seconds`` s)."""
        assert self._done is not None, "start() first"
        try:
            return await asyncio.wait_for(asyncio.shield(self._done), seconds)
        except TimeoutError:
            raise AuthError(
                f"No answer from the {self.title} sign-in page within {seconds:.0f} s.",
                hint="Run the login again and approve it in the browser, or paste the URL "
                "the browser was sent to.") from None
        finally:
            await self.close()

    def paste(self, text: str) -> bool:
        """A redirect URL pasted by hand: taken as the callback when it is one (True)."""
        text = text.strip()
        if not text or self._done is None or self._done.done():
            return False
        try:
            parts = urlsplit(text)
        except ValueError:
            return False
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if "code" not in query and "error" not in query:
            return False
        self._judge(query)
        return True

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    # -- one connection ------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self._done is None or self._done.done():
                return  # the one request came already: nothing more is answered
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                    ConnectionError):
                return
            if len(head) > MAX_HEAD:
                return
            status, page = self._answer(head)
            body = page.encode("utf-8")
            writer.write(f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                         f"Content-Length: {len(body)}\r\nConnection: close\r\n"
                         "Cache-Control: no-store\r\n\r\n".encode("ascii") + body)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            if self._done is not None and self._done.done():
                await self.close()

    def _answer(self, head: bytes) -> tuple[str, str]:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = line.partition(" ")
        target = rest.rpartition(" ")[0] or rest
        try:
            parts = urlsplit(target)
        except ValueError:
            return "400 Bad Request", _page("Not a sign-in callback", "")
        if method != "GET" or parts.path != self.path:
            return "404 Not Found", _page("Not a sign-in callback", "")
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        problem = self._judge(query)
        if problem is None:
            return "200 OK", _page(f"Signed in to {self.title}",
                                   "You can close this tab and go back to minion-tui.")
        return "400 Bad Request", _page(f"{self.title} sign-in failed", problem)

    def _judge(self, query: dict[str, str]) -> str | None:
        """Settle the sign-in from a callback's query; the problem in words, or None."""
        assert self._done is not None
        given = query.get("state")
        if given is None or not secrets.compare_digest(given.encode(), self.state.encode()):
            problem = ("The callback's state does not match the sign-in this app started, "
                       "so it was refused (it may belong to another sign-in, or be forged).")
            self._done.set_exception(AuthError(
                f"{self.title} sign-in refused: {problem}",
                hint=f"Run `minion-tui auth login {self.title.lower()}` again."))
        elif "error" in query:
            problem = (f"{self.title} answered {query['error']!r}"
                       + (f": {query['error_description']}"
                          if query.get("error_description") else "") + ".")
            self._done.set_exception(AuthError(
                f"{self.title} sign-in failed: {problem}",
                hint="Approve the app on the sign-in page, or check its client id and "
                "redirect URI."))
        elif not query.get("code"):
            problem = "The callback carried no authorization code."
            self._done.set_exception(AuthError(f"{self.title} sign-in failed: {problem}"))
        else:
            self._done.set_result(query)
            return None
        # nobody may await the future (a pasted URL settled it first): keep it quiet
        self._done.exception()
        return problem


def _page(title: str, text: str) -> str:
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
            f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
            "</body></html>")
