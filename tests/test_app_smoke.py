"""The app paints, takes a prompt, streams a demo answer and logs it; tier keys persist."""

from modeltui import config
from modeltui.store import Store
from modeltui.ui.app import ModeltuiApp


async def test_send_prompt_streams_and_logs(isolated_env):
    cfg = config.load()
    cfg.demo.speed = 20.0
    cfg.ollama_url = "http://127.0.0.1:9"
    app = ModeltuiApp(cfg)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")  # budget tier
        assert app.tier == "budget" and config.load().default_tier == "budget"
        app.query_one("#prompt").insert("What is 6*7?")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = "\n".join(str(w.render()) for w in app.query(".meta"))
        assert "demo/small (simulated)" in text and "· budget ·" in text
    store = await Store.open(cfg.db_path())
    rows = await store.recent(5)
    await store.close()
    assert len(rows) == 1 and rows[0]["response"] == "42" and rows[0]["tier"] == "budget"
