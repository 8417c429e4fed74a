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


async def test_calls_through_a_running_server_show_in_the_meter_and_history_as_they_happen(tmp_path, monkeypatch):
    """Another process (`modeltui serve`) logs a tool's calls; the open app's meter and history
    show them without a key pressed, and a tool's follow-up turn joins its conversation."""
    from helpers import until
    from serving import Served

    from modeltui.ui.app import LOG_WATCH_S
    from textual.widgets import DataTable

    srv = Served(tmp_path / "srv", {"demo": {"mode": "always", "speed": 50.0}})
    try:
        for key, value in srv.env.items():
            monkeypatch.setenv(key, value)
        cfg = config.load()
        assert cfg.db_path() == srv.db
        app = ModeltuiApp(cfg)
        async with app.run_test(size=(120, 30)) as pilot:
            await app.ready.wait()
            await app.action_view("history")
            table = app.views["history"].query_one(DataTable)
            first = [{"role": "user", "content": "What is 2+2?"}]
            async with httpx.AsyncClient(timeout=30) as client:
                one = await client.post(srv.base + "/chat/completions", headers={"x-modeltui-client": "a-tool"},
                                        json={"model": "demo/large", "messages": first})
                cost = float(one.headers["x-modeltui-cost-usd"])
                await until(pilot, lambda: table.row_count == 1, timeout_s=10 * LOG_WATCH_S + 15)
                assert [str(c) for c in table.get_row_at(0)[1:3]] == ["a-tool", "1"]
                two = await client.post(srv.base + "/chat/completions", headers={"x-modeltui-client": "a-tool"},
                                        json={"model": "demo/large", "messages": [
                                            *first, {"role": "assistant", "content": one.json()["choices"][0]["message"]["content"]},
                                            {"role": "user", "content": "And 3+3?"}]})
                cost += float(two.headers["x-modeltui-cost-usd"])
            await until(pilot, lambda: table.row_count == 1 and str(table.get_row_at(0)[2]) == "2",
                        timeout_s=10 * LOG_WATCH_S + 15)
            await app.action_view("chat")
            await until(pilot, lambda: f"today   ${cost:.6f}" in str(app.chat.query_one("#meter-spend").render()), timeout_s=10 * LOG_WATCH_S + 15)
        kinds = srv.rows("SELECT kind, client, conversation FROM calls ORDER BY id")
        assert len(kinds) == 2 and {(k[0], k[1].split(" (")[0]) for k in kinds} == {("api", "a-tool")} and kinds[0][2] == kinds[1][2]
    finally:
        srv.stop()
