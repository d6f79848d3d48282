"""www.mixcloud.com's OAuth endpoints (docs/mixcloud.md §3): the authorize page
(approving at once) and ``GET /oauth/access_token``, which answers JSON
``{"access_token": …}`` or ``{"error": …}``. Mixcloud documents no PKCE, no scopes, no
expiry and no refresh token; the state is echoed as any OAuth 2 server does. The checks
themselves are the shared server's (``emulator/oauth.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from minion_tui.emulator import apps
from minion_tui.emulator.oauth import OAuthError, read_form

if TYPE_CHECKING:
    from minion_tui.emulator import apps
from minion_tui.emulator.oauth import OAuthServer

#: The app ``--demo`` signs in with, and who is signed in.
DEMO_APP_ID, DEMO_APP_SECRET, DEMO_REDIRECTS = (
    apps.MIXCLOUD_APP_ID, apps.MIXCLOUD_APP_SECRET, apps.REDIRECTS)
SIGNED_IN = "quietlistener"


def oauth_routes(server: OAuthServer) -> list[Route]:
    async def authorize(request: Request) -> Response:
        try:
            location = server.authorize({"response_type": "code",
                                         **dict(request.query_params)})
        except OAuthError as refused:
            where = refused.location()
            if where is not None:
                return RedirectResponse(where, status_code=302)
            return HTMLResponse(f"<h1>Mixcloud</h1><p>{refused.description}</p>",
                                status_code=refused.status)
        return RedirectResponse(location, status_code=302)

    async def access_token(request: Request) -> Response:
        form = dict(request.query_params)
        if request.method == "POST":
            form.update(await read_form(request))
        try:
            answer = server.token({"grant_type": "authorization_code", **form})
        except OAuthError as refused:
            return JSONResponse({"error": refused.description}, status_code=refused.status)
        return JSONResponse({"access_token": answer["access_token"]})

    return [Route("/oauth/authorize", authorize),
            Route("/oauth/access_token", access_token, methods=["GET", "POST"])]
