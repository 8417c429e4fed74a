"""The newcomer's defects of issue "App" that are about what the screen says (5, 7, 8, 9, 11, 12),
each pinned by a test that failed before its fix."""

import os
import subprocess
import sys

import pytest
from helpers import screen_text
from test_app import demo_app, send

from modeltui.learning import bt
from modeltui.learning.discovery import discover
from modeltui.learning.stats import Obs, apply, to_db
from modeltui.ui.widgets.answer import Answer


async def run_tournament_view(app, pilot, prompt: str) -> None:
    await pilot.press("f6")
    app.screen.query_one("#tprompt").value = prompt
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_after_a_vote_the_line_says_the_keys_type_and_they_do(isolated_env):
    """5: the vote hint stayed on screen while `c` replaced the question."""
    app = demo_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app.ready.wait()
        await run_tournament_view(app, pilot, "What is 17*23?")
        keys = app.screen.query_one("#keys")
        assert "a/b/c wins" in str(keys.render())  # the answers are in: the keys vote
        await pilot.press("a")
        await pilot.pause()
        line = str(keys.render())
        assert "your vote: A wins" in line and "typing the next prompt" in line and "a/b/c wins" not in line
        await pilot.press("c")  # the line says it types: it types, and the vote stays A
        await pilot.pause()
        assert app.screen.query_one("#tprompt").value == "c"
        votes = await app.engine.store.vote_rows()
    assert len(votes) == 1


