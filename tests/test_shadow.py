"""Shadow checks: a cheaper answer is sometimes asked again of the strongest candidate in the
background; agreement is evidence for the cheaper model on that prompt. Never shown, reserved,
logged as kind `shadow`, and within its share of the month's spend."""

from conftest import CANARY
from helpers import Collect, make_config, server_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.signals import standard

M = {"context_window": 16_000, "max_output": 1000}


async def open_engine(server, tmp, monkeypatch, strong: str, *, max_share: float = 1.0, dear_price: float = 4.0,
                      select: str = "random"):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp, learning={"shadow": {"rate": 1.0, "max_share": max_share, "select": select}})
    data["models"] = {"openai/ok:cheap": {**M, "quality": 6.5, "input_per_mtok": 1.0, "output_per_mtok": 2.0},
                      strong: {**M, "quality": 8.0, "input_per_mtok": dear_price / 2, "output_per_mtok": dear_price}}
    return await Engine.open(cfg=make_config(data), probe_ollama=False, listeners=standard)  # as the app opens it


async def rows(eng, sql):
    async with eng.store.db.execute(sql) as cur:
        return [tuple(r) for r in await cur.fetchall()]


async def test_an_agreeing_shadow_is_never_shown_and_counts_for_the_cheaper_model(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, "openai/ok:dear")
    shown = []
    async with eng:
        r = await eng.ask(AskRequest("Which river flows through Paris?", tier="budget"), Collect(text=shown.append))
        assert r.final.model.id == "openai/ok:cheap"
    # closing waited for the check running in the background
    async with await Engine.open(cfg=eng.cfg, probe_ollama=False) as eng:
        calls = await rows(eng, "SELECT id, kind, model, origin_id, status FROM calls ORDER BY id")
        evidence = await rows(eng, "SELECT call_id, model, source, success, failure FROM prompt_evidence")
        fig = await eng.ledger.figures()
        shadow_cost = (await rows(eng, "SELECT cost_usd FROM calls WHERE kind = 'shadow'"))[0][0]
    assert calls == [(r.call_id, "chat", "openai/ok:cheap", None, "ok"), (r.call_id + 1, "shadow", "openai/ok:dear", r.call_id, "ok")]
    assert "".join(shown) == r.final.text  # the shadow's text never reached the observer
    assert evidence == [(r.call_id, "openai/ok:cheap", "shadow", 1.0, 0.0)]
    assert fig.reserved_usd == 0 and fig.learning_usd == shadow_cost > 0


async def test_a_disagreeing_shadow_counts_against_the_cheaper_model(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, "openai/echo:dear")  # answers something else
    async with eng:
        r = await eng.ask(AskRequest("Which river flows through Paris?", tier="budget"))
    async with await Engine.open(cfg=eng.cfg, probe_ollama=False) as eng:
        evidence = await rows(eng, "SELECT call_id, model, source, success, failure FROM prompt_evidence")
    assert evidence == [(r.call_id, "openai/ok:cheap", "shadow", 0.0, 1.0)]


async def test_shadow_calls_stay_within_their_share_of_the_month(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, "openai/ok:dear", max_share=0.3, dear_price=2.4)
    async with eng:
        for i in range(30):
            await eng.ask(AskRequest(f"Which river flows through city number {i}?", tier="budget"))
            await eng.close_background()  # one at a time: each check sees the spend before it
        (shadow, total), = await rows(eng, "SELECT SUM(CASE WHEN kind = 'shadow' THEN cost_usd ELSE 0 END), SUM(cost_usd) FROM calls")
        checks = await rows(eng, "SELECT COUNT(*) FROM calls WHERE kind = 'shadow'")
    assert checks[0][0] >= 1  # some fit
    assert shadow <= 0.3 * total  # and together they never pass the share


async def test_a_targeted_check_runs_through_the_same_path(server, isolated_env, monkeypatch):
    eng = await open_engine(server, isolated_env, monkeypatch, "openai/echo:dear", select="value")
    async with eng:  # at rate 1 every answer is in the top share: the value path decides, then checks
        r = await eng.ask(AskRequest("Which river flows through Paris?", tier="budget"))
    async with await Engine.open(cfg=eng.cfg, probe_ollama=False) as eng:
        evidence = await rows(eng, "SELECT call_id, model, source, success, failure FROM prompt_evidence")
    assert evidence == [(r.call_id, "openai/ok:cheap", "shadow", 0.0, 1.0)]
