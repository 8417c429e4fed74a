"""The local SQLite log (aiosqlite): one row per attempt, votes, running aggregates, export."""

from modeltui.store.records import CallRecord
from modeltui.store.store import Store

__all__ = ["CallRecord", "Store"]
