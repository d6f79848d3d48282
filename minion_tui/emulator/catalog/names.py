"""Word lists the generated catalog draws its names from.

Kept apart from build.py so the generator reads as logic, not as vocabulary. The genres and
tags mimic what SoundCloud uploaders type (free text, multi-word tags), see
docs/soundcloud.md §2.1 (`genre`, `tag_list`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Genre:
    name: str  # the free-text `genre` as uploaders type it
    style: str  # hint for the audio synthesiser (AudioSpec.style)
    tags: tuple[str, ...]  # tags that go with it; multi-word ones are quoted in tag_list
    bpm: tuple[int, int]


GENRES: tuple[Genre, ...] = (
    Genre("Deep House", "house", ("deep house", "house", "late night", "vinyl", "groove"),
          (118, 124)),
    Genre("House", "house", ("house", "tech house", "club", "summer", "piano house"), (120, 128)),
    Genre("Techno", "techno", ("techno", "warehouse", "berlin", "hypnotic", "peak time"),
          (126, 140)),
    Genre("Drum & Bass", "dnb", ("drum & bass", "dnb", "liquid", "jungle", "neurofunk"),
          (170, 176)),
    Genre("Ambient", "ambient", ("ambient", "drone", "field recording", "sleep", "soundscape"),
          (60, 90)),
    Genre("Hip-hop & Rap", "hiphop", ("hip hop", "rap", "boom bap", "beats", "instrumental"),
          (82, 98)),
    Genre("Electronic", "electronic", ("electronic", "synth", "idm", "modular", "experimental"),
          (100, 130)),
    Genre("Dubstep", "dubstep", ("dubstep", "bass", "140", "sub bass", "uk bass"), (138, 142)),
    Genre("Lo-Fi", "lofi", ("lofi", "lo-fi hip hop", "chill", "study beats", "tape"), (70, 90)),
    Genre("Trance", "trance", ("trance", "uplifting", "progressive", "anthem"), (134, 140)),
    Genre("Jazz & Blues", "jazz", ("jazz", "nu jazz", "live session", "blues"), (80, 120)),
    Genre("Dance & EDM", "edm", ("edm", "big room", "festival", "future house"), (124, 130)),
    Genre("Disco", "house", ("disco", "nu disco", "edit", "italo disco"), (110, 122)),
    Genre("R&B & Soul", "rnb", ("r&b", "soul", "neo soul", "slow jam"), (70, 100)),
    Genre("Pop", "pop", ("pop", "indie pop", "dream pop", "bedroom pop"), (96, 124)),
    Genre("Downtempo", "ambient", ("downtempo", "trip hop", "chillout", "sunset"), (85, 105)),
)

GENERIC_TAGS = (
    "remix", "free download", "original mix", "bootleg", "unreleased", "dj set", "live",
    "mixtape", "new music", "premiere", "vip", "collab", "demo", "sample pack",
)
MACHINE_TAGS = ("soundcloud:source=web-record", "soundcloud:source=android-record")

FIRST_NAMES = (
    "Kiara", "Mateo", "Ines", "Jonas", "Amara", "Leon", "Sofia", "Yuki", "Omar", "Freya",
    "Nico", "Lena", "Tariq", "Maya", "Felix", "Zara", "Hugo", "Aiko", "Rafael", "Elin",
    "Kwame", "Clara", "Dmitri", "Noor", "Lucas", "Ayla", "Bruno", "Mira", "Santi", "Hana",
)
LAST_NAMES = (
    "Vance", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Reyes", "Novak", "Haddad", "Berg",
    "Castell", "Adeyemi", "Kowalski", "Rossi", "Sato", "Duarte", "Holm", "Mbeki", "Varga",
    "Fischer", "Larsen", "Quinn", "Navarro", "Petrov", "Ahn", "Keller",
)
ALIAS_WORDS = (
    "Velvet", "Circuit", "Lunar", "Tides", "Echo", "Prism", "Nomad", "Static", "Cobalt",
    "Orchid", "Drift", "Hollow", "Neon", "Saffron", "Monolith", "Ember", "Quartz", "Atlas",
    "Ferro", "Halcyon", "Moth", "Vapor", "Kinetic", "Basalt", "Mirage", "Aurora", "Glyph",
    "Sable", "Tundra", "Zenith", "Oxide", "Pulse", "Rift", "Meridian", "Solace", "Wren",
)
ALIAS_PREFIXES = ("DJ", "MC", "The", "Lil", "Dr.", "Sister", "Brother", "Kid")
CITIES = (
    ("Berlin", "DE"), ("London", "GB"), ("Amsterdam", "NL"), ("Paris", "FR"),
    ("Lisbon", "PT"), ("Detroit", "US"), ("Chicago", "US"), ("Los Angeles", "US"),
    ("Tokyo", "JP"), ("Melbourne", "AU"), ("Bristol", "GB"), ("Montreal", "CA"),
    ("Lagos", "NG"), ("São Paulo", "BR"), ("Mexico City", "MX"), ("Tbilisi", "GE"),
    ("Kyiv", "UA"), ("Seoul", "KR"), ("Cape Town", "ZA"), ("Oslo", "NO"), ("", None),
)

TITLE_ADJECTIVES = (
    "Midnight", "Glass", "Golden", "Silent", "Electric", "Hollow", "Velvet", "Broken",
    "Endless", "Distant", "Crimson", "Liquid", "Frozen", "Northern", "Paper", "Secret",
    "Burning", "Weightless", "Lost", "Neon", "Quiet", "Wild", "Solar", "Blue", "Slow",
)
TITLE_NOUNS = (
    "Tides", "Horizon", "Coastline", "Signal", "Garden", "Machine", "Echoes", "River",
    "Satellite", "Memory", "Avenue", "Mirror", "Orbit", "Harbour", "Fever", "Dream",
    "Skyline", "Ritual", "Current", "Shelter", "Lanterns", "Static", "Motion", "Heat",
    "Rain", "Bloom", "Parade", "Afterglow", "Velocity", "Cathedral",
)
TITLE_PLACES = (
    "Kyoto", "Lagos", "Reykjavik", "Marseille", "Havana", "Istanbul", "Brooklyn", "Tbilisi",
    "Lisbon", "Osaka", "Valparaíso", "Glasgow",
)
MIX_VENUES = (
    "Fabric", "Panorama Bar", "De School", "Printworks", "Boiler Room", "Robert Johnson",
    "Concrete", "Output", "Tresor", "Dekmantel",
)
VERSIONS = (
    "Original Mix", "Extended Mix", "Radio Edit", "VIP", "Dub", "Instrumental", "Edit",
)
LABEL_WORDS = (
    "Records", "Recordings", "Music", "Audio", "Sounds", "Tapes", "Collective",
)
COMMENT_BODIES = (
    "🔥🔥🔥", "this drop though", "ID?", "tune!", "on repeat all week", "what a build",
    "need this on vinyl", "absolute weapon", "goosebumps", "played this last night, madness",
    "the bassline 😍", "so underrated", "perfect for a rainy day", "that breakdown!!",
    "track ID anyone?", "sounds like summer", "pure class", "can't stop listening",
    "this one hits different", "masterpiece", "big tune", "love the atmosphere",
)
SET_TITLES = (
    "Favourites", "Warm Up", "Late Night Selection", "Summer Rotation", "Digging",
    "Sunday Morning", "Peak Time", "Road Trip", "Focus", "Afterhours", "Best of",
)
DESCRIPTIONS = (
    "Out now on all platforms.", "Free download via the buy link.",
    "Recorded live, no edits.", "First release of the year, hope you enjoy it.",
    "Support from the usual suspects, thank you!", "Written on a night train.",
    "Mastered by a friend. Feedback welcome.", None, None, None,
)
SEARCH_QUERY_HINTS = ("remix", "live", "mix", "edit", "set")
