"""Work started ahead on a daemon thread, once per process, whose result is collected later.

For start-up work that can overlap something else: the HTTPS context (net/tls.py: OpenSSL
releases the GIL while it parses the CA bundle, so it runs beside the main thread's imports)
and a download's late imports (downloads/preload.py: they run while the event loop waits on
the network).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Ahead(Generic[T]):
    """``work`` run on a daemon thread from the first :meth:`start`; :meth:`result` waits
    for it and returns its value or raises its exception."""

    def __init__(self, work: Callable[[], T], name: str) -> None:
        self._work = work
        self._name = name
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._outcome: list[T | BaseException] = []

    def start(self) -> None:
        """Begin (once); returns at once."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def result(self) -> T:
        """The work's value (started now when it was not), or its exception raised here."""
        self.start()
        assert self._thread is not None
        self._thread.join()
        outcome = self._outcome[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def _run(self) -> None:
        try:
            self._outcome.append(self._work())
        except BaseException as error:  # raised again by result(), where it is needed
            self._outcome.append(error)
