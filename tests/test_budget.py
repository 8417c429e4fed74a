"""Budget reservations over the local server: parallel calls never pass a cap; errors and
cancellations give their reservation back."""

import asyncio
import time

import pytest

from conftest import CANARY
from helpers import Collect, make_config, server_config
from modeltui.calls.budget import period_starts
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.errors import BudgetRefused

PROMPT = "hello"
BIG = {"quality": 9.0, "input_per_mtok": 10.0, "output_per_mtok": 100.0, "context_window": 16_000, "max_output": 1000}
CHEAP = {"quality": 8.5, "input_per_mtok": 0.1, "output_per_mtok": 1.0, "context_window": 16_000, "max_output": 1000}


async def open_engine(server, tmp, monkeypatch, models, cap):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp, budget={"monthly_usd": cap})
    data["models"] = models
    return await Engine.open(cfg=make_config(data), probe_ollama=False)


def reservation_for(engine, model_id):
    info = engine.catalog[model_id]
    return info.cost(9, min(200, info.max_output))  # "hello" ≈ 9 tokens, max_tokens 200


async def month_spend(engine):
    return (await engine.ledger.figures()).month_usd


async def test_three_parallel_calls_with_room_for_two(server, isolated_env, monkeypatch):
    server.delays.update({"slowstream:big": 0.4, "slowstream:cheap": 0.4})
    models = {"openai/slowstream:big": BIG, "openai/slowstream:cheap": CHEAP}
    eng = await open_engine(server, isolated_env, monkeypatch, models, cap=1.0)
    per_call = reservation_for(eng, "openai/slowstream:big")
    eng.ledger.budget.monthly_usd = cap = per_call * 2.5  # room for exactly two of three
    seen_reserved = []

    async def watch():
        while True:
            seen_reserved.append((await eng.ledger.figures()).reserved_usd)
            await asyncio.sleep(0.05)

    watcher = asyncio.create_task(watch())
    results = await asyncio.gather(*(eng.ask(AskRequest(PROMPT, tier="premium")) for _ in range(3)))
    watcher.cancel()
    models_used = sorted(r.final.model.id for r in results)
    assert models_used == ["openai/slowstream:big", "openai/slowstream:big", "openai/slowstream:cheap"]
    rerouted = [r for r in results if r.final.model.id.endswith("cheap")][0]
    assert any("fit" in n for n in rerouted.decision.notes), rerouted.decision.notes
    assert server.count("slowstream:big") == 2 and server.count("slowstream:cheap") == 1
    assert max(seen_reserved) <= cap + 1e-12 and max(seen_reserved) > 0  # in flight, held under the cap
    assert await month_spend(eng) <= cap
    assert (await eng.ledger.figures()).reserved_usd == 0
    await eng.close()


async def test_third_parallel_call_refused_when_nothing_cheaper_fits(server, isolated_env, monkeypatch):
    server.delays["slowstream:big"] = 0.4
    eng = await open_engine(server, isolated_env, monkeypatch, {"openai/slowstream:big": BIG}, cap=1.0)
    eng.ledger.budget.monthly_usd = cap = reservation_for(eng, "openai/slowstream:big") * 2.5
    results = await asyncio.gather(*(eng.ask(AskRequest(PROMPT, tier="premium")) for _ in range(3)), return_exceptions=True)
    refused = [r for r in results if isinstance(r, BudgetRefused)]
    assert len(refused) == 1 and "left" in str(refused[0])
    assert server.count("slowstream:big") == 2
    assert await month_spend(eng) <= cap
    await eng.close()


async def test_error_and_cancel_release_their_reservation(server, isolated_env, monkeypatch):
    server.delays["slowstream:c"] = 0.3
    eng = await open_engine(server, isolated_env, monkeypatch,
                            {"openai/error500:e": BIG, "openai/slowstream:c": BIG}, cap=5.0)
    r = await eng.ask(AskRequest(PROMPT, model="openai/error500:e"))
    assert r.final.status == "error"
    assert (await eng.ledger.figures()).reserved_usd == 0

    reserved = []
    task = asyncio.create_task(eng.ask(AskRequest(PROMPT, model="openai/slowstream:c"), Collect(reserved=reserved.append)))
    while not reserved:
        await asyncio.sleep(0.01)
    assert (await eng.ledger.figures()).reserved_usd == pytest.approx(reserved[0])
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await eng.ledger.figures()).reserved_usd == 0
    last = (await eng.store.recent(1))[0]
    assert last["status"] == "cancelled" and last["model"] == "openai/slowstream:c"
    await eng.close()


async def test_stale_reservations_of_dead_processes_are_reclaimed(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, {"openai/ok:x": BIG}, cap=5.0)
    await eng.store.db.execute("INSERT INTO reservations (ts, session, pid, model, amount_usd) VALUES (?,?,?,?,?)",
                               (time.time(), "old", 999_999_999, "openai/ok:x", 4.0))
    assert (await eng.ledger.figures()).left_usd == pytest.approx(1.0)
    await eng.close()
    eng = await open_engine(server, isolated_env, monkeypatch, {"openai/ok:x": BIG}, cap=5.0)
    assert (await eng.ledger.figures()).reserved_usd == 0
    await eng.close()


def test_month_and_day_boundaries():
    t = 1_764_000_000.0  # 2025-11-24 16:00 UTC
    month, day = period_starts("utc", t)
    assert month == 1_761_955_200.0  # 2025-11-01 00:00 UTC
    assert day == 1_763_942_400.0  # 2025-11-24 00:00 UTC
