# Two commands matter: `make demo` and `make test`. Each does its own set-up on a fresh
# Debian/Ubuntu machine with python3 >= 3.11: a .venv with the package and its dev extras,
# and (as root, when missing) libmpv2 from apt.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# The peers the benchmarks measure against, in a venv of their own so that neither the
# package's pins nor Debian's years-old yt-dlp decide which release we compare with.
PEERS  := .venv-peers

.PHONY: demo test lint typecheck unit bench peers bytecode screenshots system-deps clean mcp-manifest

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python3 >= 3.11 is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

system-deps:
	@sh scripts/system-deps.sh

# pip compiles an installed package's bytecode; an editable install is never compiled, and
# with PYTHONDONTWRITEBYTECODE set (this machine sets it) every run compiled ~50 modules again:
# 30 ms of each command's start. Compiled here as an install would be; a stale file is
# simply recompiled in memory, as before.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q minion_tui

demo: $(STAMP) system-deps bytecode
	$(BIN)/minion-tui --demo

test: $(STAMP) system-deps lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check minion_tui tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -n auto -q -p no:cacheprovider

$(PEERS)/.installed-stamp:
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	@touch $@

# yt-dlp and librosa (bench/analysis.py's tempo and key peer) at their current releases from
# PyPI, upgraded on every bench: a peer is compared as its users run it today. ffmpeg is a system component and comes from apt (system-deps).
peers: $(PEERS)/.installed-stamp
	$(PEERS)/bin/python -m pip install --quiet --upgrade yt-dlp
	$(PEERS)/bin/python -m pip install --quiet --upgrade librosa

bench: $(STAMP) bytecode system-deps peers
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# SVGs of each pane (offline demo, 120x40, minion-dark) for the README.
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py --out screenshots

clean:
	rm -rf $(VENV) $(PEERS) .mypy_cache .ruff_cache .pytest_cache

# The MCP tool manifest's checked-in copies (one per tool group), compared with
# `minion-tui mcp --list --json` by tests/mcp/test_manifest.py: regenerate after changing tools.
mcp-manifest: $(STAMP)
	$(BIN)/python -m minion_tui.mcp.manifest --write tests/data/mcp_manifest
