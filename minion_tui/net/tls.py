"""The SSL context for HTTPS, built on a thread as soon as a command starts.

httpx builds its default context when the client is created: OpenSSL parses the whole CA bundle
(certifi's, or ``SSL_CERT_FILE``), 15 ms measured on the CI machine, right before the first
request. ``load_verify_locations`` releases the GIL, so started early on a thread it runs on the
second core while the main thread is still importing modules: the same context, ready by the
time the client needs it, and the 15 ms leave every command's path to its first request.
The context is exactly httpx's default (``httpx.create_ssl_context``'s rules without importing
httpx here): ``SSL_CERT_FILE``, else ``SSL_CERT_DIR``, else certifi's bundle.
"""

from __future__ import annotations

import os
import ssl
import threading

_lock = threading.Lock()
_thread: threading.Thread | None = None
_built: list[ssl.SSLContext | BaseException] = []


def _build() -> None:
    try:
        if os.environ.get("SSL_CERT_FILE"):
            context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
        elif os.environ.get("SSL_CERT_DIR"):
            context = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
        else:
            import certifi

            context = ssl.create_default_context(cafile=certifi.where())
        _built.append(context)
    except BaseException as error:  # re-raised where the context is needed
        _built.append(error)


def preload() -> None:
    """Start building the context (once per process); returns at once."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_build, name="minion-tls", daemon=True)
            _thread.start()


def context() -> ssl.SSLContext:
    """The context :func:`preload` started (started now when it was not)."""
    preload()
    assert _thread is not None
    _thread.join()
    result = _built[0]
    if isinstance(result, BaseException):
        raise result
    return result
