"""The ledger's invariants under random interleavings of several processes over one log:
reserve, settle, release, kill (a process that stops renewing its leases), lease expiry and
restart. After every step: spend + live reservations never pass the cap; every reservation
belongs to exactly one `started` row; every attempt that got a reservation has exactly one
row. At the end every reservation has ended settled, released or charged as lost."""

import random
import sqlite3

import pytest

from modeltui.calls.budget import Ledger
from modeltui.learning import observe
from modeltui.settings.config import Budget
from modeltui.store import CallRecord, Store

CAP = 1.0


class Process:
    def __init__(self, store: Store, name: str):
        self.store, self.name = store, name
        self.ledger = Ledger(store, Budget(monthly_usd=CAP), session=name)
        self.held: list = []  # reservations not yet settled or released
        self.alive = True


def check(db) -> None:
    con = sqlite3.connect(db)
    try:
        spent, = con.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM calls").fetchone()
        reserved, = con.execute("SELECT COALESCE(SUM(amount_usd), 0) FROM reservations").fetchone()
        assert spent + reserved <= CAP + 1e-9
        orphans = con.execute("SELECT COUNT(*) FROM reservations r LEFT JOIN calls c ON c.id = r.call_id "
                              "WHERE c.id IS NULL OR c.status != 'started'").fetchone()[0]
        assert orphans == 0
        unreserved = con.execute("SELECT COUNT(*) FROM calls c WHERE c.status = 'started' AND NOT EXISTS "
                                 "(SELECT 1 FROM reservations r WHERE r.call_id = c.id)").fetchone()[0]
        assert unreserved == 0
    finally:
        con.close()


@pytest.mark.parametrize("seed", range(12))
async def test_ledger_invariants_under_random_interleavings(isolated_env, seed):
    rnd = random.Random(seed)
    db = isolated_env / f"ledger-{seed}.sqlite3"
    procs: list[Process] = []
    attempts = 0  # reservations granted and not released: each must end as exactly one row
    try:
        for step in range(80):
            live = [p for p in procs if p.alive]
            action = rnd.choice(["start"] * (len(live) < 3) + ["reserve"] * 4 * bool(live) + ["settle", "release"] * 2
                                + ["kill", "expire", "restart"])
            if action in ("start", "restart"):
                p = Process(await Store.open(db), f"p{step}")
                await p.ledger.reclaim_stale()
                procs.append(p)
            elif action == "reserve":
                p = rnd.choice(live)
                amount = round(rnd.uniform(0.01, 0.3), 4)
                row = CallRecord(session=p.name, kind="chat", model="m", provider="p", status="started", prompt="q")
                res = await p.ledger.reserve("m", amount, row)
                if res is not None:
                    p.held.append(res)
                    attempts += 1
            elif action in ("settle", "release"):
                holders = [p for p in live if p.held]
                if not holders:
                    continue
                p = rnd.choice(holders)
                res = p.held.pop(rnd.randrange(len(p.held)))
                if action == "release":
                    await p.ledger.release(res)
                    attempts -= 1
                else:  # the call ended: it cost at most what it reserved
                    rec = CallRecord(session=p.name, kind="chat", model="m", provider="p", status="ok", prompt="q",
                                     response="a", cost_usd=round(rnd.uniform(0, res.amount), 6))
                    await observe.log_call(p.store, rec, reservation_id=res.id, call_id=res.call_id)
                    p.ledger.settled(res)
            elif action == "kill" and live:
                p = rnd.choice(live)  # SIGKILL: nothing released, its leases are no longer renewed
                p.alive = False
                await p.ledger.close()
                await p.store.close()
            elif action == "expire" and procs:  # time passes: the leases of dead processes run out
                con = sqlite3.connect(db)
                dead = [p.ledger.owner for p in procs if not p.alive]
                con.executemany("UPDATE reservations SET expires = 0 WHERE owner = ?", [(o,) for o in dead])
                con.commit()
                con.close()
            if db.exists():
                check(db)
        # the end: every process dies, every lease runs out, one last start reclaims them
        for p in procs:
            if p.alive:
                p.alive = False
                await p.ledger.close()
                await p.store.close()
        con = sqlite3.connect(db)
        con.execute("UPDATE reservations SET expires = 0")
        con.commit()
        con.close()
        last = Process(await Store.open(db), "last")
        await last.ledger.reclaim_stale()
        await last.store.close()
        con = sqlite3.connect(db)
        statuses = [s for (s,) in con.execute("SELECT status FROM calls")]
        left = con.execute("SELECT COUNT(*) FROM reservations").fetchone()[0]
        con.close()
        assert left == 0 and set(statuses) <= {"ok", "lost"} and len(statuses) == attempts
        check(db)
    finally:
        for p in procs:
            if p.alive:
                await p.ledger.close()
                await p.store.close()
