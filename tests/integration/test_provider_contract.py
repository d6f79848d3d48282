"""The provider contract: every registered provider must pass these for the capabilities it
declares — today SoundCloud against the emulator, and a test-only fake provider
(fake_provider.py) that proves a new provider is one package plus one registry line. Every
check runs through the same Service calls the front ends use."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from minion_tui.emulator.server import RunningEmulator
from minion_tui.errors import AuthRequired, InvalidArgument
from minion_tui.models import Comment, Page, Playlist, Section, StreamChoice, Tag, Track, User
from minion_tui.providers import registry
from minion_tui.providers.base import ACCOUNT_LISTINGS, Provider, SearchFilter, WebRef
from minion_tui.service import Service, capabilities, web_ref
from tests.integration import fake_provider

LIMIT = 3
#: What each listing may hold (a user's likes and reposts may hold sets too).
ITEM_TYPES: dict[str, tuple[type, ...]] = {
    "tracks": (Track,), "toptracks": (Track,), "likes": (Track, Playlist),
    "reposts": (Track, Playlist), "playlists": (Playlist,), "albums": (Playlist,),
    "followings": (User,), "followers": (User,), "related": (Track,), "station": (Track,),
    "comments": (Comment,), "trending": (Track,), "tag": (Track,),
    "popular": (Track,), "hot": (Track,), "new": (Track,), "live": (Track,), "listens": (Track,),
    "feed": (Track,), "favorites": (User,), "listeners": (User,), "similar": (Track,),
    "tracklist": (Section,), "mylikes": (Track,),
    # the signed-in user's own lists (docs/writes.md)
    "history": (Track,), "myplaylists": (Playlist,), "myfollowings": (User,),
}
SEARCH_TYPES: dict[str, tuple[type, ...]] = {
    "tracks": (Track,), "users": (User,), "playlists": (Playlist,), "albums": (Playlist,),
    "tags": (Tag,),
}


@dataclass(frozen=True)
class Subjects:
    """What each provider's contract run looks at."""

    track: str
    user: str
    tag: str
    query: str
    listing_page: str
    """A page URL naming a user's listing (web_ref must see it)."""


@pytest.fixture(autouse=True)
def fake_registered() -> Iterator[None]:
    registry.register(fake_provider.ENTRY)
    yield
    registry.unregister(fake_provider.NAME)


@pytest.fixture(params=[*registry.names(), fake_provider.NAME])
def provider_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def subjects(provider_name: str, request: pytest.FixtureRequest) -> Subjects:
    if provider_name == fake_provider.NAME:
        host = fake_provider.HOST
        return Subjects(f"https://{host}/user2/t1", f"https://{host}/user1", "fakehouse",
                        "track", f"https://{host}/user1/likes")
    emulator: RunningEmulator = request.getfixturevalue("emulator")
    if provider_name == "mixcloud":  # a profile's Favorites tab is the neutral "likes"
        user = emulator.examples["mc_user"]
        return Subjects(emulator.examples["mc_show_tracks"], user, "deep house", "night",
                        user + "favorites/")
    return Subjects(emulator.examples["track_full"], emulator.examples["user"], "deep house",
                    "deep", emulator.examples["user"] + "/likes")


@pytest.fixture
async def contract_service(provider_name: str, tmp_path: Path,
                           request: pytest.FixtureRequest) -> AsyncIterator[Service]:
    endpoints: dict[str, str] = {}
    if provider_name != fake_provider.NAME:
        endpoints = request.getfixturevalue("emulator").endpoints
    svc = Service.open(endpoints=endpoints, data_dir=tmp_path)
    yield svc
    await svc.aclose()


def _provider(service: Service, name: str) -> Provider:
    return service._core.provider(name)


async def _items(pages: AsyncIterator[Page[Any]]) -> list[Any]:
    found: list[Any] = []
    async for page in pages:
        assert isinstance(page, Page)
        found += page.items
    return found


