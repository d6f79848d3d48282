"""`python -m minion_tui.cli` — the same as `minion-tui` (as `python -m minion_tui`)."""

import sys

from minion_tui.cli import main

sys.exit(main())
