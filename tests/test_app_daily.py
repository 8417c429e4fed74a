"""The app for daily use (issue 12), driven with Pilot: no crash on any key, focus and stop keys,
readable rankings, help, a readable decision, retry, long prompts, copy, searchable and resumable
history, blind tournaments, system prompts and templates."""

import asyncio

from textual import events

from modeltui.ui.widgets.answer import Answer
from test_app import demo_app, rows, send, server_app
from helpers import until


async def answered(app, pilot, text):
    await send(app, pilot, text)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def mid_answer(app, pilot, server):
    """Send a prompt to a slow model and return once a word or two has streamed."""
    await app.ready.wait()
    await send(app, pilot, "hello")
    while server.count() == 0:
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)


async def test_history_opens_lists_conversations_and_pages(isolated_env):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await answered(app, pilot, "What is 2+2?")
        await pilot.press("f8")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        assert table.row_count == 1 and "What is 2+2?" in str(table.get_row_at(0))
        await pilot.press("n", "p")
        await pilot.pause()
        assert app.is_running


async def test_a_new_conversation_mid_answer_stops_it_without_a_crash(server, isolated_env, monkeypatch):
    app = server_app(server, isolated_env, monkeypatch, {"openai/veryslow:m": {}})
    async with app.run_test(size=(100, 30)) as pilot:
        await mid_answer(app, pilot, server)
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and len(app.chat.query(Answer)) == 0
        assert app.focused is app.chat.query_one("#prompt")
    logged = await rows(app)
    assert [r["status"] for r in logged] == ["cancelled"] and logged[0]["response"].startswith("Hello")


async def test_the_stop_key_stops_a_streaming_answer_and_logs_it(server, isolated_env, monkeypatch):
    app = server_app(server, isolated_env, monkeypatch, {"openai/veryslow:m": {}})
    async with app.run_test(size=(100, 30)) as pilot:
        await mid_answer(app, pilot, server)
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        meta = str(app.chat.query_one(Answer).query_one(".meta").render())
        await app.chat.refresh_meter()
        spend = str(app.chat.query_one("#meter-spend").render())
    logged = await rows(app)
    assert [r["status"] for r in logged] == ["cancelled"] and (logged[0]["cost_usd"] or 0) > 0
    assert "stopped" in meta and "reserved $0.000000" in spend


async def test_focus_comes_back_to_the_prompt_after_a_button_a_dialog_and_escape(isolated_env):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await answered(app, pilot, "What is 2+2?")
        answer = app.chat.query_one(Answer)
        await pilot.click(answer.query("Button").first())  # ▲ good
        await pilot.pause()
        await pilot.press("h", "i")
        assert app.chat.query_one("#prompt").text == "hi"
        await pilot.press("f9")  # a dialog, then back
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")
        assert app.chat.query_one("#prompt").text == "hix"
        answer.query("Button").first().focus()
        await pilot.press("escape")
        assert app.focused is app.chat.query_one("#prompt")


async def test_rankings_show_money_intervals_dashes_and_whole_counts_in_80_columns(isolated_env):
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.ready.wait()
        await answered(app, pilot, "What is 2+2?")
        await pilot.press("f6")
        app.screen.query_one("Input").value = "What is 17*23?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("escape", "f7")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        cells = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        width = sum(col.get_render_width(table) for col in table.columns.values())
    assert width <= 80
    flat = " ".join(" ".join(r) for r in cells)
    assert "-inf" not in flat and "0.00 " not in flat + " "
    assert any("$0.0" in c for r in cells for c in r)  # money at the meter's precision
    assert any("(" in r[2] and "–" in r[2] for r in cells)  # 1044 (952–1173)
    assert all(r[6].isdigit() for r in cells)


async def test_help_lists_every_key_and_where_the_files_are(isolated_env):
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.ready.wait()
        footer = " ".join(str(k.render()) for k in app.screen.query("FooterKey"))
        assert "Quit" in footer and "New" in footer and "Help" in footer  # they fit at 80 columns
        await pilot.press("f1")
        await pilot.pause()
        from rich.console import Console

        console = Console(width=100, record=True)
        for table in app.screen.tables:
            console.print(table)
        text = console.export_text()
        await pilot.press("escape")
    for key in ("ctrl+g", "ctrl+o", "ctrl+n", "f6", "f7", "f8", "f9", "escape"):
        assert key in text, key
    assert str(app.cfg.db_path()) in text and "config" in text and "data folder" in text


