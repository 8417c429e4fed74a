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

Reachability has one owner, this ledger: a step that finds the database gone sets `offline`
(the one line to show) and, where the caller keeps going (the app: `keep_trying`), tries to
reach it again every `[team] retry_s`. While offline, every team step refuses at once without
touching the network: `left()` (which routing asks first) raises, so no row is written and no
request leaves; the figures say why instead of failing. Once reached again, sends go through.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from modeltui.calls.budget import BudgetFigures, Ledger, Reservation
from modeltui.errors import ModeltuiError, TeamUnavailable
from modeltui.settings.config import Budget
from modeltui.store import CallRecord, Store
from modeltui.team import Settled, TeamBook, TeamDB, shown
from modeltui.vocab import GENERAL


async def open_team_ledger(engine, keep_trying: bool = False) -> TeamLedger:
    """Connect as the configured member, check the schema, and put the team's ledger and its
    shared evidence under `engine` (thumbs, votes and checks go out; the others' come in to
    the auto tier). One line if the database cannot be had; with `keep_trying` (the app) an
    unreachable database leaves the ledger offline, retrying, instead."""
    cfg = engine.cfg
    db = TeamDB(cfg.team.url())
    ledger = TeamLedger(engine.store, cfg.budget, engine.session, TeamBook(db, cfg.team.member_name()),
                        cfg.team.share_text, retry_s=cfg.team.retry_s if keep_trying else None)
    try:
        await db.check_version()
    except TeamUnavailable as exc:
        if not keep_trying:
            await db.close()
            raise
        ledger.gone(exc)
    except BaseException:
        await db.close()
        raise
    engine.ledger = ledger
    engine.store.evidence_hooks.append(ledger.share_evidence)
    engine.team = TeamEvidence(ledger, engine.store.half_life_s)
    engine.knowledge.shared = engine.team.evidence
    return ledger


EVIDENCE_HALF_LIVES = 8  # older shared evidence weighs under 0.4 %: not read


class TeamEvidence:
    """What the team's database knows beyond this machine's log, as the auto tier, the rankings
    and the savings read it: the other members' calls and evidence (this member's own are in the
    local statistics already), and every member's answered calls for the savings. While the
    database is unreachable the rankings and savings read None (this machine's log only)."""

    def __init__(self, ledger: TeamLedger, half_life_s: float):
        self.ledger = ledger
        self.book = ledger.book
        self.half_life_s = half_life_s

    @property
    def offline(self) -> str | None:
        return self.ledger.offline

    def _since(self) -> float:
        return time.time() - EVIDENCE_HALF_LIVES * self.half_life_s

    async def evidence(self) -> list[tuple[str, str, float, float, float]]:
        """The other members' thumbs, votes and checks (what the bandit samples from), summed per
        member and (use case, model) and decayed to now on the server, where a retracted thumb
        or vote cancels only its own member's evidence: (use case, model, successes, failures, now)."""
        now = time.time()
        rows = await self.ledger.team(self.book.team_stats(self._since(), self.half_life_s))
        return [(uc or GENERAL, model, s, f, now) for uc, model, *_, s, f in rows if s or f]

    async def _or_none(self, work):
        try:
            return await self.ledger.team(work)
        except TeamUnavailable:
            return None

    async def stats(self) -> list[tuple] | None:
        """The other members' aggregates per (use case, model), decayed as the local statistics are."""
        return await self._or_none(self.book.team_stats(self._since(), self.half_life_s))

    async def answered(self, since: float) -> list[tuple] | None:
        return await self._or_none(self.book.answered(since))

    async def members(self) -> int | None:
        return await self._or_none(self.book.member_count())


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
    def __init__(self, store: Store, budget: Budget, session: str, book: TeamBook, share_text: bool = False,
                 retry_s: float | None = None):
        super().__init__(store, budget, session)
        self.book = book
        self.share_text = share_text
        self._team: dict[int, int] = {}  # local reservation id -> the team's
        self.retry_s = retry_s  # None: no retrying (the CLI: exit 3 is the answer)
        self._watchers: list = []
        self._retrier: asyncio.Task | None = None

    # -- reachability: the one owner -----------------------------------------------------------
    def watch(self, callback) -> None:
        self._watchers.append(callback)

    def _tell(self) -> None:
        for callback in self._watchers:
            callback(self.offline)

    def gone(self, exc: TeamUnavailable) -> None:
        """The database could not be reached: refuse every team step until it can be again."""
        if self.retry_s is None:
            return  # the CLI: this step's error is the answer
        first = self.offline is None
        why = str(exc).split(": ", 1)[-1].removesuffix("; nothing was sent")  # (the server's words, redacted)
        self.offline = (f"team database {shown(self.book.db.url)} unreachable — nothing is sent under the team cap; "
                        f"retrying every {self.retry_s:g} s ({why})")
        if self._retrier is None or self._retrier.done():
            self._retrier = asyncio.ensure_future(self._retry())
        if first:
            self._tell()

    async def _retry(self) -> None:
        while self.offline is not None:
            await asyncio.sleep(self.retry_s)
            try:
                await self.book.db.check_version()
                await self.book.charge_expired()
            except TeamUnavailable as exc:
                self.gone(exc)
                continue
            except ModeltuiError:
                continue  # reached, but refused (a schema, a right): still nothing sent; tried again
            self.offline = None
            self._tell()

    async def team(self, work):
        """`await work` (a team step), or TeamUnavailable at once while the database is away."""
        if self.offline is not None:
            work.close()
            raise TeamUnavailable(self.offline)
        try:
            return await work
        except TeamUnavailable as exc:
            self.gone(exc)
            raise

    @property
    def capped(self) -> bool:
        return True  # the team's cap always applies

    async def left(self) -> float | None:
        """Routing asks this first: while the database is away it refuses (nothing is sent)."""
        local = await super().left() if Ledger.capped.fget(self) else None
        team = (await self.team(self.book.figures())).left_for(self.book.member)
        return team if local is None else min(local, team)

    async def reserve(self, model: str, amount: float, row: CallRecord) -> Reservation | None:
        try:
            tid = await _finish(self.team(self.book.reserve(model, amount, self.owner, self.lease_s, self.session)))
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
        local = await super().reclaim_stale()
        try:
            return local + await self.team(self.book.charge_expired())
        except TeamUnavailable:
            if self.retry_s is None:
                raise
            return local  # the retry charges them when the database is back

    async def renew_once(self) -> None:
        await super().renew_once()
        try:
            await self.book.renew(list(self._team.values()), self.lease_s)
        except ModeltuiError:
            pass  # unreachable for now: the next renewal may make it in time

    async def close(self) -> None:
        if self._retrier is not None:
            self._retrier.cancel()
            await asyncio.gather(self._retrier, return_exceptions=True)
        await super().close()
        await self.book.db.close()

    async def figures(self) -> BudgetFigures:
        local = await super().figures()
        try:
            team = await self.team(self.book.figures())
        except TeamUnavailable:
            if self.retry_s is None:
                raise
            return replace(local, team_offline=self.offline, left_usd=0.0)  # nothing may be sent under the team cap
        mine = team.left_for(self.book.member)
        return replace(local, team=team, left_usd=mine if local.left_usd is None else min(mine, local.left_usd))
