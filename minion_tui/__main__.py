"""`python -m minion_tui` — the same as the `minion-tui` command."""

import sys

from minion_tui.cli import main

sys.exit(main())
