"""The loopback callback (auth/loopback.py) over real sockets: other paths do not count, the
one matching request settles it, a pasted redirect URL is checked like a request, and the
PKCE challenge is RFC 7636's S256."""

from __future__ import annotations

import asyncio

import pytest

from minion_tui.auth.loopback import Callback, challenge
from minion_tui.errors import AuthError


async def ask(port: int, target: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    answer = (await reader.read()).decode()
    writer.close()
    return int(answer.split(" ", 2)[1]), answer


async def test_other_paths_do_not_count_and_the_matching_one_settles_it() -> None:
    callback = await Callback("st-1", title="SoundCloud").start()
    waiting = asyncio.create_task(callback.wait(30))
    status, _ = await ask(callback.port, "/favicon.ico")
    assert status == 404 and not waiting.done()
    status, page = await ask(callback.port, "/callback?code=abc&state=st-1")
    assert status == 200 and "Signed in to SoundCloud" in page
    assert await waiting == {"code": "abc", "state": "st-1"}
    with pytest.raises(OSError):
        await ask(callback.port, "/callback?code=abc&state=st-1")


async def test_a_denied_sign_in_fails_with_the_services_word() -> None:
    callback = await Callback("st-2", title="Mixcloud").start()
    waiting = asyncio.create_task(callback.wait(30))
    status, page = await ask(callback.port, "/callback?error=access_denied&state=st-2")
    assert status == 400 and "access_denied" in page
    with pytest.raises(AuthError, match="access_denied"):
        await waiting


async def test_a_pasted_redirect_is_checked_like_a_request() -> None:
    callback = await Callback("st-3", title="SoundCloud").start()
    assert not callback.paste("not a url at all")
    assert not callback.paste("http://127.0.0.1:1/callback?state=st-3")  # no code
    assert callback.paste("http://127.0.0.1:1/callback?code=xyz&state=forged")
    with pytest.raises(AuthError, match="state does not match"):
        await callback.wait(30)
    fresh = await Callback("st-4", title="SoundCloud").start()
    assert fresh.paste(" http://127.0.0.1:9/callback?code=xyz&state=st-4 \n")
    assert (await fresh.wait(30))["code"] == "xyz"


def test_the_challenge_is_rfc_7636s_s256() -> None:
    # RFC 7636 Appendix B's example
    assert challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == \
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
