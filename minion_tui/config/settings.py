"""Settings: defaults < config.toml in the user config dir < environment variables.

Every problem (unknown table or key, wrong type, bad value, bad environment variable, TOML
syntax) is collected and raised together as one ConfigError with line numbers, so the app
never starts half-configured. The shape of the settings lives in ``schema``, the checks of
single values in ``values``, line numbers in ``toml_lines``; writing the file is
``toml_edit``'s. Nothing heavy is imported here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from minion_tui.config import file_text
from minion_tui.config.paths import config_path
from minion_tui.config.schema import (
    OPEN_TABLES,
    SECTION_TYPES,
    SECTIONS,
    SETTINGS,
    SETTINGS_BY_KEY,
    AccountSettings,
    AnalysisSettings,
    DesktopSettings,
    DiscoverySettings,
    DownloadSettings,
    MixcloudSettings,
    NetSettings,
    PlaybackSettings,
    SoundCloudSettings,
    UiSettings,
)
from minion_tui.config.toml_lines import line_of, locate_keys
from minion_tui.config.values import (
    Invalid,
    check_origin,
    check_replacement,
    did_you_mean,
    parse_endpoints,
    shown,
)
from minion_tui.errors import ConfigError

ENDPOINTS_ENV = "MINION_ENDPOINTS"


@dataclass(frozen=True)
class Settings:
    """The effective configuration. ``origins`` maps a dotted key ("net.rate_limit",
    "endpoints.https://soundcloud.com") to "default", "file <path>:<line>" or "env NAME"."""

    soundcloud: SoundCloudSettings = field(default_factory=SoundCloudSettings)
    mixcloud: MixcloudSettings = field(default_factory=MixcloudSettings)
    net: NetSettings = field(default_factory=NetSettings)
    downloads: DownloadSettings = field(default_factory=DownloadSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    playback: PlaybackSettings = field(default_factory=PlaybackSettings)
    discovery: DiscoverySettings = field(default_factory=DiscoverySettings)
    desktop: DesktopSettings = field(default_factory=DesktopSettings)
    accounts: AccountSettings = field(default_factory=AccountSettings)
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    endpoints: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    path: Path = field(default_factory=config_path)
    origins: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def origin(self, dotted_key: str) -> str:
        """Where the value of ``dotted_key`` came from; KeyError for an unknown key."""
        if dotted_key in self.origins:
            return self.origins[dotted_key]
        if dotted_key in SETTINGS_BY_KEY:
            return "default"
        if dotted_key in OPEN_TABLES:
            found = sorted({o for k, o in self.origins.items() if k.startswith(dotted_key + ".")})
            return "; ".join(found) or "default"
        table, _, entry = dotted_key.partition(".")
        if table in OPEN_TABLES and entry in getattr(self, table):
            return "program"  # added after loading, e.g. the emulator map of --demo
        raise KeyError(f"unknown setting {dotted_key!r}")


class _Layers:
    """What loading collects before the Settings are built: typed values, their origins,
    and every problem."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.origins: dict[str, str] = {}
        self.endpoints: dict[str, str] = {}
        self.keymap: dict[str, str] = {}
        self.problems: list[str] = []

    def settings(self, path: Path) -> Settings:
        sections: dict[str, Any] = {}
        for name, section_type in SECTION_TYPES.items():
            chosen = {s.key: self.values[s.dotted] for s in SETTINGS
                      if s.section == name and s.dotted in self.values}
            sections[name] = section_type(**chosen)
        origins = {s.dotted: "default" for s in SETTINGS} | self.origins
        return Settings(
            **sections,
            endpoints=MappingProxyType(dict(self.endpoints)),
            keymap=MappingProxyType(dict(self.keymap)),
            path=path,
            origins=MappingProxyType(origins),
        )


