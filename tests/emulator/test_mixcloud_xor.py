"""The streamInfo obfuscation (docs/mixcloud.md §4.4): base64 of the URL XORed with the real
53-character key; a round trip gives the URL back, a wrong key does not."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from minion_tui.emulator.mixcloud.xor import KEY, obfuscate, reveal


def test_the_key_is_the_real_one() -> None:
    assert KEY == b"IFYOUWANTTHEARTISTSTOGETPAIDDONOTDOWNLOADFROMMIXCLOUD"
    assert len(KEY) == 53


@given(st.text(min_size=0, max_size=400))
def test_round_trip(url: str) -> None:
    assert reveal(obfuscate(url)) == url


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=60,
               max_size=300))
def test_a_wrong_key_does_not_decode(url: str) -> None:
    wrong = b"IFYOUWANTTHEARTISTSTOGETPAIDDONOTDOWNLOADFROMMIXCLOUX"
    raw = bytes(a ^ b for a, b in zip(base64.b64decode(obfuscate(url)),
                                      (wrong * 8)[: len(url)], strict=True))
    assert raw.decode("latin-1") != url


def test_a_known_plaintext() -> None:
    # The first bytes of any https URL XOR "IFYOU": what a client's decode must undo.
    encoded = obfuscate("https://stream1.mixcloud.com/")
    assert base64.b64decode(encoded)[:5] == bytes(a ^ b for a, b in zip(b"https", b"IFYOU",
                                                                        strict=True))
    assert encoded == base64.b64encode(bytes(
        a ^ b for a, b in zip(b"https://stream1.mixcloud.com/", KEY, strict=False))).decode()
