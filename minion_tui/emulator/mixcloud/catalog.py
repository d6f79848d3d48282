"""A seeded catalog of Mixcloud users, DJ mixes (cloudcasts), favourites, listens, follows,
comments, playlists and live streams.

Built in a few milliseconds from a seed (pure `random`, no audio): the audio is tiled lazily
by the CDN side (media.py) from phrases cached on disk. Shows last 30–180 minutes; favourites
overlap between users (a few shows are favourited by many users, most by one or two), each
user's events carry distinct, realistic timestamps so date paging (docs/mixcloud.md §1.4) has
no ties. The pinned fixtures tests rely on are listed in the package docstring.
"""

from __future__ import annotations

import calendar
import hashlib
import random
from dataclasses import dataclass, field

from minion_tui.emulator.catalog import names

MC_NOW = calendar.timegm((2026, 8, 20, 12, 0, 0, 0, 0, 0))
_DAY = 86400
_DESCRIPTIONS = [d for d in names.DESCRIPTIONS if d]
_YEAR = 365 * _DAY

# (tag name as shown inside a cloudcast, the synthesiser style)
TAGS: tuple[tuple[str, str], ...] = (
    ("Deep House", "house"), ("House", "house"), ("Techno", "techno"),
    ("Drum & Bass", "dnb"), ("Ambient", "ambient"), ("Disco", "house"),
    ("Electronica", "techno"), ("Hip Hop", "hiphop"), ("Jazz", "ambient"),
    ("Funk", "house"), ("Soul", "hiphop"), ("Dub", "dnb"), ("Minimal", "techno"),
    ("Balearic", "ambient"), ("Breaks", "dnb"),
)


def tag_slug(name: str) -> str:
    """"Drum & Bass" -> "drum-bass": the key segment /discover/<slug>/."""
    out = "".join(c.lower() if c.isalnum() else "-" for c in name)
    return "-".join(filter(None, out.split("-")))


@dataclass(frozen=True)
class Section:
    """One tracklist entry: a track (artist + song) or a chapter; `start` None = no time."""

    kind: str  # "track" | "chapter"
    start: int | None
    artist: str = ""
    song: str = ""
    chapter: str = ""


@dataclass
class McUser:
    pk: int
    username: str  # case kept, as in the key
    name: str
    city: str
    country: str
    biog: str
    created: int
    is_pro: bool
    is_premium: bool
    picture: str  # thumbnailer path tail (a/b/c/d/<id>)
    cover: str


@dataclass
class Show:
    pk: int
    owner: str  # username, case kept
    slug: str
    name: str
    description: str
    created: int
    updated: int
    audio_length: int  # seconds
    tags: tuple[str, ...]  # display names ("Deep House")
    plays: int
    reposts: int
    seed: int
    style: str
    picture: str
    media_path: str  # a/b/c/d/<hash>: shared by the progressive, HLS and DASH URLs
    exclusive: bool = False
    restricted: str | None = None  # "tracklist" | "repeat_play" | None
    can_show_tracklist: bool = True
    sections: tuple[Section, ...] = ()
    hidden_stats: bool = False

    @property
    def key(self) -> str:
        return f"/{self.owner}/{self.slug}/"


@dataclass(frozen=True)
class Event:
    """Who (a username, or a show key) and when (Unix seconds)."""

    who: str
    at: int


@dataclass(frozen=True)
class Comment:
    pk: int
    author: str
    body: str
    at: int


@dataclass
class Playlist:
    owner: str
    slug: str
    name: str
    shows: list[str]  # show keys


@dataclass
class LiveStream:
    pk: int
    owner: str
    name: str
    description: str
    started: int  # Unix seconds (against the live clock, see media.py)
    show_key: str  # whose audio the live playlist loops
    tag: str
    token: str
    uuid: str
    spectators: int


