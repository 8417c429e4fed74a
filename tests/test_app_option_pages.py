"""Page keys in a list that has not been laid out yet (the monkey's KeyError: 1, seed 20261207).

Textual's OptionList pages from its line cache, which it builds only once it has a size: a
Select's dropdown that is opened and paged before the next layout (a busy machine) had no lines
for its highlighted option and raised KeyError, and the app died. Every OptionList in the app (the
rankings' use-case dropdown, the command palette's list) is guarded in ui/textual_guards.py."""

from test_app import demo_app, send
from textual.widgets import Select
from textual.widgets._select import SelectOverlay


async def test_paging_a_dropdown_before_it_is_laid_out_does_not_kill_the_app(isolated_env):
    app = demo_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await app.ready.wait()
        for prompt in ("What is 2+2?", "Write a python function that reverses a list"):
            await send(app, pilot, prompt)
            await app.workers.wait_for_complete()
        await pilot.press("f7")
        await app.workers.wait_for_complete()
        await pilot.pause()
        select = app.screen.query_one(Select)
        assert len(app.screen.data) >= 2  # two use cases: the dropdown has a second option to page to
        select.focus()
        select.expanded = True  # the dropdown open, as Down or Enter opens it
        overlay = select.query_one(SelectOverlay)
        overlay.styles.height = 0  # no size yet: as between opening it and the next layout
        await pilot.pause()
        overlay.highlighted = 1
        overlay._clear_caches()
        assert app.focused is overlay and not overlay.scrollable_content_region
        await pilot.press("pagedown", "pageup")  # KeyError: 1 killed the app here
        assert app.is_running
        await pilot.press("escape", "f2")
        await pilot.pause()
        assert app.is_running