async def test_the_decision_is_a_small_table_and_the_why_line_ends_on_a_word(isolated_env):
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.ready.wait()
        await pilot.pause()
        banner = app.chat.query_one("#banner")
        assert banner.display and banner.region.height == 1
        await pilot.click("#banner")
        assert not banner.display
        await answered(app, pilot, "What is 2+2?")
        answer = app.chat.query_one(Answer)
        title = answer.query_one("Collapsible").title
        from modeltui.ui.widgets.answer import decision_table

        decision = decision_table(answer.reasons)
    from rich.console import Console

    console = Console(width=78, record=True)
    console.print(decision)
    text = console.export_text()
    assert title.startswith("why: ") and (len(title) <= 80) and (title.endswith("…") or " " not in title[-2:])
    assert "quality_per_dollar" not in text and "candidate" in text
    assert "key not set" in text and text.count(" not set") <= 3  # grouped, not one line per model


async def test_retry_completes_with_tab_sends_only_the_earlier_context_and_says_it_was_forced(
        server, isolated_env, monkeypatch):
    app = server_app(server, isolated_env, monkeypatch, {"openai/echo:a": {}, "openai/echo:b": {"quality": 3.0}})
    async with app.run_test(size=(110, 30)) as pilot:
        await app.ready.wait()
        await answered(app, pilot, "first question")
        await answered(app, pilot, "second question")
        second = app.chat.query(Answer).last()
        await pilot.click(second.query("Button").last())  # retry with…
        await pilot.pause()
        await pilot.press("o", "p", "e", "n", "a", "i", "/", "e", "c", "h", "o", ":", "b")
        box = app.screen.query_one("Input")
        box.value = "openai/echo:"
        box.cursor_position = len(box.value)
        await pilot.pause(0.2)
        await pilot.press("tab")
        completed = box.value
        box.value = "openai/echo:b"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        retried = app.chat.query(Answer).last()
        forced = str(retried.query_one(".forced").render())
    sent = server.requests[-1]["body"]["messages"]
    assert completed.startswith("openai/echo:") and len(completed) > len("openai/echo:")
    assert [m["content"] for m in sent] == ["first question", "first question ", "second question"]
    assert "chosen by you" in forced and "openai/echo:b" in forced
    logged = await rows(app)
    assert logged[0]["kind"] == "retry" and logged[0]["origin_id"] == second.call_id


async def test_a_long_prompt_is_folded_the_tournament_never_stacks_and_copy_says_where(isolated_env, monkeypatch):
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await answered(app, pilot, "word " * 40_000)
        you = str(app.chat.query_one(Answer).query_one(".you").render())
        assert len(you) < 600 and "more characters" in you
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        stacked = sum(type(s).__name__ == "TournamentScreen" for s in app.screen_stack)
        await pilot.press("escape")
        await pilot.pause()
        notes = []
        app.notify = lambda msg, **kw: notes.append(msg)
        await pilot.click(app.chat.query_one(Answer).query("Button")[3])  # copy
        await pilot.pause()
    assert stacked == 1
    assert notes and "set-clipboard on" in notes[0]


async def test_search_finds_a_past_answer_and_resuming_continues_it(server, isolated_env, monkeypatch):
    app = server_app(server, isolated_env, monkeypatch, {"openai/echo:a": {}})
    async with app.run_test(size=(110, 30)) as pilot:
        await app.ready.wait()
        await answered(app, pilot, "tell me about the aubergine")
        conversation = app.chat.conversation
        await pilot.press("ctrl+n")
        await answered(app, pilot, "something else entirely")
        await pilot.press("f8", "slash")
        await pilot.pause()
        for ch in "aubergine":
            await pilot.press(ch)
        await pilot.press("enter")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        found = [str(table.get_row_at(i)) for i in range(table.row_count)]
        await pilot.press("enter")  # continue that conversation
        await pilot.pause()
        assert app.chat.conversation == conversation and len(app.chat.query(Answer)) == 1
        await answered(app, pilot, "and how do I cook it?")
    assert len(found) == 1 and "aubergine" in found[0]
    sent = server.requests[-1]["body"]["messages"]
    assert [m["content"] for m in sent[:2]] == ["tell me about the aubergine", "tell me about the aubergine "]
    logged = await rows(app)
    assert logged[0]["conversation"] == conversation == logged[-1]["conversation"]


async def test_a_blind_tournament_hides_names_until_the_vote(isolated_env):
    app = demo_app()
    app.cfg.tournament.blind = True
    async with app.run_test(size=(110, 30)) as pilot:
        await app.ready.wait()
        await pilot.press("f6")
        app.screen.query_one("Input").value = "What is 17*23?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        before = " ".join(str(h.render()) for h in app.screen.query(".colhead"))
        await pilot.press("a")
        await pilot.pause()
        after = " ".join(str(h.render()) for h in app.screen.query(".colhead"))
    assert "demo/" not in before and "$" not in before and "A · ok" in before
    assert after.count("demo/") == 3 and "$" in after


