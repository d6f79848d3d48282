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
    # the refused id stays in the pool, marked as failed: it is no fallback
    assert [(p.id, p.known_good) for p in ids.pool] == [(A, True), (B, False)]
    assert ids.pool[1].last_failure is not None and ids.pool[1].last_success is None
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


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_a_refused_id_falls_back_to_a_known_good_one_without_scraping(
        site: Site, tmp_path: Path) -> None:
    clock = Clock()
    site.page(hydration=A, scripts=[])
    http = site.http()
    ids = ClientIdSource(http, cache_dir=tmp_path, clock=clock)
    api = Api(http, ids)
    assert await api.get("/tracks/1") == {"ok": True}  # scraped A; it worked
    # A later process, past FRESH_FOR: the page is asked again, and serves B now
    clock.now += 5 * 3600
    site.page(hydration=B, scripts=[])
    site.valid_id = B
    ids = ClientIdSource(http, cache_dir=tmp_path, clock=clock)
    api = Api(http, ids)
    assert await api.get("/tracks/2") == {"ok": True}
    assert [p.id for p in ids.pool] == [B, A] and site.hits.count("/web/") == 2
    assert all(p.known_good for p in ids.pool)
    # B is revoked; A (known-good, 5 h old) works again: the fallback asks no page
    site.valid_id = A
    hits = len(site.hits)
    assert await api.get("/tracks/3") == {"ok": True}
    assert site.hits[hits:] == ["/api/tracks/3", "/api/tracks/3"]  # refused, then A: no /web/
    assert ids.scrapes == 1 and ids.fallbacks == 1 and ids.active == A
    pool = {p.id: p for p in ids.pool}
    assert not pool[B].known_good and pool[A].known_good
    # persisted: a new process knows B failed and A works
    again = ClientIdSource(http, cache_dir=tmp_path, clock=clock)
    assert {p.id: p.known_good for p in again.pool} == {A: True, B: False}
    await http.aclose()


async def test_no_known_good_id_left_means_a_scrape(site: Site, tmp_path: Path) -> None:
    clock = Clock()
    now = clock.now
    (tmp_path / CACHE_FILE).write_text(json.dumps({"client_id": B, "fetched_at": now, "pool": [
        {"id": B, "fetched_at": now, "last_success": now - 10},
        {"id": C, "fetched_at": now - 60, "last_success": now - 30, "last_failure": now - 20},
    ]}))
    site.page(hydration=A, scripts=[])
    http = site.http()
    ids = ClientIdSource(http, cache_dir=tmp_path, clock=clock)
    assert await Api(http, ids).get("/tracks/1") == {"ok": True}
    # B refused; C failed after its last success: not a fallback; the page gives A
    assert ids.fallbacks == 0 and ids.scrapes == 1 and ids.active == A
    assert site.hits == ["/api/tracks/1", "/web/", "/api/tracks/1"]
    await http.aclose()


async def test_the_pool_keeps_ten_ids_for_a_day(site: Site, tmp_path: Path) -> None:
    clock = Clock()
    http = site.http()
    ids = ClientIdSource(http, cache_dir=tmp_path, clock=clock)
    scraped = [f"{n:02d}".rjust(32, "x") for n in range(12)]
    for cid in scraped:  # twelve scrapes, an hour apart, each page serving a new id
        site.page(hydration=cid, scripts=[])
        site.valid_id = cid
        await ids.refresh(ids.active or "nothing")
        clock.now += 3600
    assert [p.id for p in ids.pool] == scraped[::-1][:10]  # the newest ten
    stored = json.loads((tmp_path / CACHE_FILE).read_text())["pool"]
    assert [p["id"] for p in stored] == scraped[::-1][:10]
    clock.now += 14 * 3600  # the oldest kept (scraped 24 h + 0 h ago) is past its day
    kept = [p.id for p in ids.pool]
    assert kept == scraped[::-1][:10][:-1] and scraped[2] not in kept
    reloaded = ClientIdSource(http, cache_dir=tmp_path, clock=clock)
    assert [p.id for p in reloaded.pool] == kept
    await http.aclose()
