"""The emulator's OAuth servers refuse what the real ones are documented to refuse
(docs/accounts.md §5), seen from plain HTTP: a wrong verifier, another redirect URI, a code
used twice or too late, a replayed refresh token, a revoked grant, an expired token, too many
client-credentials tokens, a missing client secret."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from minion_tui.emulator import apps
from minion_tui.emulator.server import RunningEmulator

REDIRECT = "http://127.0.0.1:49152/callback"


@pytest.fixture
def http(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, follow_redirects=False, timeout=20) as client:
        yield client


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(http: httpx.Client, challenge: str, **extra: str) -> httpx.Response:
    params = {"client_id": apps.SOUNDCLOUD_APP_ID, "redirect_uri": REDIRECT,
              "response_type": "code", "code_challenge": challenge,
              "code_challenge_method": "S256", "state": "s-1", **extra}
    return http.get("/sc-secure/authorize", params=params)


def code_of(answer: httpx.Response) -> str:
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == ["s-1"]
    return query["code"][0]


def token(http: httpx.Client, **form: str) -> httpx.Response:
    return http.post("/sc-secure/oauth/token",
                     data={"client_id": apps.SOUNDCLOUD_APP_ID,
                           "client_secret": apps.SOUNDCLOUD_APP_SECRET, **form})


def exchange(http: httpx.Client, code: str, verifier: str, **extra: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": REDIRECT, **extra}
    return token(http, **form)


def signed_in(http: httpx.Client) -> dict[str, Any]:
    verifier, challenge = pkce()
    answer = exchange(http, code_of(authorize(http, challenge)), verifier)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def me(http: httpx.Client, access: str) -> int:
    return http.get("/sc-api/me", headers={"Authorization": f"OAuth {access}"}).status_code


def test_the_code_flow_gives_an_hour_long_token_and_a_refresh_token(
        http: httpx.Client) -> None:
    body = signed_in(http)
    assert body["expires_in"] == 3599 and body["token_type"] == "bearer"
    assert body["refresh_token"] and me(http, body["access_token"]) == 200
    # query tokens and Bearer are not how the official API is asked (docs/soundcloud.md §5)
    assert http.get("/sc-api/me", params={"oauth_token": body["access_token"]}
                    ).status_code == 401
    assert http.get("/sc-api/me", headers={"Authorization": f"Bearer {body['access_token']}"}
                    ).status_code == 401


def test_authorize_refuses_an_unknown_app_another_redirect_and_no_pkce(
        http: httpx.Client) -> None:
    _, challenge = pkce()
    assert authorize(http, challenge, client_id="nobody").status_code == 400
    assert authorize(http, challenge, redirect_uri="http://evil.example/callback"
                     ).status_code == 400
    refused = authorize(http, challenge, code_challenge_method="plain")
    assert refused.status_code == 302  # told at the (known-good) redirect URI, with state
    query = parse_qs(urlsplit(refused.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["s-1"]
    assert "code" not in query


def test_the_exchange_checks_the_verifier_the_redirect_and_single_use(
        http: httpx.Client, emulator: RunningEmulator) -> None:
    verifier, challenge = pkce()
    code = code_of(authorize(http, challenge))
    wrong = exchange(http, code, pkce()[0])
    assert wrong.status_code == 400 and wrong.json()["message"] == "invalid_grant"
    code = code_of(authorize(http, challenge))
    assert exchange(http, code, verifier, redirect_uri="http://127.0.0.1:1/callback"
                    ).status_code == 400
    code = code_of(authorize(http, challenge))
    first = exchange(http, code, verifier)
    assert first.status_code == 200
    second = exchange(http, code, verifier)
    assert second.status_code == 400 and second.json()["message"] == "invalid_grant"
    # a code spent twice revokes what it gave (RFC 6749 §4.1.2)
    assert me(http, first.json()["access_token"]) == 401
    code = code_of(authorize(http, challenge))
    emulator.oauth.advance(601)
    assert exchange(http, code, verifier).status_code == 400
    assert token(http, grant_type="authorization_code", code=code_of(authorize(
        http, challenge)), code_verifier=verifier, redirect_uri=REDIRECT,
        client_secret="wrong").status_code == 401


def test_refresh_tokens_rotate_once_and_a_replay_ends_the_grant(
        http: httpx.Client, emulator: RunningEmulator) -> None:
    body = signed_in(http)
    fresh = token(http, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert fresh.status_code == 200
    rotated = fresh.json()
    assert rotated["refresh_token"] != body["refresh_token"]
    assert me(http, rotated["access_token"]) == 200
    replay = token(http, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert replay.status_code == 400 and replay.json()["message"] == "invalid_grant"
    assert me(http, rotated["access_token"]) == 401  # the whole grant ended
    assert token(http, grant_type="refresh_token", refresh_token=rotated["refresh_token"]
                 ).status_code == 400


def test_access_tokens_expire_and_revocation_ends_them(
        http: httpx.Client, emulator: RunningEmulator) -> None:
    body = signed_in(http)
    emulator.oauth.advance(3600)
    assert me(http, body["access_token"]) == 401
    fresh = token(http, grant_type="refresh_token", refresh_token=body["refresh_token"]).json()
    assert me(http, fresh["access_token"]) == 200
    assert emulator.oauth.revoke(fresh["access_token"])
    assert me(http, fresh["access_token"]) == 401
    assert token(http, grant_type="refresh_token", refresh_token=fresh["refresh_token"]
                 ).status_code == 400


def test_client_credentials_need_basic_auth_and_are_capped_per_hour(
        http: httpx.Client, emulator: RunningEmulator) -> None:
    basic = httpx.BasicAuth(apps.SOUNDCLOUD_APP_ID, apps.SOUNDCLOUD_APP_SECRET)
    cap = emulator.oauth.client_credentials_per_hour
    given = [http.post("/sc-secure/oauth/token", data={"grant_type": "client_credentials"},
                       auth=basic) for _ in range(cap)]
    assert all(g.status_code == 200 and "refresh_token" not in g.json() for g in given)
    over = http.post("/sc-secure/oauth/token", data={"grant_type": "client_credentials"},
                     auth=basic)
    assert over.status_code == 429
    emulator.oauth.advance(3601)
    assert http.post("/sc-secure/oauth/token", data={"grant_type": "client_credentials"},
                     auth=basic).status_code == 200
    wrong = httpx.BasicAuth(apps.SOUNDCLOUD_APP_ID, "not-the-secret")
    assert http.post("/sc-secure/oauth/token", data={"grant_type": "client_credentials"},
                     auth=wrong).status_code == 401
    # a client token reads public data, not an account
    access = given[0].json()["access_token"]
    assert me(http, access) == 401


def test_mixcloud_codes_are_single_use_and_revoked_tokens_are_invalid(
        http: httpx.Client, emulator: RunningEmulator) -> None:
    answer = http.get("/mc-web/oauth/authorize", params={
        "client_id": apps.MIXCLOUD_APP_ID, "redirect_uri": REDIRECT, "state": "s-1"})
    code = code_of(answer)
    params = {"client_id": apps.MIXCLOUD_APP_ID, "redirect_uri": REDIRECT,
              "client_secret": apps.MIXCLOUD_APP_SECRET, "code": code}
    first = http.get("/mc-web/oauth/access_token", params=params)
    assert first.status_code == 200 and set(first.json()) == {"access_token"}
    again = http.get("/mc-web/oauth/access_token", params=params)
    assert again.status_code == 400 and "error" in again.json()
    access = first.json()["access_token"]
    # the first exchange's token was revoked by the replayed code
    refused = http.get("/mc-api/me/", params={"access_token": access})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "An invalid access token was provided."
    code = code_of(http.get("/mc-web/oauth/authorize", params={
        "client_id": apps.MIXCLOUD_APP_ID, "redirect_uri": REDIRECT, "state": "s-1"}))
    access = http.get("/mc-web/oauth/access_token", params={**params, "code": code}
                      ).json()["access_token"]
    moved = http.get("/mc-api/me/", params={"access_token": access})
    assert moved.status_code == 302
    assert moved.headers["location"] == "https://api.mixcloud.com/quietlistener/"
    assert http.get("/mc-api/me/").json()["error"]["type"] == "OAuthException"
