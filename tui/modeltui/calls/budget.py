"""Budget ledger: monthly, daily and per-session caps enforced by reservations in the log.

A call reserves its worst case (estimated input x input price + max_tokens x output price)
before it is sent, inside one write transaction that also sums what is spent and reserved and
writes the attempt's row (status `started`): parallel calls, even from several processes, can
never together pass a cap, and no request leaves without its row. Logging the attempt completes
the row and deletes the reservation in one transaction, which settles it to the actual cost.

A reservation is a lease: it carries its owner's token and an expiry the owner renews (every
third of `[budget] lease_s`) while its calls run. A lease that expired belongs to a process that
died, whatever process ids it can or cannot see (containers, a second PID namespace): its call
is charged as `lost` at the reservation, never deleted, so the cap stays conservative.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from modeltui.errors import StoreError
from modeltui.settings.config import Budget
from modeltui.store import CallRecord, DatabaseError, SpendSums, Store
from modeltui.vocab import CallKind, Status

if TYPE_CHECKING:  # (psycopg loads only in team mode)
    from modeltui.team import TeamFigures

LOST_WHY = "its process stopped before it logged the call (its lease ran out): charged at its reservation"


@dataclass
class Reservation:
    id: int
    model: str
    amount: float
    call_id: int | None = None  # the attempt's row, written `started` with the reservation
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
    month_calls: int = 0  # every call of the month (store/spend.py: the one definition)
    month_unpriced_calls: int = 0  # of them, with no known price: not in month_usd, counted apart
    team: TeamFigures | None = None  # team mode: the team's month and each member's (calls/team_ledger.py)
    team_offline: str | None = None  # team mode: why the team database cannot be had now (nothing is sent)


def period_starts(boundary: str, now: float | None = None) -> tuple[float, float]:
    """Unix times of the start of this month and of today, in UTC or local time."""
    now = time.time() if now is None else now
    tz = timezone.utc if boundary == "utc" else None
    dt = datetime.fromtimestamp(now, tz) if tz else datetime.fromtimestamp(now)
    day = dt.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(day=1).timestamp(), day.timestamp()


class Ledger:
    def __init__(self, store: Store, budget: Budget, session: str):
        self.store = store
        self.budget = budget
        self.session = session
        self.owner = uuid.uuid4().hex  # this ledger's leases; no process id is trusted
        self.lease_s = budget.lease_s
        self._live: set[int] = set()  # reservations of ours still held
        self._renewer: asyncio.Task | None = None

    # team mode: why the team database cannot be had now (None: it can, or no team); the one
    # owner of that state is calls/team_ledger.py, which tells `watch`ers when it changes
    offline: str | None = None

    def watch(self, callback) -> None:
        """`callback(offline)` whenever `offline` changes (the app shows it; a local ledger never does)."""

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

    async def reserve(self, model: str, amount: float, row: CallRecord) -> Reservation | None:
        """Reserve `amount` for a call to `model` and write its row (`row`, status `started`), or
        None if it no longer fits (another call got there first). A log that cannot take the
        row (a full disk) refuses the call here, before anything is sent."""
        rid = call_id = None
        try:
            async with self.store.transaction():  # the sums, the row and the reservation under one lock
                await self._charge_expired()
                left = self._left(await self._sums()) if self.capped else None
                if left is not None and amount > left + 1e-12:
                    return None
                call_id = await self.store.insert_call(replace(row, model=model, status=Status.STARTED, cost_usd=None))
                rid = await self.store.add_reservation(self.session, model, amount, self.owner,
                                                       time.time() + self.lease_s, call_id)
        except DatabaseError as exc:
            raise StoreError(f"{self.store.path}: the log cannot be written ({exc}); nothing was sent") from None
        except BaseException:  # cancelled around the commit: the caller never gets it, so drop it
            if rid is not None:
                await asyncio.shield(self._drop(rid, call_id))
            raise
        self._hold(rid)
        return Reservation(rid, model, amount, call_id)

    async def release(self, res: Reservation) -> None:
        """Drop a reservation whose request never left, and its `started` row."""
        await self._drop(res.id, res.call_id)
        res.settled = True

    async def logged(self, res: Reservation, rec: CallRecord) -> None:
        """The attempt's row `rec` was logged with the reservation (the engine's last step)."""
        self.settled(res)

    def settled(self, res: Reservation) -> None:
        """A logged row took the reservation over (the store deleted it with the row)."""
        res.settled = True
        self._live.discard(res.id)

    async def _drop(self, rid: int, call_id: int | None) -> None:
        async with self.store.transaction():
            await self.store.delete_reservation(rid)
            if call_id is not None:
                await self.store.delete_call(call_id)
        self._live.discard(rid)

    async def reclaim_stale(self) -> int:
        """Charge the calls of expired leases as lost (run at start, and before every reservation)."""
        async with self.store.transaction():
            return await self._charge_expired()

    async def _charge_expired(self) -> int:
        expired = await self.store.expired_reservations(time.time())
        for lease in expired:
            await self.store.charge_lost(lease, LOST_WHY)
        return len(expired)

    # -- leases ---------------------------------------------------------------------------------
    def _hold(self, rid: int) -> None:
        self._live.add(rid)
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.ensure_future(self._renew())

    async def _renew(self) -> None:
        """While any reservation of ours is held, push our leases' expiry forward. A renewal that
        fails (a full disk) lets the lease run out: the call is then charged in full, the safe side."""
        while self._live:
            await asyncio.sleep(self.lease_s / 3)
            if not self._live:
                break
            await self.renew_once()

    async def renew_once(self) -> None:
        """One renewal of every lease of ours (a ledger that holds leases elsewhere adds its own)."""
        try:
            await self.store.renew_leases(self.owner, time.time() + self.lease_s)
        except DatabaseError:
            pass

    async def close(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            await asyncio.gather(self._renewer, return_exceptions=True)

    async def figures(self) -> BudgetFigures:
        """Spend figures for the meter and `modeltui budget`."""
        sums = await self._sums()
        b = self.budget
        return BudgetFigures(session_usd=sums.session, today_usd=sums.today, month_usd=sums.month,
                             reserved_usd=sums.reserved, monthly_cap_usd=b.monthly_usd, daily_cap_usd=b.daily_usd,
                             session_cap_usd=b.session_usd, left_usd=self._left(sums), month_boundary=b.month_boundary,
                             learning_usd=(await self.store.kind_spend(CallKind.SHADOW, period_starts(b.month_boundary)[0]))[0],
                             month_calls=sums.month_calls, month_unpriced_calls=sums.month_unpriced)

    async def by_model(self) -> list[dict]:
        """This month's calls and spend per model, dearest first."""
        return await self.store.spend_by_model(period_starts(self.budget.month_boundary)[0])