@dataclass
class McCatalog:
    users: dict[str, McUser]  # lower-case username -> user
    shows: dict[str, Show]  # lower-case key -> show
    user_shows: dict[str, list[str]]  # lower username -> show keys, newest first
    favorites: dict[str, list[Event]]  # user -> (show key, when), newest first
    favoriters: dict[str, list[Event]]  # show key -> (username, when), newest first
    listens: dict[str, list[Event]]
    listeners: dict[str, list[Event]]
    following: dict[str, list[Event]]  # user -> (followed username, when)
    followers: dict[str, list[Event]]
    show_comments: dict[str, list[Comment]]  # show key -> newest first
    user_comments: dict[str, list[Comment]]  # profile comments, newest first
    playlists: dict[str, list[Playlist]]
    live: list[LiveStream]
    examples: dict[str, str] = field(default_factory=dict)

    def user(self, username: str) -> McUser | None:
        return self.users.get(username.lower())

    def show(self, username: str, slug: str) -> Show | None:
        return self.shows.get(f"/{username}/{slug}/".lower())

    def show_by_key(self, key: str) -> Show | None:
        return self.shows.get(key.lower())

    def show_by_media(self, path: str) -> Show | None:
        return self._by_media.get(path)

    def __post_init__(self) -> None:
        self._by_media = {s.media_path: s for s in self.shows.values()}
        self.newest = sorted(self.shows.values(), key=lambda s: (s.created, s.pk), reverse=True)

    def public(self) -> list[Show]:
        return self.newest


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choices("0123456789abcdef", k=n))


def _path(rng: random.Random) -> str:
    """The a/b/c/d/<id> tail real picture and stream URLs share (docs/mixcloud.md §2.7, §4.5)."""
    return "/".join(_hex(rng, 1) for _ in range(4)) + "/" + _hex(rng, 32)


def _slugify(text: str) -> str:
    return tag_slug(text)


_FIXTURE_USERS = (
    # username (case kept), display name, city, country
    ("NightShiftRadio", "Night Shift Radio", "London", "GB"),
    ("selva_sessions", "Selva Sessions", "Lisbon", "PT"),
    ("quietlistener", "Quiet Listener", "Oslo", "NO"),
    ("nobody_uploads", "Nobody Uploads", "", ""),
)


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"mixcloud:{seed}")
        self.users: dict[str, McUser] = {}
        self.shows: dict[str, Show] = {}
        self.user_shows: dict[str, list[str]] = {}
        self.pk = 1000

    def next_pk(self) -> int:
        self.pk += self.rng.randint(1, 900)
        return self.pk

    def add_user(self, username: str, name: str, city: str, country: str) -> McUser:
        rng = self.rng
        user = McUser(
            pk=self.next_pk(), username=username, name=name, city=city, country=country,
            biog=f"{name}: {rng.choice(_DESCRIPTIONS)}" if rng.random() < 0.8 else "",
            created=MC_NOW - rng.randint(2 * _YEAR, 12 * _YEAR), is_pro=rng.random() < 0.3,
            is_premium=rng.random() < 0.1, picture=_path(rng), cover=_path(rng))
        self.users[username.lower()] = user
        self.user_shows[username.lower()] = []
        return user

    def add_show(self, user: McUser, *, minutes: int | None = None, created: int | None = None,
                 name: str | None = None, tags: tuple[str, ...] | None = None,
                 **extra: object) -> Show:
        rng = self.rng
        if name is None:
            kind = rng.choice(("Mix", "Session", "Radio Show", "Podcast",
                               "Live at " + rng.choice(names.MIX_VENUES)))
            name = (f"{rng.choice(names.TITLE_ADJECTIVES)} {rng.choice(names.TITLE_NOUNS)}"
                    f" {kind} #{rng.randint(1, 300)}")
        slug = _slugify(name)
        while f"/{user.username}/{slug}/".lower() in self.shows:
            slug = f"{slug}-{rng.randint(2, 9)}"
        if tags is None:
            tags = tuple(rng.sample([t for t, _ in TAGS], rng.randint(0, 5)))
        style = dict(TAGS).get(tags[0], "house") if tags else "house"
        length = (minutes if minutes is not None else rng.randint(30, 180)) * 60
        length += rng.randint(0, 59) if minutes is None else 0
        when = created if created is not None else user.created + rng.randint(
            _DAY, MC_NOW - user.created - _DAY)
        show = Show(
            pk=self.next_pk(), owner=user.username, slug=slug, name=name,
            description=rng.choice(names.DESCRIPTIONS) or "", created=when,
            updated=when + rng.randint(0, 30 * _DAY) if rng.random() < 0.4 else when,
            audio_length=length, tags=tags, plays=int(rng.paretovariate(1.2) * 80),
            reposts=rng.randint(0, 40), seed=rng.randint(0, 2**31), style=style,
            picture=_path(rng), media_path=_path(rng),
            sections=_tracklist(rng, length), hidden_stats=rng.random() < 0.05)
        for key, value in extra.items():
            setattr(show, key, value)
        self.shows[show.key.lower()] = show
        self.user_shows[user.username.lower()].append(show.key)
        return show


