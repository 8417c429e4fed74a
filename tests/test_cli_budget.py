"""`modeltui budget`, `estimate` and `ask --explain` as a user runs them."""

import json

from helpers import write_config
from modeltui import cli


def test_budget_reports_caps_and_left(isolated_env, capsys):
    write_config({"budget": {"monthly_usd": 5.0, "daily_usd": 1.0}, "ollama_url": "http://127.0.0.1:9"},
                 isolated_env / "config.toml")
    assert cli.main(["budget", "--json"]) == 0
    fig = json.loads(capsys.readouterr().out)
    assert fig["monthly_cap_usd"] == 5.0 and fig["left_usd"] == 1.0 and fig["month_usd"] == 0


def test_estimate_per_tier_uses_cheaper_models_in_cheaper_tiers(isolated_env, capsys):
    write_config({"ollama_url": "http://127.0.0.1:9"}, isolated_env / "config.toml")
    code = cli.main(["estimate", "--calls", "code=300,writing=100", "--all-models", "--tokens-in", "800",
                     "--tokens-out", "600", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"budget", "balanced", "premium", "auto"}
    assert out["budget"]["monthly_usd"] < out["balanced"]["monthly_usd"] < out["premium"]["monthly_usd"]
    row = out["premium"]["rows"][0]
    assert row["calls"] == 300 and row["tokens_in"] == 800 and not row["model"].startswith("demo/")
    assert abs(row["monthly_usd"] - row["cost_per_call_usd"] * 300) < 1e-12


def test_estimate_rejects_a_bad_profile(isolated_env, capsys):
    assert cli.main(["estimate", "--calls", "code"]) == 2
    assert "not USE_CASE=COUNT" in capsys.readouterr().err


def test_ask_explain_shows_drops_and_scores(isolated_env, capsys):
    write_config({"ollama_url": "http://127.0.0.1:9", "demo": {"speed": 50.0}}, isolated_env / "config.toml")
    assert cli.main(["ask", "What is 3+4?", "--tier", "balanced", "--explain"]) == 0
    cap = capsys.readouterr()
    assert cap.out.strip().endswith("**7**.") or "7" in cap.out
    assert "chosen: demo/large" in cap.err
    assert "demo/small                               quality 3.5 below tier minimum 6.0" in cap.err
    assert "gpt-5                                    OPENAI_API_KEY not set" in cap.err
    assert "quality_per_dollar=" in cap.err


def test_models_lists_availability_and_why(isolated_env, capsys, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-123456789")
    write_config({"ollama_url": "http://127.0.0.1:9"}, isolated_env / "config.toml")
    assert cli.main(["models", "--json"]) == 0
    models = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    assert models["claude-haiku-4-5"]["available"] and models["claude-haiku-4-5"]["why"] == "ANTHROPIC_API_KEY is set"
    assert not models["gpt-5"]["available"] and models["gpt-5"]["why"] == "OPENAI_API_KEY not set"
    assert not models["demo/small"]["available"]  # a real model is available: demo models step aside
    assert models["xai/grok-4"]["input_per_mtok"] is None or models["xai/grok-4"]["input_per_mtok"] > 0  # unknown, never 0
    assert models["ollama/llama3.2"]["why"].startswith("no Ollama at")


def test_prices_refresh_from_a_url_changes_the_catalog(isolated_env, capsys, tmp_path):
    import http.server
    import threading

    from modeltui.providers import catalog, prices
    from modeltui.settings import config

    (tmp_path / "p.json").write_text(json.dumps({"gpt-5": {"input_cost_per_token": 7e-06, "output_cost_per_token": 9e-06,
                                                           "max_input_tokens": 100000, "max_output_tokens": 5000}}))
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **kw)  # noqa: E731
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        assert cli.main(["prices", "--refresh", "--url", f"http://127.0.0.1:{srv.server_address[1]}/p.json"]) == 0
        assert cli.main(["prices", "--refresh", "--url", f"http://127.0.0.1:{srv.server_address[1]}/missing.json"]) == 1
    finally:
        srv.shutdown()
    try:
        out = capsys.readouterr()
        assert "saved 1 price entries" in out.out and "could not fetch prices" in out.err
        gpt5 = catalog.build(config.Config(), env={}, ollama_tags=[])["gpt-5"]
        assert (gpt5.input_per_mtok, gpt5.output_per_mtok, gpt5.context_window) == (7.0, 9.0, 100000)
    finally:  # the price map is cached per process: do not leak this one into other tests
        prices.refreshed_path().unlink(missing_ok=True)
        prices.price_map.cache_clear()
