"""The shape of the settings: the typed sections and, for every key of config.toml, the kind
of value it accepts, its environment variable and its help text.

The dataclass defaults are the one source of default values; ``SETTINGS`` adds what the
dataclasses cannot say (allowed values, the environment variable, the help text written by
``config init``). ``tests/unit/test_config.py`` checks that the two never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minion_tui.config.paths import default_download_dir
from minion_tui.config.values import (
    TEMPLATE_SAMPLE,
    AudioOutput,
    Choice,
    Flag,
    Folder,
    Kind,
    Number,
    Template,
    Text,
    Whole,
)

FORMATS = ("best", "mp3", "m4a", "opus", "original")
CONVERSIONS = ("none", "mp3", "m4a", "opus", "flac")
# Tables whose keys are chosen by the user rather than by us.
OPEN_TABLES = ("endpoints", "keymap")


# -- the typed settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class SoundCloudSettings:
    client_id: str | None = None
    client_secret: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None
    app_id: str | None = None


@dataclass(frozen=True)
class MixcloudSettings:
    client_id: str | None = None
    client_secret: str | None = None


@dataclass(frozen=True)
class NetSettings:
    rate_limit: float = 15.0
    cdn_rate_limit: float = 1000.0
    max_retries: int = 5
    timeout: float = 20.0
    deadline: float = 120.0
    retry_after_cap: float = 60.0
    user_agent: str | None = None
    impersonate: str | None = None


@dataclass(frozen=True)
class DownloadSettings:
    dir: Path = field(default_factory=default_download_dir)
    parallel: int = 3
    segments: int = 8
    connections: int = 16
    format: str = "best"
    template: str = "{artist} - {title}.{ext}"
    convert: str = "none"
    set_template: str = "{playlist}/{index:02d} - {artist} - {title}.{ext}"
    # A 12-hour DJ set in 1-second segments is 43,200 of them and ~30 MB of signed URLs.
    max_playlist_bytes: int = 64 << 20
    max_segments: int = 50_000
    max_duration_hours: float = 24.0


@dataclass(frozen=True)
class UiSettings:
    theme: str = "minion-dark"
    artwork: bool = True
    hide_not_interested: bool = True
    columns: str | None = None


@dataclass(frozen=True)
class PlaybackSettings:
    volume: int = 80
    audio_output: str | None = None


@dataclass(frozen=True)
class DiscoverySettings:
    """How the inbox ranks what followed artists surfaced (discovery/rank.py), and how often
    a followed source is walked in full (discovery/sync.py)."""

    half_life_days: float = 14.0
    weight_like: float = 1.0
    weight_repost: float = 0.7
    weight_upload: float = 0.8
    weight_chart: float = 0.2
    weight_related: float = 0.3
    trust_prior: float = 2.0
    full_rewalk_days: int = 7


@dataclass(frozen=True)
class DesktopSettings:
    """Desktop integration while the TUI or ``play`` runs (minion_tui/desktop/, docs/desktop.md):
    MPRIS on the session bus, desktop notifications per kind, the terminal's own (OSC 9 /
    OSC 777) where no notification service answers, and the ``ctl`` socket."""

    mpris: bool = True
    notify_track: bool = True
    notify_downloads: bool = True
    notify_sync: bool = True
    terminal_notifications: bool = True
    control_socket: bool = True


@dataclass(frozen=True)
class AccountSettings:
    """What the signed-in accounts do besides reading (docs/accounts.md §7): with
    ``sync_likes``, a track rated "liked" is liked on the service too, through the outbox."""

    sync_likes: bool = False
    likes_playlist: str = "minion likes"
    likes_playlist_size: int = 500


@dataclass(frozen=True)
class AnalysisSettings:
    """Tempo and key analysis (analysis/): when it runs and how much of a track it reads."""

    after_download: bool = True
    max_seconds: float = 120.0
    workers: int = 0


SECTION_TYPES: Mapping[str, type] = {
    "soundcloud": SoundCloudSettings,
    "mixcloud": MixcloudSettings,
    "net": NetSettings,
    "downloads": DownloadSettings,
    "ui": UiSettings,
    "playback": PlaybackSettings,
    "discovery": DiscoverySettings,
    "desktop": DesktopSettings,
    "accounts": AccountSettings,
    "analysis": AnalysisSettings,
}


@dataclass(frozen=True)
class Setting:
    """One key of config.toml: its section, what it accepts, and how users set it."""

    section: str
    key: str
    kind: Kind
    help: str
    env: str | None = None
    secret: bool = False

    @property
    def dotted(self) -> str:
        return f"{self.section}.{self.key}"

    def default(self) -> Any:
        return getattr(SECTION_TYPES[self.section](), self.key)


_OPTIONAL = Text()
_SECRET = Text(expectation="a string (a secret)")

SETTINGS: tuple[Setting, ...] = (
    Setting("soundcloud", "client_id", _OPTIONAL, "Public API client id. Empty: discovered "
            "from the SoundCloud web player (and cached).", env="SOUNDCLOUD_CLIENT_ID"),
    Setting("soundcloud", "client_secret", _SECRET, "OAuth client secret of your registered "
            "app (only for signing in).", env="SOUNDCLOUD_CLIENT_SECRET", secret=True),
    Setting("soundcloud", "access_token", _SECRET, "OAuth access token; normally written by "
            "the sign-in flow into the keyring instead.", env="SOUNDCLOUD_ACCESS_TOKEN",
            secret=True),
    Setting("soundcloud", "refresh_token", _SECRET, "OAuth refresh token.",
            env="SOUNDCLOUD_REFRESH_TOKEN", secret=True),
    Setting("soundcloud", "app_id", _OPTIONAL, "Client id of your registered app "
            "(soundcloud.com/you/apps, with client_secret), for `minion-tui auth login "
            "soundcloud`; its redirect URI http://127.0.0.1/callback.",
            env="SOUNDCLOUD_APP_ID"),
    Setting("mixcloud", "client_id", _OPTIONAL, "Mixcloud API client id.",
            env="MIXCLOUD_CLIENT_ID"),
    Setting("mixcloud", "client_secret", _SECRET, "Mixcloud API client secret.",
            env="MIXCLOUD_CLIENT_SECRET", secret=True),
    Setting("net", "rate_limit", Number(), "Requests per second to each host. Lower it if "
            "you often see HTTP 429.", env="SOUNDCLOUD_RATE_LIMIT"),
    Setting("net", "cdn_rate_limit", Number(), "Requests per second to each media CDN host "
            "(audio segments, artwork, waveforms), apart from the API's limit; a safety net, "
            "downloads are paced by their parallel segments.", env="SOUNDCLOUD_CDN_RATE_LIMIT"),
    Setting("net", "max_retries", Whole(low=0, high=20), "Retries after a network error, "
            "HTTP 429 or 5xx.", env="SOUNDCLOUD_MAX_RETRIES"),
    Setting("net", "timeout", Number(), "Seconds one attempt may take."),
    Setting("net", "deadline", Number(), "Seconds one request may take, retries and waits "
            "included."),
    Setting("net", "retry_after_cap", Number(), "Longest wait (seconds) honoured from a "
            "Retry-After header."),
    Setting("net", "user_agent", Text(unset="(built-in browser user agent)"),
            "User-Agent header. Empty: a current desktop browser's."),
    Setting("net", "impersonate", Text(unset="(none)"), "Hosts (comma-separated) reached "
            "with a browser's TLS fingerprint through curl_cffi (installed apart), e.g. "
            "app.mixcloud.com when Mixcloud's bot protection refuses plain requests. Empty: "
            "none."),
    Setting("downloads", "dir", Folder(), "Library folder for downloads (~ is expanded).",
            env="SOUNDCLOUD_DOWNLOAD_DIR"),
    Setting("downloads", "parallel", Whole(low=1, high=16), "Tracks downloaded at once.",
            env="SOUNDCLOUD_PARALLEL_DOWNLOADS"),
    Setting("downloads", "segments", Whole(low=1, high=32), "HLS segments fetched at once "
            "per track."),
    Setting("downloads", "connections", Whole(low=1, high=64), "Requests in flight at once "
            "for all downloads together (segments, playlists, file ranges): the one cap over "
            "parallel × segments.", env="SOUNDCLOUD_DOWNLOAD_CONNECTIONS"),
    Setting("downloads", "format", Choice(options=FORMATS), "best (highest quality, no "
            "re-encode), mp3, m4a, opus, or original (the uploaded file where allowed)."),
    Setting("downloads", "convert", Choice(options=CONVERSIONS), "none (keep each file "
            "as downloaded), or mp3, m4a, opus, flac: re-encode every finished download "
            "that is in another format (PyAV; tags and artwork kept)."),
    Setting("downloads", "template", Template(), "File name of a single track. Fields: "
            + ", ".join(TEMPLATE_SAMPLE) + "."),
    Setting("downloads", "set_template", Template(), "File name of a track downloaded as "
            "part of a playlist or album (same fields)."),
    Setting("downloads", "max_playlist_bytes", Whole(low=4096, high=1 << 30), "Largest HLS "
            "playlist read (downloads and playback), in bytes; a longer one is refused "
            "(playlist_too_large) before anything is queued."),
    Setting("downloads", "max_segments", Whole(low=1, high=1_000_000), "Most segments an HLS "
            "playlist may list (a 12-hour set in 2-second segments has 21,600)."),
    Setting("downloads", "max_duration_hours", Number(), "Longest HLS playlist downloaded, in "
            "hours (the sum of its #EXTINF durations)."),
    Setting("ui", "theme", Text(optional=False, expectation="a theme name"),
            "Colour theme (built-in, or a *.toml in the themes folder of the config dir)."),
    Setting("ui", "artwork", Flag(), "Show cover art where the terminal can draw it."),
    Setting("ui", "hide_not_interested", Flag(), "Hide tracks you marked \"not interested\" "
            "from lists."),
    Setting("ui", "columns", Text(expectation="column names", unset="(none)"),
            "Optional track-list columns to show, of bpm, key, camelot (e.g. \"bpm, "
            "camelot\"); the palette's "
            "\"Tempo and key columns\" turns them on and off."),
    Setting("playback", "volume", Whole(low=0, high=100), "Start-up volume, 0-100 (the "
            "volume of the last session wins once there is one)."),
    Setting("playback", "audio_output", AudioOutput(unset="(mpv's automatic choice)"),
            "mpv's audio output (ao), e.g. pulse, pipewire, alsa, jack, or null to play "
            "silently. Empty: mpv tries them in turn.", env="MINION_MPV_AO"),
    Setting("discovery", "full_rewalk_days", Whole(low=0, high=3650), "Days between full "
            "walks of a followed source by `discover sync`, which drop the tracks it no "
            "longer likes or reposts (the syncs in between stop at what they saw before); 0: "
            "walk in full every time."),
    Setting("discovery", "half_life_days", Number(), "Days after which a like or repost "
            "counts half as much in the inbox's ranking (a quarter after twice as long)."),
    Setting("discovery", "weight_like", Number(), "Weight of a followed artist's like in "
            "the inbox's score."),
    Setting("discovery", "weight_repost", Number(), "Weight of a followed artist's repost."),
    Setting("discovery", "weight_upload", Number(), "Weight of a followed artist's own "
            "upload (a Mixcloud user's show)."),
    Setting("discovery", "weight_chart", Number(), "Weight of a chart sighting (Trending) or "
            "of a followed tag's."),
    Setting("discovery", "weight_related", Number(), "Weight of a related-track or station "
            "sighting."),
    Setting("discovery", "trust_prior", Number(), "Imagined ratings each way (liked and not "
            "interested) before your own: the larger, the more of your ratings it takes to "
            "move an artist's trust."),
    Setting("analysis", "after_download", Flag(), "Measure the tempo and key of every "
            "track once its download finishes (written into its tags and the library)."),
    Setting("analysis", "max_seconds", Number(), "Seconds of a track analysed, from its "
            "start (a shorter track: all of it). The first two minutes settle tempo and key."),
    Setting("analysis", "workers", Whole(low=0, high=64), "Worker processes analysing at "
            "once; 0: one per core."),
)
SETTINGS += (
    Setting("desktop", "mpris", Flag(), "Publish the player on the session D-Bus (MPRIS2: "
            "media keys, desktop widgets, playerctl) while the TUI or `play` runs."),
    Setting("desktop", "notify_track", Flag(), "A desktop notification when a new track "
            "starts (title, artist, cover)."),
    Setting("desktop", "notify_downloads", Flag(), "A desktop notification when the "
            "downloads running have finished."),
    Setting("desktop", "notify_sync", Flag(), "A desktop notification when a sync of the "
            "followed sources has finished."),
    Setting("desktop", "terminal_notifications", Flag(), "Where no notification service "
            "answers on the session bus, the terminal's own (OSC 9 / OSC 777) when the "
            "terminal is known to show them."),
    Setting("desktop", "control_socket", Flag(), "Listen for `minion-tui ctl` on a private "
            "socket (mode 0600) in the runtime dir."),
)
SETTINGS += (
    Setting("accounts", "sync_likes", Flag(), "Rating a track \"liked\" also likes it on the "
            "service (queued in the database and retried while offline or rate limited; "
            "\"not interested\" never does anything remote)."),
    Setting("accounts", "likes_playlist", Text(), "The title of the playlist `minion-tui likes "
            "playlist` keeps equal to the tracks you liked here."),
    Setting("accounts", "likes_playlist_size", Whole(low=1, high=500), "At most this many "
            "tracks in it, the newest likes first (SoundCloud holds 500 in a playlist)."),
)
SETTINGS_BY_KEY: Mapping[str, Setting] = {s.dotted: s for s in SETTINGS}
SECTIONS: tuple[str, ...] = (*SECTION_TYPES, *OPEN_TABLES)
TABLE_HELP: Mapping[str, str] = {
    "endpoints": "Replace real origins, e.g. to use the offline emulator or a recorded replay "
    "(same as MINION_ENDPOINTS, which adds to or overrides these).",
    "keymap": "Remap keys by binding id, e.g. \"app.quit\" = \"q,ctrl+q\" (the help screen, ? or "
    "F1, lists every binding id).",
}


def whole_range(dotted_key: str) -> tuple[int, int]:
    """(lowest, highest) that the whole-number setting ``dotted_key`` accepts, so an option
    bounded like it has one source of limits. KeyError for an unknown key, TypeError for a
    setting that is not a whole number."""
    kind = SETTINGS_BY_KEY[dotted_key].kind
    if not isinstance(kind, Whole):
        raise TypeError(f"{dotted_key} is not a whole-number setting")
    return kind.low, kind.high
