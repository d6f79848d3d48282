"""soundcloud.com page + JS assets: the client id is scrape-able the ways real clients do it
(docs/soundcloud.md §4), rotates, and stale or missing ids get 401."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minion_tui.emulator.server import RunningEmulator
    from tests.integration.conftest import EmulatorHttp

HYDRATION = re.compile(r'\{"hydratable":"apiClient","data":\{"id":"([A-Za-z0-9]{32})"')
ASSET = re.compile(r'src="(https://a-v2\.sndcdn\.com/assets/[^"]+\.js)"')
CONFIG = re.compile(r'client_id\s*:\s*"([0-9a-zA-Z]{32})"')


def scrape_assets(http: EmulatorHttp, page: str) -> str | None:
    """yt-dlp's way: every asset script, in reverse, first match wins."""
    for src in reversed(ASSET.findall(page)):
        match = CONFIG.search(http.get(src).text)
        if match:
            return match.group(1)
    return None


def test_page_has_hydration_version_and_assets(sc_http: EmulatorHttp) -> None:
    page = sc_http.get("https://soundcloud.com/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    html = page.text
    assert HYDRATION.search(html).group(1) == sc_http.emulator.state.client_id  # type: ignore[union-attr]
    assert re.search(r'window\.__sc_version="\d{10}"', html)
    assets = ASSET.findall(html)
    assert len(assets) >= 8
    assert all(re.search(r"/assets/\d+-[0-9a-f]{8}\.js$", a) for a in assets)
    assert "crossorigin src=" in html and '" crossorigin>' in html  # both attribute orders
    assert sc_http.get("https://soundcloud.com").status_code == 200  # no trailing slash


def test_asset_scan_finds_the_id_and_not_in_asset_zero(sc_http: EmulatorHttp) -> None:
    html = sc_http.get("https://soundcloud.com/").text
    assert scrape_assets(sc_http, html) == sc_http.emulator.state.client_id
    zero = next(a for a in ASSET.findall(html) if "/assets/0-" in a)
    assert CONFIG.search(sc_http.get(zero).text) is None


def test_assets_answer_range_requests(sc_http: EmulatorHttp) -> None:
    html = sc_http.get("https://soundcloud.com/").text
    config = next(a for a in ASSET.findall(html) if CONFIG.search(sc_http.get(a).text))
    whole = sc_http.get(config).content
    part = sc_http.get(config, headers={"Range": "bytes=0-50000"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-50000/{len(whole)}"
    assert part.content == whole[:50001]
    assert 'client_id:"' in part.text and ",client_is_expiring:!1," in part.text
    tail = sc_http.get(config, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == whole[-10:]
    beyond = sc_http.get(config, headers={"Range": f"bytes={len(whole)}-"})
    assert beyond.status_code == 416


def test_rotation_makes_the_old_id_401(sc_http: EmulatorHttp) -> None:
    state = sc_http.emulator.state
    url = sc_http.emulator.examples["track_full"]
    old_page = sc_http.get("https://soundcloud.com/").text
    old = state.client_id
    new = state.rotate_client_id()
    assert new != old and len(new) == 32
    assert sc_http.get("/resolve", url=url, client_id=old).status_code == 401
    assert sc_http.get("/resolve", url=url, client_id=None).status_code == 401
    assert sc_http.get("/resolve", url=url, client_id=new).status_code == 200
    page = sc_http.get("https://soundcloud.com/").text
    assert HYDRATION.search(page).group(1) == new  # type: ignore[union-attr]
    assert scrape_assets(sc_http, page) == new
    # an asset URL cached from before still answers, with the now stale id
    assert scrape_assets(sc_http, old_page) == old


def test_scheduled_rotation(emulator_factory: Callable[..., RunningEmulator]) -> None:
    rotating = emulator_factory(seed=1, rotate_seconds=0.05)
    first = rotating.state.client_id
    time.sleep(0.1)  # past the schedule: the next read rotates
    assert rotating.state.client_id != first


def test_pages_of_catalog_entities_and_404(sc_http: EmulatorHttp) -> None:
    examples = sc_http.emulator.examples
    for name in ("user", "track_full", "set_small", "track_private"):
        assert sc_http.get(examples[name]).status_code == 200, name
    assert sc_http.get("https://soundcloud.com/nobody-here-xyz").status_code == 404
    assert sc_http.get("https://on.soundcloud.com/nope").status_code == 404
