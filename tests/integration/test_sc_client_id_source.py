"""client_id discovery over real HTTP against a tiny stdlib site serving page variants
(docs/soundcloud.md §4): hydration first, assets in reverse order, disk cache, refresh on 401 shared
by concurrent requests, pool rotation. The full emulator covers the same paths end to end in
test_sc_emulator.py; this site lets each page variant be served exactly."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, parse_qs

import pytest

from minion_tui.errors import ClientIdUnavailable
from minion_tui.net import EndpointMap, Http, HttpOptions
from minion_tui.providers.soundcloud.api import Api
from minion_tui.providers.soundcloud.client_id import CACHE_FILE, ClientIdSource
from tests.integration.local_server import Answer, answering_server

A = "A" * 16 + "a" * 16
B = "B" * 16 + "b" * 16
C = "C" * 16 + "c" * 16


@dataclass
class Site:
    url: str
    routes: dict[str, tuple[int, str]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    valid_id: str = A

    def http(self) -> Http:
        mapping = {
            "https://soundcloud.com": f"{self.url}/web",
            "https://a-v2.sndcdn.com": f"{self.url}/assets",
            "https://api-v2.soundcloud.com": f"{self.url}/api",
        }
        return Http(HttpOptions(endpoints=EndpointMap.from_dict(mapping), rate_limit=0,
                                max_retries=1, backoff_base=0.01))

    def page(self, *, hydration: str | None, scripts: list[str]) -> None:
        tags = "\n".join(
            f'<script crossorigin src="https://a-v2.sndcdn.com/assets/{s}"></script>' if i % 2
            else f'<script src="https://a-v2.sndcdn.com/assets/{s}" crossorigin></script>'
            for i, s in enumerate(scripts))
        hydrate = (f'<script>window.__sc_hydration = [{{"hydratable":"apiClient","data":'
                   f'{{"id":"{hydration}","isExpiring":false}}}}];</script>' if hydration else "")
        self.routes["/web/"] = (200, f'<html><script>window.__sc_version="1771407416"</script>'
                                     f"{hydrate}{tags}</html>")


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site(url="")

    def answer(parts: SplitResult) -> Answer:
        state.hits.append(parts.path)
        if parts.path.startswith("/api/"):
            cid = parse_qs(parts.query).get("client_id", [""])[0]
            status, body = (200, '{"ok": true}') if cid == state.valid_id else (401, "{}")
        else:
            status, body = state.routes.get(parts.path, (404, "{}"))
        return status, body.encode(), None

    with answering_server(answer) as url:
        state.url = url
        yield state


async def test_hydration_wins_and_no_asset_is_fetched(site: Site, tmp_path: Path) -> None:
    site.page(hydration=A, scripts=["0-aa.js", "53-bb.js"])
    http = site.http()
    ids = ClientIdSource(http, cache_dir=tmp_path)
    assert await ids.current() == A
    assert site.hits == ["/web/"]
    cached = json.loads((tmp_path / CACHE_FILE).read_text())
    assert cached["client_id"] == A and cached["sc_version"] == "1771407416"
    assert abs(cached["fetched_at"] - time.time()) < 60
    await http.aclose()


async def test_assets_scanned_in_reverse_page_order(site: Site, tmp_path: Path) -> None:
    site.page(hydration=None, scripts=["0-aa.js", "49-cc.js", "53-bb.js"])
    site.routes["/assets/assets/0-aa.js"] = (200, f'x={{client_id:"{C}"}}')
    site.routes["/assets/assets/49-cc.js"] = (200, f',client_application_id:46941,client_id:"{A}"')
    site.routes["/assets/assets/53-bb.js"] = (200, "no id here")
    http = site.http()
    assert await ClientIdSource(http, cache_dir=tmp_path).current() == A
    assert site.hits == ["/web/", "/assets/assets/53-bb.js", "/assets/assets/49-cc.js"]
    await http.aclose()


async def test_fresh_cache_is_reused_and_stale_cache_rescraped(site: Site, tmp_path: Path) -> None:
    site.page(hydration=A, scripts=[])
    http = site.http()
    (tmp_path / CACHE_FILE).write_text(json.dumps({"client_id": B, "fetched_at": time.time()}))
    assert await ClientIdSource(http, cache_dir=tmp_path).current() == B
    assert site.hits == []
    (tmp_path / CACHE_FILE).write_text(
        json.dumps({"client_id": B, "fetched_at": time.time() - 5 * 3600}))
    assert await ClientIdSource(http, cache_dir=tmp_path).current() == A
    assert site.hits == ["/web/"]
    await http.aclose()


async def test_configured_id_needs_no_request(site: Site, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    http = site.http()
    assert await ClientIdSource(http, cache_dir=tmp_path, configured=B).current() == B
    monkeypatch.setenv("SOUNDCLOUD_CLIENT_ID", C)
    assert await ClientIdSource(http, cache_dir=tmp_path / "x").current() == C
    assert site.hits == []
    await http.aclose()


async def test_scrape_failure_names_the_environment_variable(site: Site, tmp_path: Path) -> None:
    site.page(hydration=None, scripts=["0-aa.js"])  # the asset 404s
    http = site.http()
    with pytest.raises(ClientIdUnavailable, match="SOUNDCLOUD_CLIENT_ID"):
        await ClientIdSource(http, cache_dir=tmp_path).current()
    await http.aclose()


async def test_stale_id_refreshed_once_for_concurrent_calls(site: Site, tmp_path: Path) -> None:
    site.page(hydration=A, scripts=[])
    http = site.http()
    (tmp_path / CACHE_FILE).write_text(json.dumps({"client_id": B, "fetched_at": time.time()}))
    ids = ClientIdSource(http, cache_dir=tmp_path)
    api = Api(http, ids)
    answers = await asyncio.gather(*(api.get(f"/tracks/{i}") for i in range(5)))
    assert answers == [{"ok": True}] * 5
    assert ids.scrapes == 1 and site.hits.count("/web/") == 1
    assert [p.id for p in ids.pool] == [A]  # the rejected id left the pool
    site.valid_id = C  # the page still serves A, which is now refused: no pointless retry
    with pytest.raises(ClientIdUnavailable, match="still 401"):
        await api.get("/tracks/9")
    await http.aclose()


async def test_rotation_moves_to_a_pooled_id(site: Site, tmp_path: Path) -> None:
    now = time.time()
    (tmp_path / CACHE_FILE).write_text(json.dumps({
        "client_id": A, "fetched_at": now,
        "pool": [{"id": A, "fetched_at": now}, {"id": B, "fetched_at": now - 60}],
    }))
    http = site.http()
    ids = ClientIdSource(http, cache_dir=tmp_path)
    assert await ids.current() == A
    assert await ids.rotate(A, retry_after=30) == B
    assert await ids.current() == B
    # persisted: a new session skips the limited id as well
    again = ClientIdSource(http, cache_dir=tmp_path)
    assert await again.current() == B
    assert site.hits == []
    await http.aclose()
