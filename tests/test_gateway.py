"""The whole litellm path against a real local OpenAI-compatible server: usage, cost, and each fault."""

import pytest

from conftest import CANARY
from helpers import Collect, make_config, server_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest

EXPECTED = {  # model -> (status, error kind, partial text kept)
    "ok": ("ok", None, "Hello from the local server. "),
    "unauthorized": ("error", "auth", ""),
    "notfound": ("error", "not_found", ""),
    "ratelimit": ("error", "rate_limit", ""),
    "error500": ("error", "server", ""),
    "hang": ("error", "timeout", ""),
    "cut": ("error", "connection", "Hello from "),
    "malformed": ("error", "bad_response", ""),
    "context": ("error", "context_window", ""),
}


@pytest.fixture
async def engine(server, isolated_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    cfg = make_config(server_config(server.url, isolated_env, gateway={"max_retry_after_s": 0.0}))
    eng = await Engine.open(cfg=cfg, probe_ollama=False)
    yield eng
    await eng.close()


async def test_stream_logged_with_usage_from_final_chunk_and_catalog_cost(engine, server):
    chunks = []
    r = await engine.ask(AskRequest("Say hello", model="openai/ok"), Collect(text=chunks.append))
    assert r.final.status == "ok"
    assert "".join(chunks) == "Hello from the local server. "
    row = await engine.store.get_call(r.call_id)
    assert (row["tokens_in"], row["tokens_out"], row["tokens_estimated"]) == (11, 7, 0)
    assert row["cost_usd"] == pytest.approx((11 * 1.0 + 7 * 2.0) / 1e6)  # catalog prices, not litellm's
    assert row["response"] == "Hello from the local server. "
    assert row["ttft_ms"] is not None and row["latency_ms"] >= row["ttft_ms"]
    assert server.count("ok") == 1


@pytest.mark.parametrize("model", [m for m in EXPECTED if m != "ok"])
async def test_fault_ends_with_right_status_kind_and_partial_text(engine, server, model):
    r = await engine.ask(AskRequest("Say hello", model=f"openai/{model}"))
    status, kind, partial = EXPECTED[model]
    rows = await engine.store.recent(50)
    assert r.final.status == status
    assert r.final.error_kind == kind
    assert r.final.text == partial
    assert rows[0]["response"] == partial and rows[0]["status"] == status
    assert rows[0]["tokens_estimated"] == 1  # no usage arrived: estimated, and marked so
    # one owner of retries: the server saw exactly as many requests as the log has attempts
    assert server.count(model) == len(rows) == len(r.attempts)
    if model == "ratelimit":
        assert r.final.retry_after == 1.0


async def test_canary_key_never_reaches_log_or_messages(engine, server, isolated_env):
    r = await engine.ask(AskRequest("Say hello", model="openai/unauthorized"))
    assert server.requests[0]["auth"] == f"Bearer {CANARY}"  # the server did receive (and echo) it
    assert CANARY not in (r.final.error_message or "")
    assert "OPENAI_API_KEY" in " ".join(r.decision.notes) or r.final.error_kind == "auth"