async def test_a_tournament_from_a_history_search_opens_in_its_view_and_keeps_the_chat(isolated_env):
    """7: it opened an empty chat ("continuing a conversation of 0 answered prompts") in place of
    the conversation one was in."""
    app = demo_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "What is 2+2?")
        await app.workers.wait_for_complete()
        conversation = app.chat.conversation
        await run_tournament_view(app, pilot, "Name a zebra-striped fish")
        await pilot.press("escape", "f8")
        await pilot.pause()
        await pilot.press("slash")
        app.screen.query_one("#search").value = "zebra"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # the first match: a tournament entrant
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_mode == "tournament"
        assert app.screen.query_one("#tprompt").value == "Name a zebra-striped fish"
        assert all(str(h.render()).startswith(("A ·", "B ·", "C ·")) for h in app.screen.query(".colhead"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "chat" and app.chat.conversation == conversation
        assert len(app.chat.query(Answer)) == 1 and "4" in app.chat.query_one(Answer).text


@pytest.mark.parametrize("width,height", [(80, 24), (100, 30)])
async def test_nothing_is_cut_at_80_and_100_columns(isolated_env, width, height):
    """8: the banner lost "start Ollama", the footer showed "^g Sto", "retry with" its ellipsis,
    the system prompt dialog its title."""
    app = demo_app()
    async with app.run_test(size=(width, height)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "What is 2+2?")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = screen_text(app)
        assert "Set a provider key or start Ollama (F1 says how)." in shown
        assert "^g Stop" in shown and "retry with…" in shown and "▲ good" in shown
        await app.ask_system_prompt()
        for _ in range(40):
            await pilot.pause(0.05)
            if type(app.screen).__name__ == "SystemPrompt":
                break
        await pilot.pause()
        assert "System prompt for this conversation (empty clears it; enter keeps it)" in screen_text(app, app.screen.query_one(".dialog"))


def test_the_cli_tables_fit_80_columns(isolated_env):
    """8: `log`, `models` and `runs` needed ~135 columns."""
    env = {**os.environ, "COLUMNS": "80"}

    def run(*args):
        p = subprocess.run([sys.executable, "-m", "modeltui", *args], capture_output=True, text=True, env=env,
                           timeout=120)
        assert p.returncode == 0, p.stderr
        return p.stdout

    run("ask", "What is 2+2?", "--tier", "budget")
    for args in (("log",), ("models",), ("runs",)):
        out = run(*args)
        assert out.strip()
        wide = [line for line in out.splitlines() if len(line) > 80]
        assert not wide, (args, wide[:2])


async def test_tab_from_the_prompt_reaches_the_newest_answer_and_a_thumb_shows_it_is_set(isolated_env):
    """9: tab landed on an invisible stop button, then on the oldest answer; nothing showed the thumb."""
    app = demo_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await app.ready.wait()
        for q in ("What is 2+2?", "What is 3+3?"):
            await send(app, pilot, q)
            await app.workers.wait_for_complete()
        await pilot.pause()
        newest = list(app.chat.query(Answer))[-1]
        app.chat.query_one("#prompt").focus()
        await pilot.press("tab")
        await pilot.pause()
        focused = app.focused
        assert focused is not None and focused.display and newest in focused.ancestors
        await pilot.press("enter")  # the first button: ▲ good
        await pilot.pause()
        buttons = {b.name: b for b in newest.query("Button")}
        assert buttons["up"].has_class("-set") and "✓" in str(buttons["up"].label)
        assert not buttons["down"].has_class("-set")


def test_ranking_figures_are_medians_centred_intervals_and_named_clusters():
    """11: "ms" showed bucket bounds (9600 for one 6954 ms call); the BT estimate sat on its
    interval's edge; discovered use cases were named cluster0, cluster1."""
    row = apply(None, Obs(ts=0.0, status="ok", latency_ms=6954.0, cost_usd=0.0), 86_400)
    assert to_db("general", "m", row)[7] == pytest.approx(6954.0)
    row = apply(row, Obs(ts=1.0, status="ok", latency_ms=7100.0, cost_usd=0.0), 86_400)
    assert 6954 <= to_db("general", "m", row)[7] <= 7100
    old = {"n": 1.0, "ok": 1.0, "errors": 0.0, "cost_usd": 0.0, "up": 0.0, "down": 0.0, "s": 0.0, "f": 0.0,
           "lat_hist": "[0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]", "raw_calls": 1, "ts": 0.0}  # a row from before
    later = apply(old, Obs(ts=1.0, status="ok", latency_ms=7000.0, cost_usd=0.0), 86_400)
    assert 6400 <= to_db("general", "m", later)[7] <= 12800
    for votes in ([(["a", "b", "c"], "a")], [(["a", "b", "c"], "a")] * 3 + [(["a", "b", "c"], "b")],
                  [(["a", "b"], "tie")] * 2):
        for r in bt.with_intervals(bt.pairs_from_votes(votes)).values():
            assert r["lo"] < r["rating"] < r["hi"] and r["rating"] - r["lo"] == pytest.approx(r["hi"] - r["rating"])
    found = discover(["bake sourdough bread", "knead pizza dough", "debug python traceback", "fix rust borrow error"],
                     k=2)
    assert all(c["terms"] and not c["name"].startswith("cluster") for c in found), found


async def test_rankings_are_sorted_by_the_votes_where_there_are_votes(isolated_env):
    """11: the default sort put demo/small first in "general" while its vote rating was the lowest."""
    app = demo_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app.ready.wait()
        for _ in range(3):
            await run_tournament_view(app, pilot, "What is 17*23?")
            large = next(e["slot"] for e in app.screen.entrants if e["model"] == "demo/large")
            await pilot.press(large.lower())
            await pilot.pause()
        await pilot.press("escape", "f7")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#table")
        first = str(table.get_row_at(0)[0])
        said = str(app.screen.query_one("#sorted").render())
    assert first == "demo/large" and "vote rating" in said


async def test_words_say_what_the_app_does(isolated_env):
    """12: help said nothing about keys; the palette called History read-only; the placeholder
    named keys that had been rebound; "vote recorded: all_bad"; "1 calls match"."""
    from modeltui.settings.actions import ACTIONS
    from modeltui.vocab.words import plural

    app = demo_app()
    async with app.run_test(size=(120, 50)) as pilot:
        await app.ready.wait()
        await pilot.press("f1")
        await pilot.pause()
        await pilot.pause()
        shown = screen_text(app, app.screen.query_one(".dialog"))
        assert "OPENAI_API_KEY" in shown and "ollama serve" in shown
        await pilot.press("escape")
        await run_tournament_view(app, pilot, "Is 7 prime?")
        await pilot.press("x")
        await pilot.pause()
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "vote recorded: all bad" in toasts and "all_bad" not in toasts
        placeholder = str(app.chat.query_one("#prompt").placeholder)
    history = next(a for a in ACTIONS if a.id == "view.history")
    assert "read-only" not in history.help and "continue" in history.help
    assert "ctrl+s" in placeholder and "f2…f5" in placeholder
    assert plural(1, "call") == "1 call" and plural(2, "call") == "2 calls"


async def test_a_palette_search_that_ends_after_the_palette_closed_does_nothing(isolated_env):
    """monkey.py --load 2 (seed 1796608807, run 1): a palette search finished after the palette
    was closed, and showing its results looked up a list that was gone (NoMatches, the app died)."""
    from textual.command import CommandList

    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await pilot.press("ctrl+p")
        await pilot.pause()
        palette = app.screen
        assert type(palette).__name__ == "Palette"
        await pilot.press(*"rank")
        command_list = palette.query_one(CommandList)
        await pilot.press("escape")
        await pilot.pause()
        assert not command_list.is_attached and app.dialog is None
        palette._refresh_command_list(command_list, [], True)  # what a late search does
        palette._list_visible = not palette._list_visible
        await pilot.pause()
        assert app.is_running and app.dialog is None
        await pilot.press("ctrl+p")  # and it opens again, once
        await pilot.pause()
        assert type(app.screen).__name__ == "Palette" and len(app.screen_stack) == 2


async def test_paging_a_palette_list_not_yet_laid_out_does_nothing(isolated_env):
    """monkey.py --load 2 (seed 1796608807, run 0): ctrl+p, then page up while the palette's
    gathered commands had arrived in a list not yet laid out (KeyError: 0, the app died). The
    keys are pressed here in the same tick as the commands arrive, as a loaded machine does."""
    from textual.command import CommandList
    from textual.widgets.option_list import Option

    app = demo_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await app.ready.wait()
        await pilot.press("ctrl+p")
        palette = app.screen
        command_list = palette.query_one(CommandList)
        palette._cancel_gather_commands()
        command_list.clear_options()
        await pilot.pause()  # laid out empty
        command_list.add_options([Option(f"command {i}") for i in range(30)])
        for action in ("page_up", "page_down", "first", "last"):
            palette._action_command_list(action)  # before any layout: nothing to page through yet
        await pilot.pause()
        assert app.is_running and app.screen is palette
        await pilot.press("pagedown")  # laid out now: the keys page through it
        await pilot.pause()
        assert command_list.highlighted is not None and command_list.highlighted > 0


async def test_the_log_watch_skips_a_look_while_the_log_is_closing(isolated_env):
    """The watch (ui/app.py) runs each second beside everything else: it is stopped before the
    log closes at exit, and a look that still lands on a closed log is skipped, not a traceback."""
    app = demo_app()
    async with app.run_test(size=(100, 30)):
        await app.ready.wait()
        watch = app.log_watch
        assert watch is not None and app.log_version is not None
    assert watch._task is None or watch._task.done()  # stopped at unmount, before the log closed
    await app._watch_log()  # the log is closed now (aiosqlite raises ValueError): nothing raised
