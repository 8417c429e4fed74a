"""The local SQLite log (aiosqlite): one row per attempt, votes, running aggregates, export."""

from modeltui.store.records import CallRecord
from modeltui.store.spend import Lease, SpendSums
from modeltui.store.store import DatabaseError, Store

__all__ = ["CallRecord", "DatabaseError", "Lease", "SpendSums", "Store"]