def load_settings(
    *, path: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then ``path`` (default :func:`config_path`; a missing file means defaults),
    then ``environ`` (default ``os.environ``). Raises ConfigError listing every problem."""
    path = config_path() if path is None else Path(path)
    layers = _Layers()
    text = _read_text(path, layers.problems)
    if text is not None:
        _read_file(text, path, layers)
    _read_environment(os.environ if environ is None else environ, layers)
    if layers.problems:
        raise ConfigError(layers.problems, path=str(path), exists=_exists(path))
    return layers.settings(path)


def _exists(path: Path) -> bool:
    """Whether ``path`` is there (``config init`` then needs --force to replace it)."""
    try:
        return path.exists()
    except OSError:
        return True  # something is in the way: init would refuse it too


def _read_text(path: Path, problems: list[str]) -> str | None:
    try:
        return file_text.read_text(path)
    except file_text.Unusable as exc:
        problems.append(str(exc))
        return None


def _read_file(text: str, path: Path, layers: _Layers) -> None:
    try:
        data = file_text.parse(text)
    except file_text.Unusable as exc:
        layers.problems.append(str(exc))
        return
    lines = locate_keys(text)

    def at(*key: str) -> str:
        line = line_of(lines, key)
        return f"line {line}: " if line else ""

    def origin(*key: str) -> str:
        line = line_of(lines, key)
        return f"file {path}:{line}" if line else f"file {path}"

    problems = layers.problems
    for name, body in data.items():
        if name not in SECTIONS:
            if isinstance(body, dict):
                hint = did_you_mean(name, SECTIONS, "[{}]")
                problems.append(f"{at(name)}unknown table [{name}]{hint}")
            else:
                home = [s.section for s in SETTINGS if s.key == name]
                hint = f" (did you mean to put it under [{home[0]}]?)" if home else ""
                problems.append(f"{at(name)}unknown key {name} outside any table{hint}")
        elif not isinstance(body, dict):
            problems.append(f"{at(name)}{name} must be a table ([{name}]), got {shown(body)}")
        elif name == "endpoints":
            for real, url in body.items():
                try:
                    key = check_origin(real)
                    if not isinstance(url, str):
                        raise Invalid(f"must map to a URL string, got {shown(url)}")
                    layers.endpoints[key] = check_replacement(url)
                    layers.origins[f"endpoints.{key}"] = origin(name, real)
                except Invalid as exc:
                    problems.append(f"{at(name, real)}[endpoints] {real} {exc}")
        elif name == "keymap":
            for binding, keys in body.items():
                if isinstance(keys, str) and keys.strip():
                    layers.keymap[binding] = keys.strip()
                    layers.origins[f"keymap.{binding}"] = origin(name, binding)
                else:
                    problems.append(f"{at(name, binding)}[keymap] {binding} must be a key or "
                                    f"comma-separated keys like 'ctrl+q,q', got {shown(keys)}")
        else:
            for key, raw in body.items():
                setting = SETTINGS_BY_KEY.get(f"{name}.{key}")
                if setting is None:
                    known = [s.key for s in SETTINGS if s.section == name]
                    hint = did_you_mean(key, known)
                    problems.append(f"{at(name, key)}unknown key [{name}] {key}{hint}")
                    continue
                try:
                    layers.values[setting.dotted] = setting.kind.from_toml(raw)
                    layers.origins[setting.dotted] = origin(name, key)
                except Invalid as exc:
                    problems.append(f"{at(name, key)}[{name}] {key} {exc}")


def _read_environment(environ: Mapping[str, str], layers: _Layers) -> None:
    # An empty variable counts as unset: shells and container files often export NAME="".
    for setting in SETTINGS:
        raw = environ.get(setting.env) if setting.env else None
        if setting.env is None or raw is None or not raw.strip():
            continue
        try:
            layers.values[setting.dotted] = setting.kind.from_text(raw)
            layers.origins[setting.dotted] = f"env {setting.env}"
        except Invalid as exc:
            layers.problems.append(f"{setting.env}: {exc}")
    mapping, problems = parse_endpoints(environ.get(ENDPOINTS_ENV, ""))
    layers.problems.extend(f"{ENDPOINTS_ENV}: {p}" for p in problems)
    for real, url in mapping.items():  # entry by entry: the file's other origins stay
        layers.endpoints[real] = url
        layers.origins[f"endpoints.{real}"] = f"env {ENDPOINTS_ENV}"


# -- showing --------------------------------------------------------------------------------


def _masked(secret: str | None) -> str:
    if not secret:
        return "(not set)"
    # Short secrets are hidden entirely: four characters of eight would give half away.
    return "****" + secret[-4:] if len(secret) >= 12 else "****"


def effective_settings_rows(settings: Settings) -> list[tuple[str, str, str]]:
    """(dotted key, display value, origin) for every setting, defaults included; secrets
    masked. Open tables list one row per entry, or one "(none)" row when empty."""
    return [(key, shown_value, origin)
            for key, _, shown_value, origin in _effective(settings)]


def effective_settings_values(settings: Settings) -> list[tuple[str, str | None, str, str]]:
    """(dotted key, value, display value, origin) of every setting, for ``config show``: the
    value is None where it is not set (a client id, the automatic audio output, an empty
    open table) — null in ``--json`` — and the display value the words a table shows."""
    return _effective(settings)


def _effective(settings: Settings) -> list[tuple[str, str | None, str, str]]:
    rows: list[tuple[str, str | None, str, str]] = []
    for setting in SETTINGS:
        value = getattr(getattr(settings, setting.section), setting.key)
        text = _masked(value) if setting.secret else setting.kind.display(value)
        rows.append((setting.dotted, None if value is None else text, text,
                     settings.origin(setting.dotted)))
    for name in OPEN_TABLES:
        table: Mapping[str, str] = getattr(settings, name)
        if not table:
            rows.append((name, None, "(none)", "default"))
        for key, value in table.items():
            rows.append((f"{name}.{key}", value, value, settings.origin(f"{name}.{key}")))
    return rows
