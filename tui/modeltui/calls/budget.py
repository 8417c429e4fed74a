"""Budget ledger: monthly, daily and per-session caps enforced by reservations in the log.

A call reserves its worst case (estimated input x input price + max_tokens x output price)
before it is sent, inside one write transaction that also sums what is spent and reserved, so
parallel calls — even from several processes — can never together pass a cap. Logging the
attempt deletes its reservation in the same transaction (the store does it), which settles it
to the actual cost, or releases it on error and cancel.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from modeltui.settings.config import Budget
from modeltui.store import SpendSums, Store
from modeltui.vocab import CallKind

STALE_AFTER_S = 6 * 3600  # a reservation this old is reclaimed even if its pid is alive (reused)


@dataclass
class Reservation:
    id: int
    model: str
    amount: float
    settled: bool = False  # a logged row took it over (or it was released)


@dataclass(frozen=True)
class BudgetFigures:
    """What the meter and `modeltui budget` show."""

    session_usd: float
    today_usd: float
    month_usd: float
    reserved_usd: float
    monthly_cap_usd: float | None
    daily_cap_usd: float | None
    session_cap_usd: float | None
    left_usd: float | None
    month_boundary: str
    learning_usd: float = 0.0  # this month's shadow checks (part of month_usd)


def period_starts(boundary: str, now: float | None = None) -> tuple[float, float]:
    """Unix times of the start of this month and of today, in UTC or local time."""
    now = time.time() if now is None else now
    tz = timezone.utc if boundary == "utc" else None
    dt = datetime.fromtimestamp(now, tz) if tz else datetime.fromtimestamp(now)
    day = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(day=1).timestamp(), day.timestamp()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Ledger:
    def __init__(self, store: Store, budget: Budget, session: str):
        self.store = store
        self.budget = budget
        self.session = session

    @property
    def capped(self) -> bool:
        b = self.budget
        return any(x is not None for x in (b.monthly_usd, b.daily_usd, b.session_usd))

    async def _sums(self) -> SpendSums:
        month, day = period_starts(self.budget.month_boundary)
        return await self.store.spend_sums(month, day, self.session)

    def _left(self, sums: SpendSums) -> float | None:
        b = self.budget
        lefts = []
        if b.monthly_usd is not None:
            lefts.append(b.monthly_usd - sums.month - sums.reserved)
        if b.daily_usd is not None:
            lefts.append(b.daily_usd - sums.today - sums.reserved)
        if b.session_usd is not None:
            lefts.append(b.session_usd - sums.session - sums.reserved_session)
        return max(0.0, min(lefts)) if lefts else None

    async def left(self) -> float | None:
        """USD that may still be reserved under every cap; None when there is no cap."""
        return self._left(await self._sums()) if self.capped else None

    async def reserve(self, model: str, amount: float) -> Reservation | None:
        """Reserve `amount` for a call to `model`, or None if it no longer fits (another call got there first)."""
        rid = None
        try:
            async with self.store.transaction():  # the sums and the insert under one lock
                left = self._left(await self._sums()) if self.capped else None
                if left is not None and amount > left + 1e-12:
                    return None
                rid = await self.store.add_reservation(self.session, model, amount)
        except BaseException:  # cancelled around the commit: the caller never gets it, so drop it
            if rid is not None:
                await asyncio.shield(self.store.delete_reservation(rid))
            raise
        return Reservation(rid, model, amount)

    async def release(self, res: Reservation) -> None:
        """Drop a reservation whose call was never logged (e.g. it failed before sending)."""
        await self.store.delete_reservation(res.id)
        res.settled = True

    async def reclaim_stale(self) -> int:
        """Drop reservations left by processes that died mid-call (run at start)."""
        now = time.time()
        dead = [rid for rid, pid, ts in await self.store.reservation_rows()
                if not _alive(pid) or ts < now - STALE_AFTER_S]
        if dead:
            await self.store.delete_reservations(dead)
        return len(dead)

    async def figures(self) -> BudgetFigures:
        """Spend figures for the meter and `modeltui budget`."""
        sums = await self._sums()
        b = self.budget
        return BudgetFigures(session_usd=sums.session, today_usd=sums.today, month_usd=sums.month,
                             reserved_usd=sums.reserved, monthly_cap_usd=b.monthly_usd, daily_cap_usd=b.daily_usd,
                             session_cap_usd=b.session_usd, left_usd=self._left(sums), month_boundary=b.month_boundary,
                             learning_usd=(await self.store.kind_spend(CallKind.SHADOW, period_starts(b.month_boundary)[0]))[0])

    async def by_model(self) -> list[dict]:
        """This month's calls and spend per model, dearest first."""
        return await self.store.spend_by_model(period_starts(self.budget.month_boundary)[0])
