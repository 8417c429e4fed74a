"""Dates and times as users type them (`--since 2026-11-01`, the export dialog's fields): here,
importable without anything heavy, so the CLI's argument parser says a bad one at once."""

from __future__ import annotations

from datetime import datetime


def parse_when(text: str) -> float:
    """Unix time of an ISO date or date-time (local time unless it carries an offset)."""
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise ValueError(f"'{text}' is not an ISO date or date-time (e.g. 2026-11-01 or 2026-11-01T09:00)") from None
