"""The `mimir` command line: one module per command group."""
