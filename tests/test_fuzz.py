"""The app pressed as a person (or a cat) might: seeded sequences of actions drawn from the
action registry, typing, enter, escape, tab, arrows, clicks on the answers' buttons, the palette
and resizes between 50x14 and 160x50. After every action: no exception, exactly one view, at
most one dialog (and none left behind in another view); at the end of a sequence, escape reaches
the chat's prompt. A failure prints the seed and the actions that led to it."""

import random

import pytest
from textual.screen import ModalScreen
from textual.widgets import Button

from modeltui.settings import config
from modeltui.settings.actions import ACTIONS, VIEWS
from modeltui.ui.app import ModeltuiApp
from modeltui.ui.screens.view import View

NEVER = {"quit"}  # the sequence ends the app itself
KEYED = [a for a in ACTIONS if a.key and a.id not in NEVER]
PALETTE = [a for a in ACTIONS if a.palette and a.id not in NEVER]
TEXT = "abctx yes 2+2 what is 17*23 rivers printing press\n"
SEQUENCES, STEPS, PER_APP = 50, 100, 5  # 50 seeded sequences, five to an app (an app takes ~1-5 s to open)


def fuzz_app(keymap=None) -> ModeltuiApp:
    cfg = config.load()
    cfg.demo.speed = 200.0  # near-instant answers: a step may still land mid-stream
    cfg.ollama_url = "http://127.0.0.1:9"
    if keymap:
        cfg.keymap = keymap
    return ModeltuiApp(cfg)


def check(app: ModeltuiApp, trail: list[str]) -> None:
    where = f"after {trail[-12:]}"
    assert app._exception is None, f"{where}: {app._exception!r}"
    assert app.is_running, f"{where}: the app stopped"
    assert app.current_mode in VIEWS, where
    stack = app.screen_stack
    assert isinstance(stack[0], View) and stack[0] is app.views[app.current_mode], f"{where}: {stack}"
    assert len(stack) <= 2 and all(isinstance(s, ModalScreen) for s in stack[1:]), f"{where}: {stack}"
    others = {m: s for m, s in app._screen_stacks.items() if m != app.current_mode and len(s) > 1}
    assert not others, f"{where}: a dialog left behind in {others}"


async def escape_to_prompt(app, pilot, trail) -> None:
    for _ in range(5):
        if app.current_mode == "chat" and app.focused is app.chat.query_one("#prompt"):
            return
        await pilot.press("escape")
        await pilot.pause()
        trail.append("escape*")
        check(app, trail)
    assert app.current_mode == "chat" and app.focused is app.chat.query_one("#prompt"), \
        f"escape did not reach the prompt after {trail[-12:]}: {app.screen} focus {app.focused}"


async def step(app, pilot, rng: random.Random, trail: list[str]) -> None:
    kind = rng.choices(["action", "type", "key", "click", "palette", "resize", "pause"],
                       weights=[30, 25, 25, 8, 5, 5, 2])[0]
    if kind == "action":
        a = rng.choice(KEYED)
        key = app.keymap.get(a.id, a.key)
        trail.append(key)
        await pilot.press(key)
    elif kind == "type":
        text = "".join(rng.choice(TEXT) for _ in range(rng.randint(1, 6))).replace("\n", "")
        trail.append(f"type {text!r}")
        await pilot.press(*(c if c != " " else "space" for c in text))
    elif kind == "key":
        key = rng.choice(["enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "space",
                          "backspace", "slash", "n", "p", "s", "m", "r", "ctrl+r", "a", "b", "c", "t", "x"])
        trail.append(key)
        await pilot.press(key)
    elif kind == "click":
        screen = app.screen.size.region
        buttons = [b for b in app.screen.query(Button)
                   if not b.disabled and b.region.area and screen.contains_region(b.region)]
        if buttons:
            b = rng.choice(buttons)
            trail.append(f"click {b.name or b.label}")
            await pilot.click(b)
    elif kind == "palette":
        a = rng.choice(PALETTE)
        trail.append(f"palette {a.palette!r}")
        await pilot.press("ctrl+p")
        await pilot.press(*(c if c != " " else "space" for c in a.palette[:8] if c.isalnum() or c == " "))
        await pilot.pause(0.05)
        await pilot.press("enter")
    elif kind == "resize":
        size = (rng.randint(50, 160), rng.randint(14, 50))
        trail.append(f"resize {size}")
        await pilot.resize_terminal(*size)
    else:
        trail.append("pause")
        await pilot.pause(rng.choice([0.01, 0.05, 0.2]))
    check(app, trail)


async def run_sequences(seeds: list[int], steps: int) -> None:
    """Each seed's sequence in turn on one app, each from the chat's prompt (escape gets there)."""
    app = fuzz_app()
    trail: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await app.ready.wait()
        for seed in seeds:
            rng = random.Random(seed)
            trail.append(f"seed {seed}")
            await pilot.resize_terminal(rng.randint(50, 160), rng.randint(14, 50))
            for _ in range(steps):
                await step(app, pilot, rng, trail)
            await escape_to_prompt(app, pilot, trail)
        await app.workers.wait_for_complete()
        check(app, trail)


@pytest.mark.parametrize("first", range(0, SEQUENCES, PER_APP))
async def test_random_actions_never_break_the_app(first, isolated_env):
    await run_sequences(list(range(first, first + PER_APP)), STEPS)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1000, 1001])
async def test_long_random_sequences(seed, isolated_env):
    await run_sequences([seed], 500)
