"""One definition of this month's spend (store/spend.py): after a session of ok, cancelled,
failed, shadow, check, judge, bench, pipeline and CLI calls, `budget --json`, `savings --json`,
`rankings --json`, the JSONL export's sum and the app's meter all give the same number."""

import asyncio
import json
import os
import subprocess
import sys

import pytest

from conftest import CANARY
from helpers import make_config, server_config, write_config
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.ui.app import ModeltuiApp


def cli(cfg_path, *args):
    p = subprocess.run([sys.executable, "-m", "modeltui", *args], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "MODELTUI_CONFIG": str(cfg_path)})
    assert p.returncode == 0, p.stderr
    return p.stdout


async def test_every_view_gives_the_same_month_total(server, isolated_env, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, isolated_env)
    cfg_path = write_config(data, isolated_env / "month.toml")
    eng = await Engine.open(cfg=make_config(data), probe_ollama=False)
    try:
        for kind in ("chat", "shadow", "check", "judge", "bench", "pipeline", "cli"):
            r = await eng.ask(AskRequest(f"Say hello for {kind}", model="openai/ok", kind=kind))
            assert r.final.status == "ok"
        failed = await eng.ask(AskRequest("Say hello", model="openai/cut"))  # partial text, then the line drops
        assert failed.final.status == "error"
        task = asyncio.create_task(eng.ask(AskRequest("Say a lot", model="openai/slowstream")))
        for _ in range(200):
            await asyncio.sleep(0.02)
            if server.chunks_sent >= 2:
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        rows = await eng.store.recent(50)
    finally:
        await eng.close()
    statuses = {r["status"] for r in rows}
    assert {"ok", "error", "cancelled"} <= statuses
    logged = sum(r["cost_usd"] or 0.0 for r in rows)
    assert logged > 0 and any(r["status"] == "cancelled" and r["cost_usd"] for r in rows)

    budget = json.loads(cli(cfg_path, "budget", "--json"))["month_usd"]
    savings = json.loads(cli(cfg_path, "savings", "--json"))["month"]["usd"]
    rankings = json.loads(cli(cfg_path, "rankings", "--json"))["month"]["usd"]
    exported = sum(json.loads(line)["cost_usd"] or 0.0 for line in cli(cfg_path, "export", "-o", "-").splitlines()
                   if line.strip())
    app = ModeltuiApp(make_config(data))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await app.chat.refresh_meter()
        await pilot.pause()
        meter = str(app.chat.query_one("#meter-spend").render())
    from modeltui.vocab.words import money

    assert budget == pytest.approx(logged) and savings == pytest.approx(logged)
    assert rankings == pytest.approx(logged) and exported == pytest.approx(logged)
    assert f"month   {money(logged)}" in meter, meter


async def test_exports_other_tools_read(isolated_env):
    """JSONL's decision is an object; Markdown has ISO times and fixed-point money (was 1.79616e+09, 2.98e-05)."""
    from modeltui.store.export import render

    row = {"id": 1, "ts": 1796160000.5, "model": "m", "tier": "budget", "use_case": "general", "status": "ok",
           "tokens_in": 10, "tokens_out": 5, "cost_usd": 2.98e-05, "latency_ms": 412.25,
           "decision": json.dumps({"chosen": "m", "why": "cheapest"}), "prompt": "p", "response": "r"}
    assert json.loads(render([row], "jsonl"))["decision"] == {"chosen": "m", "why": "cheapest"}
    md = render([row], "md")
    assert "2026-12-01T21:20:00+00:00" in md and "0.000030" in md and "e+09" not in md and "e-05" not in md