def _tracklist(rng: random.Random, length: int) -> tuple[Section, ...]:
    """Most shows: timed TrackSections; some mix in chapters; some lack start times."""
    roll = rng.random()
    if roll < 0.15:
        return ()
    count = max(3, length // rng.randint(240, 420))
    untimed = roll > 0.85
    out: list[Section] = []
    step = length / count
    for i in range(count):
        start = None if untimed else int(i * step)
        if roll < 0.3 and i % 5 == 0:
            out.append(Section("chapter", start, chapter=f"Part {i // 5 + 1}: "
                               f"{rng.choice(names.TITLE_ADJECTIVES)} hour"))
        else:
            artist = f"{rng.choice(names.FIRST_NAMES)} {rng.choice(names.LAST_NAMES)}"
            song = (f"{rng.choice(names.TITLE_ADJECTIVES)} {rng.choice(names.TITLE_NOUNS)}"
                    f" ({rng.choice(names.VERSIONS)})")
            out.append(Section("track", start, artist=artist, song=song))
    return tuple(out)


def _events(rng: random.Random, whos: list[str], start: int, end: int) -> list[Event]:
    """`whos` at distinct random seconds in [start, end), newest first."""
    if not whos or end <= start:
        return []
    times = rng.sample(range(start, end), len(whos)) if end - start > len(whos) else [
        start + i for i in range(len(whos))]
    return sorted((Event(w, t) for w, t in zip(whos, times, strict=True)),
                  key=lambda e: e.at, reverse=True)


def _comments(rng: random.Random, events: list[Event], first_pk: int) -> list[Comment]:
    """A comment for each of ``events`` (its author and time), numbered from ``first_pk``."""
    return [Comment(first_pk + i, e.who, rng.choice(names.COMMENT_BODIES), e.at)
            for i, e in enumerate(events)]


def build(seed: int = 1) -> McCatalog:
    b = _Builder(seed)
    rng = b.rng
    fixtures = [b.add_user(*spec) for spec in _FIXTURE_USERS]
    big, selva, quiet, _nobody = fixtures
    taken = {u.lower() for u, *_ in _FIXTURE_USERS}
    others: list[McUser] = []
    while len(others) < 26:
        first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
        name = rng.choice((f"{first} {last}", f"{rng.choice(names.ALIAS_WORDS)} Sound System",
                           f"DJ {rng.choice(names.ALIAS_WORDS)}"))
        username = _slugify(name).replace("-", rng.choice(("", "_", "-")))
        if username in taken:
            continue
        taken.add(username)
        city, country = rng.choice(names.CITIES)
        others.append(b.add_user(username, name, city, country or ""))

    # Pinned shows of the fixture users (see the package docstring).
    day = MC_NOW - 3 * _DAY
    pinned = {
        "show_tracks": b.add_show(big, minutes=62, created=day, name="Night Shift 300",
                                  tags=("Deep House", "House", "Disco"),
                                  sections=tuple(Section(
                                      "track", i * 300, artist=f"Artist {i + 1}",
                                      song=f"Song {i + 1} (Extended Mix)") for i in range(12))),
        "show_chapters": b.add_show(big, minutes=95, created=day - 7 * _DAY,
                                    name="Night Shift 299: Studio Talk",
                                    tags=("Electronica",), sections=(
                                        Section("chapter", 0, chapter="Intro"),
                                        Section("track", 240, artist="Moss Garden",
                                                song="Lichen"),
                                        Section("chapter", None, chapter="Interview"),
                                        Section("track", None, artist="Tidal Glass",
                                                song="Undertow"))),
        "show_hidden_tracklist": b.add_show(big, minutes=45, created=day - 14 * _DAY,
                                            name="Night Shift 298", tags=("Techno",),
                                            can_show_tracklist=False),
        "show_exclusive": b.add_show(big, minutes=120, created=day - 21 * _DAY,
                                     name="Night Shift Select Exclusive", tags=("House",),
                                     exclusive=True),
        "show_country": b.add_show(big, minutes=60, created=day - 28 * _DAY,
                                   name="Night Shift 297 Licensed", tags=("Funk",),
                                   restricted="tracklist"),
        "show_repeat_play": b.add_show(big, minutes=60, created=day - 35 * _DAY,
                                       name="Night Shift 296 Repeat", tags=("Soul",),
                                       restricted="repeat_play"),
        "show_long": b.add_show(selva, minutes=180, created=day - 2 * _DAY,
                                name="Selva Sessions Marathon", tags=("Balearic", "Ambient")),
        "show_two_hours": b.add_show(selva, minutes=120, created=day - 9 * _DAY,
                                     name="Selva Sessions 2h", tags=("Deep House",)),
        "show_short": b.add_show(selva, minutes=30, created=day - 16 * _DAY,
                                 name="Selva Sessions Short", tags=("Dub",)),
    }
    for _ in range(45 - 6):  # NightShiftRadio: 45 shows, three pages of 20
        b.add_show(big)
    for _ in range(5):
        b.add_show(selva)
    b.add_show(quiet, minutes=33)
    for user in others:
        for _ in range(rng.randint(3, 18)):
            b.add_show(user)
    catalog = _graph(b, pinned, fixtures, others)
    found = {f"mc_{name}": f"https://www.mixcloud.com{show.key}" for name, show in pinned.items()}
    assert all(EXAMPLES[k] == v for k, v in found.items()), "EXAMPLES is out of date"
    catalog.examples.update(EXAMPLES)
    return catalog


_SITE = "https://www.mixcloud.com"
#: The fixture handles, the same for every seed (so they are known before the lazy build).
EXAMPLES: dict[str, str] = {
    "mc_user": f"{_SITE}/NightShiftRadio/",
    "mc_user_small": f"{_SITE}/quietlistener/",
    "mc_user_empty": f"{_SITE}/nobody_uploads/",
    "mc_user_selva": f"{_SITE}/selva_sessions/",
    "mc_tag": f"{_SITE}/discover/deep-house/",
    "mc_live": f"{_SITE}/live/selva_sessions/",
    "mc_show_tracks": f"{_SITE}/NightShiftRadio/night-shift-300/",
    "mc_show_chapters": f"{_SITE}/NightShiftRadio/night-shift-299-studio-talk/",
    "mc_show_hidden_tracklist": f"{_SITE}/NightShiftRadio/night-shift-298/",
    "mc_show_exclusive": f"{_SITE}/NightShiftRadio/night-shift-select-exclusive/",
    "mc_show_country": f"{_SITE}/NightShiftRadio/night-shift-297-licensed/",
    "mc_show_repeat_play": f"{_SITE}/NightShiftRadio/night-shift-296-repeat/",
    "mc_show_long": f"{_SITE}/selva_sessions/selva-sessions-marathon/",
    "mc_show_two_hours": f"{_SITE}/selva_sessions/selva-sessions-2h/",
    "mc_show_short": f"{_SITE}/selva_sessions/selva-sessions-short/",
}


def _graph(b: _Builder, pinned: dict[str, Show], fixtures: list[McUser],
           others: list[McUser]) -> McCatalog:
    rng = b.rng
    everyone = fixtures + others
    keys = [s.key for s in b.shows.values() if not s.exclusive]
    # A few hits favourited by many users; the long tail by one or two.
    hits = [pinned["show_tracks"].key, pinned["show_long"].key, *rng.sample(keys, 4)]
    favorites: dict[str, list[Event]] = {}
    listens: dict[str, list[Event]] = {}
    for user in everyone:
        if user.username == "nobody_uploads":
            favorites[user.username.lower()] = []
            listens[user.username.lower()] = []
            continue
        count = 60 if user.username == "quietlistener" else rng.randint(2, 30)
        chosen = set(rng.sample(hits, rng.randint(2, len(hits)))) if rng.random() < 0.8 else set()
        while len(chosen) < count:
            chosen.add(rng.choice(keys))
        picks = sorted(chosen)
        lows = [b.shows[k.lower()].created for k in picks]
        start = max(max(lows), user.created) + 3600
        favorites[user.username.lower()] = _events(rng, picks, start, MC_NOW)
        heard = sorted(set(picks[: len(picks) // 2]) | set(rng.sample(keys, 5)))
        lows = [b.shows[k.lower()].created for k in heard]
        listens[user.username.lower()] = _events(rng, heard, max(lows) + 60, MC_NOW)
    favoriters = _invert(favorites)
    listeners = _invert(listens)
    following: dict[str, list[Event]] = {}
    for user in everyone:
        pool = [u.username for u in everyone if u is not user]
        n = 0 if user.username == "nobody_uploads" else rng.randint(1, 12)
        followed = rng.sample(pool, n)
        if user.username != "nobody_uploads" and "NightShiftRadio" not in followed and \
                user.username != "NightShiftRadio":
            followed.append("NightShiftRadio")
        following[user.username.lower()] = _events(rng, followed, user.created + _DAY, MC_NOW)
    followers = _invert(following)
    show_comments: dict[str, list[Comment]] = {}
    pk = 7_000_000
    for show in b.shows.values():
        n = 25 if show.key == pinned["show_tracks"].key else (
            rng.randint(0, 6) if rng.random() < 0.6 else 0)
        authors = [rng.choice(everyone).username for _ in range(n)]
        events = _events(rng, authors, show.created + 60, MC_NOW) if n else []
        show_comments[show.key.lower()] = _comments(rng, events, pk)
        pk += n
    user_comments: dict[str, list[Comment]] = {}
    for user in everyone:
        n = rng.randint(0, 4)
        events = _events(rng, [rng.choice(everyone).username for _ in range(n)],
                         user.created, MC_NOW)
        user_comments[user.username.lower()] = _comments(rng, events, pk)
        pk += n
    playlists: dict[str, list[Playlist]] = {}
    for user in everyone:
        own = b.user_shows[user.username.lower()]
        lists = []
        for i in range(rng.randint(0, 2) if own else 0):
            name = f"{rng.choice(names.TITLE_ADJECTIVES)} Selection {i + 1}"
            lists.append(Playlist(user.username, _slugify(name), name,
                                  rng.sample(own, min(len(own), rng.randint(2, 8)))))
        playlists[user.username.lower()] = lists
    user_shows = {u: sorted(v, key=lambda k: b.shows[k.lower()].created, reverse=True)
                  for u, v in b.user_shows.items()}
    live = _live(rng, pinned, fixtures, others)
    return McCatalog(b.users, b.shows, user_shows, favorites, favoriters, listens, listeners,
                     following, followers, show_comments, user_comments, playlists, live)


def _invert(table: dict[str, list[Event]]) -> dict[str, list[Event]]:
    """user -> (thing, when) into thing -> (username, when), newest first. Usernames come
    from the keys' canonical case through the events of the other direction."""
    out: dict[str, list[Event]] = {}
    for user, events in table.items():
        for event in events:
            out.setdefault(event.who.lower(), []).append(Event(user, event.at))
    for events in out.values():
        events.sort(key=lambda e: e.at, reverse=True)
    return out


def _live(rng: random.Random, pinned: dict[str, Show], fixtures: list[McUser],
          others: list[McUser]) -> list[LiveStream]:
    hosts = [fixtures[1], *others[:2]]
    out = []
    for i, user in enumerate(hosts):
        show = pinned["show_long"] if i == 0 else pinned["show_two_hours"]
        digest = hashlib.sha256(f"live:{user.username}".encode()).hexdigest()
        out.append(LiveStream(
            pk=900_000 + i, owner=user.username, name=f"{user.name} live from the studio",
            description="Live now", started=MC_NOW - 3600 * (i + 1), show_key=show.key,
            tag=TAGS[i][0], token=digest[:24],
            uuid=f"{digest[24:32]}-{digest[32:36]}-{digest[36:40]}-{digest[40:44]}-"
                 f"{digest[44:56]}", spectators=120 - 40 * i))
    return out
