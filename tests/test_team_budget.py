"""Team mode end to end: three laptops (three data dirs, three engines in-process), members a, b
and c, each running parallel asks against a slow priced model on the local server, under a team
cap and member caps held in a real PostgreSQL server. And: an unreachable team database sends
nothing."""

import asyncio
import sqlite3

import psycopg
import pytest

from conftest import CANARY
from helpers import make_config, server_config
from pg_server import pg_admin, pg_db  # noqa: F401 - fixtures

from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.calls.team_ledger import TeamLedger
from modeltui.errors import BudgetRefused, TeamUnavailable
from modeltui.team import TeamDB, admin

ROOMY = {"connect_timeout_s": 15.0, "stall_timeout_s": 15.0, "total_timeout_s": 40.0}  # a loaded machine is not "unreachable"
MODEL = "openai/slowstream:team"
# input free, 7 output tokens (the server's usage) at $1000/M: each call reserves and costs $0.007
PRICED = {"quality": 7.0, "input_per_mtok": 0.0, "output_per_mtok": 1000.0, "context_window": 16_000, "max_output": 7}
PER_CALL = 0.007
MEMBER_CAP = 0.03  # room for 4 calls each (12 together) ...
TEAM_CAP = 0.07  # ... but the team's for 10


def member_url(db_url: str, name: str, password: str) -> str:
    return f"postgresql://{name}:{password}@{db_url.split('@', 1)[1]}"


def laptop_config(server, tmp, name, team_url, share_text=False):
    data = server_config(server.url, tmp / name, team={"database": team_url, "member": name, "share_text": share_text},
                         gateway={"max_tokens": 7, **ROOMY})
    data["models"] = {MODEL: PRICED}
    return make_config(data)


async def setup_team(url, names):
    db = TeamDB(url)
    await admin.init(db, TEAM_CAP, MEMBER_CAP, "boss")
    for n in names:
        await admin.add_member(db, n, password="pw-" + n)
    await db.close()


async def test_three_laptops_never_pass_the_team_or_member_caps(server, isolated_env, monkeypatch, pg_db):
    url, dbname = pg_db
    names = [f"{m}_{dbname[-6:]}" for m in "abc"]
    await setup_team(url, names)
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    server.delays[MODEL.removeprefix("openai/")] = 0.3
    engines = [await Engine.open(cfg=laptop_config(server, isolated_env, n, member_url(url, n, "pw-" + n)),
                                 probe_ollama=False) for n in names]
    assert all(isinstance(e.ledger, TeamLedger) for e in engines)
    attempts = {n: 0 for n in names}
    refused = {n: 0 for n in names}

    async def asker(engine, name):
        while True:
            try:
                result = await engine.ask(AskRequest("hello", model=MODEL))
            except BudgetRefused:
                refused[name] += 1
                return
            attempts[name] += len(result.attempts)

    await asyncio.gather(*(asker(e, n) for e, n in zip(engines, names) for _ in range(4)))
    for e in engines:
        await e.close()

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT member, status, cost_usd FROM modeltui.calls").fetchall()
        left = conn.execute("SELECT count(*) FROM modeltui.reservations").fetchone()[0]
        texts = conn.execute("SELECT count(*) FROM modeltui.calls WHERE prompt IS NOT NULL OR response IS NOT NULL")
        assert texts.fetchone()[0] == 0  # share_text = false: prompts and answers stay on the laptops
    spent = {n: sum(c for m, _, c in rows if m == n) for n in names}
    assert sum(spent.values()) <= TEAM_CAP + 1e-9
    assert all(s <= MEMBER_CAP + 1e-9 for s in spent.values()), spent
    assert sum(spent.values()) >= TEAM_CAP - PER_CALL - 1e-9  # the caps were reached, not refused early
    assert left == 0  # every reservation settled or given back
    assert all(status == "ok" for _, status, _ in rows)
    # every attempt is one row: in the team database, in each laptop's own log, and one request sent
    assert len(rows) == sum(attempts.values()) == server.count() == 10
    for n in names:
        local = sqlite3.connect(isolated_env / n / "data" / "log.sqlite3")
        count, cost = local.execute("SELECT count(*), COALESCE(SUM(cost_usd), 0) FROM calls WHERE kind != 'probe'").fetchone()
        local.close()
        assert count == attempts[n] == sum(1 for m, _, _ in rows if m == n)
        assert cost == pytest.approx(spent[n])
    assert all(r == 4 for r in refused.values())  # every asker stopped on the budget, with one line


async def test_an_unreachable_team_database_sends_nothing(server, isolated_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    cfg = laptop_config(server, isolated_env, "a", "postgresql://a:hunter2-secret@127.0.0.1:1/team")
    with pytest.raises(TeamUnavailable) as err:
        await Engine.open(cfg=cfg, probe_ollama=False)
    assert "unreachable" in str(err.value) and "hunter2-secret" not in str(err.value)
    assert server.count() == 0


async def test_a_team_database_lost_mid_session_refuses_the_next_call(server, isolated_env, monkeypatch, pg_db):
    url, dbname = pg_db
    name = f"a_{dbname[-6:]}"
    await setup_team(url, [name])
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    engine = await Engine.open(cfg=laptop_config(server, isolated_env, name, member_url(url, name, "pw-" + name),
                                                 share_text=True), probe_ollama=False)
    await engine.ask(AskRequest("hello", model=MODEL))
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT prompt, status FROM modeltui.calls").fetchall() == [("hello", "ok")]
    with psycopg.connect(url, autocommit=True) as conn:  # the server drops our connection; we cannot log in again
        conn.execute(f'ALTER ROLE "{name}" NOLOGIN')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,))
    with pytest.raises((TeamUnavailable, BudgetRefused)):
        await engine.ask(AskRequest("hello", model=MODEL))
    assert server.count() == 1
    await engine.close()