async def test_it_satisfies_the_protocol_and_declares_known_names(
    contract_service: Service, provider_name: str
) -> None:
    provider = _provider(contract_service, provider_name)
    assert isinstance(provider, Provider)
    assert provider.name == provider_name
    caps = registry.entry(provider_name).capabilities
    assert provider.capabilities == caps
    known = capabilities()  # every provider's names are in the front ends' choices
    assert set(caps.listings()) <= set(known.listings())
    assert set(caps.search_kinds) <= set(known.search_kinds) <= set(SEARCH_TYPES)
    assert set(caps.listings()) <= set(ITEM_TYPES)
    assert set(caps.stream_kinds) <= {"hls", "progressive"}
    assert "best" in caps.formats


async def test_resolve_names_the_provider_and_round_trips(
    contract_service: Service, provider_name: str, subjects: Subjects
) -> None:
    track = await contract_service.catalog.resolve(subjects.track)
    assert isinstance(track, Track)
    assert track.provider == provider_name and track.urn and track.title
    again = await contract_service.catalog.resolve(
        _provider(contract_service, provider_name).url_for(track.urn))
    assert again.urn == track.urn
    by_urn = await contract_service.catalog.resolve(track.urn)
    assert by_urn.urn == track.urn
    user = await contract_service.catalog.resolve(subjects.user)
    assert isinstance(user, User) and user.provider == provider_name


async def test_every_declared_user_listing(
    contract_service: Service, provider_name: str, subjects: Subjects
) -> None:
    caps = registry.entry(provider_name).capabilities
    assert caps.user_listings
    nonempty = 0
    for listing in caps.user_listings:
        items = await _items(contract_service.catalog.browse(listing, subjects.user,
                                                             limit=LIMIT))
        assert len(items) <= LIMIT, listing
        assert all(isinstance(i, ITEM_TYPES[listing]) for i in items), listing
        assert all(i.provider == provider_name for i in items if not isinstance(i, Comment))
        nonempty += bool(items)
    assert nonempty  # the subject user has something listed


async def test_every_declared_track_listing_chart_and_tag(
    contract_service: Service, provider_name: str, subjects: Subjects
) -> None:
    caps = registry.entry(provider_name).capabilities
    for listing in caps.track_listings:
        items = await _items(contract_service.catalog.browse(listing, subjects.track,
                                                             limit=LIMIT))
        assert len(items) <= LIMIT and all(isinstance(i, ITEM_TYPES[listing]) for i in items)
    for chart in caps.charts:
        items = await _items(contract_service.catalog.browse(chart, limit=LIMIT,
                                                             provider=provider_name))
        assert 0 < len(items) <= LIMIT and all(isinstance(i, Track) for i in items)
    if caps.tags:
        items = await _items(contract_service.catalog.browse("tag", subjects.tag, limit=LIMIT,
                                                             provider=provider_name))
        assert 0 < len(items) <= LIMIT and all(isinstance(i, Track) for i in items)


async def test_listings_it_does_not_declare_are_refused(
    contract_service: Service, provider_name: str, subjects: Subjects
) -> None:
    caps = registry.entry(provider_name).capabilities
    missing = [name for name in capabilities().user_listings if name not in caps.user_listings]
    for listing in missing:
        with pytest.raises(InvalidArgument) as refused:
            await _items(contract_service.catalog.browse(listing, subjects.user))
        assert listing in refused.value.message
    with pytest.raises(InvalidArgument):
        await _items(contract_service.catalog.browse("no-such-listing", subjects.user))


