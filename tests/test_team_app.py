"""The app in team mode: its meter shows the team's month and the member's own, read from the
team database on a real PostgreSQL server."""

from conftest import CANARY
from helpers import make_config, server_config
from pg_server import pg_admin, pg_db  # noqa: F401 - fixtures

from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.team import TeamDB, admin
from modeltui.ui.app import ModeltuiApp

MODEL = "openai/ok"
PRICED = {"quality": 7.0, "input_per_mtok": 0.0, "output_per_mtok": 1000.0, "context_window": 16_000, "max_output": 7}


async def test_the_meter_shows_the_team_month_and_the_members_own(server, isolated_env, monkeypatch, pg_db):
    url, dbname = pg_db
    name = f"a_{dbname[-6:]}"
    db = TeamDB(url)
    await admin.init(db, 0.5, 0.2, "boss")
    await admin.add_member(db, name, password="pw-app-1")
    await db.close()
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, isolated_env, team={"database": f"postgresql://{name}:pw-app-1@{url.split('@', 1)[1]}",
                                                         "member": name},
                         gateway={"max_tokens": 7, "connect_timeout_s": 15.0, "stall_timeout_s": 15.0})
    data["models"] = {MODEL: PRICED}
    async with await Engine.open(cfg=make_config(data), probe_ollama=False) as engine:
        await engine.ask(AskRequest("hello", model=MODEL))
    app = ModeltuiApp(make_config(data))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.ready.wait()
        await app.chat.refresh_meter()
        await pilot.pause()
        meter = str(app.chat.query_one("#meter-spend").render())
        cap = str(app.chat.query_one("#meter-cap").render())
    assert "team    $0.007000 of $0.500000" in meter and "you     $0.007000 of $0.200000" in meter, meter
    assert "left $0.193000" in cap and "pw-app-1" not in meter + cap, cap
