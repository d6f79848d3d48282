"""The SSL context for HTTPS, built on a thread as soon as a command starts.

httpx builds its default context when the client is created: OpenSSL parses the whole CA bundle
(certifi's, or ``SSL_CERT_FILE``), 15 ms measured on the CI machine, right before the first
request. ``load_verify_locations`` releases the GIL, so started early on a thread it runs on the
second core while the main thread is still importing modules: the same context, ready by the
time the client needs it, and the 15 ms leave every command's path to its first request.
The context is httpx's own default, made by ``httpx.create_ssl_context()`` (``SSL_CERT_FILE``,
else ``SSL_CERT_DIR``, else certifi's bundle).
"""

from __future__ import annotations

import ssl

import httpx

from minion_tui.background import Ahead

_context: Ahead[ssl.SSLContext] = Ahead(httpx.create_ssl_context, "minion-tls")


def preload() -> None:
    """Start building the context (once per process); returns at once."""
    _context.start()


def context() -> ssl.SSLContext:
    """The context :func:`preload` started (started now when it was not); a failure to
    build it (a missing ``SSL_CERT_FILE``) is raised here."""
    return _context.result()
