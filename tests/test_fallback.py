"""Fallback over the local server: every attempt is a row linked to the first, and the server saw
exactly those requests."""

import pytest

from conftest import CANARY
from helpers import make_config, server_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.signals import feedback


def model(q, pin, pout, window=16_000, **kw):
    return {"quality": q, "input_per_mtok": pin, "output_per_mtok": pout, "context_window": window,
            "max_output": 1000, **kw}


async def open_engine(server, tmp, models, monkeypatch, **sections):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp, **sections)
    data["models"] = models
    return await Engine.open(cfg=make_config(data), probe_ollama=False)


async def chain_rows(engine, result):
    rows = [await engine.store.get_call(i) for i in result.call_ids]
    first = rows[0]["id"]
    assert rows[0]["parent_id"] is None
    assert all(r["parent_id"] == first for r in rows[1:])
    return rows


async def test_429_switches_to_a_same_tier_alternative(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, {
        "openai/ratelimit:a": model(7.0, 0.1, 0.2), "openai/ok:b": model(7.0, 1.0, 2.0)}, monkeypatch)
    r = await eng.ask(AskRequest("hello", tier="balanced"))
    rows = await chain_rows(eng, r)
    await eng.close()
    assert [x["model"] for x in rows] == ["openai/ratelimit:a", "openai/ok:b"]
    assert [x["error_kind"] for x in rows] == ["rate_limit", None]
    assert any("429 from openai/ratelimit:a: switched to openai/ok:b" in n for n in r.decision.notes)
    assert [q["model"] for q in server.requests] == ["ratelimit:a", "ok:b"]


async def test_429_without_alternative_waits_retry_after_then_succeeds(server, isolated_env, monkeypatch):
    server.scripts["flaky"] = ["ratelimit", "ok"]
    eng = await open_engine(server, isolated_env, {"openai/flaky": model(7.0, 0.1, 0.2)}, monkeypatch)
    r = await eng.ask(AskRequest("hello", tier="balanced"))
    rows = await chain_rows(eng, r)
    await eng.close()
    assert [x["status"] for x in rows] == ["error", "ok"]
    assert any("waited 1.0s (Retry-After)" in n for n in r.decision.notes)
    assert server.count("flaky") == 2


async def test_retry_after_beyond_the_bound_is_not_waited(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, {"openai/ratelimit:solo": model(7.0, 0.1, 0.2)}, monkeypatch,
                            gateway={"max_retry_after_s": 0.5})
    r = await eng.ask(AskRequest("hello", tier="balanced"))
    await eng.close()
    assert r.final.status == "error" and len(r.attempts) == 1
    assert any("exceeds the" in n for n in r.decision.notes)
    assert server.count() == 1


async def test_500_and_hang_go_down_the_chain(server, isolated_env, monkeypatch):
    # the hanging model is served from another endpoint (a host name for the same server): a hang
    # before the first byte rests its whole endpoint, which must not take the healthy one down
    other = server.url.replace("127.0.0.1", "localhost") + "/v1"
    eng = await open_engine(server, isolated_env, {
        "openai/error500:a": model(5.0, 0.1, 0.1), "openai/hang:b": model(5.0, 0.2, 0.2, api_base=other),
        "openai/ok:c": model(5.0, 0.3, 0.3)}, monkeypatch)
    r = await eng.ask(AskRequest("hello", tier="budget"))
    rows = await chain_rows(eng, r)
    await eng.close()
    assert [(x["model"], x["status"], x["error_kind"]) for x in rows] == [
        ("openai/error500:a", "error", "server"), ("openai/hang:b", "error", "timeout"), ("openai/ok:c", "ok", None)]
    assert [q["model"] for q in server.requests] == ["error500:a", "hang:b", "ok:c"]


async def test_401_disables_the_provider_and_names_the_env_var(server, isolated_env, monkeypatch):
    monkeypatch.setenv("BACKUP_API_KEY", "backup-key-123456")
    eng = await open_engine(server, isolated_env, {
        "openai/unauthorized:a": model(7.0, 0.1, 0.1), "openai/ok:sibling": model(7.0, 0.2, 0.2),
        "openai/ok:backup": model(7.0, 0.5, 0.5, provider="backup", env_var="BACKUP_API_KEY",
                                  api_base=server.url + "/v1")}, monkeypatch)  # (it reached for api.openai.com)
    r = await eng.ask(AskRequest("hello", tier="budget"))
    rows = await chain_rows(eng, r)
    assert [x["model"] for x in rows] == ["openai/unauthorized:a", "openai/ok:backup"]
    assert rows[-1]["status"] == "ok"
    assert any("check OPENAI_API_KEY" in n for n in r.decision.notes)
    assert not eng.catalog["openai/ok:sibling"].available
    assert "OPENAI_API_KEY" in eng.catalog["openai/ok:sibling"].why
    again = await eng.ask(AskRequest("hello", tier="budget"))  # the provider stays off for the session
    assert again.final.model.id == "openai/ok:backup" and len(again.attempts) == 1
    await eng.close()
    assert server.count("unauthorized:a") == 1 and server.count("ok:sibling") == 0


