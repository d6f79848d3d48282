"""Where tokens are kept (auth/secrets.py) and how a grant is read back (auth/grant.py): a
keyring that works, one that fails at use (the file takes over, once warned), none at all, and
stored text that is not a grant."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringError

from minion_tui.auth.grant import Grant, token_answer
from minion_tui.auth.secrets import SecretStore


class MemoryKeyring(KeyringBackend):
    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.kept[(service, username)]


class LockedKeyring(MemoryKeyring):
    """A Secret Service whose collection is locked, or no D-Bus session: fails when used."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("the collection is locked")

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("no D-Bus session")


@pytest.fixture
def ring() -> Iterator[None]:
    yield
    keyring.set_keyring(fail.Keyring())


def test_a_working_keyring_keeps_the_tokens_and_no_file_is_written(
        tmp_path: Path, ring: None) -> None:
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    warned: list[str] = []
    store = SecretStore(tmp_path, warn=warned.append)
    store.put("soundcloud:oauth", "{\"access_token\": \"t\"}")
    assert memory.kept == {("minion-tui", "soundcloud:oauth"): "{\"access_token\": \"t\"}"}
    assert store.get("soundcloud:oauth") == "{\"access_token\": \"t\"}"
    assert not store.path.exists() and warned == []
    assert store.backend().startswith("keyring (")
    assert store.delete("soundcloud:oauth") and memory.kept == {}
    assert store.get("soundcloud:oauth") is None


def test_a_keyring_failing_at_use_falls_back_to_the_private_file_with_one_warning(
        tmp_path: Path, ring: None) -> None:
    keyring.set_keyring(LockedKeyring())
    warned: list[str] = []
    store = SecretStore(tmp_path / "data", warn=warned.append)
    store.put("mixcloud:oauth", "one")
    store.put("soundcloud:oauth", "two")
    assert store.get("mixcloud:oauth") == "one" and store.get("soundcloud:oauth") == "two"
    assert len(warned) == 1 and str(store.path) in warned[0]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert store.backend() == f"file {store.path}"
    assert not list(store.path.parent.glob(".*.tmp"))  # written whole, then renamed


def test_without_a_keyring_a_damaged_file_reads_as_empty(tmp_path: Path, ring: None) -> None:
    store = SecretStore(tmp_path)
    store.put("soundcloud:oauth", "kept")
    store.path.write_text("{not json")
    assert store.get("soundcloud:oauth") is None
    store.put("soundcloud:oauth", "again")
    assert store.get("soundcloud:oauth") == "again"


@pytest.mark.parametrize("text", ["", "null", "[]", "{}", "{\"access_token\": 5}", "not json"])
def test_what_is_not_a_grant_reads_as_none(text: str) -> None:
    assert Grant.loads("soundcloud", "oauth", text) is None


def test_a_grant_round_trips_and_names_no_token() -> None:
    grant = token_answer("soundcloud", "oauth", {
        "access_token": "AT-secret", "expires_in": 3599, "refresh_token": "RT-secret",
        "scope": "non-expiring upload", "token_type": "bearer"}, now=1000.0)
    assert grant is not None and grant.expires_at == 4599.0
    assert grant.scopes == ("non-expiring", "upload")
    again = Grant.loads("soundcloud", "oauth", grant.with_user("me").dumps())
    assert again == grant.with_user("me")
    assert "secret" not in repr(again)
    assert grant.expiring(4400.0, margin=300) and not grant.expiring(4000.0, margin=300)
    assert token_answer("soundcloud", "oauth", {"access_token": "  "}, now=0) is None
