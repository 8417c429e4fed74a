"""Issue 11 over the local server: the cap holds whatever the provider sends, every HTTP request
is one row, answers are labelled by how they really ended, errors get the right kind."""

import sys
from pathlib import Path

import pytest

from conftest import CANARY
from helpers import make_config, server_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from test_fallback import model as _model


def model(q=6.0, pin=1.0, pout=2.0, **kw):
    return _model(q, pin, pout, **kw)


async def open_engine(server, tmp, monkeypatch, models, **sections):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp, **sections)
    data["models"] = models
    return await Engine.open(cfg=make_config(data), probe_ollama=False)


async def test_a_provider_ignoring_max_tokens_or_inflating_usage_cannot_pass_the_cap(server, isolated_env, monkeypatch):
    cap = 0.02
    eng = await open_engine(server, isolated_env, monkeypatch,
                            {"openai/long:x": model(pin=10.0, pout=400.0), "openai/inflated:y": model(pin=10.0, pout=400.0)},
                            budget={"monthly_usd": cap}, gateway={"max_tokens": 20})
    results = []
    for i in range(12):
        try:
            results.append(await eng.ask(AskRequest(f"Say hello {i}", model=("openai/long:x", "openai/inflated:y")[i % 2])))
        except Exception as exc:  # noqa: BLE001 - refusals once the cap is reached
            assert "budget" in str(exc)
    fig = await eng.ledger.figures()
    rows = await eng.store.recent(50)
    await eng.close()
    assert fig.month_usd <= cap + 1e-12 and fig.reserved_usd == 0
    assert results and all(r.final.status == "ok" and r.final.cut_short for r in results)
    assert all(r.final.cost <= r.final.budget_usd + 1e-15 for r in results)
    assert {row["finish_reason"] for row in rows} <= {"cut_max_tokens", "cut_budget"}
    assert all(len(r.final.text.split()) < 60 for r in results)  # reading stopped near 20 tokens, not at 400 words


@pytest.mark.parametrize("behaviour,status,kind,finish", [
    ("empty", "error", "bad_response", "stop"),
    ("filter", "error", "content_policy", "content_filter"),
    ("toolcall", "error", "bad_response", "tool_calls"),
    ("length", "ok", None, "length"),
    ("json200", "ok", None, "stop"),
    ("html200", "error", "bad_response", None),
    ("closed", "error", "connection", None),
    ("cut", "error", "connection", None),
    ("r422", "error", "bad_request", None),
])
async def test_answers_are_labelled_by_how_they_really_ended(server, isolated_env, monkeypatch, behaviour, status,
                                                             kind, finish):
    mid = f"openai/{behaviour}:m"
    eng = await open_engine(server, isolated_env, monkeypatch, {mid: model()})
    r = await eng.ask(AskRequest("Say hello", model=mid))
    rows = await eng.store.recent(10)
    await eng.close()
    assert (r.final.status, r.final.error_kind, r.final.finish_reason) == (status, kind, finish), r.final.error_message
    assert server.count(f"{behaviour}:m") == len(rows) == 1  # one HTTP request, one row
    assert rows[0]["finish_reason"] == finish
    assert "AttributeError" not in (rows[0]["error_message"] or "")
    if behaviour == "json200":
        assert r.final.text == "Hello from the local server." and r.final.tokens_out == 7
    if behaviour == "length":
        assert r.final.cut_short and r.summary().cut_short


@pytest.mark.parametrize("behaviour,low,high", [("retryms", 1.4, 1.6), ("retrydate", 0.5, 2.5)])
async def test_retry_after_ms_wins_and_an_http_date_is_honoured(server, isolated_env, monkeypatch, behaviour, low, high):
    mid = f"openai/{behaviour}:m"
    eng = await open_engine(server, isolated_env, monkeypatch, {mid: model()}, gateway={"max_retry_after_s": 0.01})
    r = await eng.ask(AskRequest("Say hello", model=mid))
    await eng.close()
    assert r.attempts[0].error_kind == "rate_limit"
    assert low <= r.attempts[0].retry_after <= high


@pytest.mark.parametrize("dead", ["hung", "refused"])
async def test_a_dead_endpoint_costs_one_timeout_not_one_per_model(server, isolated_env, monkeypatch, dead):
    import socket
    import time

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from _fault_server import Blackhole

    hole = Blackhole()
    if dead == "refused":
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
        s.close()  # nothing listens there now
    else:
        url = hole.url
    dead_models = {f"openai/ok:dead{i}": model(q=6.0, pin=0.1 * (i + 1), pout=0.1 * (i + 1), api_base=url + "/v1")
                   for i in range(3)}
    eng = await open_engine(server, isolated_env, monkeypatch, {**dead_models, "openai/ok:alive": model(pin=5.0, pout=5.0)},
                            gateway={"connect_timeout_s": 1.0, "stall_timeout_s": 1.0, "total_timeout_s": 5.0})
    t = time.perf_counter()
    r = await eng.ask(AskRequest("Say hello", tier="budget"))
    took = time.perf_counter() - t
    again = await eng.ask(AskRequest("Say hello again", tier="budget"))
    await eng.close()
    hole.stop()
    assert [a.model.id for a in r.attempts] == ["openai/ok:dead0", "openai/ok:alive"]
    assert r.attempts[0].error_kind == ("timeout" if dead == "hung" else "connection")
    assert r.final.status == "ok" and took < 4.0  # one timeout (1 s), not three
    assert [a.model.id for a in again.attempts] == ["openai/ok:alive"]  # the endpoint rests
    assert any("unreachable" in d["reason"] for d in again.decision.dropped if d["model"] == "openai/ok:dead1")
