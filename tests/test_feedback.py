"""Thumbs and votes: one per answer / tournament (a new one replaces the old and the statistics
move with it), written in one transaction with their statistics, and seen by a running engine
even when another process gave them."""

import os
import sqlite3
import subprocess
import sys

import pytest

from conftest import CANARY
from helpers import make_config, route_for, server_config
from modeltui.calls.engine import Engine
from modeltui.learning import relearn as upkeep
from modeltui.signals import feedback, standard, tournament

SECOND_PROCESS_VOTES = """
import asyncio, sys
from modeltui.signals import feedback
from modeltui.settings.config import Config
from modeltui.calls.engine import Engine

async def main():
    cfg = Config.model_validate_json(sys.argv[1])
    async with Engine.open(cfg=cfg, probe_ollama=False) as eng:
        for i in range(12):
            tid = f"other-{i}"
            await eng.store.save_tournament(tid, eng.session, "Say hello", ["openai/ok:cheap", "openai/ok:dear"],
                                            "general", None)
            await feedback.vote(eng, tid, "b")  # lower case is accepted

asyncio.run(main())
"""


async def open_engine(server, tmp, monkeypatch, models=None):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp)
    m = {"quality": 7.0, "context_window": 16_000, "max_output": 1000}
    data["models"] = models or {"openai/ok:cheap": {**m, "input_per_mtok": 0.1, "output_per_mtok": 0.2},
                                "openai/ok:dear": {**m, "input_per_mtok": 2.0, "output_per_mtok": 4.0}}
    return data, await Engine.open(cfg=make_config(data), probe_ollama=False, listeners=standard)  # as the app opens it


async def stats(eng):
    async with eng.store.db.execute("SELECT model, up, down, s, f FROM stats ORDER BY model") as cur:
        return {r[0]: tuple(round(x, 6) for x in r[1:]) for r in await cur.fetchall()}


async def test_a_second_thumb_replaces_the_first_and_moves_the_statistics(server, isolated_env, monkeypatch):
    from modeltui.calls.request import AskRequest

    _, eng = await open_engine(server, isolated_env, monkeypatch)
    r = await eng.ask(AskRequest("Say hello", model="openai/ok:cheap"))
    await feedback.thumb(eng, r.call_id, up=True)
    await feedback.thumb(eng, r.call_id, up=False)
    thumbs = await eng.store.votes(call_id=r.call_id, kind="thumb")
    live = await stats(eng)
    await upkeep.rebuild_stats(eng)  # the log alone must give the same figures
    rebuilt = await stats(eng)
    await eng.close()
    assert [t["value"] for t in thumbs] == ["-1"]
    up, down, s, f = live["openai/ok:cheap"]
    assert up == pytest.approx(0.0, abs=1e-6) and down == pytest.approx(1.0, abs=1e-5)
    assert s == pytest.approx(0.0, abs=1e-6) and f == pytest.approx(1.0, abs=1e-5)
    assert live == pytest.approx(rebuilt, abs=1e-5)


async def test_a_second_vote_replaces_the_first_and_moves_the_statistics(server, isolated_env, monkeypatch):
    _, eng = await open_engine(server, isolated_env, monkeypatch)
    t = await tournament.run(eng, "Say hello", ["openai/ok:cheap", "openai/ok:dear"])
    await feedback.vote(eng, t.id, "A")
    await feedback.vote(eng, t.id, "b")
    votes = await eng.store.votes(t.id)
    live = await stats(eng)
    await upkeep.rebuild_stats(eng)
    rebuilt = await stats(eng)
    await eng.close()
    assert [v["value"] for v in votes] == ["openai/ok:dear"]
    assert live["openai/ok:dear"][2] == pytest.approx(1.0, abs=1e-5)  # s: won once
    assert live["openai/ok:cheap"][2] == pytest.approx(0.0, abs=1e-5)  # the retracted win is gone
    assert live["openai/ok:cheap"][3] == pytest.approx(1.0, abs=1e-5)  # f: lost once
    assert live == pytest.approx(rebuilt, abs=1e-5)


async def test_a_thumb_and_its_statistics_are_one_transaction(server, isolated_env, monkeypatch):
    from modeltui.calls.request import AskRequest

    _, eng = await open_engine(server, isolated_env, monkeypatch)
    r = await eng.ask(AskRequest("Say hello", model="openai/ok:cheap"))
    before = await stats(eng)
    con = sqlite3.connect(eng.store.path)  # the statistics write fails, as a full disk would make it
    con.execute("CREATE TRIGGER no_stats BEFORE INSERT ON stats BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    con.commit()
    con.close()
    with pytest.raises(sqlite3.Error):
        await feedback.thumb(eng, r.call_id, up=True)
    thumbs = await eng.store.votes(call_id=r.call_id)
    after = await stats(eng)
    await eng.close()
    assert thumbs == [] and after == before


async def test_a_vote_from_another_process_changes_the_running_engines_next_auto_decision(
        server, isolated_env, monkeypatch):
    data, eng = await open_engine(server, isolated_env, monkeypatch)
    eng.rng.seed(3)
    before = [(await route_for(eng, "Say hello", "auto")).model for _ in range(40)]
    assert before.count("openai/ok:cheap") >= 20
    cfg_json = make_config(data).model_dump_json()
    p = subprocess.run([sys.executable, "-c", SECOND_PROCESS_VOTES, cfg_json], capture_output=True, text=True,
                       env={**os.environ}, timeout=120)
    assert p.returncode == 0, p.stderr
    after = [(await route_for(eng, "Say hello", "auto")).model for _ in range(40)]
    await eng.close()
    assert after.count("openai/ok:dear") >= 38


async def test_vote_choices_are_case_insensitive_and_checked(server, isolated_env, monkeypatch):
    from modeltui.errors import UsageError

    _, eng = await open_engine(server, isolated_env, monkeypatch)
    t = await tournament.run(eng, "Say hello", ["openai/ok:cheap", "openai/ok:dear"])
    await feedback.vote(eng, t.id, "TIE")
    with pytest.raises(UsageError, match="vote must be one of"):
        await feedback.vote(eng, t.id, "d")
    with pytest.raises(UsageError, match="no entrant C"):
        await feedback.vote(eng, t.id, "c")
    votes = await eng.store.votes(t.id)
    await eng.close()
    assert [v["value"] for v in votes] == ["tie"]


async def test_votes_weigh_in_the_composite_and_in_savings_choice_of_adequate_model(server, isolated_env, monkeypatch):
    from modeltui import reports

    _, eng = await open_engine(server, isolated_env, monkeypatch)
    before = await reports.savings(eng)
    for _ in range(5):
        t = await tournament.run(eng, "Say hello", ["openai/ok:cheap", "openai/ok:dear"])
        await feedback.vote(eng, t.id, "B")  # the cheap model loses every vote
    ranked = {r.model: r for r in (await reports.rankings(eng))["general"]}
    after = await reports.savings(eng, ranked=await reports.rankings(eng))
    await eng.close()
    assert before["calls"] == 0
    assert ranked["openai/ok:dear"].satisfaction > ranked["openai/ok:cheap"].satisfaction
    assert after["by_use_case"]["general"]["best_adequate"] == "openai/ok:dear"
