"""How each view looks (pytest-textual-snapshot). Fresh log, demo models, fixed session title.
Update after an intended change with: pytest tests/test_snapshots.py --snapshot-update"""

import random

import pytest

from modeltui.settings import config
from modeltui.signals import blind
from modeltui.ui.app import ModeltuiApp

SIZE = (100, 30)


@pytest.fixture(autouse=True)
def same_columns(monkeypatch):
    """The tournament's column order is drawn: seeded here, so a screen is the same every run."""
    monkeypatch.setattr(blind, "RNG", random.Random(0))


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


def test_help_screen(app, snap_compare):
    async def before(pilot):
        await settle(pilot)
        pilot.app.config_path = "/home/you/.config/modeltui/config.toml"  # not the test's temporary paths
        pilot.app.cfg.storage.path = "/home/you/.local/share/modeltui/log.sqlite3"
        import os

        os.environ["MODELTUI_DATA_DIR"] = "/home/you/.local/share/modeltui"
        await pilot.press("f1")
        await still(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_decision_table_expanded(app, snap_compare):
    async def before(pilot):
        await settle(pilot)
        pilot.app.chat.query_one("#banner").display = False
        pilot.app.chat.query_one("#prompt").insert("What is 2+2?")
        await pilot.press("ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.app.chat.refresh_meter()
        from modeltui.ui.widgets.answer import Answer

        answer = pilot.app.chat.query_one(Answer)
        answer.query_one(".meta").update("demo/small (simulated) · budget · math · 20→5 tok · $0.000000 · 100 ms")
        answer.query_one("Collapsible").collapsed = False
        await still(pilot)

    assert snap_compare(app, terminal_size=(100, 40), run_before=before)


def test_blind_tournament_before_the_vote(app, snap_compare):
    async def before(pilot):
        await settle(pilot)
        pilot.app.cfg.tournament.blind = True
        await pilot.press("f6")
        pilot.app.screen.query_one("Input").value = "What is 17*23?"
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        for h in pilot.app.screen.query(".colhead"):  # (latencies vary; blind heads show none)
            pass
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


def test_rankings_with_votes(app, snap_compare):
    async def before(pilot):
        await settle(pilot)
        for vote in ("b", "c"):
            await pilot.press("f6")
            pilot.app.screen.query_one("Input").value = "What is 17*23?"
            await pilot.press("enter")
            await pilot.app.workers.wait_for_complete()
            await pilot.press(vote, "escape")
        pilot.app.clear_notifications()  # the votes' toasts expire on their own clock: not part of the picture
        await pilot.press("f7")
        await pilot.pause()
        screen = pilot.app.screen
        for rows in screen.data.values():  # timings and bootstrap intervals vary run to run: pin them
            for i, r in enumerate(rows):
                r.median_latency_ms, r.composite = 100.0 * (i + 1), 0.9 - 0.1 * i
                if r.bt_rating is not None:
                    r.bt_rating, r.bt_lo, r.bt_hi = 1000.0 + 10 * i, 900.0 + 10 * i, 1100.0 + 10 * i
        screen.query_one("#savings").update("savings line (pinned for the snapshot)")
        screen.fill()
        await still(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)
