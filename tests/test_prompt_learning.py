"""Per-prompt learning in the auto tier: prompt embeddings (offline), evidence tied to the
prompt an answer was for (thumbs, votes, escalations, what users do unasked), and the per-prompt
model that turns it into estimates for similar prompts, through the engine's own path."""

import numpy as np

from helpers import route_for
from modeltui.calls.request import AskRequest
from modeltui.learning import embed
from modeltui.learning import relearn as upkeep
from modeltui.learning.prompt_model import PromptModel
from modeltui.signals import feedback
from test_feedback import open_engine as _open
from test_feedback import stats

M = {"context_window": 16_000, "max_output": 1000}
MODELS = {"openai/ok:cheap": {**M, "quality": 6.5, "input_per_mtok": 0.1, "output_per_mtok": 0.2},
          "openai/ok:dear": {**M, "quality": 8.0, "input_per_mtok": 2.0, "output_per_mtok": 4.0}}


async def open_engine(server, tmp, monkeypatch):
    return await _open(server, tmp, monkeypatch, MODELS)

CODE = ["How do I reverse a list in Python?", "Write a Python function that sorts a dict by value",
        "Fix this Python error: IndexError list index out of range", "Python: read a CSV file into a list of dicts",
        "How do I merge two dictionaries in Python?", "Write a Python generator for Fibonacci numbers"]
TRAVEL = ["Which river flows through Paris?", "What is the best time of year to visit Kyoto?",
          "Plan a three day trip to Rome", "What should I pack for a week in Iceland in winter?",
          "Which museums in Madrid are free on Sundays?", "How do I get from Lisbon airport to the city centre?"]


def test_embeddings_are_made_offline_and_put_similar_prompts_close():
    a, b, c = (embed.embed(t) for t in ("How do I reverse a list in Python?", "What's the way to reverse a Python list?",
                                          "Which river flows through Paris?"))
    assert a.shape == (embed.DIM,) and abs(float(np.linalg.norm(a)) - 1) < 1e-5
    assert float(a @ b) > 0.8 > 0.2 > float(a @ c)
    assert np.allclose(embed.unpack(embed.pack(a)), a, atol=2e-3)  # float16 storage keeps it


def test_evidence_moves_the_estimate_for_similar_prompts_not_for_others():
    pm = PromptModel(embed.DIM)
    x_code, x_travel = pm.features(embed.embed("Write a Python class for a linked list")), pm.features(embed.embed(TRAVEL[0]))
    before = {k: pm.estimate(x, "cheap")[0] for k, x in (("code", x_code), ("travel", x_travel))}
    for p in CODE:
        pm.observe(pm.features(embed.embed(p)), "cheap", 0.0, success=0.0, failure=1.0)
    for p in TRAVEL[1:]:
        pm.observe(pm.features(embed.embed(p)), "cheap", 0.0, success=1.0, failure=0.0)
    after = {k: pm.estimate(x, "cheap")[0] for k, x in (("code", x_code), ("travel", x_travel))}
    assert after["code"] < before["code"] - 0.5  # failed on code: a new code prompt looks worse
    assert after["travel"] > before["travel"] + 0.5  # and a travel prompt better
    # the shared part says code is hard for every model, less so than for the one that failed
    assert pm.estimate(x_code, "other")[0] > after["code"]


async def test_an_escalation_counts_against_the_first_answer_for_that_prompt(server, isolated_env, monkeypatch):
    _, eng = await open_engine(server, isolated_env, monkeypatch)
    async with eng:
        first = await eng.ask(AskRequest("Which river flows through Paris?", model="openai/ok:cheap", conversation="c1"))
        assert await eng.store.prompt_vector(first.call_id) is not None  # the embedding is logged with the call
        await feedback.escalate(eng, first.call_id)
        rows = await _evidence(eng)
        assert (first.call_id, "openai/ok:cheap", "escalate", 0.0, 1.0) in rows


