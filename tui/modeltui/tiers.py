"""Tier names, importable without pydantic (the UI needs them before the config is validated)."""

TIERS: tuple[str, ...] = ("budget", "balanced", "premium", "auto")
