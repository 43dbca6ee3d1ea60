"""Command-line interface: ``chefe`` and its subcommands (thin wrappers over the public API)."""
