"""Table-driven tier policies over a fixed catalog (pure functions, no I/O)."""

import pytest

from modeltui.errors import BudgetRefused
from modeltui.providers import catalog
from modeltui.providers.catalog import ModelInfo
from modeltui.routing import RouteRequest, decide, estimate_complexity
from modeltui.settings.config import Config


def m(mid, q, pin, pout, window, local=False, **kw):
    return ModelInfo(id=mid, provider=mid.split("/")[0], quality=q, input_per_mtok=pin, output_per_mtok=pout,
                     context_window=window, max_output=4096, local=local, available=True, **kw)


CATALOG = [
    m("remote/free", 3.5, 0.0, 0.0, 8_000),
    m("local/tiny", 3.5, None, None, 8_000, local=True),
    m("cheap/small", 5.0, 0.1, 0.4, 16_000),
    m("mid/value", 7.0, 0.5, 1.5, 128_000),
    m("mid/pricey", 7.2, 3.0, 15.0, 200_000),
    m("top/best", 9.0, 5.0, 25.0, 200_000),
    m("top/near", 8.6, 1.25, 10.0, 1_000_000),
]
PROMPTS = {
    "low": "What is the capital of France?",
    "medium": "Fix this bug:\n```python\nx = 1 + 2\n```",
    "high": "Explain why this design fails, step by step:\n1. read the code\n2. find the race\n"
            "3. propose a fix\n```python\nx = a + 1\n```",
}
EXPECTED = {  # tier -> model for low / medium / high prompts
    "budget": ("local/tiny", "cheap/small", "mid/value"),
    "balanced": ("top/near", "top/near", "top/near"),
    "premium": ("top/best", "top/best", "top/best"),
    "auto": ("local/tiny", "top/near", "top/best"),
}


def ask(prompt, tier, models=CATALOG, cfg=None, **kw):
    return decide(models, RouteRequest([{"role": "user", "content": prompt}], tier=tier, max_tokens=1024, **kw),
                  cfg or Config())


@pytest.mark.parametrize("tier", EXPECTED)
@pytest.mark.parametrize("level", ["low", "medium", "high"])
def test_each_tier_picks_the_documented_model(tier, level):
    assert estimate_complexity(PROMPTS[level])[0] == level
    d = ask(PROMPTS[level], tier)
    assert d.model == EXPECTED[tier][("low", "medium", "high").index(level)], d.reasons()
    assert d.complexity == level
    assert d.chain[0] == d.model and len(set(d.chain)) == len(d.chain)


def test_prompt_too_long_for_small_windows_escalates():
    d = ask("word " * 12_000, "budget")  # ~15k tokens + 1024 out
    assert d.model == "mid/value"
    reasons = {x["model"]: x["reason"] for x in d.dropped}
    assert reasons["cheap/small"].startswith("context too small: needs")
    assert "85% of window is 13600" in reasons["cheap/small"]


def test_prompt_too_long_for_every_window_is_refused_with_numbers():
    with pytest.raises(Exception, match="context too small"):
        ask("word " * 900_000, "premium")


def test_missing_keys_drop_providers():
    cat = catalog.build(Config(), env={"ANTHROPIC_API_KEY": "x"}, ollama_tags=[])
    d = decide(cat.all(), RouteRequest([{"role": "user", "content": "hi"}], tier="premium"), Config())
    assert cat[d.model].provider == "anthropic"
    reasons = {x["model"]: x["reason"] for x in d.dropped}
    assert reasons["gpt-5"] == "OPENAI_API_KEY not set"
    assert reasons["gemini/gemini-2.5-pro"] == "GEMINI_API_KEY not set"


def test_prefer_local_wins_ties():
    assert ask(PROMPTS["low"], "budget").model == "local/tiny"
    cfg = Config()
    cfg.routing.prefer_local = False
    assert ask(PROMPTS["low"], "budget", cfg=cfg).model == "remote/free"


def test_unknown_price_is_skipped_under_a_cap_only():
    models = [*CATALOG, m("mystery/model", 9.5, None, None, 200_000)]
    assert ask(PROMPTS["low"], "premium", models).model == "mystery/model"
    d = ask(PROMPTS["low"], "premium", models, budget_left=10.0)
    assert d.model == "top/best"
    assert any(x["model"] == "mystery/model" and "price unknown" in x["reason"] for x in d.dropped)


def test_budget_reroutes_to_best_that_fits_and_says_so():
    d = ask(PROMPTS["low"], "premium", budget_left=0.02)  # top/best needs ~$0.1025
    assert d.model == "top/near"
    assert any("does not fit" in n for n in d.notes)
    with pytest.raises(BudgetRefused, match=r"only \$0\.000000 left"):
        ask(PROMPTS["low"], "premium", budget_left=0.0)


def test_cooling_model_is_dropped_visibly():
    d = ask(PROMPTS["low"], "premium", cooling={"top/best": "cooling down after 3 failures"})
    assert d.model != "top/best"
    assert {"model": "top/best", "reason": "cooling down after 3 failures"} in d.dropped


def test_declared_use_case_and_complexity_win():
    d = ask("hello", "auto", use_case="code", complexity="high")
    assert (d.use_case, d.use_case_source, d.complexity, d.effective_tier) == ("code", "declared", "high", "premium")
