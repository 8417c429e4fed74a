"""Budget queries: what is spent and reserved, and the reservations themselves."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class SpendSums:
    month: float
    today: float
    session: float
    reserved: float
    reserved_session: float


class SpendQueries:
    async def spend_sums(self, month_start: float, day_start: float, session: str) -> SpendSums:
        """Spend since the month and day started, in the session, and reserved now (one read, so
        inside a transaction the figures and a following reservation agree)."""
        sql = """SELECT
            (SELECT COALESCE(SUM(cost_usd), 0) FROM calls WHERE ts >= :month),
            (SELECT COALESCE(SUM(cost_usd), 0) FROM calls WHERE ts >= :day),
            (SELECT COALESCE(SUM(cost_usd), 0) FROM calls WHERE session = :s),
            (SELECT COALESCE(SUM(amount_usd), 0) FROM reservations),
            (SELECT COALESCE(SUM(amount_usd), 0) FROM reservations WHERE session = :s)"""
        async with self.db.execute(sql, {"month": month_start, "day": day_start, "s": session}) as cur:
            return SpendSums(*await cur.fetchone())

    async def kind_spend(self, kind: str, since: float) -> tuple[float, float]:
        """(spend on calls of `kind`, all spend) since `since`."""
        async with self.db.execute(
                "SELECT COALESCE(SUM(CASE WHEN kind = ? THEN cost_usd END), 0), COALESCE(SUM(cost_usd), 0) "
                "FROM calls WHERE ts >= ?", (kind, since)) as cur:
            return tuple(await cur.fetchone())

    async def add_reservation(self, session: str, model: str, amount: float) -> int:
        async with self.transaction() as db:
            cur = await db.execute("INSERT INTO reservations (ts, session, pid, model, amount_usd) VALUES (?,?,?,?,?)",
                                   (time.time(), session, os.getpid(), model, amount))
            return cur.lastrowid

    async def delete_reservation(self, reservation_id: int) -> None:
        async with self.transaction() as db:
            await db.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))

    async def reservation_rows(self) -> list[tuple[int, int, float]]:
        """(id, pid, ts) of every reservation, for reclaiming those of dead processes."""
        async with self.db.execute("SELECT id, pid, ts FROM reservations") as cur:
            return [tuple(r) for r in await cur.fetchall()]

    async def delete_reservations(self, ids: list[int]) -> None:
        async with self.transaction() as db:
            await db.executemany("DELETE FROM reservations WHERE id = ?", [(i,) for i in ids])

    async def spend_by_model(self, since: float) -> list[dict]:
        async with self.db.execute(
                "SELECT model, COUNT(*) AS calls, COALESCE(SUM(cost_usd), 0) AS cost_usd FROM calls "
                "WHERE ts >= ? GROUP BY model ORDER BY cost_usd DESC", (since,)) as cur:
            return [dict(r) for r in await cur.fetchall()]