async def test_a_system_prompt_and_a_template_reach_the_model(server, isolated_env, monkeypatch):
    from modeltui.settings.config import Template

    app = server_app(server, isolated_env, monkeypatch, {"openai/echo:a": {}})
    app.cfg.templates["terse"] = Template(system="Answer in five words.", prompt="Explain: ")
    async with app.run_test(size=(110, 30)) as pilot:
        await app.ready.wait()
        await app.use_template("terse")
        await pilot.pause()
        await pilot.press("x")
        assert app.chat.query_one("#prompt").text == "Explain: x"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
    sent = server.requests[-1]["body"]["messages"]
    assert sent[0] == {"role": "system", "content": "Answer in five words."} and sent[-1]["content"] == "Explain: x"


async def test_typing_after_a_tournament_starts_a_new_prompt_and_never_votes(isolated_env):
    """Vote keys are letters: a word typed after the answers must not cast or change votes."""
    app = demo_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await app.ready.wait()
        await pilot.press("f6")
        box = app.screen.query_one("Input")
        box.value = "Is 7 prime?"
        await pilot.press("ctrl+s")  # sends here as on the chat
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.tournament_id is not None and not box.has_focus
        await pilot.pause()
        await pilot.press(*"What is 2+2?")  # no vote first: the W starts a new prompt
        await pilot.pause()
        assert box.value == "What is 2+2?" and box.has_focus
        assert await app.engine.store.votes(tournament_id=app.screen.tournament_id) == []
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("b")  # a vote, then the box takes the next prompt: letters type, not vote
        await pilot.pause()
        await pilot.press(*"tax")
        await pilot.pause()
        votes = await app.engine.store.votes(tournament_id=app.screen.tournament_id)
        b_model = app.screen.entrants[1]["model"]
        assert box.has_focus and box.value == "tax"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        for ch in "Write a tale":  # a burst, as fast typing or a paste arrives: all read before any is handled
            app.post_message(events.Key(ch, ch))
        await pilot.pause()
        await pilot.pause()
        assert box.value == "Write a tale"
        assert await app.engine.store.votes(tournament_id=app.screen.tournament_id) == []
    assert [v["value"] for v in votes] == [b_model]  # one vote, B's, and not changed by "tax"


async def test_a_vote_key_while_the_answers_stream_keeps_the_prompt_and_says_so(isolated_env):
    app = demo_app(speed=0.5)
    async with app.run_test(size=(110, 30)) as pilot:
        await app.ready.wait()
        await pilot.press("f6")
        box = app.screen.query_one("Input")
        box.value = "Write a long essay about rivers"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("b")  # too early: nothing to vote on, and the question stays
        await pilot.pause()
        running, kept = app.screen.tournament_id is None, box.value
        shown = [n.message for n in app._notifications]
        await app.workers.wait_for_complete()
    assert running and kept == "Write a long essay about rivers"
    assert any("no finished tournament to vote on" in n for n in shown)


async def test_a_broken_theme_file_and_an_unknown_keymap_id_are_shown_not_fatal(isolated_env, tmp_path):
    from modeltui.ui.app import ModeltuiApp

    (tmp_path / "bad.toml").write_text('name = "bad"\nprimary = "#112233"\nsparkle = 1\n')
    app = ModeltuiApp(raw={"keymap": {"tier.premiun": "f12"}}, extra_theme_dirs=[tmp_path])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
    assert any("bad.toml" in m and "sparkle" in m for m in shown), shown
    assert any("unknown binding id 'tier.premiun'" in m for m in shown), shown


async def test_escalating_from_the_strongest_model_says_so_and_adds_no_answer(isolated_env):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await pilot.press("f4")
        await answered(app, pilot, "What is 12*12?")
        [first] = app.chat.query(Answer)
        assert first.call_id is not None
        first.post_message(Answer.Action(first, "escalate"))
        # (the handler starts a worker: wait for what it says, not for one pause, on a loaded machine)
        await until(pilot, lambda: any("stronger than" in n.message for n in app._notifications))
        await app.workers.wait_for_complete()
        await pilot.pause()
        answers = list(app.chat.query(Answer))
        shown = [n.message for n in app._notifications]
    assert answers == [first]  # nothing was asked: no answer block with buttons for a call that never was
    assert any("no available model is stronger than demo/large" in m for m in shown), shown
    assert [r["kind"] for r in await rows(app)] == ["chat"]
