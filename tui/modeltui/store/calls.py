"""Queries over the call log: recent calls, one call, a period or session, sessions, search."""

from __future__ import annotations

from modeltui.vocab import GENERAL, CallKind

# the kinds a person's conversation is made of, as SQL (constants of ours, never user input)
_CONVERSATION = "(" + ", ".join(f"'{k}'" for k in CallKind.conversation()) + ")"


def _where(clauses: list[tuple[str, object]]) -> tuple[str, list]:
    used = [(sql, arg) for sql, arg in clauses if arg is not None]
    return (" WHERE " + " AND ".join(s for s, _ in used) if used else ""), [a for _, a in used]


class CallQueries:
    async def recent(self, limit: int = 20, session: str | None = None) -> list[dict]:
        where, args = _where([("session = ?", session)])
        async with self.db.execute(f"SELECT * FROM calls{where} ORDER BY id DESC LIMIT ?", [*args, limit]) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def get_call(self, call_id: int) -> dict | None:
        async with self.db.execute("SELECT * FROM calls WHERE id = ?", (call_id,)) as cur:
            row = await cur.fetchone()
        return dict(row) if row else None

    async def select_calls(self, session: str | None = None, since: float | None = None,
                           until: float | None = None) -> list[dict]:
        where, args = _where([("session = ?", session), ("ts >= ?", since), ("ts < ?", until)])
        async with self.db.execute(f"SELECT * FROM calls{where} ORDER BY id", args) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def sessions(self, limit: int = 20, offset: int = 0) -> list[dict]:
        """Past sessions, newest first, paged."""
        async with self.db.execute(
            "SELECT session, MIN(ts) AS started, MAX(ts) AS ended, COUNT(*) AS calls, SUM(cost_usd) AS cost_usd "
            "FROM calls GROUP BY session ORDER BY started DESC LIMIT ? OFFSET ?", (limit, offset)) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def search(self, text: str, limit: int = 50) -> list[dict]:
        """Calls whose prompt or answer has every word of `text` (FTS5; words are taken literally,
        a trailing * matches a prefix), best match first, with a `snippet` whose matched words are
        between vocab.words.HIT and END."""
        words = [w for w in text.split() if w.strip('"*')]
        if not words:
            return []
        query = " ".join('"' + w.rstrip("*").replace('"', '""') + '"' + ("*" if w.endswith("*") else "") for w in words)
        async with self.db.execute(
                "SELECT c.*, snippet(calls_fts, -1, char(2), char(3), '…', 12) AS snippet FROM calls_fts "
                "JOIN calls c ON c.id = calls_fts.rowid WHERE calls_fts MATCH ? ORDER BY rank LIMIT ?",
                (query, limit)) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def conversations(self, limit: int = 20, offset: int = 0) -> list[dict]:
        """Past conversations, newest first, paged: the app's conversations, and each session's
        calls from before conversations were logged (or from the CLI) as one."""
        async with self.db.execute(
                "SELECT COALESCE(conversation, 'session:' || session) AS conversation, MIN(ts) AS started, "
                "MAX(ts) AS ended, SUM(parent_id IS NULL) AS prompts, SUM(cost_usd) AS cost_usd, MIN(id) AS first_id, "
                "MIN(kind) AS kind, MAX(client) AS client "
                f"FROM calls WHERE kind IN {_CONVERSATION} GROUP BY 1 "
                "ORDER BY ended DESC LIMIT ? OFFSET ?", (limit, offset)) as cur:
            rows = [dict(r) for r in await cur.fetchall()]
        for r in rows:
            async with self.db.execute("SELECT prompt FROM calls WHERE id = ?", (r["first_id"],)) as cur:
                r["title"] = ((await cur.fetchone())[0] or "").strip().splitlines()[0][:80] if r["first_id"] else ""
        return rows

    async def conversation_calls(self, conversation: str) -> list[dict]:
        """The answered exchanges of a conversation (see `conversations`), oldest first."""
        where = ("session = ? AND conversation IS NULL" if conversation.startswith("session:")
                 else "conversation = ?")
        key = conversation.removeprefix("session:")
        async with self.db.execute(f"SELECT * FROM calls WHERE {where} AND status = 'ok' AND "
                                   f"kind IN {_CONVERSATION} ORDER BY id", (key,)) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def token_rows(self, limit: int = 5000) -> list[tuple[str | None, int, int]]:
        """(use case, tokens in, tokens out) of the latest successful calls (typical sizes)."""
        async with self.db.execute("SELECT use_case, tokens_in, tokens_out FROM calls WHERE status = 'ok' "
                                   "ORDER BY id DESC LIMIT ?", (limit,)) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def calls_per_use_case(self) -> dict[str, int]:
        async with self.db.execute("SELECT COALESCE(use_case, ?), COUNT(*) FROM calls GROUP BY 1", (GENERAL,)) as cur:
            return dict(await cur.fetchall())

    async def imported_refs(self, prefix: str) -> set[str]:
        """The source references (`step`) of the calls imported from elsewhere whose reference
        starts with `prefix`: what an import skips, so importing twice adds nothing."""
        async with self.db.execute("SELECT step FROM calls WHERE kind = ? AND step >= ? AND step < ?",
                                   (CallKind.IMPORTED, prefix, prefix + "\uffff")) as cur:
            return {r[0] for r in await cur.fetchall()}

    async def recent_prompts(self, limit: int) -> list[str]:
        """Prompts of the latest first attempts (fallback attempts repeat their prompt)."""
        async with self.db.execute("SELECT prompt FROM calls WHERE prompt IS NOT NULL AND parent_id IS NULL "
                                   "ORDER BY id DESC LIMIT ?", (limit,)) as cur:
            return [r[0] for r in await cur.fetchall()]

    async def conversation_turns(self, conversation: str, before_id: int) -> list[tuple[str, str]]:
        """(prompt, answer) of the answered exchanges of a conversation before a call, oldest first."""
        async with self.db.execute(
                "SELECT prompt, response FROM calls WHERE conversation = ? AND id < ? AND status = 'ok' "
                f"AND kind IN {_CONVERSATION} ORDER BY id", (conversation, before_id)) as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def tournament_calls(self, tournament_id: str) -> list[dict]:
        """Each entrant's last attempt in a tournament (the answer it showed)."""
        async with self.db.execute("SELECT * FROM calls WHERE tournament_id = ? AND kind = 'tournament' "
                                   "ORDER BY id", (tournament_id,)) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def tournament_call(self, tournament_id: str, model: str) -> int | None:
        """The id of `model`'s first attempt in a tournament."""
        async with self.db.execute("SELECT id FROM calls WHERE tournament_id = ? AND model = ? AND parent_id IS NULL",
                                   (tournament_id, model)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None
