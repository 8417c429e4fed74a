"""Budget queries: what is spent and reserved, and the reservations themselves."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Lease:
    """A reservation as the ledger reclaims it."""

    id: int
    call_id: int | None
    session: str
    model: str
    amount: float


@dataclass(frozen=True)
class SpendSums:
    month: float
    today: float
    session: float
    reserved: float
    reserved_session: float
    month_calls: int = 0
    month_unpriced: int = 0  # calls this month with no known price (not counted in `month`, listed apart)


class SpendQueries:
    async def spend_sums(self, month_start: float, day_start: float, session: str) -> SpendSums:
        """Spend since the month and day started, in the session, and reserved now (one read, so
        inside a transaction the figures and a following reservation agree).

        The one definition of "this month's spend": every call since the month started that
        cost money, whatever its kind (chat, retry, tournament, shadow, check, judge, bench,
        pipeline, api) or status (ok, error, cancelled, lost). The meter, `budget`, `savings`,
        rankings and exports all read it here."""
        sql = """SELECT
            (SELECT COALESCE(SUM(cost_usd), 0) FROM calls WHERE ts >= :month),
            (SELECT COALESCE(SUM(cost_usd), 0) FROM calls WHERE ts >= :day),
            (SELECT COALESCE(SUM(cost_usd), 0) FROM calls WHERE session = :s),
            (SELECT COALESCE(SUM(amount_usd), 0) FROM reservations),
            (SELECT COALESCE(SUM(amount_usd), 0) FROM reservations WHERE session = :s),
            (SELECT COUNT(*) FROM calls WHERE ts >= :month AND status != 'started'),
            (SELECT COUNT(*) FROM calls WHERE ts >= :month AND cost_usd IS NULL AND status != 'started')"""
        async with self.db.execute(sql, {"month": month_start, "day": day_start, "s": session}) as cur:
            return SpendSums(*await cur.fetchone())

    async def kind_spend(self, kind: str, since: float) -> tuple[float, float]:
        """(spend on calls of `kind`, all spend) since `since`."""
        async with self.db.execute(
                "SELECT COALESCE(SUM(CASE WHEN kind = ? THEN cost_usd END), 0), COALESCE(SUM(cost_usd), 0) "
                "FROM calls WHERE ts >= ?", (kind, since)) as cur:
            return tuple(await cur.fetchone())

    async def add_reservation(self, session: str, model: str, amount: float, owner: str, expires: float,
                              call_id: int | None) -> int:
        async with self.transaction() as db:
            cur = await db.execute("INSERT INTO reservations (ts, session, pid, model, amount_usd, owner, expires, call_id) "
                                   "VALUES (?,?,?,?,?,?,?,?)",
                                   (time.time(), session, os.getpid(), model, amount, owner, expires, call_id))
            return cur.lastrowid

    async def delete_reservation(self, reservation_id: int) -> None:
        async with self.transaction() as db:
            await db.execute("DELETE FROM reservations WHERE id = ?", (reservation_id,))

    async def renew_leases(self, owner: str, expires: float) -> None:
        async with self.transaction() as db:
            await db.execute("UPDATE reservations SET expires = ? WHERE owner = ?", (expires, owner))

    async def expired_reservations(self, now: float) -> list[Lease]:
        async with self.db.execute("SELECT id, call_id, session, model, amount_usd FROM reservations "
                                   "WHERE expires < ?", (now,)) as cur:
            return [Lease(*r) for r in await cur.fetchall()]

    async def charge_lost(self, lease: Lease, why: str) -> None:
        """A reservation whose owner stopped renewing it: its call becomes `lost`, charged at the
        reservation (marked estimated), and the reservation goes, in one transaction."""
        async with self.transaction() as db:
            cur = await db.execute(
                "UPDATE calls SET status = 'lost', cost_usd = ?, tokens_estimated = 1, error_kind = 'lost', "
                "error_message = ? WHERE id = ? AND status = 'started'", (lease.amount, why, lease.call_id))
            if cur.rowcount == 0:  # no started row (or it was completed meanwhile and is charged already)
                done = await db.execute("SELECT 1 FROM calls WHERE id = ?", (lease.call_id,))
                if await done.fetchone() is None:
                    await db.execute("INSERT INTO calls (ts, session, kind, model, provider, status, cost_usd, "
                                     "tokens_estimated, error_kind, error_message) VALUES (?,?,?,?,?,?,?,?,?,?)",
                                     (time.time(), lease.session, "chat", lease.model, "", "lost", lease.amount, 1,
                                      "lost", why))
            await db.execute("DELETE FROM reservations WHERE id = ?", (lease.id,))

    async def spend_by_model(self, since: float) -> list[dict]:
        async with self.db.execute(
                "SELECT model, COUNT(*) AS calls, SUM(cost_usd) AS cost_usd, COUNT(*) - COUNT(cost_usd) AS unpriced "
                "FROM calls WHERE ts >= ? AND status != 'started' GROUP BY model "
                "ORDER BY COALESCE(SUM(cost_usd), -1) DESC", (since,)) as cur:  # cost NULL: every call unpriced
            return [dict(r) for r in await cur.fetchall()]
