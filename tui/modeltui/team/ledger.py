"""The team's side of a call's money: reserve under both caps, settle, release, renew leases,
charge expired leases as lost, and the month's figures. `calls/team_ledger.py` pairs each step
with the local SQLite ledger's; this module holds only the team database's part.

A member's writes go straight to its own rows (row-level security checks `member =
current_user`); what needs the whole team (the caps' sums under the team row's lock, other
members' expired leases, the totals) goes through the schema's SECURITY DEFINER functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from modeltui.team.db import TeamDB


@dataclass(frozen=True)
class MemberTotal:
    member: str
    role: str
    monthly_usd: float | None
    spent_usd: float
    reserved_usd: float
    calls: int
    lost: int
    unpriced: int

    @property
    def left_usd(self) -> float | None:
        return None if self.monthly_usd is None else max(0.0, self.monthly_usd - self.spent_usd - self.reserved_usd)


@dataclass(frozen=True)
class TeamFigures:
    """The team's month and each member's (server time, UTC month)."""

    monthly_usd: float
    member_monthly_usd: float | None
    members: list[MemberTotal]
    by_model: list[dict]
    me: str | None = None  # the member who asked

    @property
    def spent_usd(self) -> float:
        return sum(m.spent_usd for m in self.members)

    @property
    def reserved_usd(self) -> float:
        return sum(m.reserved_usd for m in self.members)

    @property
    def left_usd(self) -> float:
        return max(0.0, self.monthly_usd - self.spent_usd - self.reserved_usd)

    def member(self, name: str) -> MemberTotal | None:
        return next((m for m in self.members if m.member == name), None)

    def left_for(self, name: str) -> float:
        """What `name` may still reserve: under the team's cap and its own."""
        own = self.member(name)
        mine = own.left_usd if own is not None else 0.0
        return self.left_usd if mine is None else min(self.left_usd, mine)

    def as_dict(self) -> dict:
        return {"month": "utc", "member": self.me, "monthly_usd": self.monthly_usd, "member_monthly_usd": self.member_monthly_usd,
                "spent_usd": self.spent_usd, "reserved_usd": self.reserved_usd, "left_usd": self.left_usd,
                "members": [{**m.__dict__, "left_usd": m.left_usd} for m in self.members], "by_model": self.by_model}


@dataclass(frozen=True)
class Settled:
    """What the team keeps of one attempt (texts only when the member shares them)."""

    session: str
    kind: str
    model: str
    provider: str | None
    status: str
    tier: str | None = None
    use_case: str | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    tokens_estimated: bool = False
    cost_usd: float | None = None
    latency_ms: float | None = None
    error_kind: str | None = None
    prompt: str | None = None
    response: str | None = None


