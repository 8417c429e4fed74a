"""`[serve] in_app = true`: the app hosts the server on its own engine; a call another tool sends
through it is logged and shows in the app's meter."""

from __future__ import annotations

import json

import httpx

from modeltui.settings import config
from modeltui.ui.app import ModeltuiApp


async def test_the_app_hosts_the_server_and_its_meter_shows_the_calls(isolated_env):
    cfg = config.load()
    cfg.demo.speed = 50.0
    cfg.ollama_url = "http://127.0.0.1:9"
    cfg.serve.in_app = True
    cfg.serve.port = 0
    app = ModeltuiApp(cfg)
    async with app.run_test(size=(100, 30)):
        await app.ready.wait()
        found = json.loads((cfg.db_path().parent / "serve.json").read_text())
        assert app.hosted is not None and found["url"] == app.hosted.url
        await app.chat.refresh_meter()
        before = str(app.chat.query_one("#meter-spend").render())
        async with httpx.AsyncClient(timeout=30) as client:
            resp = await client.post(app.hosted.url + "/chat/completions", headers={"x-modeltui-client": "a-tool"},
                                     json={"model": "demo/large", "messages": [{"role": "user", "content": "What is 2+2?"}]})
        assert resp.status_code == 200 and resp.json()["choices"][0]["message"]["content"].strip().endswith("**4**.")
        cost = float(resp.headers["x-modeltui-cost-usd"])
        await app.chat.refresh_meter()
        after = str(app.chat.query_one("#meter-spend").render())
    assert "session $0.000000" in before and f"session ${cost:.6f}" in after
    assert not (cfg.db_path().parent / "serve.json").exists()  # removed when the app closed
