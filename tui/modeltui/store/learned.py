"""Queries over what the log has learned: running statistics, thumbs and votes, tournaments,
discovered use cases. Rows go out and come in; the rules live in `learning/`."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

BATCH = 20_000
_UPSERT = """INSERT OR REPLACE INTO stats (use_case, model, n, ok, errors, cost_usd, lat_hist, lat_median_ms, up, down,
s, f, raw_calls, ts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"""


class LearnedQueries:
    # -- statistics ------------------------------------------------------------------------------
    async def stat_row(self, use_case: str, model: str) -> dict | None:
        async with self.db.execute("SELECT * FROM stats WHERE use_case = ? AND model = ?", (use_case, model)) as cur:
            row = await cur.fetchone()
        return dict(row) if row else None

    async def put_stat_rows(self, rows: list[tuple]) -> None:
        """Write statistics rows (`learning/stats.to_db`) inside the caller's transaction."""
        async with self.transaction() as db:
            await db.executemany(_UPSERT, rows)

    async def ranking_rows(self, use_case: str | None = None) -> list[tuple]:
        """(use case, model, n, ok, cost, up, down, raw calls, median latency, ts, s, f) per stats row."""
        sql = ("SELECT use_case, model, n, ok, cost_usd, up, down, raw_calls, lat_median_ms, ts, s, f FROM stats"
               + (" WHERE use_case = ?" if use_case else ""))
        async with self.db.execute(sql, (use_case,) if use_case else ()) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def evidence_rows(self) -> list[tuple[str, str, float, float, float]]:
        """(use case, model, successes, failures, ts) per stats row: what the bandit samples from."""
        async with self.db.execute("SELECT use_case, model, s, f, ts FROM stats") as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def call_outcomes(self) -> AsyncIterator[list[tuple]]:
        """Batches of (ts, use case, model, status, latency, cost) of every attempt, for a rebuild."""
        async with self.db.execute("SELECT ts, use_case, model, status, latency_ms, cost_usd FROM calls") as cur:
            while batch := await cur.fetchmany(BATCH):
                yield [tuple(r) for r in batch]

    async def escalation_rows(self) -> list[tuple[float, str | None, str]]:
        """(ts, use case, model) of every answer a user escalated from or retried on another model."""
        async with self.db.execute("SELECT e.ts, o.use_case, o.model FROM calls e JOIN calls o ON o.id = e.origin_id "
                                   "WHERE e.kind IN ('escalate', 'retry') AND e.parent_id IS NULL") as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def replace_stats(self, rows: list[tuple]) -> None:
        async with self.transaction() as db:
            await db.execute("DELETE FROM stats")
            await db.executemany(_UPSERT, rows)

    # -- thumbs and votes ------------------------------------------------------------------------
    async def thumb_rows(self) -> list[tuple[float, str, str | None, str]]:
        """(ts, value, use case, model) of every thumb, with the call it rates."""
        async with self.db.execute("SELECT v.ts, v.value, c.use_case, c.model FROM votes v "
                                   "JOIN calls c ON c.id = v.call_id WHERE v.kind = 'thumb'") as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def vote_rows(self, use_case: str | None = None) -> list[tuple[float, str, list[str], str | None]]:
        """(ts, value, models in slot order, use case) of every tournament vote."""
        sql = ("SELECT v.ts, v.value, t.models, t.use_case FROM votes v JOIN tournaments t ON t.id = v.tournament_id "
               "WHERE v.kind = 'vote'" + (" AND t.use_case = ?" if use_case else ""))
        async with self.db.execute(sql, (use_case,) if use_case else ()) as cur:
            return [(ts, value, json.loads(models), uc) for ts, value, models, uc in await cur.fetchall()]

    async def votes(self, tournament_id: str | None = None, call_id: int | None = None,
                    kind: str | None = None) -> list[dict]:
        clauses = [(c, a) for c, a in (("tournament_id = ?", tournament_id), ("call_id = ?", call_id),
                                       ("kind = ?", kind)) if a is not None]
        where = " WHERE " + " AND ".join(c for c, _ in clauses) if clauses else ""
        async with self.db.execute(f"SELECT * FROM votes{where} ORDER BY id", [a for _, a in clauses]) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def feedback_of(self, call_ids: list[int], tournament_ids: list[str]) -> list[dict]:
        """Thumbs on these calls and votes on these tournaments, oldest first (what an export carries)."""
        out: list[dict] = []
        for column, keys in (("call_id", call_ids), ("tournament_id", tournament_ids)):
            keys = sorted(set(k for k in keys if k is not None))
            for i in range(0, len(keys), 500):  # (SQLite's bound-variable limit)
                part = keys[i:i + 500]
                async with self.db.execute(f"SELECT * FROM votes WHERE {column} IN ({','.join('?' * len(part))}) "
                                           f"ORDER BY id", part) as cur:
                    out += [dict(r) for r in await cur.fetchall()]
        return sorted({r["id"]: r for r in out}.values(), key=lambda r: r["id"])

    async def add_vote(self, kind: str, value: str, *, call_id: int | None = None,
                       tournament_id: str | None = None, session: str | None = None, note: str | None = None,
                       ts: float | None = None) -> int:
        async with self.transaction() as db:
            cur = await db.execute(
                "INSERT INTO votes (ts, session, call_id, tournament_id, kind, value, note) VALUES (?,?,?,?,?,?,?)",
                (ts or time.time(), session, call_id, tournament_id, kind, value, note))
            return cur.lastrowid

    async def delete_votes(self, ids: list[int]) -> None:
        async with self.transaction() as db:
            await db.executemany("DELETE FROM votes WHERE id = ?", [(i,) for i in ids])

    # -- tournaments -----------------------------------------------------------------------------
    async def save_tournament(self, tid: str, session: str, prompt: str, models: list[str], use_case: str,
                              verdict: dict | None) -> None:
        async with self.transaction() as db:
            await db.execute(
                "INSERT OR REPLACE INTO tournaments (id, ts, session, prompt, models, verdict, use_case) "
                "VALUES (?,?,?,?,?,?,?)", (tid, time.time(), session, prompt, json.dumps(models),
                                           json.dumps(verdict) if verdict else None, use_case))

    async def get_tournament(self, tid: str) -> dict | None:
        async with self.db.execute("SELECT * FROM tournaments WHERE id = ?", (tid,)) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        d = dict(row)
        d["models"] = json.loads(d["models"])
        d["verdict"] = json.loads(d["verdict"]) if d["verdict"] else None
        return d

    # -- discovered use cases --------------------------------------------------------------------
    async def clusters(self) -> list[dict]:
        async with self.db.execute("SELECT * FROM use_case_clusters ORDER BY size DESC") as cur:
            rows = [dict(r) for r in await cur.fetchall()]
        for r in rows:
            r["terms"], r["centroid"], r["idf"] = json.loads(r["terms"]), json.loads(r["centroid"]), json.loads(r["idf"])
        return rows

    async def replace_discovered(self, found: list[dict]) -> None:
        """Swap the discovered clusters for `found`; renamed (kept) ones stay, names stay unique."""
        async with self.transaction() as db:
            await db.execute("DELETE FROM use_case_clusters WHERE kept = 0")
            async with db.execute("SELECT name FROM use_case_clusters") as cur:
                taken = {r[0] for r in await cur.fetchall()}
            for c in found:
                name, i = c["name"], 2
                while name in taken:
                    name, i = f"{c['name']}-{i}", i + 1
                taken.add(name)
                await db.execute(
                    "INSERT INTO use_case_clusters (name, terms, centroid, idf, size, kept, created, vec) VALUES (?,?,?,?,?,0,?,?)",
                    (name, json.dumps(c["terms"]), json.dumps(c["centroid"]), json.dumps(c["idf"]), c["size"],
                     time.time(), c.get("vec")))

    async def rename_cluster(self, old: str, new: str) -> bool:
        """Rename (and keep) a discovered use case; False when there is none by that name."""
        async with self.transaction() as db:
            cur = await db.execute("UPDATE use_case_clusters SET name = ?, kept = 1 WHERE name = ?", (new, old))
            return cur.rowcount > 0
