"""Writes and reads of the log. Every attempt is committed in its own transaction together with
its aggregate update, so a crash never leaves the two disagreeing.

`Store` is the only holder of SQL in modeltui: its queries are grouped by concern in
`calls.py` (the log), `spend.py` (budget sums and reservations), `learned.py` (statistics,
votes, tournaments, discovered use cases), `prompts.py` (per-prompt learning) and `runs.py`
(pipelines and suites); this file opens, writes attempts and runs transactions.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from modeltui.errors import StoreError
from modeltui.providers.redact import redact
from modeltui.store.calls import CallQueries
from modeltui.store.db import connect, connect_read_only, writable
from modeltui.store.learned import LearnedQueries
from modeltui.store.prompts import PromptQueries
from modeltui.store.records import CallRecord
from modeltui.store.runs import RunQueries
from modeltui.store.spend import SpendQueries
from modeltui.vocab import CallKind

DEFAULT_HALF_LIFE_S = 30 * 86_400.0  # what learning/ decays with unless the config says (`[learning] half_life_days`)
DatabaseError = sqlite3.Error  # what a damaged or foreign file raises (the CLI reports it in one line)
_COLS = CallRecord.columns()
_UPDATE = f"UPDATE calls SET {', '.join(c + ' = ?' for c in _COLS)} WHERE id = ?"
_INSERT = f"INSERT INTO calls ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})"


class Store(CallQueries, SpendQueries, LearnedQueries, PromptQueries, RunQueries):
    def __init__(self, db: aiosqlite.Connection, path: Path, half_life_s: float = DEFAULT_HALF_LIFE_S):
        self.db = db
        self.path = path
        self.half_life_s = half_life_s
        self._write = asyncio.Lock()  # one writer transaction at a time on this connection
        self._owner: asyncio.Task | None = None  # the task inside the open transaction
        self._commits = 0  # our own commits (PRAGMA data_version counts only other connections')
        # called after evidence about answers is committed (team mode shares it: calls/team_ledger.py)
        self.evidence_hooks: list = []

    @classmethod
    async def open(cls, path: str | Path, half_life_s: float = DEFAULT_HALF_LIFE_S, read_only: bool = False) -> Store:
        """`read_only`: for commands that only read, a log that cannot be written still opens."""
        path = Path(path).expanduser()
        if read_only and not writable(path):
            store = cls(await connect_read_only(path), path, half_life_s)
            store.read_only = True
            return store
        return cls(await connect(path), path, half_life_s)

    read_only = False

    async def check_writable(self) -> None:
        """Before anything is sent: write a probe row where the next call's row will go, then roll
        it back. A damaged log fails here, not after the provider was paid."""
        probe = CallRecord(session="~probe", kind=CallKind.PROBE, model="~", provider="~", status="ok")
        try:
            async with self._write:
                await self.db.execute("BEGIN IMMEDIATE")
                try:
                    await self.db.execute(_INSERT, probe.values())
                    async with self.db.execute("SELECT COUNT(*) FROM stats") as cur:
                        await cur.fetchone()
                finally:
                    await self.db.execute("ROLLBACK")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: the log cannot be written ({exc}); nothing was sent") from None

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def transaction(self):
        """One write transaction (BEGIN IMMEDIATE takes the lock up front, so a busy database
        waits in busy_timeout rather than failing half-way); rolled back on any exception.
        Re-entrant within one task: a query method called inside joins the open transaction."""
        task = asyncio.current_task()
        if self._owner is not None and self._owner is task:
            yield self.db
            return
        async with self._write:
            self._owner = task
            try:
                try:
                    await self._finish("BEGIN IMMEDIATE")
                    yield self.db
                except BaseException:
                    if self.db.in_transaction:  # (also when a cancel arrived while BEGIN ran)
                        await self._finish("ROLLBACK")
                    raise
                await self._finish("COMMIT")
                self._commits += 1
            finally:
                self._owner = None

    async def _finish(self, sql: str) -> None:
        """Run a transaction statement to its end even if our task is cancelled meanwhile (the
        statement runs in aiosqlite's thread regardless); the cancel is raised afterwards."""
        op = asyncio.ensure_future(self.db.execute(sql))
        try:
            await asyncio.shield(op)
        except asyncio.CancelledError:
            while not op.done():
                try:
                    await asyncio.shield(op)
                except asyncio.CancelledError:
                    continue
            raise

    async def version(self) -> tuple[int, int]:
        """Changes whenever anything was committed, by this process or another: a cache of what
        the log says (the bandit's arms) reloads when this moves."""
        try:
            async with self.db.execute("PRAGMA data_version") as cur:
                return (await cur.fetchone())[0], self._commits
        except (sqlite3.Error, ValueError) as exc:  # (aiosqlite: ValueError once closed)
            raise StoreError(f"the log cannot be read: {exc}") from None

    async def insert_call(self, rec: CallRecord, vector: bytes | None = None) -> int:
        """Insert one attempt (its error text redacted) and its prompt's embedding; the caller's
        transaction (`learning/observe.py`) adds what it says to the statistics."""
        if rec.error_message:
            rec.error_message = redact(rec.error_message)
        async with self.transaction():
            cur = await self.db.execute(_INSERT, rec.values())
            rec.id = cur.lastrowid
            if vector is not None:
                await self._add_prompt_vector(rec.id, vector)
        return rec.id

    async def complete_call(self, call_id: int, rec: CallRecord, vector: bytes | None = None) -> int:
        """Write what an attempt did into its row (written `started` with its reservation)."""
        if rec.error_message:
            rec.error_message = redact(rec.error_message)
        rec.id = call_id
        async with self.transaction():
            await self.db.execute(_UPDATE, [*rec.values(), call_id])
            if vector is not None:
                await self._add_prompt_vector(call_id, vector)
        return call_id

    async def delete_call(self, call_id: int) -> None:
        """Drop a `started` row whose request never left (its reservation is released)."""
        async with self.transaction():
            await self.db.execute("DELETE FROM calls WHERE id = ? AND status = 'started'", (call_id,))
