"""The app in team mode: its meter shows the team's month and the member's own, read from the
team database on a real PostgreSQL server; an unreachable database (at the start or mid-session)
is shown, sends nothing and is retried until sends go through again."""

from conftest import CANARY
from helpers import make_config, server_config, until
from pg_server import pg_admin, pg_db  # noqa: F401 - fixtures

from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.team import TeamDB, admin
from modeltui.ui.app import ModeltuiApp

MODEL = "openai/ok"
PRICED = {"quality": 7.0, "input_per_mtok": 0.0, "output_per_mtok": 1000.0, "context_window": 16_000, "max_output": 7}


async def team_of_one(pg_db, password: str) -> tuple[str, str, str]:
    """A team ($0.50 a month, $0.20 a member) of one member on the test's database:
    (the member's name, the admin URL, the database's name)."""
    url, dbname = pg_db
    name = f"a_{dbname[-6:]}"
    db = TeamDB(url)
    await admin.init(db, 0.5, 0.2, "boss")
    await admin.add_member(db, name, password=password)
    await db.close()
    return name, url, dbname


async def test_the_meter_shows_the_team_month_and_the_members_own(server, isolated_env, monkeypatch, pg_db):
    name, url, dbname = await team_of_one(pg_db, "pw-app-1")
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
        await pilot.press("f7")  # the rankings view: its savings line says whose evidence and the team's calls
        await until(pilot, lambda: "Evidence:" in str(app.screen.query_one("#savings").render()))
        savings = str(app.screen.query_one("#savings").render())
    assert "team    $0.007000 of $0.500000" in meter and "you     $0.007000 of $0.200000" in meter, meter
    assert "left $0.193000" in cap and "pw-app-1" not in meter + cap, cap
    assert "The team's 1 answered call this month cost $0.007000" in savings, savings
    assert "Evidence: the team's evidence (2 members" in savings and "pw-app-1" not in savings, savings


async def _forward(port: int, host: str, target: int):
    """A TCP forwarder on 127.0.0.1:`port` to the server: "the database is back" on the port the
    config names, which nothing listened on before."""
    import asyncio

    async def pipe(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def handle(client_r, client_w):
        server_r, server_w = await asyncio.open_connection(host, target)
        srv.open.extend([client_w, server_w])
        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

    srv = await asyncio.start_server(handle, "127.0.0.1", port)
    srv.open = []
    return srv


def _drop(forwarder) -> None:
    """The database goes away mid-session: no new connections, the open ones cut."""
    forwarder.close()
    for w in forwarder.open:
        w.transport.abort()


async def test_an_unreachable_team_database_is_shown_sends_nothing_and_is_retried(server, isolated_env, monkeypatch, pg_db):
    import socket
    from urllib.parse import urlsplit

    import psycopg
    from test_app import send

    from modeltui.ui.widgets.answer import Answer

    name, url, dbname = await team_of_one(pg_db, "pw-app-2")
    with socket.socket() as s:  # a port nothing listens on (yet)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, isolated_env, team={"database": f"postgresql://{name}:pw-app-2@127.0.0.1:{port}/{dbname}",
                                                         "member": name, "retry_s": 0.2},
                         gateway={"max_tokens": 7, "connect_timeout_s": 15.0, "stall_timeout_s": 15.0})
    data["models"] = {MODEL: PRICED}
    app = ModeltuiApp(make_config(data))
    pg = urlsplit(url)
    forwarder = None
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.ready.wait()  # the app opened: the database's absence is a state, not an exit
            status = app.chat.query_one("#status")
            await until(pilot, lambda: "unreachable" in str(status.render()))
            assert "nothing is sent under the team cap" in str(status.render()) and "pw-app-2" not in str(status.render())
            await until(pilot, lambda: "unreachable" in str(app.chat.query_one("#meter-spend").render()))

            await send(app, pilot, "hello")
            await app.workers.wait_for_complete()
            await pilot.pause()
            refused = app.chat.query(Answer).last()
            meta = str(refused.query_one(".meta").render())
            assert "unreachable" in meta and "nothing is sent under the team cap" in meta, meta
            assert server.count() == 0 and "pw-app-2" not in meta

            forwarder = await _forward(port, pg.hostname, pg.port)  # the database is back
            await until(pilot, lambda: app.engine.ledger.offline is None)
            await until(pilot, lambda: "reachable again" in str(status.render()))
            await send(app, pilot, "hello again")
            await app.workers.wait_for_complete()
            await pilot.pause()
            answered = app.chat.query(Answer).last()
            assert not answered.has_class("failed") and answered.text, str(answered.query_one(".meta").render())
            assert server.count() == 1

            _drop(forwarder)  # gone mid-session: the next send finds out, refuses, and the retry begins
            await send(app, pilot, "are you there")
            await app.workers.wait_for_complete()
            await pilot.pause()
            meta = str(app.chat.query(Answer).last().query_one(".meta").render())
            assert "unreachable" in meta and server.count() == 1, meta
            await until(pilot, lambda: app.engine.ledger.offline is not None)
            forwarder = await _forward(port, pg.hostname, pg.port)
            await until(pilot, lambda: app.engine.ledger.offline is None)
            await send(app, pilot, "and now")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not app.chat.query(Answer).last().has_class("failed") and server.count() == 2
    finally:
        if forwarder is not None:
            _drop(forwarder)
    store_rows = await _local_rows(app)
    assert [r["status"] for r in store_rows] == ["ok", "ok"]  # the refused sends left no row
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT member, status FROM modeltui.calls").fetchall() == [(name, "ok")] * 2
        assert conn.execute("SELECT count(*) FROM modeltui.reservations").fetchone() == (0,)


async def _local_rows(app):
    from modeltui.store import Store

    store = await Store.open(app.cfg.db_path())
    try:
        return await store.recent(50)
    finally:
        await store.close()