class TeamBook:
    """The team database's ledger operations for one member."""

    def __init__(self, db: TeamDB, member: str):
        self.db = db
        self.member = member

    async def reserve(self, model: str, amount: float, owner: str, lease_s: float, session: str) -> int | None:
        """The reservation's id, or None when it does not fit the team's or the member's cap."""
        async def work(conn):
            cur = await conn.execute("SELECT modeltui.reserve(%s, %s, %s, %s, %s, %s)",
                                     (self.member, model, amount, owner, lease_s, session))
            return (await cur.fetchone())[0]
        return await self.db.run(work)

    async def release(self, rid: int) -> None:
        async with self.db.session() as conn:
            await conn.execute("DELETE FROM modeltui.reservations WHERE id = %s", (rid,))

    async def settle(self, rid: int, row: Settled) -> bool:
        """The reservation becomes the call's row, in one transaction. False: its lease had run
        out and it was charged as lost already (that row stands: the cap stays conservative)."""
        async def work(conn):
            cur = await conn.execute("DELETE FROM modeltui.reservations WHERE id = %s RETURNING ts", (rid,))
            got = await cur.fetchone()
            if got is None:
                return False
            await conn.execute(
                "INSERT INTO modeltui.calls (member, ts, reservation_id, session, kind, tier, use_case, model, provider, "
                "tokens_in, tokens_out, tokens_estimated, cost_usd, status, latency_ms, error_kind, prompt, response) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (self.member, got[0], rid, row.session, row.kind, row.tier, row.use_case, row.model, row.provider,
                 row.tokens_in, row.tokens_out, row.tokens_estimated, row.cost_usd, row.status, row.latency_ms,
                 row.error_kind, row.prompt, row.response))
            return True
        return await self.db.run(work)

    async def renew(self, ids: list[int], lease_s: float) -> None:
        """Push these reservations' expiry forward (the ones our calls still hold)."""
        if not ids:
            return
        async with self.db.session() as conn:
            await conn.execute("UPDATE modeltui.reservations SET expires = now() + make_interval(secs => %s) "
                               "WHERE id = ANY(%s)", (lease_s, ids))

    async def charge_expired(self) -> int:
        async with self.db.session() as conn:
            cur = await conn.execute("SELECT modeltui.charge_expired()")
            return (await cur.fetchone())[0]

    async def figures(self) -> TeamFigures:
        async with self.db.session() as conn:
            cur = await conn.execute("SELECT monthly_usd, member_monthly_usd FROM modeltui.team WHERE id = 1")
            team = await cur.fetchone()
            cur = await conn.execute("SELECT * FROM modeltui.member_totals()")
            members = [MemberTotal(*r) for r in await cur.fetchall()]
            cur = await conn.execute("SELECT * FROM modeltui.model_totals()")
            models = [{"model": m, "calls": n, "cost_usd": c, "unpriced": u} for m, n, c, u in await cur.fetchall()]
        if team is None:
            from modeltui.errors import TeamError
            raise TeamError("the team has no budget yet: run `modeltui team init`")
        return TeamFigures(team[0], team[1], members, models, self.member)

    async def shared_evidence(self, since_s: float) -> list[tuple[str, str, float, float, float]]:
        """(use case, model, successes, failures, unix time) of the other members' evidence."""
        async with self.db.session() as conn:
            cur = await conn.execute("SELECT * FROM modeltui.shared_evidence(to_timestamp(%s), %s)",
                                     (since_s, self.member))
            return [tuple(r) for r in await cur.fetchall()]

    async def add_evidence(self, items: list[tuple[str, str, str, float, float]]) -> None:
        """(model, use case, source, successes, failures) per item: a thumb, a vote, a check."""
        async def work(conn):
            async with conn.cursor() as cur:
                await cur.executemany("INSERT INTO modeltui.evidence (member, model, use_case, source, successes, failures) "
                                      "VALUES (%s, %s, %s, %s, %s, %s)", [(self.member, *i) for i in items])
        await self.db.run(work)

    # -- what the rankings and the savings read of the team (schema 2) -----------------------------
    async def team_stats(self, since_s: float, half_life_s: float | None) -> list[tuple]:
        """The other members' calls and evidence per (use case, model), each weighted by its age
        (half-life `half_life_s`; None: not decayed): (use case or '', model, n, ok, errors, cost,
        median latency of the answered, raw calls, thumbs up, thumbs down, successes, failures)."""
        async with self.db.session() as conn:
            cur = await conn.execute("SELECT * FROM modeltui.team_stats(to_timestamp(%s), %s, %s)",
                                     (since_s, half_life_s, self.member))
            return [tuple(r) for r in await cur.fetchall()]

    async def answered(self, since_s: float) -> list[tuple[str, str, int, int, int, float]]:
        """Every member's answered calls since `since_s`, per (use case or '', model): (use case,
        model, calls, tokens in, tokens out, cost)."""
        async with self.db.session() as conn:
            cur = await conn.execute("SELECT * FROM modeltui.team_answered(to_timestamp(%s))", (since_s,))
            return [tuple(r) for r in await cur.fetchall()]

    async def member_count(self) -> int:
        async with self.db.session() as conn:
            cur = await conn.execute("SELECT count(*) FROM modeltui.members")
            return (await cur.fetchone())[0]