async def test_context_error_goes_to_a_larger_window(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, {
        "openai/context:small": model(7.0, 0.1, 0.1, window=16_000),
        "openai/ok:big": model(7.0, 1.0, 1.0, window=64_000)}, monkeypatch)
    r = await eng.ask(AskRequest("hello", tier="budget"))
    rows = await chain_rows(eng, r)
    await eng.close()
    assert [(x["model"], x["error_kind"]) for x in rows] == [("openai/context:small", "context_window"), ("openai/ok:big", None)]
    assert server.count() == 2


async def test_repeated_failures_cool_a_model_down(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, {
        "openai/error500:x": model(7.0, 0.1, 0.1), "openai/ok:y": model(7.0, 1.0, 1.0)}, monkeypatch,
        routing={"cooldown_failures": 2})
    for _ in range(2):
        await eng.ask(AskRequest("hello", tier="budget"))
    r = await eng.ask(AskRequest("hello", tier="budget"))
    await eng.close()
    assert r.final.model.id == "openai/ok:y" and len(r.attempts) == 1
    assert any(d["model"] == "openai/error500:x" and "cooling down" in d["reason"] for d in r.decision.dropped)
    assert server.count("error500:x") == 2


async def test_escalate_reasks_one_tier_up(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, {
        "openai/ok:cheap": model(4.0, 0.1, 0.1), "openai/ok:good": model(7.0, 1.0, 1.0),
        "openai/ok:best": model(9.0, 5.0, 5.0)}, monkeypatch)
    first = await eng.ask(AskRequest("hello", tier="budget"))
    up = await feedback.escalate(eng, first.call_id)
    await eng.close()
    assert first.final.model.id == "openai/ok:cheap"
    assert up.decision.tier == "balanced" and up.final.model.id != "openai/ok:cheap"
    assert "escalated from call" in up.decision.notes[0]


async def test_premium_fallback_below_the_floor_says_what_it_gave_up(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, {
        "openai/error500:top": model(9.0, 1.0, 1.0), "openai/ok:mid": model(6.3, 0.5, 0.5)}, monkeypatch)
    r = await eng.ask(AskRequest("hello", tier="premium"))
    row = await eng.store.get_call(r.call_id)
    await eng.close()
    assert r.final.model.id == "openai/ok:mid" and r.final.status == "ok"
    assert len(r.gave_up) == 1 and "quality floor" in r.gave_up[0] and "6.3" in r.gave_up[0]
    assert r.summary().gave_up == r.gave_up and "gave up: no other model meets the premium" in row["decision"]


async def test_balanced_fallback_to_a_dearer_model_says_so(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, {
        "openai/error500:cheap": model(7.0, 0.1, 0.1), "openai/ok:dear": model(7.0, 3.0, 3.0)}, monkeypatch)
    r = await eng.ask(AskRequest("hello", tier="balanced"))
    await eng.close()
    assert r.final.model.id == "openai/ok:dear"
    assert len(r.gave_up) == 1 and "dearer openai/ok:dear" in r.gave_up[0]


async def test_escalation_keeps_the_conversation_picks_a_stronger_model_and_links_back(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, {
        "openai/echo:cheap": model(4.0, 0.1, 0.1), "openai/echo:top": model(9.0, 5.0, 5.0)}, monkeypatch)
    first = await eng.ask(AskRequest("What is the capital of France?", tier="premium", conversation="c1"))
    follow = await eng.ask(AskRequest("And what about Germany?", tier="premium", conversation="c1",
                                      history=({"role": "user", "content": "What is the capital of France?"},
                                               {"role": "assistant", "content": first.final.text})))
    assert follow.final.model.id == "openai/echo:top"  # already the top of the premium tier
    with pytest.raises(Exception, match="no available model is stronger than openai/echo:top"):
        await feedback.escalate(eng, follow.call_id)
    low = await eng.ask(AskRequest("And what about Germany?", tier="budget", conversation="c1",
                                   history=follow.attempts[0].messages[:-1]))
    up = await feedback.escalate(eng, low.call_id)
    row = await eng.store.get_call(up.call_id)
    sent = server.requests[-1]["body"]["messages"]
    async with eng.store.db.execute("SELECT f FROM stats WHERE model = 'openai/echo:cheap'") as cur:
        f_cheap = (await cur.fetchone())[0]
    await eng.close()
    assert low.final.model.id == "openai/echo:cheap" and up.final.model.id == "openai/echo:top"
    assert row["origin_id"] == low.call_id and row["kind"] == "escalate" and row["conversation"] == "c1"
    assert [m["content"] for m in sent[:-1]][0] == "What is the capital of France?"  # the history went along
    assert sent[-1]["content"] == "And what about Germany?"
    assert f_cheap == pytest.approx(1.0, abs=1e-4)  # the escalation counts against the first answer
