"""Rebuild the running statistics from the log: replay every call, thumb and vote in time order
through the same update the live path uses."""

from __future__ import annotations

import json

from modeltui.learning import stats

BATCH = 20_000


async def rebuild(store) -> int:
    """Recompute the `stats` table; returns the number of events replayed."""
    events: list[tuple[float, str, str, stats.Obs]] = []
    async with store.db.execute("SELECT ts, use_case, model, status, latency_ms, cost_usd FROM calls "
                                "WHERE status != 'cancelled'") as cur:
        while batch := await cur.fetchmany(BATCH):
            events += [(ts, uc or "general", m, stats.Obs(ts=ts, status=st, latency_ms=lat, cost_usd=cost))
                       for ts, uc, m, st, lat, cost in batch]
    async with store.db.execute("SELECT v.ts, v.value, c.use_case, c.model FROM votes v JOIN calls c ON c.id = v.call_id "
                                "WHERE v.kind = 'thumb'") as cur:
        for ts, value, uc, m in await cur.fetchall():
            up = value == "+1"
            events.append((ts, uc or "general", m, stats.Obs(ts=ts, up=float(up), down=float(not up))))
    async with store.db.execute(
            "SELECT v.ts, v.value, t.models, (SELECT c.use_case FROM calls c WHERE c.tournament_id = t.id LIMIT 1) "
            "FROM votes v JOIN tournaments t ON t.id = v.tournament_id WHERE v.kind = 'vote'") as cur:
        for ts, value, models, uc in await cur.fetchall():
            for m in json.loads(models):
                s, f = (0.5, 0.0) if value == "tie" else (0.0, 1.0) if value == "all_bad" else \
                    ((1.0, 0.0) if m == value else (0.0, 1.0))
                events.append((ts, uc or "general", m, stats.Obs(ts=ts, success=s, failure=f)))
    events.sort(key=lambda e: e[0])
    rows: dict[tuple[str, str], dict] = {}
    for _, uc, m, obs in events:
        rows[(uc, m)] = stats.apply(rows.get((uc, m)), obs, store.half_life_s)
    async with store.transaction() as db:
        await db.execute("DELETE FROM stats")
        await db.executemany(stats.UPSERT, [stats.to_db(uc, m, r) for (uc, m), r in rows.items()])
    return len(events)
