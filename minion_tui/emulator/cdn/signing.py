"""CloudFront-style signed URLs with a custom policy, as SoundCloud's CDNs hand them out.

`Policy` is base64 of `{"Statement":[{"Resource":…,"Condition":{"DateLessThan":
{"AWS:EpochTime":deadline}}}]}` in CloudFront's URL-safe alphabet (+ → -, = → _, / → ~);
`Signature` signs it (HMAC-SHA256 here instead of RSA, so no key pair is needed; clients
never verify it). A wildcard Resource lets one Policy/Signature cover a playlist and all its
segments, so every segment URL of a playlist carries the same deadline (docs/soundcloud.md §3.1).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

_TO_CLOUDFRONT = str.maketrans({"+": "-", "=": "_", "/": "~"})
_FROM_CLOUDFRONT = str.maketrans({"-": "+", "_": "=", "~": "/"})


def _encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").translate(_TO_CLOUDFRONT)


def _decode(text: str) -> bytes:
    return base64.b64decode(text.translate(_FROM_CLOUDFRONT), validate=True)


@dataclass(frozen=True)
class Grant:
    resource: str
    deadline: int


class Signer:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        digest = hashlib.sha256(b"key-pair-id:" + secret).digest()
        self.key_pair_id = "APKA" + base64.b32encode(digest).decode("ascii")[:16]

    def _signature(self, policy: str) -> str:
        return _encode(hmac.new(self._secret, policy.encode("ascii"), hashlib.sha256).digest())

    def query(self, resource: str, deadline: int, *, with_expires: bool = False) -> str:
        statement = {"Statement": [{"Resource": resource,
                                    "Condition": {"DateLessThan": {"AWS:EpochTime": deadline}}}]}
        policy = _encode(json.dumps(statement, separators=(",", ":")).encode())
        fields = [("expires", str(deadline))] if with_expires else []
        fields += [("Policy", policy), ("Signature", self._signature(policy)),
                   ("Key-Pair-Id", self.key_pair_id)]
        return urlencode(fields, safe="~")

    def check(self, params: dict[str, str], url: str, now: float) -> str | None:
        """Why `url` with query `params` is refused at time `now`, or None when it is valid."""
        policy = params.get("Policy")
        signature = params.get("Signature")
        if not policy or not signature or params.get("Key-Pair-Id") != self.key_pair_id:
            return "Missing or unknown Key-Pair-Id, Policy or Signature query parameter"
        if not hmac.compare_digest(signature, self._signature(policy)):
            return "Signature does not match the policy"
        grant = _grant(policy)
        if grant is None:
            return "Malformed policy"
        if not _matches(grant.resource, url):
            return "The policy does not cover this resource"
        if "expires" in params and params["expires"] != str(grant.deadline):
            return "expires does not match the policy"
        if now >= grant.deadline:
            return "Request has expired"
        return None


def _grant(policy: str) -> Grant | None:
    try:
        statement = json.loads(_decode(policy))["Statement"][0]
        return Grant(str(statement["Resource"]),
                     int(statement["Condition"]["DateLessThan"]["AWS:EpochTime"]))
    except (ValueError, KeyError, IndexError, TypeError, binascii.Error):
        return None


def _matches(pattern: str, url: str) -> bool:
    """CloudFront resource wildcards: `*` any run of characters, `?` exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, url) is not None
