"""Writes and reads of the log. Every attempt is committed in its own transaction together with
its aggregate update, so a crash never leaves the two disagreeing."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
import time
from pathlib import Path

import aiosqlite

from modeltui.learning import stats
from modeltui.learning.decay import DEFAULT_HALF_LIFE_S
from modeltui.redact import redact
from modeltui.store.db import connect
from modeltui.store.records import CallRecord

_COLS = CallRecord.columns()
_INSERT = f"INSERT INTO calls ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})"


class Store:
    def __init__(self, db: aiosqlite.Connection, path: Path, half_life_s: float = DEFAULT_HALF_LIFE_S):
        self.db = db
        self.path = path
        self.half_life_s = half_life_s
        self._write = asyncio.Lock()  # one writer transaction at a time on this connection

    @classmethod
    async def open(cls, path: str | Path, half_life_s: float = DEFAULT_HALF_LIFE_S) -> Store:
        path = Path(path).expanduser()
        return cls(await connect(path), path, half_life_s)

    @asynccontextmanager
    async def transaction(self):
        """One write transaction (BEGIN IMMEDIATE takes the lock up front, so a busy database
        waits in busy_timeout rather than failing half-way); rolled back on any exception."""
        async with self._write:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def _observe(self, use_case: str, model: str, obs: stats.Obs) -> dict:
        """Update one stats row inside the caller's transaction; returns the new row."""
        async with self.db.execute("SELECT * FROM stats WHERE use_case = ? AND model = ?", (use_case, model)) as cur:
            row = await cur.fetchone()
        new = stats.apply(dict(row) if row else None, obs, self.half_life_s)
        await self.db.execute(stats.UPSERT, stats.to_db(use_case, model, new))
        return new

    async def observe(self, pairs: list[tuple[str, str, stats.Obs]]) -> None:
        """Feedback (thumbs, votes) for several (use case, model) pairs in one transaction."""
        async with self.transaction():
            for use_case, model, obs in pairs:
                await self._observe(use_case, model, obs)

    async def close(self) -> None:
        await self.db.close()

    async def log_call(self, rec: CallRecord, reservation_id: int | None = None) -> int:
        """Insert one attempt (error text redacted), update the aggregates and drop its budget
        reservation, all in one transaction: spend is never counted twice or lost. Returns its id."""
        if rec.error_message:
            rec.error_message = redact(rec.error_message)
        async with self.transaction():
            cur = await self.db.execute(_INSERT, rec.values())
            rec.id = cur.lastrowid
            if rec.status != "cancelled":
                await self._observe(rec.use_case or "general", rec.model, stats.Obs(
                    ts=rec.ts, status=rec.status, latency_ms=rec.latency_ms, cost_usd=rec.cost_usd))
            if reservation_id is not None:
                await self.db.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))
        return rec.id

    async def add_vote(self, kind: str, value: str, *, call_id: int | None = None,
                       tournament_id: str | None = None, session: str | None = None, note: str | None = None) -> int:
        async with self._write:
            cur = await self.db.execute(
                "INSERT INTO votes (ts, session, call_id, tournament_id, kind, value, note) VALUES (?,?,?,?,?,?,?)",
                (time.time(), session, call_id, tournament_id, kind, value, note))
            return cur.lastrowid

    async def save_tournament(self, tid: str, session: str, prompt: str, models: list[str], verdict: dict | None) -> None:
        import json

        async with self._write:
            await self.db.execute(
                "INSERT OR REPLACE INTO tournaments (id, ts, session, prompt, models, verdict) VALUES (?,?,?,?,?,?)",
                (tid, time.time(), session, prompt, json.dumps(models), json.dumps(verdict) if verdict else None))

    async def get_tournament(self, tid: str) -> dict | None:
        import json

        async with self.db.execute("SELECT * FROM tournaments WHERE id = ?", (tid,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        d = dict(row)
        d["models"] = json.loads(d["models"])
        d["verdict"] = json.loads(d["verdict"]) if d["verdict"] else None
        return d

    async def recent(self, limit: int = 20, session: str | None = None) -> list[dict]:
        sql = "SELECT * FROM calls" + (" WHERE session = ?" if session else "") + " ORDER BY id DESC LIMIT ?"
        args = (session, limit) if session else (limit,)
        async with self.db.execute(sql, args) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def get_call(self, call_id: int) -> dict | None:
        async with self.db.execute("SELECT * FROM calls WHERE id = ?", (call_id,)) as cur:
            row = await cur.fetchone()
        return dict(row) if row else None

    async def votes(self, tournament_id: str | None = None) -> list[dict]:
        sql = "SELECT * FROM votes" + (" WHERE tournament_id = ?" if tournament_id else "") + " ORDER BY id"
        async with self.db.execute(sql, (tournament_id,) if tournament_id else ()) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def select_calls(self, session: str | None = None, since: float | None = None,
                           until: float | None = None) -> list[dict]:
        where, args = [], []
        if session:
            where.append("session = ?"), args.append(session)
        if since is not None:
            where.append("ts >= ?"), args.append(since)
        if until is not None:
            where.append("ts < ?"), args.append(until)
        sql = "SELECT * FROM calls" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        async with self.db.execute(sql, args) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def sessions(self, limit: int = 20, offset: int = 0) -> list[dict]:
        """Past sessions, newest first, paged."""
        async with self.db.execute(
            "SELECT session, MIN(ts) AS started, MAX(ts) AS ended, COUNT(*) AS calls, SUM(cost_usd) AS cost_usd "
            "FROM calls GROUP BY session ORDER BY started DESC LIMIT ? OFFSET ?", (limit, offset)) as cur:
            return [dict(r) for r in await cur.fetchall()]
