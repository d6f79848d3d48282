import sys

__version__ = "0.1.0"

# httpx's package __init__ imports its command-line client, httpx._main, whenever rich, click
# and pygments are installed (Textual installs them): ~25 ms of every `minion-tui` start, a
# tenth of a scripted command's time to its first request. We never run httpx's CLI. A None
# entry in sys.modules makes that one import fail at once (the import system's documented
# "blocked" marker), and httpx falls back to its stub `main` (see httpx/__init__.py).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
