"""Generates a Catalog from a seed: ~240 artists, ~5,700 listed tracks, sets and albums, the
likes/reposts/followings graph and the example entities the tests use.

Distributions follow docs/soundcloud.md §2: policy/monetization roughly as in the 469
recorded tracks (most MONETIZE, some SNIP/SUB_HIGH_TIER, ~28 % DRM-only label tracks, one
BLOCK), ~1/3 without artwork, multi-word tags, durations mostly 2–8 min plus long mixes.
"""

from __future__ import annotations

import functools
import random
import string
from dataclasses import replace
from typing import Any

from minion_tui.emulator.catalog import names
from minion_tui.emulator.catalog.model import (
    BLOCKED,
    CATALOG_NOW,
    CLEAR,
    CLEAR_DRM,
    DRM_ONLY,
    OPUS_CUTOFF,
    SNIP,
    Activity,
    Artist,
    Catalog,
    Track,
    TrackSet,
    newest_first,
    slugify,
    tag_slug,
)

ARTISTS = 240
BIG_USER_TRACKS = 470  # "user" example: > 450 tracks
EMPTY_PAGES_VISIBLE = (10, 30)  # "user_empty_pages": 10 listed, HIDDEN_BLOCK private, 30 listed
HIDDEN_BLOCK = 420  # ≥ 2 × the 200 max limit, so every limit produces an empty page
LARGE_SET = 500
_ALNUM = string.ascii_letters + string.digits
_YEAR = 365 * 86400
_CC = ("cc-by", "cc-by-nc", "cc-by-nd", "cc-by-sa", "cc-by-nc-nd", "cc-by-nc-sa",
       "no-rights-reserved")


class _Ids:
    """Unique random ids in a range; tracks go past 2^31 as real ids now do (§2.1)."""

    def __init__(self, rng: random.Random, low: int, high: int) -> None:
        self.rng, self.low, self.high, self.used = rng, low, high, set[int]()

    def next(self) -> int:
        while True:
            value = self.rng.randrange(self.low, self.high)
            if value not in self.used:
                self.used.add(value)
                return value


def _key(rng: random.Random, n: int = 12) -> str:
    return "".join(rng.choices(_ALNUM, k=n))


