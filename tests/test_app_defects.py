"""The newcomer's defects of issue "App", each pinned by a test that failed before its fix."""

import random

from test_app import demo_app, rows, send

from modeltui.calls.request import AskRequest
from modeltui.providers.attempt import Attempt
from modeltui.signals import tournament
from modeltui.signals.blind import Masker, mask
from modeltui.ui.widgets.answer import Answer
from modeltui.vocab.words import marked, money


async def test_the_live_cost_includes_the_prompt_from_the_first_token(isolated_env):
    """1: the live figure is the logged one's computation (prompt tokens included)."""
    app = demo_app()
    async with app.run_test(size=(100, 30)):
        await app.ready.wait()
        model = app.engine.catalog["demo/large"]
        if model.input_per_mtok:
            a = Attempt(model, [{"role": "user", "content": "word " * 400}], 100)
            assert a.cost_so_far() == model.cost(a.usage_so_far()[0], 0) > 0
            a.text = "some answer text"
            live = a.cost_so_far()
            a.finish("ok")
            assert a.cost == live  # what the meter showed last is what is logged
        else:  # demo models are free: the figure is zero either way, and says so
            assert money(0.0) == "$0.000000"


async def test_search_results_keep_the_words_searched_for(isolated_env):
    """3: the matched words were read as markup ([printing press]) and vanished."""
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "Tell me about the printing press and its effect")
        await app.workers.wait_for_complete()
        found = await app.engine.store.search("printing press")
    assert found
    hits = [p for p, hit in marked(found[0]["snippet"]) if hit]
    assert "printing" in [h.lower() for h in hits] and "press" in [h.lower() for h in hits]
    from modeltui.ui.screens.history import snippet_text

    shown = snippet_text(found[0]["snippet"]).plain.lower()
    assert "printing" in shown and "press" in shown


async def test_tournament_columns_are_shuffled_and_blind_answers_mask_names(isolated_env):
    """4: A was always demo/small; an answer naming its model was shown as it was."""
    app = demo_app()
    async with app.run_test(size=(100, 30)):
        await app.ready.wait()
        firsts = {(await tournament.run(app.engine, f"Explain rivers {i}")).models[0] for i in range(8)}
    assert len(firsts) > 1
    text = "Simulated answer from demo/small about rivers; gpt-4o-mini says small things"
    assert mask(text, ["demo/small", "openai/gpt-4o-mini"]) == \
        "Simulated answer from [model] about rivers; [model] says small things"
    rng = random.Random(7)
    for _ in range(500):  # streamed in random pieces, the masked text is the same and no name leaks
        m, out, i = Masker(["demo/small", "openai/gpt-4o-mini"]), "", 0
        while i < len(text):
            n = rng.randint(1, 6)
            out += m.feed(text[i:i + n])
            assert "demo/small" not in out and "gpt-4o" not in out
            i += n
        assert out + m.end() == mask(text, ["demo/small", "openai/gpt-4o-mini"])


async def test_a_stopped_answer_keeps_its_model_tokens_and_cost(isolated_env):
    """6: the header became only "stopped: …"."""
    app = demo_app(speed=0.3)
    async with app.run_test(size=(110, 30)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "Write a long essay about rivers and the sea")
        for _ in range(100):
            await pilot.pause(0.05)
            if app.chat.query_one(Answer).text:
                break
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        meta = str(app.chat.query_one(Answer).query_one(".meta").render())
        why = app.chat.query_one(Answer).query_one("Collapsible").title
    assert "demo/" in meta and "tok" in meta and "$" in meta and "stopped" in meta, meta
    assert why.startswith("why: "), why


async def test_the_log_says_what_chose_the_model(isolated_env):
    """10: entrants were logged with the chat's tier, a chosen model with the tier."""
    app = demo_app()
    async with app.run_test(size=(100, 30)):
        await app.ready.wait()
        await tournament.run(app.engine, "Is 7 prime?")
        await app.engine.ask(AskRequest("Is 9 prime?", model="demo/small", kind="retry"))
        await app.engine.ask(AskRequest("Is 11 prime?", tier="budget", kind="cli"))
    logged = await rows(app)
    tiers = {r["kind"]: r["tier"] for r in logged}
    assert tiers["tournament"] == "tournament" and tiers["retry"] == "user" and tiers["cli"] == "budget"
