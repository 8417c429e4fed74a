"""How each view looks (pytest-textual-snapshot). Fresh log, demo models, fixed session title.
Update after an intended change with: pytest tests/test_snapshots.py --snapshot-update"""

import pytest

from modeltui import config
from modeltui.ui.app import ModeltuiApp

SIZE = (100, 30)


@pytest.fixture
def app(isolated_env):
    cfg = config.load()
    cfg.ollama_url = "http://127.0.0.1:9"
    return ModeltuiApp(cfg)


async def still(pilot):
    """No blinking cursors: a snapshot must not depend on when it is taken."""
    for w in pilot.app.screen.query("TextArea, Input"):
        w.cursor_blink = False
    await pilot.pause()


async def settle(pilot):
    await pilot.app.ready.wait()
    pilot.app.sub_title = "session snapshot"
    await pilot.app.chat.refresh_meter()
    await still(pilot)


def test_chat_view(app, snap_compare):
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


@pytest.mark.parametrize("view, key", [("tournament", "f6"), ("rankings", "f7"), ("history", "f8"), ("export", "f9")])
def test_view(app, snap_compare, view, key):
    async def before(pilot):
        await settle(pilot)
        await pilot.press(key)
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_light_theme(isolated_env, snap_compare):
    cfg = config.load()
    cfg.ollama_url = "http://127.0.0.1:9"
    cfg.theme = "modeltui-light"
    assert snap_compare(ModeltuiApp(cfg), terminal_size=SIZE, run_before=settle)
