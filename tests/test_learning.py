"""Learning: decay, Bradley-Terry, votes steering auto, clustering, rebuild = live statistics."""

import random

import pytest

from conftest import CANARY
from helpers import make_config, route_for, server_config
from modeltui import reports
from modeltui.calls.engine import Engine
from modeltui.learning import bt, observe, stats
from modeltui.learning import relearn as upkeep
from modeltui.learning.bandit import Bandit
from modeltui.learning.discovery import discover
from modeltui.signals import feedback, tournament

DAY = 86_400.0


def test_decay_halves_an_observation_after_one_half_life():
    row = stats.apply(None, stats.Obs(ts=0.0, status="ok", latency_ms=300, cost_usd=0.01, up=1), half_life_s=DAY)
    later = stats.decayed(row, DAY, DAY)
    assert later["n"] == pytest.approx(0.5) and later["ok"] == pytest.approx(0.5)
    assert later["cost_usd"] == pytest.approx(0.005) and later["up"] == pytest.approx(0.5)
    assert sum(later["lat_hist"]) == pytest.approx(0.5)
    assert stats.decayed(row, 2 * DAY, DAY)["n"] == pytest.approx(0.25)
    b = Bandit(half_life_s=DAY)
    b.observe("uc", "m", success=4.0, now=0.0)
    assert b.arms[("uc", "m")].at(DAY, DAY) == (pytest.approx(2.0), 0.0)


def test_bradley_terry_recovers_the_order_of_three_models():
    strength = {"weak": 1.0, "mid": 2.0, "strong": 4.0}
    rng = random.Random(1)
    votes = []
    for _ in range(300):
        trio = list(strength)
        rng.shuffle(trio)
        weights = [strength[m] for m in trio]
        votes.append((trio, rng.choices(trio, weights)[0]))  # Luce choice: P(win) ∝ strength
    r = bt.with_intervals(bt.pairs_from_votes(votes))
    assert r["strong"]["rating"] > r["mid"]["rating"] > r["weak"]["rating"]
    assert r["strong"]["lo"] > r["weak"]["hi"]  # the intervals separate the ends
    # 2x strength is ~120 Elo-scale points; the estimate lands near it
    assert 60 < r["mid"]["rating"] - r["weak"]["rating"] < 200
    ties = bt.fit(bt.pairs_from_votes([(["a", "b"], "tie")] * 20))
    assert ties["a"] == pytest.approx(ties["b"])


async def test_votes_change_the_next_auto_decision(server, isolated_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, isolated_env)
    m = {"quality": 7.0, "context_window": 16_000, "max_output": 1000}
    data["models"] = {"openai/ok:cheap": {**m, "input_per_mtok": 0.1, "output_per_mtok": 0.2},
                      "openai/ok:dear": {**m, "input_per_mtok": 2.0, "output_per_mtok": 4.0}}
    eng = await Engine.open(cfg=make_config(data), probe_ollama=False)
    eng.rng.seed(3)  # Thompson sampling is random: fix it so the test is repeatable
    before = [(await route_for(eng, "Say hello", "auto")).model for _ in range(40)]
    # same prior quality: mostly the cheaper one (Thompson samples from wide priors explore)
    assert before.count("openai/ok:cheap") >= 20
    for _ in range(12):
        t = await tournament.run(eng, "Say hello", ["openai/ok:cheap", "openai/ok:dear"])
        await feedback.vote(eng, t.id, "B")
    after = [(await route_for(eng, "Say hello", "auto")).model for _ in range(40)]
    ranked = (await reports.rankings(eng, "general"))["general"]
    await eng.close()
    assert after.count("openai/ok:dear") >= 38
    by = {r.model: r for r in ranked}
    assert by["openai/ok:dear"].bt_rating > by["openai/ok:cheap"].bt_rating
    assert by["openai/ok:dear"].bt_comparisons == 12


def test_clustering_puts_obviously_different_prompts_apart():
    cooking = [f"How long should I bake the {x} bread in the oven with butter and flour?" for x in
               ("banana", "rye", "sourdough", "corn", "garlic", "brown", "white", "sweet", "soda", "potato")]
    code = [f"Fix the python function that raises a {x} exception when parsing the json file" for x in
            ("KeyError", "ValueError", "TypeError", "IndexError", "OSError", "RuntimeError", "custom", "nested",
             "unicode", "timeout")]
    found = discover(cooking + code, k=2)
    assert sorted(c["size"] for c in found) == [10, 10]
    cook_words = {"bake", "bread", "oven", "butter", "flour", "long"}
    code_words = {"fix", "python", "function", "raises", "exception", "parsing", "json", "file"}
    kinds = sorted(("cook" if set(c["terms"]) <= cook_words else "code" if set(c["terms"]) <= code_words else "mixed")
                   for c in found)
    assert kinds == ["code", "cook"], [c["terms"] for c in found]


async def test_rebuild_from_the_log_equals_the_live_statistics(isolated_env):
    from modeltui.store import CallRecord, Store

    store = await Store.open(isolated_env / "r.sqlite3", half_life_s=DAY)
    eng = Engine(make_config({}), None, store, session="s")
    for i in range(30):
        await observe.log_call(store, CallRecord(session="s", kind="chat", model=f"m{i % 3}", provider="p",
                                        status="ok" if i % 4 else "error", use_case=("code", "math")[i % 2],
                                        ts=1_000_000 + i * 3600, latency_ms=100 + 50 * i, cost_usd=0.001 * i))
    async with store.db.execute("SELECT * FROM stats ORDER BY use_case, model") as cur:
        live = [dict(r) for r in await cur.fetchall()]
    await upkeep.rebuild_stats(eng)
    async with store.db.execute("SELECT * FROM stats ORDER BY use_case, model") as cur:
        rebuilt = [dict(r) for r in await cur.fetchall()]
    await store.close()
    assert len(live) == len(rebuilt) == 6
    for a, b in zip(live, rebuilt):
        for k in ("n", "ok", "errors", "cost_usd", "f", "ts", "raw_calls"):
            assert a[k] == pytest.approx(b[k]), k