async def test_thumbs_teach_the_auto_tier_per_prompt(server, isolated_env, monkeypatch):
    _, eng = await open_engine(server, isolated_env, monkeypatch)
    async with eng:
        probe_code, probe_travel = "Write a Python function that flattens a nested list", "Which bridges in Prague are worth a walk?"
        before = {p: await _means(eng, p) for p in (probe_code, probe_travel)}
        for p in CODE:  # the cheap model keeps failing on code and doing fine on travel (one use case:
            r = await eng.ask(AskRequest(p, model="openai/ok:cheap", use_case="general"))  # only the prompt differs)
            await feedback.thumb(eng, r.call_id, up=False)
        for p in TRAVEL:
            r = await eng.ask(AskRequest(p, model="openai/ok:cheap", use_case="general"))
            await feedback.thumb(eng, r.call_id, up=True)
        after = {p: await _means(eng, p) for p in (probe_code, probe_travel)}
        d = await route_for(eng, probe_code, "auto", use_case="general")
    drop_code = before[probe_code]["openai/ok:cheap"] - after[probe_code]["openai/ok:cheap"]
    drop_travel = before[probe_travel]["openai/ok:cheap"] - after[probe_travel]["openai/ok:cheap"]
    assert drop_code > drop_travel + 0.05
    assert any(n.startswith("per-prompt estimate (12 evidence, shift): ") for n in d.notes)  # the reasons say it


async def test_what_users_do_unasked_is_weak_evidence(server, isolated_env, monkeypatch):
    _, eng = await open_engine(server, isolated_env, monkeypatch)
    async with eng:
        a = await eng.ask(AskRequest("What is the capital of France?", model="openai/ok:cheap", conversation="c"))
        b = await eng.ask(AskRequest("No, I mean the capital of France, what is it?", model="openai/ok:dear", conversation="c"))
        c = await eng.ask(AskRequest("Now write a haiku about autumn", model="openai/ok:dear", conversation="c"))
        await feedback.copied(eng, c.call_id)
        rows = await _evidence(eng)
        w = eng.cfg.learning.evidence
        live = await stats(eng)
        await upkeep.rebuild_stats(eng)  # the log alone gives the same statistics
        assert await stats(eng) == live and live["openai/ok:cheap"][3] == w.rephrased
    assert rows == [(a.call_id, "openai/ok:cheap", "rephrased", 0.0, w.rephrased),
                    (b.call_id, "openai/ok:dear", "continued", w.continued, 0.0),
                    (c.call_id, "openai/ok:dear", "copied", w.copied, 0.0)]


async def _evidence(eng):
    async with eng.store.db.execute("SELECT call_id, model, source, success, failure FROM prompt_evidence ORDER BY id") as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def _means(eng, prompt):
    """The per-prompt part's own estimate (logit) for each model on `prompt`: what the thumbs taught
    it, whether or not its weight lets it decide yet (learning/prompt_trust.py)."""
    pm = await eng.knowledge.prompt_model(embed.DIM)
    x = pm.features(eng.knowledge.embed(prompt))
    return {m: pm.estimate(x, m)[0] for m in MODELS}


async def test_two_different_prompt_groups_are_discovered_as_two_use_cases(server, isolated_env, monkeypatch):
    _, eng = await open_engine(server, isolated_env, monkeypatch)
    async with eng:
        for p in CODE + TRAVEL:
            await eng.ask(AskRequest(p, model="openai/ok:cheap"))
        found = await upkeep.discover_use_cases(eng, 2)
        assert sorted(c["size"] for c in found) == [6, 6] and all(c["vec"] for c in found)
        # new prompts that share no keyword rule with either group still find their own
        code_uc, code_src = eng.resolve_use_case("How do I sort an array of integers in Java?")
        travel_uc, travel_src = eng.resolve_use_case("Is Lisbon or Porto nicer for a weekend away?")
    assert code_src.startswith("discovered") and travel_src.startswith("discovered")
    assert code_uc != travel_uc
