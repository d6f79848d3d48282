"""The HTTPS context built ahead on a thread (net/tls.py) is httpx's default one: verifying,
host names checked, CAs from SSL_CERT_FILE / SSL_CERT_DIR / certifi; a failure to build it is
raised where the context is needed. Fresh interpreters: the context is built once a process."""

from __future__ import annotations

import os
import subprocess
import sys

import certifi

PROBE = ("import ssl; from minion_tui.net import tls; tls.preload(); c = tls.context(); "
         "print(c.verify_mode == ssl.CERT_REQUIRED, c.check_hostname, "
         "len(c.get_ca_certs()) > 50)")


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env={**clean, **env})


def test_the_context_verifies_against_the_named_bundle() -> None:
    done = _run({"SSL_CERT_FILE": certifi.where()})
    assert done.stdout.split() == ["True", "True", "True"], done.stderr


def test_without_variables_certifi_is_used() -> None:
    done = _run({})
    assert done.stdout.split() == ["True", "True", "True"], done.stderr


def test_a_missing_bundle_fails_where_the_context_is_needed() -> None:
    done = _run({"SSL_CERT_FILE": "/nonexistent/ca.pem"})
    assert done.returncode != 0
    assert "FileNotFoundError" in done.stderr
