"""Applications on the public API: the command line, batch, table and review."""
