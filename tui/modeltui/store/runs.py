"""Queries for pipeline runs and benchmark suites (flows/): a row per run, a row per step or
(prompt, model) with what its check said. The calls themselves stay in `calls`, tagged with the
run and step; an item keeps the totals over its attempts so comparisons read one table."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, fields


@dataclass
class RunItem:
    run_id: str
    item: str  # the step's name, or the suite prompt's id
    status: str  # ok, error, skipped
    rep: int = 0
    attempt: int = 0
    use_case: str | None = None
    model: str | None = None
    call_id: int | None = None
    passed: bool | None = None
    note: str | None = None
    cost_usd: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: float | None = None


_ITEM_COLS = [f.name for f in fields(RunItem)]
_INSERT_ITEM = f"INSERT INTO run_items ({', '.join(_ITEM_COLS)}) VALUES ({', '.join('?' * len(_ITEM_COLS))})"


class RunQueries:
    async def create_run(self, run_id: str, kind: str, name: str, variant: str | None = None,
                         ab_id: str | None = None, input_text: str | None = None, repeat: int = 1) -> None:
        async with self.transaction() as db:
            await db.execute("INSERT INTO runs (id, kind, name, variant, ab_id, input, repeat, ts, status) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running')",
                             (run_id, kind, name, variant, ab_id, input_text, repeat, time.time()))

    async def add_run_item(self, item: RunItem) -> None:
        d = asdict(item)
        d["passed"] = None if item.passed is None else int(item.passed)
        async with self.transaction() as db:
            await db.execute(_INSERT_ITEM, [d[c] for c in _ITEM_COLS])

    async def finish_run(self, run_id: str, status: str, error: str | None = None) -> None:
        async with self.transaction() as db:
            await db.execute("UPDATE runs SET status = ?, error = ? WHERE id = ?", (status, error, run_id))

    async def find_runs(self, ref: str) -> list[dict]:
        """Runs whose id is `ref` or starts with it (ids are long; a prefix is what people type)."""
        async with self.db.execute("SELECT * FROM runs WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY ts",
                                   (ref, ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def ab_partner(self, run: dict) -> dict | None:
        """The other variant of the A/B `run` belongs to (None when it is not part of one)."""
        if not run.get("ab_id"):
            return None
        async with self.db.execute("SELECT * FROM runs WHERE ab_id = ? AND id != ? LIMIT 1", (run["ab_id"], run["id"])) as cur:
            row = await cur.fetchone()
        return dict(row) if row else None

    async def run_items(self, run_id: str) -> list[dict]:
        async with self.db.execute("SELECT * FROM run_items WHERE run_id = ? ORDER BY rep, id", (run_id,)) as cur:
            return [dict(r) for r in await cur.fetchall()]

    async def recent_runs(self, kind: str | None = None, limit: int = 50) -> list[dict]:
        """Newest first, with each run's item count and cost."""
        where, args = ("WHERE r.kind = ?", (kind,)) if kind else ("", ())
        async with self.db.execute(
                f"SELECT r.*, COUNT(i.id) AS items, SUM(i.cost_usd) AS cost_usd FROM runs r "
                f"LEFT JOIN run_items i ON i.run_id = r.id {where} GROUP BY r.id ORDER BY r.ts DESC LIMIT ?",
                (*args, limit)) as cur:
            return [dict(r) for r in await cur.fetchall()]