async def test_every_declared_search_kind_and_filter(
    contract_service: Service, provider_name: str, subjects: Subjects
) -> None:
    caps = registry.entry(provider_name).capabilities
    for kind in caps.search_kinds:
        items = await _items(contract_service.catalog.search(
            subjects.query, kind=kind, limit=LIMIT, provider=provider_name))
        assert len(items) <= LIMIT and all(isinstance(i, SEARCH_TYPES[kind]) for i in items)
    tracks = await _items(contract_service.catalog.search(subjects.query, limit=LIMIT,
                                                          provider=provider_name))
    assert tracks  # the query finds something
    for search_filter in caps.search_filters:
        value = _a_value(search_filter)
        kind = search_filter.kinds[0]
        items = await _items(contract_service.catalog.search(
            subjects.query, kind=kind, limit=LIMIT, provider=provider_name,
            **{search_filter.name: value}))
        assert all(isinstance(i, SEARCH_TYPES[kind]) for i in items)
    undeclared = [k for k in capabilities().search_kinds if k not in caps.search_kinds]
    for kind in undeclared:
        with pytest.raises(InvalidArgument):
            contract_service.catalog.search(subjects.query, kind=kind, provider=provider_name)


def _a_value(search_filter: SearchFilter) -> str:
    return search_filter.choices[-1] if search_filter.choices else "house"


async def test_streams_are_of_a_declared_kind(
    contract_service: Service, provider_name: str, subjects: Subjects
) -> None:
    caps = registry.entry(provider_name).capabilities
    track = await contract_service.catalog.resolve(subjects.track)
    assert isinstance(track, Track)
    choice = await contract_service.catalog.stream(track)
    assert isinstance(choice, StreamChoice)
    assert choice.protocol in caps.stream_kinds and choice.track_urn == track.urn
    assert choice.url.startswith(("http://", "https://"))
    again = await contract_service.catalog.refresh_stream(choice)
    assert again.protocol == choice.protocol and again.track_urn == track.urn


async def test_pages_pictures_and_originals(
    contract_service: Service, provider_name: str, subjects: Subjects
) -> None:
    ref = web_ref(subjects.listing_page)
    assert isinstance(ref, WebRef) and ref.kind == "user" and ref.listing == "likes"
    assert web_ref(subjects.track) is None  # one resource, not a listing
    track = await contract_service.catalog.resolve(subjects.track)
    assert isinstance(track, Track)
    url = contract_service.catalog.artwork_url(track, "large")
    assert url is None or url.startswith(("http://", "https://"))
    provider = _provider(contract_service, provider_name)
    why = await provider.original_unavailable(track)
    caps = registry.entry(provider_name).capabilities
    assert why is not None or caps.originals  # no originals offered without declaring them


async def test_the_service_reaches_the_fake_only_through_the_registry(tmp_path: Path) -> None:
    """The fake's likes come back through Service.catalog.browse, stored with provenance like
    SoundCloud's; its calls are the ones the protocol names."""
    service = Service.open(data_dir=tmp_path)
    try:
        user_url = f"https://{fake_provider.HOST}/user1"
        likes = await _items(service.catalog.browse("likes", user_url))
        assert [t.urn for t in likes] == [f"fake:tracks:{n}" for n in (2, 5, 8)]
        assert (await service.library.provenance("fake:tracks:5"))[0].label == "Likes of user1"
        fake = _provider(service, fake_provider.NAME)
        assert isinstance(fake, fake_provider.FakeProvider)
        assert fake.calls == [f"resolve {user_url}", "likes of 1"]
    finally:
        await service.aclose()
    registry.unregister(fake_provider.NAME)
    with pytest.raises(Exception, match="Not a link the app understands"):
        await Service.open(data_dir=tmp_path / "again").catalog.resolve(user_url)


async def test_every_declared_account_listing_asks_for_a_sign_in(
    contract_service: Service, provider_name: str
) -> None:
    caps = registry.entry(provider_name).capabilities
    assert set(caps.account_listings) <= set(ACCOUNT_LISTINGS)
    for listing in caps.account_listings:
        with pytest.raises(AuthRequired, match=f"auth login {provider_name}"):
            await _items(contract_service.catalog.browse(listing, provider=provider_name,
                                                         limit=LIMIT))
