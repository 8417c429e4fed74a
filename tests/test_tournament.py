"""Tournament over the local server: isolation of failures, cancellation, votes."""

import asyncio

import pytest

from conftest import CANARY
from helpers import make_config, server_config
from modeltui.calls.engine import Engine
from modeltui.errors import BudgetRefused
from modeltui.signals import feedback, tournament
from modeltui.signals.agreement import compare, compare_all

M = {"quality": 7.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0, "context_window": 16_000, "max_output": 1000}


async def open_engine(server, tmp, monkeypatch, names, **sections):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp, **sections)
    data["models"] = {f"openai/{n}": M for n in names}
    return await Engine.open(cfg=make_config(data), probe_ollama=False)


async def test_one_failing_mid_stream_leaves_the_others_complete_and_logged(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, ["cut:a", "ok:b", "slowstream:c"])
    streamed = {0: "", 1: "", 2: ""}

    def on_text(i, s):
        streamed[i] += s

    t = await tournament.run(eng, "Say hello", ["openai/cut:a", "openai/ok:b", "openai/slowstream:c"], on_text)
    rows = await eng.store.select_calls()
    await eng.close()
    assert [r.final.status for r in t.results] == ["error", "ok", "ok"]
    assert t.results[0].final.text == "Hello from " and t.results[0].final.error_kind == "connection"
    assert streamed[1] == streamed[2] == "Hello from the local server. "
    assert sorted((r["model"], r["status"]) for r in rows) == [
        ("openai/cut:a", "error"), ("openai/ok:b", "ok"), ("openai/slowstream:c", "ok")]
    assert {r["kind"] for r in rows} == {"tournament"} and len({r["tournament_id"] for r in rows}) == 1
    assert t.agreement["overall"] == "agree" and "only B, C finished" in t.agreement["reason"]
    assert list(t.agreement["pairs"]) == ["BC"]


async def test_cancel_logs_three_cancelled_rows_and_releases_reservations(server, isolated_env, monkeypatch):
    for n in ("slowstream:a", "slowstream:b", "slowstream:c"):
        server.delays[n] = 0.5
    eng = await open_engine(server, isolated_env, monkeypatch, ["slowstream:a", "slowstream:b", "slowstream:c"],
                            budget={"monthly_usd": 5.0})
    task = asyncio.create_task(tournament.run(eng, "Say hello", None))
    while server.count() < 3:
        await asyncio.sleep(0.01)
    assert (await eng.ledger.figures()).reserved_usd > 0
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    rows = await eng.store.select_calls()
    fig = vars(await eng.ledger.figures())
    await eng.close()
    assert [r["status"] for r in rows] == ["cancelled"] * 3
    assert fig["reserved_usd"] == 0


async def test_all_three_reserved_before_any_is_sent_or_refused(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, ["ok:a", "ok:b", "ok:c"], budget={"monthly_usd": 5.0})
    per_call = eng.catalog["openai/ok:a"].cost(9, 200)
    eng.ledger.budget.monthly_usd = per_call * 2.5  # room for two, not three
    with pytest.raises(BudgetRefused, match="does not fit"):
        await tournament.run(eng, "hello", ["openai/ok:a", "openai/ok:b", "openai/ok:c"])
    assert server.count() == 0  # nothing went out
    assert (await eng.ledger.figures()).reserved_usd == 0
    await eng.close()


async def test_votes_are_stored_and_readable(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, ["ok:a", "ok:b", "ok:c"])
    t = await tournament.run(eng, "Say hello", None)
    await feedback.vote(eng, t.id, "B")
    first = await eng.store.votes(t.id)
    await feedback.vote(eng, t.id, "tie")  # a second vote on the same tournament replaces the first
    votes = await eng.store.votes(t.id)
    call_b = t.results[1].call_id
    await eng.close()
    assert [(v["kind"], v["value"]) for v in first] == [("vote", t.models[1])]
    assert first[0]["call_id"] == call_b
    assert [(v["kind"], v["value"]) for v in votes] == [("vote", "tie")]
    assert len(t.models) == 3 and len(set(t.models)) == 3