def _username(rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
    while True:
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        style = rng.random()
        if style < 0.3:
            name = f"{first} {last}"
        elif style < 0.55:
            name = f"{rng.choice(names.ALIAS_WORDS)} {rng.choice(names.ALIAS_WORDS)}"
        elif style < 0.7:
            name = f"{rng.choice(names.ALIAS_PREFIXES)} {rng.choice(names.ALIAS_WORDS)}"
        elif style < 0.85:
            first, second = rng.choice(names.ALIAS_WORDS), rng.choice(names.ALIAS_WORDS)
            name = f"{first.lower()}.{second.lower()}"
        else:
            name = f"{rng.choice(names.ALIAS_WORDS).lower()}_{rng.randint(7, 99)}"
        if slugify(name) not in taken:
            taken.add(slugify(name))
            return name, first, last


def _title(rng: random.Random, others: list[str]) -> str:
    adj, noun = rng.choice(names.TITLE_ADJECTIVES), rng.choice(names.TITLE_NOUNS)
    roll = rng.random()
    if roll < 0.3:
        return f"{adj} {noun}"
    if roll < 0.45:
        return noun
    if roll < 0.6:
        return f"{adj} {noun} ({rng.choice(names.VERSIONS)})"
    if roll < 0.72:
        return f"{adj} {noun} ({rng.choice(others)} Remix)"
    if roll < 0.82:
        return f"{noun} of {rng.choice(names.TITLE_PLACES)}"
    if roll < 0.92:
        return f"{adj} {noun} feat. {rng.choice(others)}"
    return f"Untitled {rng.randint(1, 40):02d}"


def _mix_title(rng: random.Random, artist: str, genre: str) -> str:
    roll = rng.random()
    if roll < 0.35:
        return f"Live at {rng.choice(names.MIX_VENUES)} {rng.randint(2016, 2026)}"
    if roll < 0.65:
        return f"{artist} - {genre} Mix {rng.choice(('Spring', 'Summer', 'Autumn', 'Winter'))}"
    return f"Sunday Sessions #{rng.randint(1, 180)}"


def _tags(rng: random.Random, genre: names.Genre) -> tuple[str, ...]:
    chosen = [genre.tags[0]] if rng.random() < 0.7 else []
    chosen += rng.sample(genre.tags[1:], k=rng.randint(0, 2))
    chosen += rng.sample(names.GENERIC_TAGS, k=rng.randint(0, 2))
    if rng.random() < 0.03:
        chosen.append(rng.choice(names.MACHINE_TAGS))
    return tuple(dict.fromkeys(chosen))


_DRM_AD = (DRM_ONLY, "MONETIZE", "AD_SUPPORTED")
_CLEAR_DRM_AD = (CLEAR_DRM, "MONETIZE", "AD_SUPPORTED")
_SNIP_GO = (SNIP, "SNIP", "SUB_HIGH_TIER")
_CLEAR_BLACKBOX = (CLEAR, "MONETIZE", "BLACKBOX")
#: For label artists (True) and the others: (the roll it is picked below, availability).
_AVAILABILITY: dict[bool, tuple[tuple[float, tuple[str, str, str]], ...]] = {
    True: ((0.4, _DRM_AD), (0.75, _CLEAR_DRM_AD), (0.92, _SNIP_GO), (1.0, _CLEAR_BLACKBOX)),
    False: ((0.5, _CLEAR_BLACKBOX), (0.72, (CLEAR, "ALLOW", "NOT_APPLICABLE")),
            (0.88, _CLEAR_DRM_AD), (0.95, _DRM_AD), (1.0, _SNIP_GO)),
}


def _availability(rng: random.Random, label: bool) -> tuple[str, str, str]:
    """(availability, policy, monetization_model), label artists leaning to DRM/Go+ (§2.1)."""
    roll = rng.random()
    return next(chosen for below, chosen in _AVAILABILITY[label] if roll < below)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.track_ids = _Ids(self.rng, 1_000_000_000, 2_900_000_000)
        self.set_ids = _Ids(self.rng, 100_000_000, 1_900_000_000)
        self.user_ids = _Ids(self.rng, 100_000, 1_600_000_000)
        self.artists: dict[int, Artist] = {}
        self.tracks: dict[int, Track] = {}
        self.sets: dict[int, TrackSet] = {}
        self.user_tracks: dict[int, list[int]] = {}
        self.user_sets: dict[int, list[int]] = {}

    def artists_pass(self) -> list[Artist]:
        rng, taken = self.rng, set[str]()
        order: list[Artist] = []
        for n in range(ARTISTS):
            username, first, last = _username(rng, taken)
            city, country = rng.choice(names.CITIES)
            genre = rng.choice(names.GENRES)
            label = None
            if rng.random() < 0.4 and n != 0:
                label = f"{rng.choice(names.ALIAS_WORDS)} {rng.choice(names.LABEL_WORDS)}"
            popularity = 1.0 / (1 + n * 0.08) if n else 3.0
            artist = Artist(
                id=self.user_ids.next(), permalink=slugify(username), username=username,
                first_name=first if rng.random() < 0.6 else "",
                last_name=last if rng.random() < 0.6 else "",
                city=city, country_code=country,
                created_at=CATALOG_NOW - rng.randint(2 * _YEAR, 15 * _YEAR),
                description=rng.choice(names.DESCRIPTIONS), verified=rng.random() < 0.1 or n == 0,
                pro=rng.random() < 0.3, avatar_key=None if rng.random() < 0.15 else _key(rng, 16),
                genre=genre.name, label_name=label, popularity=popularity,
            )
            self.artists[artist.id] = artist
            order.append(artist)
        return order

    def track(self, artist: Artist, created: int, others: list[str], *, listed: bool = True,
              mix: bool = False) -> Track:
        rng = self.rng
        genre = next(g for g in names.GENRES if g.name == artist.genre)
        if rng.random() < 0.2:
            genre = rng.choice(names.GENRES)
        if mix:
            duration = rng.randint(30 * 60_000, 120 * 60_000)
            title = _mix_title(rng, artist.username, genre.name)
        else:
            roll = rng.random()
            if roll < 0.03:
                duration = rng.randint(40_000, 119_000)
            elif roll < 0.06:
                duration = rng.randint(480_000, 1_500_000)
            else:
                duration = int(rng.triangular(120_000, 480_000, 220_000))
            title = _title(rng, others)
        availability, policy, model = _availability(rng, artist.label_name is not None)
        track_id = self.track_ids.next()
        plays = int(rng.lognormvariate(8.5, 1.6) * artist.popularity) + rng.randint(0, 40)
        likes = int(plays * rng.uniform(0.01, 0.06))
        label = artist.label_name if model == "AD_SUPPORTED" else None
        cc = label is None and rng.random() < 0.14
        downloadable = availability in (CLEAR, CLEAR_DRM) and rng.random() < 0.08
        taken = {self.tracks[t].permalink for t in self.user_tracks.get(artist.id, [])}
        slug, n = slugify(title), 1
        while slug in taken:
            n += 1
            slug = f"{slugify(title)}-{n}"
        return Track(
            id=track_id, user_id=artist.id, title=title, permalink=slug, genre=genre.name
            if rng.random() > 0.05 else "", style=genre.style, tags=_tags(rng, genre),
            duration_ms=duration, created_at=created,
            release_date=(created - created % 86400) if rng.random() < 0.4 else None,
            last_modified=min(CATALOG_NOW, created + rng.randint(0, 90 * 86400)),
            availability=availability, policy=policy, monetization_model=model,
            mp3_progressive=rng.random() < 0.85, media_key=_key(rng),
            artwork_key=None if rng.random() < 0.33 else f"{_key(rng, 12)}-0",
            license=rng.choice(_CC) if cc else "all-rights-reserved",
            downloadable=downloadable, has_downloads_left=downloadable and rng.random() < 0.9,
            playback_count=plays, likes_count=likes,
            reposts_count=int(likes * rng.uniform(0.05, 0.2)),
            comment_count=min(60, likes // 40 + rng.randint(0, 6)),
            download_count=rng.randint(0, 300) if downloadable else 0,
            description=rng.choice(names.DESCRIPTIONS), label_name=label,
            album_title=f"{rng.choice(names.TITLE_ADJECTIVES)} {rng.choice(names.TITLE_NOUNS)}"
            if label else None,
            isrc=f"GB{_key(rng, 3).upper()}{rng.randint(20, 26)}{rng.randint(0, 99999):05d}"
            if label else None,
            secret_token=None if listed else f"s-{_key(rng, 11)}", listed=listed,
            commentable=rng.random() < 0.95, bpm=rng.randint(*genre.bpm),
            seed=track_id ^ (self.seed * 0x9E3779B1),
            legacy_opus=availability in (CLEAR, CLEAR_DRM) and created < OPUS_CUTOFF,
        )

    def tracks_pass(self, order: list[Artist]) -> None:
        rng = self.rng
        others = [a.username for a in order]
        for n, artist in enumerate(order):
            if n == 0:
                plan = [True] * BIG_USER_TRACKS
            elif n == 1:
                head, tail = EMPTY_PAGES_VISIBLE
                plan = [True] * head + [False] * HIDDEN_BLOCK + [True] * tail
            else:
                plan = [True] * rng.randint(4, 40) + [False] * (rng.random() < 0.1)
                rng.shuffle(plan)
            span = CATALOG_NOW - artist.created_at
            # Newest first: strictly decreasing dates keep the empty-pages block in one piece.
            times = sorted((CATALOG_NOW - int(span * rng.random() ** 1.6) for _ in plan),
                           reverse=True)
            ids: list[int] = []
            self.user_tracks[artist.id] = ids
            for listed, created in zip(plan, times, strict=True):
                track = self.track(artist, created, others, listed=listed,
                                   mix=listed and rng.random() < 0.05)
                self.tracks[track.id] = track
                ids.append(track.id)

    def track_set(self, artist: Artist, track_ids: list[int], *, album: bool,
                  title: str | None = None) -> TrackSet:
        rng = self.rng
        first = self.tracks[track_ids[0]]
        created = max(self.tracks[t].created_at for t in track_ids)
        if album:
            title = title or f"{first.title.split(' (')[0]} {rng.choice(('LP', 'EP', ''))}".strip()
        title = title or f"{rng.choice(names.SET_TITLES)} {rng.randint(2018, 2026)}"
        taken = {self.sets[s].permalink for s in self.user_sets.get(artist.id, [])}
        slug, n = slugify(title), 1
        while slug in taken:
            n += 1
            slug = f"{slugify(title)}-{n}"
        likes = int(rng.lognormvariate(4, 1.5) * artist.popularity)
        made = TrackSet(
            id=self.set_ids.next(), user_id=artist.id, title=title, permalink=slug,
            is_album=album, set_type=(("ep" if len(track_ids) < 6 else "album") if album else ""),
            track_ids=tuple(track_ids), created_at=created, genre=first.genre,
            tags=first.tags[:2], artwork_key=first.artwork_key or f"{_key(rng, 12)}-0",
            label_name=artist.label_name if album else None, license=first.license,
            likes_count=likes, reposts_count=likes // 8, description=rng.choice(names.DESCRIPTIONS),
        )
        self.sets[made.id] = made
        self.user_sets.setdefault(artist.id, []).append(made.id)
        return made

    def sets_pass(self, order: list[Artist], listed: list[int]) -> dict[str, TrackSet]:
        rng = self.rng
        pinned: dict[str, TrackSet] = {}
        for n, artist in enumerate(order):
            own = [t for t in self.user_tracks[artist.id] if self.tracks[t].listed]
            albums = 3 if n == 0 else (rng.randint(0, 2) if len(own) >= 8 else 0)
            playlists = 4 if n == 0 else rng.randint(0, 2)
            for _ in range(albums):
                size = rng.randint(4, 12)
                size = min(size, len(own))
                start = rng.randrange(0, len(own) - size + 1)
                made = self.track_set(artist, own[start:start + size], album=True)
                pinned.setdefault("album", made)
            for _ in range(playlists):
                self.track_set(artist, rng.sample(listed, rng.randint(6, 40)), album=False)
            if n == 0:
                pinned["set_small"] = self.track_set(artist, rng.sample(listed, 4), album=False,
                                                     title="Four For The Road")
                pinned["set_large"] = self.track_set(artist, rng.sample(listed, LARGE_SET),
                                                     album=False, title="The Big Crate")
        for ids in self.user_sets.values():
            ids.sort(key=lambda s: (self.sets[s].created_at, s), reverse=True)
        return pinned

    def graph_pass(self, order: list[Artist], listed: list[int]) -> tuple[dict, dict, dict, dict]:
        rng = self.rng
        weights = [self.tracks[t].playback_count + 50 for t in listed]
        cumulative: list[float] = []
        total = 0.0
        for w in weights:
            total += w
            cumulative.append(total)
        set_list = sorted(self.sets)
        people = [a.id for a in order]
        pop = [self.artists[a].popularity for a in people]
        likes, reposts, followings = {}, {}, {}
        followers: dict[int, list[Activity]] = {a: [] for a in people}
        for n, artist in enumerate(order):
            def when(created: int, who: Artist = artist) -> int:
                start = max(created, who.created_at)
                return rng.randint(start, CATALOG_NOW) if start < CATALOG_NOW else CATALOG_NOW

            liked = set(rng.choices(listed, cum_weights=cumulative,
                                    k=320 if n == 0 else rng.randint(5, 80)))
            items = [Activity(when(self.tracks[t].created_at), "track", t, artist.id)
                     for t in liked]
            items += [Activity(when(self.sets[s].created_at), "playlist", s, artist.id)
                      for s in rng.sample(set_list, 12 if n == 0 else rng.randint(0, 4))]
            likes[artist.id] = newest_first(items)
            wanted = 60 if n == 0 else rng.randint(0, 25)
            shared = rng.sample(sorted(liked), min(len(liked), wanted))
            items = [Activity(when(self.tracks[t].created_at), "track", t, artist.id)
                     for t in shared]
            items += [Activity(when(self.sets[s].created_at), "playlist", s, artist.id)
                      for s in rng.sample(set_list, 5 if n == 0 else rng.randint(0, 2))]
            reposts[artist.id] = newest_first(items)
            follows = set(rng.choices(people, weights=pop, k=80 if n == 0 else rng.randint(5, 50)))
            follows.discard(artist.id)
            items = [Activity(when(self.artists[u].created_at), "user", u, artist.id)
                     for u in follows]
            followings[artist.id] = newest_first(items)
            for edge in items:
                followers[edge.target_id].append(Activity(edge.created_at, "user", artist.id,
                                                          edge.target_id))
        followers = {a: newest_first(edges) for a, edges in followers.items()}
        return likes, reposts, followings, followers


def _pin_examples(b: _Builder, order: list[Artist]) -> dict[str, Track]:
    """Makes sure every availability case exists at least once, on the big user's tracks."""
    own = [b.tracks[t] for t in b.user_tracks[order[0].id] if b.tracks[t].listed]
    normal = [t for t in own if 150_000 <= t.duration_ms <= 420_000]
    overrides: dict[str, dict[str, Any]] = {
        "track_full": dict(availability=CLEAR, policy="MONETIZE", monetization_model="BLACKBOX",
                           mp3_progressive=True, downloadable=False, legacy_opus=False),
        "track_drm": dict(availability=DRM_ONLY, policy="MONETIZE",
                          monetization_model="AD_SUPPORTED", downloadable=False),
        "track_preview": dict(availability=SNIP, policy="SNIP",
                              monetization_model="SUB_HIGH_TIER", downloadable=False),
        "track_blocked": dict(availability=BLOCKED, policy="BLOCK",
                              monetization_model="NOT_APPLICABLE", downloadable=False),
        "track_downloadable": dict(availability=CLEAR, policy="ALLOW",
                                   monetization_model="NOT_APPLICABLE", mp3_progressive=True,
                                   downloadable=True, has_downloads_left=True),
    }
    pinned: dict[str, Track] = {}
    for (name, fields), track in zip(overrides.items(), normal, strict=False):
        if name == "track_full" and track.artwork_key is None:
            fields = {**fields, "artwork_key": f"{_key(b.rng, 12)}-0"}
        pinned[name] = b.tracks[track.id] = replace(track, **fields)
    long_one = own[len(own) // 2]
    pinned["track_long"] = b.tracks[long_one.id] = replace(
        long_one, duration_ms=2 * 3_600_000 + 15 * 60_000 + 4_321, availability=CLEAR,
        policy="MONETIZE", monetization_model="BLACKBOX", title="Live at Tresor (All Night Long)",
        permalink="live-at-tresor-all-night-long")
    # Outside the pins, BLOCK stays as rare as in the recordings: 1 of 469 (§2.1).
    private = next(b.tracks[t] for t in b.user_tracks[order[1].id] if not b.tracks[t].listed)
    pinned["track_private"] = b.tracks[private.id] = replace(
        private, availability=CLEAR, policy="ALLOW", monetization_model="NOT_APPLICABLE")
    # An older clear upload that still offers the legacy Opus stream: any artist's, as found,
    # so pinning it changes nothing about the catalog (a big-user clear track is marked as
    # one only if no artist has such an upload).
    taken = {t.id for t in pinned.values()}
    opus = next((t for _, t in sorted(b.tracks.items())
                 if t.legacy_opus and t.availability == CLEAR and t.listed
                 and t.artwork_key and 150_000 <= t.duration_ms <= 420_000
                 and t.id not in taken), None)
    if opus is None:
        spare = next(t for t in normal if t.id not in taken and t.availability == CLEAR)
        opus = b.tracks[spare.id] = replace(spare, legacy_opus=True)
    pinned["track_opus"] = opus
    return pinned


def _like_tracks_gone_private(b: _Builder, artist: Artist, likes: dict[int, list[Activity]]
                              ) -> None:
    """The "user_empty_pages" artist also liked its own tracks that are private now: a run of
    hidden entries in the middle of its likes, so its likes pages come back empty and still
    link on at any page size, like its tracks (docs/soundcloud.md §1.5). No draw from the
    builder's generator: the rest of the catalog is unchanged."""
    hidden = [t for t in b.user_tracks[artist.id] if not b.tracks[t].listed]
    own = likes[artist.id]
    if not own or not hidden:
        return
    middle = own[len(own) // 2].created_at
    items = [Activity(middle - 1 - n, "track", t, artist.id) for n, t in enumerate(hidden)]
    likes[artist.id] = newest_first([*own, *items])


def _twin_set(b: _Builder, owner: Artist, twin: TrackSet, listed: list[int]) -> TrackSet:
    """Another artist's set with ``twin``'s title ("set_twin": two sets of one title must
    download into two folders): three clear tracks of a few minutes outside ``twin``. Made
    after every other draw from the builder's generator, so the rest of the catalog is
    unchanged."""
    clear = [t for t in listed if t not in twin.track_ids
             and b.tracks[t].availability == CLEAR and 120_000 <= b.tracks[t].duration_ms
             <= 240_000]
    made = b.track_set(owner, clear[:3], album=False, title=twin.title)
    b.user_sets[owner.id].sort(key=lambda s: (b.sets[s].created_at, s), reverse=True)
    return made


@functools.lru_cache(maxsize=8)
def build_catalog(seed: int) -> Catalog:
    """The catalog of a seed, built once per process (tests start many emulators)."""
    b = _Builder(seed)
    order = b.artists_pass()
    b.tracks_pass(order)
    pinned = _pin_examples(b, order)
    listed = sorted(t.id for t in b.tracks.values() if t.listed)
    sets = b.sets_pass(order, listed)
    likes, reposts, followings, followers = b.graph_pass(order, listed)
    _like_tracks_gone_private(b, order[1], likes)
    sets["set_twin"] = _twin_set(b, order[2], sets["set_small"], listed)
    short_links: dict[str, str] = {}
    catalog = Catalog(
        seed=seed, now=CATALOG_NOW, artists=b.artists, tracks=b.tracks, sets=b.sets,
        user_tracks=b.user_tracks, user_sets=b.user_sets, likes=likes, reposts=reposts,
        followings=followings, followers=followers, short_links=short_links,
    )
    for track in [*pinned.values(), *(b.tracks[t] for t in listed[:: max(1, len(listed) // 40)])]:
        code = _key(random.Random(track.seed), 10)
        short_links.setdefault(code, catalog.track_url(track))
    short_code = _key(random.Random(pinned["track_full"].seed), 10)
    catalog.examples.update({name: catalog.track_url(t) for name, t in pinned.items()})
    catalog.examples.update({
        "short_link": f"https://on.soundcloud.com/{short_code}",
        "set_small": catalog.set_url(sets["set_small"]),
        "set_twin": catalog.set_url(sets["set_twin"]),
        "set_large": catalog.set_url(sets["set_large"]),
        "album": catalog.set_url(sets["album"]),
        "user": catalog.user_url(order[0]),
        "user_empty_pages": catalog.user_url(order[1]),
        "tag": "https://soundcloud.com/tags/" + tag_slug("deep house"),
    })
    return catalog
