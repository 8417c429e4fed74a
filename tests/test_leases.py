"""Reservations are leases tied to the attempt's row (issue "Edges"): process ids are never
trusted (another PID namespace cannot see them), a killed call is charged at its reservation,
and no request leaves before its row exists (a full disk refuses the call first)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import CANARY
from helpers import make_config, server_config, write_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest, started
from modeltui.errors import StoreError

M = {"quality": 6.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0, "context_window": 16_000, "max_output": 1_000}


def rows(db, sql, args=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


async def test_a_live_lease_holds_whatever_process_ids_say_and_an_expired_one_is_charged(server, isolated_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    cfg = make_config(server_config(server.url, isolated_env, {"openai/ok:m": M}, budget={"monthly_usd": 1.0}))
    db = cfg.db_path()
    async with Engine.open(cfg=cfg, probe_ollama=False) as a:
        request = AskRequest("hello", model="openai/ok:m")
        res = await a.ledger.reserve("openai/ok:m", 0.4, started(a.session, a.catalog["openai/ok:m"], None, request, None))
        # the owner runs in another PID namespace: its pid means nothing here (no such process)
        con = sqlite3.connect(db)
        con.execute("UPDATE reservations SET pid = ?", (2**22 + 4321,))
        con.commit()
        con.close()
        async with Engine.open(cfg=cfg, probe_ollama=False) as b:  # opening reclaims what is expired
            assert await b.ledger.left() == pytest.approx(0.6)  # the other process's call still counts
            assert rows(db, "SELECT status FROM calls") == [("started",)]
        con = sqlite3.connect(db)
        con.execute("UPDATE reservations SET expires = 0")  # its owner stopped renewing: the lease ran out
        con.commit()
        con.close()
        async with Engine.open(cfg=cfg, probe_ollama=False) as c:
            fig = await c.ledger.figures()
        assert res.call_id is not None
    assert rows(db, "SELECT status, cost_usd, tokens_estimated, error_kind FROM calls") == [("lost", 0.4, 1, "lost")]
    assert rows(db, "SELECT COUNT(*) FROM reservations") == [(0,)]
    assert fig.month_usd == pytest.approx(0.4) and fig.reserved_usd == 0  # charged, never deleted


def test_a_call_killed_mid_stream_keeps_its_row_and_is_charged_its_reservation(server, isolated_env):
    data = server_config(server.url, isolated_env, {"openai/trickle:k": M, "openai/ok:k": M},
                         budget={"monthly_usd": 5.0, "lease_s": 2.0}, gateway={"total_timeout_s": 60.0})
    cfg = write_config(data, isolated_env / "config.toml")
    env = {**os.environ, "OPENAI_API_KEY": CANARY, "MODELTUI_CONFIG": str(cfg)}
    db = isolated_env / "data" / "log.sqlite3"
    for _ in range(3):
        server.reset()
        p = subprocess.Popen([sys.executable, "-m", "modeltui", "ask", "hello", "--model", "openai/trickle:k"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while (not (sent := server.streaming()) or sent[0] < 3) and time.time() < deadline:
            time.sleep(0.02)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    # each kept its row: still `started`, or already `lost` (the next start found its lease run out)
    assert sorted(s for (s,) in rows(db, "SELECT status FROM calls")) in (["lost"] * i + ["started"] * (3 - i) for i in range(3))
    (amount,), = set(rows(db, "SELECT amount_usd FROM reservations"))  # the same worst case for each
    reserved = [amount] * 3
    time.sleep(2.5)  # the leases run out: nobody renews them
    p = subprocess.run([sys.executable, "-m", "modeltui", "ask", "hello", "--model", "openai/ok:k"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lost = rows(db, "SELECT status, cost_usd, tokens_estimated FROM calls WHERE status != 'ok' ORDER BY id")
    assert lost == [("lost", a, 1) for a in reserved]
    assert rows(db, "SELECT COUNT(*) FROM reservations") == [(0,)]
    p = subprocess.run([sys.executable, "-m", "modeltui", "budget", "--json"], env=env, capture_output=True, text=True,
                       timeout=120)
    import json

    month = json.loads(p.stdout)["month_usd"]
    ok_cost = rows(db, "SELECT cost_usd FROM calls WHERE status = 'ok'")[0][0]
    assert month == pytest.approx(sum(reserved) + ok_cost)


async def test_a_full_log_refuses_the_call_before_anything_is_sent(server, isolated_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    cfg = make_config(server_config(server.url, isolated_env, {"openai/ok:m": M}, budget={"monthly_usd": 1.0}))
    async with Engine.open(cfg=cfg, probe_ollama=False) as eng:
        async with eng.store.db.execute("PRAGMA page_count") as cur:
            pages = (await cur.fetchone())[0]
        await eng.store.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full: no page more
        server.reset()
        with pytest.raises(StoreError, match="nothing was sent"):
            await eng.ask(AskRequest("x" * 20_000, model="openai/ok:m"))
        assert server.count() == 0
        assert (await eng.ledger.figures()).reserved_usd == 0
