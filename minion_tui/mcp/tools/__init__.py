"""The tool groups of the MCP server, one module each (registry.GROUPS lists them); each
exports ``TOOLS``, a tuple of :func:`minion_tui.mcp.tooling.tool` declarations."""
