"""Fault profiles (docs/soundcloud.md §1.7): 429 after n media calls, 502 on list pages,
5xx bursts, bodies cut mid-way, slow responses, the DataDome bot wall."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from minion_tui.emulator.faults import looks_like_browser, parse_profile

if TYPE_CHECKING:
    from minion_tui.emulator.server import RunningEmulator
    from tests.integration.conftest import EmulatorHttp

CHROME_130 = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
              " Chrome/130.0.0.0 Safari/537.36")
CHROME_110 = CHROME_130.replace("Chrome/130", "Chrome/110")
FIREFOX_128 = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def faulty(emulator_factory: Callable[..., RunningEmulator]) -> Callable[[str], Any]:
    from tests.integration.conftest import EmulatorHttp

    made: list[EmulatorHttp] = []

    def start(profile: str, user_agent: str | None = None) -> EmulatorHttp:
        http = EmulatorHttp(emulator_factory(seed=1, faults=profile), user_agent)
        made.append(http)
        return http

    yield start
    for http in made:
        http.client.close()


def a_user_id(http: EmulatorHttp) -> int:
    return int(http.emulator.catalog.artist_by_permalink(  # type: ignore[union-attr]
        http.emulator.examples["user"].rsplit("/", 1)[1]).id)


def media_url(http: EmulatorHttp) -> str:
    track = http.json("/resolve", url=http.emulator.examples["track_full"])
    return str(track["media"]["transcodings"][0]["url"])


def test_rate_limit_after_n_media_calls(faulty: Callable[..., EmulatorHttp]) -> None:
    http = faulty("rate-limit:n=3:window=60")
    url = media_url(http)
    assert [http.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = http.get(url)
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= 60
    assert http.get("/resolve", url=http.emulator.examples["user"]).status_code == 200
    http.emulator.state.reset_counters()
    assert http.get(url).status_code == 200


def test_flaky_lists_fail_every_other_request(faulty: Callable[..., EmulatorHttp]) -> None:
    http = faulty("flaky-lists")
    path = f"/users/{a_user_id(http)}/tracks"
    first = http.get(path, limit=5)
    assert first.status_code == 502 and "text/html" in first.headers["content-type"]
    assert http.get(path, limit=5).status_code == 200
    assert http.get(path, limit=5).status_code == 502
    assert http.get("/search/tracks", q="a").status_code == 502
    assert http.get(f"/users/{a_user_id(http)}").status_code == 200  # not a list


def test_5xx_burst_then_recovers(faulty: Callable[..., EmulatorHttp]) -> None:
    http = faulty("5xx-burst:n=2")
    codes = [http.get(f"/users/{a_user_id(http)}").status_code for _ in range(3)]
    assert codes == [503, 503, 200]


def test_drop_cuts_the_body(faulty: Callable[..., EmulatorHttp]) -> None:
    http = faulty("drop:n=1")
    path = f"/users/{a_user_id(http)}/tracks"
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(path, limit=50)
    assert len(http.json(path, limit=50)["collection"]) == 50  # only the first one per path


def test_drop_limited_to_one_origin(faulty: Callable[..., EmulatorHttp]) -> None:
    http = faulty("drop:n=1:prefix=/sc-web")
    assert http.get(f"/users/{a_user_id(http)}").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("https://soundcloud.com/")


def test_slow_responses(faulty: Callable[..., EmulatorHttp]) -> None:
    http = faulty("slow:ms=3000")
    with pytest.raises(httpx.ReadTimeout):
        http.client.get(http.local("https://soundcloud.com/"), timeout=0.3)
    http.emulator.state.set_faults("")
    assert http.client.get(http.local("https://soundcloud.com/"), timeout=10).status_code == 200


@pytest.mark.parametrize(("agent", "expected"), [
    (None, 403),  # httpx's default "python-httpx/…"
    ("python-requests/2.32", 403),
    (CHROME_110, 403),
    (CHROME_130, 200),
    (FIREFOX_128, 200),
])
def test_bot_wall_on_paged_user_lists(faulty: Callable[..., EmulatorHttp], agent: str | None,
                                      expected: int) -> None:
    http = faulty("bot-wall", agent)
    uid = a_user_id(http)
    assert http.get(f"/users/{uid}/tracks", limit=10).status_code == expected
    assert http.get(f"/users/{uid}/likes", limit=10).status_code == expected
    assert http.get(f"/users/{uid}/toptracks", limit=10).status_code == 200  # stays open
    assert http.get(f"/users/{uid}").status_code == 200


def test_bot_wall_is_off_by_default(sc_http: EmulatorHttp) -> None:
    uid = a_user_id(sc_http)
    assert sc_http.get(f"/users/{uid}/tracks", limit=10).status_code == 200


def test_profiles_parse_strictly() -> None:
    faults = parse_profile("rate-limit:n=5:window=60,slow:ms=30")
    assert [(f.name, f.params) for f in faults] == [
        ("rate-limit", {"n": 5.0, "window": 60.0}), ("slow", {"ms": 30.0})]
    with pytest.raises(ValueError, match="unknown fault"):
        parse_profile("meteor-strike")
    with pytest.raises(ValueError, match="takes"):
        parse_profile("slow:seconds=3")
    assert looks_like_browser(CHROME_130) and not looks_like_browser("curl/8.5")


def test_api_calls_are_logged_in_order(sc_http: EmulatorHttp) -> None:
    state = sc_http.emulator.state
    state.reset_counters()
    sc_http.get("/resolve", url=sc_http.emulator.examples["user"])
    sc_http.get("/search/tracks", q="x")
    assert state.api_calls == ["/resolve", "/search/tracks"]
