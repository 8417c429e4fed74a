"""The ledger in team mode: the local SQLite ledger (the personal, full log and the local caps)
paired with the team's ledger in PostgreSQL (the team's cap and the member's), behind the same
interface as `Ledger`, so the engine does not know which one it holds.

Order of a call: the team reserves first (the one lock that holds across machines); then the
local ledger writes the attempt's row and its own reservation; a local refusal gives the team's
back. When the local row is logged, the team's reservation becomes the team's call row (texts
only with `share_text`). The team's leases are renewed with the local ones; a team step that
fails after the request left (the database went away) lets the lease run out, and the call is
charged as lost at its reservation: the team's cap stays conservative. A team step that fails
before anything left refuses the call (`TeamUnavailable`, exit 3).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from modeltui.calls.budget import BudgetFigures, Ledger, Reservation
from modeltui.errors import ModeltuiError
from modeltui.settings.config import Budget
from modeltui.store import CallRecord, Store
from modeltui.team import Settled, TeamBook, TeamDB


async def open_team_ledger(engine) -> TeamLedger:
    """Connect as the configured member, check the schema, and put the team's ledger and its
    shared evidence under `engine` (thumbs, votes and checks go out; the others' come in to
    the auto tier). One line if the database cannot be had."""
    cfg = engine.cfg
    db = TeamDB(cfg.team.url())
    try:
        await db.check_version()
    except BaseException:
        await db.close()
        raise
    ledger = TeamLedger(engine.store, cfg.budget, engine.session, TeamBook(db, cfg.team.member_name()),
                        cfg.team.share_text)
    engine.ledger = ledger
    engine.store.evidence_hooks.append(ledger.share_evidence)
    engine.team = TeamEvidence(ledger.book, engine.store.half_life_s)
    engine.knowledge.shared = engine.team.evidence
    return ledger


EVIDENCE_HALF_LIVES = 8  # older shared evidence weighs under 0.4 %: not read


class TeamEvidence:
    """What the team's database knows beyond this machine's log, as the auto tier, the rankings
    and the savings read it: the other members' calls and evidence (this member's own are in the
    local statistics already), and every member's answered calls for the savings."""

    def __init__(self, book: TeamBook, half_life_s: float):
        self.book = book
        self.half_life_s = half_life_s

    def _since(self) -> float:
        return time.time() - EVIDENCE_HALF_LIVES * self.half_life_s

    async def evidence(self) -> list[tuple[str, str, float, float, float]]:
        """The other members' thumbs, votes and checks (what the bandit samples from)."""
        return await self.book.shared_evidence(self._since())

    async def stats(self) -> list[tuple]:
        """The other members' aggregates per (use case, model), decayed as the local statistics are."""
        return await self.book.team_stats(self._since(), self.half_life_s)

    async def answered(self, since: float) -> list[tuple]:
        return await self.book.answered(since)

    async def members(self) -> int:
        return await self.book.member_count()


async def _finish(work) -> object:
    """Run `work` to its end even if we are cancelled meanwhile, then raise the cancel: a
    reservation the server committed must reach our books (or be given back)."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = cancelled or not task.done()
    if cancelled:
        if task.exception() is None and task.result() is not None:
            raise _Cancelled(task.result())
        raise asyncio.CancelledError
    return task.result()


class _Cancelled(asyncio.CancelledError):
    def __init__(self, value):
        super().__init__()
        self.value = value


class TeamLedger(Ledger):
    def __init__(self, store: Store, budget: Budget, session: str, book: TeamBook, share_text: bool = False):
        super().__init__(store, budget, session)
        self.book = book
        self.share_text = share_text
        self._team: dict[int, int] = {}  # local reservation id -> the team's

    @property
    def capped(self) -> bool:
        return True  # the team's cap always applies

    async def left(self) -> float | None:
        local = await super().left() if Ledger.capped.fget(self) else None
        team = (await self.book.figures()).left_for(self.book.member)
        return team if local is None else min(local, team)

    async def reserve(self, model: str, amount: float, row: CallRecord) -> Reservation | None:
        try:
            tid = await _finish(self.book.reserve(model, amount, self.owner, self.lease_s, self.session))
        except _Cancelled as late:  # committed on the server while we were cancelled: give it back
            await self._give_back(late.value)
            raise asyncio.CancelledError from None
        if tid is None:
            return None
        try:
            res = await super().reserve(model, amount, row)
        except BaseException:
            await asyncio.shield(self._give_back(tid))
            raise
        if res is None:
            await self._give_back(tid)
            return None
        self._team[res.id] = tid
        return res

    async def _give_back(self, tid: int) -> None:
        """A team reservation whose request never left; if the database is gone now, its lease
        runs out and it is charged as lost (the safe side)."""
        try:
            await self.book.release(tid)
        except ModeltuiError:
            pass

    async def release(self, res: Reservation) -> None:
        await super().release(res)
        if (tid := self._team.pop(res.id, None)) is not None:
            await self._give_back(tid)

    async def logged(self, res: Reservation, rec: CallRecord) -> None:
        self.settled(res)
        if (tid := self._team.pop(res.id, None)) is None:
            return
        share = self.share_text
        row = Settled(session=rec.session, kind=rec.kind, model=rec.model, provider=rec.provider, status=rec.status,
                      tier=rec.tier, use_case=rec.use_case, tokens_in=rec.tokens_in, tokens_out=rec.tokens_out,
                      tokens_estimated=bool(rec.tokens_estimated), cost_usd=rec.cost_usd, latency_ms=rec.latency_ms,
                      error_kind=rec.error_kind, prompt=rec.prompt if share else None,
                      response=rec.response if share else None)
        try:
            await self.book.settle(tid, row)
        except ModeltuiError:
            pass  # the lease runs out: charged as lost at the reservation, never under-counted

    async def share_evidence(self, items: list[tuple[str, str, str, float, float]]) -> None:
        """Thumbs, votes, checks and shadow verdicts go to the team (metadata only). A database
        that is away loses them for the team; the local statistics keep them."""
        try:
            await self.book.add_evidence(items)
        except ModeltuiError:
            pass

    async def reclaim_stale(self) -> int:
        return await super().reclaim_stale() + await self.book.charge_expired()

    async def renew_once(self) -> None:
        await super().renew_once()
        try:
            await self.book.renew(list(self._team.values()), self.lease_s)
        except ModeltuiError:
            pass  # unreachable for now: the next renewal may make it in time

    async def close(self) -> None:
        await super().close()
        await self.book.db.close()

    async def figures(self) -> BudgetFigures:
        local = await super().figures()
        team = await self.book.figures()
        mine = team.left_for(self.book.member)
        return replace(local, team=team, left_usd=mine if local.left_usd is None else min(mine, local.left_usd))
