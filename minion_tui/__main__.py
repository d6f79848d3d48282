"""`python -m minion_tui` — the same as the `minion-tui` command."""

from minion_tui.cli import run

run()
