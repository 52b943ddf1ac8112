"""greentrack: the Dagster code location, CLI and run orchestration."""