def test_agreement_reasons():
    assert compare("What is 9+9?", "It is 18.", "#### 20").reason == "final numbers differ: 18 vs 20"
    assert compare("What is 9+9?", "The answer is 18", "9 + 9 = 18").label == "agree"
    assert compare("Which?\nA. red\nB. blue", "The answer is B", "B. blue").label == "agree"
    assert compare("Is the sky green?", "No, it is blue.", "Yes.").label == "disagree"
    v = compare_all("Tell me about cats", ["Cats are small furry animals.", "Cats are small furry animals!", ""])
    assert v["pairs"]["AB"]["label"] == "agree" and v["pairs"]["AC"]["label"] == "unclear"


async def test_near_the_cap_the_tournament_answers_with_the_room_it_reserved(server, isolated_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, isolated_env, budget={"monthly_usd": 0.55})
    dear = {**M, "input_per_mtok": 1.0, "output_per_mtok": 850.0}  # worst case ~$0.17 at 200 output tokens
    data["models"] = {f"openai/ok:{x}": dear for x in "abc"}
    eng = await Engine.open(cfg=make_config(data), probe_ollama=False)
    worst = sum(eng.catalog[f"openai/ok:{x}"].worst_case(9, 200) for x in "abc")
    assert 0.45 < worst < 0.55
    t = await tournament.run(eng, "Say hello", [f"openai/ok:{x}" for x in "abc"])
    fig = await eng.ledger.figures()
    await eng.close()
    assert [r.final.status for r in t.results] == ["ok"] * 3, [str(r) for r in t.results]
    assert fig.reserved_usd == 0 and fig.month_usd <= 0.55


async def test_an_entrant_refused_after_reserving_releases_its_reservation(server, isolated_env, monkeypatch):
    from modeltui.calls.request import AskRequest, started

    eng = await open_engine(server, isolated_env, monkeypatch, ["ok:a"], budget={"monthly_usd": 5.0})
    request = AskRequest("Say hello", model="openai/nope")
    res = await eng.ledger.reserve("openai/ok:a", 0.01, started(eng.session, eng.catalog["openai/ok:a"], None, request, None))
    with pytest.raises(Exception, match="unknown model"):
        await eng.ask(request, reservation=res)
    fig = await eng.ledger.figures()
    async with eng.store.db.execute("SELECT COUNT(*) FROM calls") as cur:
        rows = (await cur.fetchone())[0]
    await eng.close()
    assert fig.reserved_usd == 0 and rows == 0  # nothing was sent: its started row went with it


async def test_a_tournament_cancelled_at_once_leaves_no_reservation(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, ["slowstream:a", "slowstream:b"],
                            budget={"monthly_usd": 5.0})
    for delay in (0, 0.001, 0.005, 0.02):
        task = asyncio.create_task(tournament.run(eng, "Say hello", ["openai/slowstream:a", "openai/slowstream:b"]))
        await asyncio.sleep(delay)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert (await eng.ledger.figures()).reserved_usd == 0, delay
    await eng.close()


async def test_a_judge_is_asked_only_when_the_answers_disagree(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, ["ok:a", "ok:b", "echo:c", "say:B"],
                            tournament={"judge": "openai/say:B"})
    agreeing = await tournament.run(eng, "Say hello", ["openai/ok:a", "openai/ok:b"])
    assert agreeing.agreement["overall"] == "agree" and "judge" not in agreeing.agreement
    assert server.count("say:B") == 0
    split = await tournament.run(eng, "Which river flows through Paris?", ["openai/ok:a", "openai/echo:c"])
    assert split.agreement["overall"] == "disagree"
    assert split.agreement["judge"]["choice"] == "B" and server.count("say:B") == 1
    async with eng.store.db.execute("SELECT model, source, success, failure FROM prompt_evidence ORDER BY model") as cur:
        judged = [tuple(r) for r in await cur.fetchall()]
    votes = await eng.store.votes(tournament_id=split.id)
    saved = await eng.store.get_tournament(split.id)
    await eng.close()
    w = eng.cfg.tournament.judge_weight
    assert judged == [("openai/echo:c", "judge", w, 0.0), ("openai/ok:a", "judge", 0.0, w)]  # weighed below a vote
    assert votes == []  # and never counted as one
    assert saved["verdict"]["judge"]["choice"] == "B"
