"""An Ollama-like local server makes its models available as free local models."""

from helpers import make_config, server_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.providers import catalog


async def test_ollama_models_available_free_and_logged_at_zero_cost(server, ollama, isolated_env):
    cfg = make_config(server_config(server.url, isolated_env, ollama_url=ollama.url, builtin_models=True))
    cat = catalog.build(cfg)
    assert cat["ollama/llama3.2"].available and cat["ollama/llama3.2"].local
    assert cat["ollama/tinyllama"].available  # pulled but not in the catalog: joins as a local model
    assert not cat["ollama/mistral"].available and "not pulled" in cat["ollama/mistral"].why
    assert not cat["gpt-5"].available and cat["gpt-5"].why == "OPENAI_API_KEY not set"

    eng = await Engine.open(cfg=cfg)
    try:
        r = await eng.ask(AskRequest("hi", model="ollama/llama3.2"))
        row = await eng.store.get_call(r.call_id)
    finally:
        await eng.close()
    assert r.final.status == "ok", r.final.error_message
    assert row["response"] == "Local llama says hi."
    assert row["cost_usd"] == 0.0 and row["provider"] == "ollama"
    assert (row["tokens_in"], row["tokens_out"]) == (12, 4)
    chats = [r for r in ollama.requests if r["path"] == "/api/chat"]
    assert len(chats) == 1 and chats[0]["model"] == "llama3.2"


def test_no_ollama_means_unavailable_quickly(isolated_env):
    assert catalog.probe_ollama("http://127.0.0.1:9", timeout=0.3) is None
