"""The agent interface: an MCP server (Model Context Protocol, the official ``mcp`` SDK 2.x)
over the same service the TUI and the CLI use — a front end like them, importing only
``minion_tui.service``, ``.models``, ``.errors`` and ``.config``.

* tooling.py — how a tool is declared (one decorator: schemas, hints, checks, rendering);
* context.py — what a handler gets: the service, opaque cursors, progress, confirmation;
* registry.py — the tool groups (``tools/<group>.py``), one line each;
* server.py — the SDK's low-level Server with our handlers; errors as tool errors;
* tools/ — the tools, one module per group.

docs/mcp.md says how to add a tool. Importing this package loads neither the SDK nor the
service's heavy parts: the server builds them when it starts.
"""
