"""Queries for per-prompt learning: each routed prompt's embedding and the evidence about the
answer a call got, in the order it was given (the auto tier's prompt model replays it, joined
with the embeddings; a rebuild of the statistics replays the kinds no other table holds)."""

from __future__ import annotations

from typing import NamedTuple


class LastAnswer(NamedTuple):
    call_id: int
    model: str
    use_case: str | None
    ts: float
    vec: bytes | None  # the prompt's embedding, if it had one


_EVIDENCE = ("INSERT INTO prompt_evidence (call_id, model, use_case, ts, source, success, failure) "
             "VALUES (?, ?, ?, ?, ?, ?, ?)")


class PromptQueries:
    async def _add_prompt_vector(self, call_id: int, blob: bytes) -> None:
        """Inside the caller's transaction (the call's own)."""
        await self.db.execute("INSERT OR REPLACE INTO prompt_vectors (call_id, vec) VALUES (?, ?)", (call_id, blob))

    async def add_prompt_evidence(self, rows: list[tuple[int, str, str, float, str, float, float]]) -> None:
        """(call id, model, use case, ts, source, success, failure) each, when it weighs something
        (retractions are not kept: the prompt model cannot unlearn; thumbs and votes keep their own
        tables for the statistics)."""
        keep = [r for r in rows if r[5] > 0 or r[6] > 0]
        if keep:
            async with self.transaction() as db:
                await db.executemany(_EVIDENCE, keep)

    async def prompt_evidence_after(self, after_id: int, limit: int) -> list[tuple]:
        """(id, model, use case, success, failure, vector blob), oldest first, after `after_id`;
        from the newest `limit` when more are waiting (old evidence has decayed anyway)."""
        async with self.db.execute("SELECT MAX(id) FROM prompt_evidence") as cur:
            top = (await cur.fetchone())[0] or 0
        after_id = max(after_id, top - limit)
        async with self.db.execute(
                "SELECT e.id, e.model, e.use_case, e.success, e.failure, v.vec FROM prompt_evidence e "
                "JOIN prompt_vectors v ON v.call_id = e.call_id WHERE e.id > ? ORDER BY e.id", (after_id,)) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def evidence_without_table(self, sources: tuple[str, ...]) -> list[tuple[float, str, str, float, float]]:
        """(ts, use case, model, success, failure) of evidence only this table holds (what users
        did unasked, shadow checks, judges), oldest first: a rebuild of the statistics replays it."""
        marks = ", ".join("?" * len(sources))
        async with self.db.execute(f"SELECT ts, use_case, model, success, failure FROM prompt_evidence "
                                   f"WHERE source IN ({marks}) ORDER BY id", sources) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def prompt_vector(self, call_id: int) -> bytes | None:
        async with self.db.execute("SELECT vec FROM prompt_vectors WHERE call_id = ?", (call_id,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def last_answer(self, conversation: str) -> LastAnswer | None:
        """The conversation's latest answered call."""
        async with self.db.execute(
                "SELECT c.id, c.model, c.use_case, c.ts, v.vec FROM calls c LEFT JOIN prompt_vectors v ON v.call_id = c.id "
                "WHERE c.conversation = ? AND c.status = 'ok' ORDER BY c.id DESC LIMIT 1", (conversation,)) as cur:
            row = await cur.fetchone()
        return LastAnswer(*row) if row else None
