"""The app driven with Pilot: streaming and logging, tier keys, tournament votes moving the
rankings, export, the meter during and after a call, literal rendering, errors, quitting mid-stream."""

import asyncio

from conftest import CANARY
from helpers import make_config, server_config
from modeltui.calls.request import AskRequest
from modeltui.settings import config
from modeltui.store import Store
from modeltui.ui.app import ModeltuiApp
from modeltui.ui.widgets.answer import Answer


def demo_app(speed=20.0, **changes) -> ModeltuiApp:
    cfg = config.load()
    cfg.demo.speed = speed
    cfg.ollama_url = "http://127.0.0.1:9"
    for k, v in changes.items():
        setattr(cfg, k, v)
    return ModeltuiApp(cfg)


def server_app(server, tmp, monkeypatch, models: dict) -> ModeltuiApp:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp)
    data["gateway"]["connect_timeout_s"] = 10.0  # litellm's first call in a process loads its provider code
    data["models"] = {k: {"quality": 7.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0, "context_window": 16_000,
                          "max_output": 1000, **v} for k, v in models.items()}
    return ModeltuiApp(make_config(data))


async def send(app, pilot, text):
    app.chat.query_one("#prompt").insert(text)
    await pilot.press("ctrl+s")


async def rows(app):
    store = await Store.open(app.cfg.db_path())
    try:
        return await store.recent(50)
    finally:
        await store.close()


async def test_prompt_is_streamed_rendered_and_logged(isolated_env):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "What is 6*7?")
        await app.workers.wait_for_complete()
        await pilot.pause()
        answer = app.chat.query_one(Answer)
        body = answer.query_one(".body").source
        meta = str(answer.query_one(".meta").render())
    logged = await rows(app)
    assert len(logged) == 1 and logged[0]["response"] == body == answer.text
    assert "42" in body and "(simulated)" in meta and logged[0]["model"] in meta


async def test_tier_keys_route_the_next_call_and_persist(isolated_env):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await pilot.press("f4")  # premium, pressed while the input has focus
        assert app.focused is app.chat.query_one("#prompt")
        await send(app, pilot, "hello there")
        await app.workers.wait_for_complete()
        await pilot.press("f2")
        await send(app, pilot, "hello again")
        await app.workers.wait_for_complete()
        assert "reverse" in str(app.chat.query_one("#tierbar").render().spans)
    logged = await rows(app)
    assert [r["tier"] for r in reversed(logged)] == ["premium", "budget"]
    assert [r["model"] for r in reversed(logged)] == ["demo/large", "demo/small"]
    assert config.load().default_tier == "balanced"  # the CLI's default is the config's, not the last key
    again = demo_app()
    assert again.tier == "budget"  # the app remembers its own


async def test_tournament_vote_changes_the_rankings(isolated_env):
    app = demo_app()
    async with app.run_test(size=(110, 32)) as pilot:
        await app.ready.wait()
        await pilot.press("f6")
        app.screen.query_one("Input").value = "What is 17*23?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = str(app.screen.query_one("#verdict").render())
        assert "DISAGREE" in verdict and "401" in verdict and "391" in verdict  # (the columns' order is drawn)
        heads = [str(h.render()) for h in app.screen.query(".colhead")]
        assert all("$" in h and " ms" in h for h in heads)
        await pilot.press("escape", "f7")
        await pilot.pause()
        before = {r.model: r.bt_rating for r in app.screen.data["general"]}
        await pilot.press("escape", "f6")
        app.screen.query_one("Input").value = "What is 17*23?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("escape", "f7")
        await pilot.pause()
        after = {r.model: r.bt_rating for r in app.screen.data["general"]}
    assert set(before.values()) == {None}
    winner = max(after, key=lambda m: after[m] or 0)
    assert after[winner] > 1000 and winner.startswith("demo/")


async def test_export_writes_a_file(isolated_env):
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "What is 1+1?")
        await app.workers.wait_for_complete()
        await pilot.press("f9")
        await pilot.pause()
        app.screen.query_one("#csv").value = True
        await pilot.click("#go")
        await pilot.pause()
    files = list((isolated_env / "data" / "exports").glob("*.csv"))
    assert len(files) == 1 and "What is 1+1?" in files[0].read_text()


async def test_meter_shows_reservation_in_flight_then_spend(server, isolated_env, monkeypatch):
    server.delays["slowstream:m"] = 0.8
    app = server_app(server, isolated_env, monkeypatch, {"openai/slowstream:m": {}})
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "hello")
        while server.count() == 0:
            await asyncio.sleep(0.02)
        await app.chat.refresh_meter()
        during = str(app.chat.query_one("#meter-spend").render())
        await app.workers.wait_for_complete()
        await app.chat.refresh_meter()
        after = str(app.chat.query_one("#meter-spend").render())
    assert "reserved $0.000000" not in during and "month   $0.000000" in during
    assert "reserved $0.000000" in after and "month   $0.000025" in after  # 11 in x $1/M + 7 out x $2/M


async def test_markup_like_text_renders_literally_and_errors_stay_in_place(server, isolated_env, monkeypatch):
    app = server_app(server, isolated_env, monkeypatch, {"openai/echo:x": {}, "openai/markuperr:y": {"quality": 3.0}})
    tricky = 'see [/ and [0] and {"a":[true]} [bold]x'
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await send(app, pilot, tricky)
        await app.workers.wait_for_complete()
        first = app.chat.query(Answer).first()
        assert first.text.strip() == tricky
        assert "[/ and [0]" in first.query_one(".body").source
        result = await app.engine.ask(AskRequest("fail please", model="openai/markuperr:y"))
        assert result.final.status == "error"
        app.chat.ask("fail please", model="openai/markuperr:y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        failed = app.chat.query(Answer).last()
        meta = str(failed.query_one(".meta").render())
        assert failed.has_class("failed") and '[/red] [0] {"a":[true]} [bold]x' in meta
        assert app.is_running


async def test_quitting_mid_stream_logs_the_call_as_cancelled(server, isolated_env, monkeypatch):
    server.delays["slowstream:q"] = 2.0
    app = server_app(server, isolated_env, monkeypatch, {"openai/slowstream:q": {}})
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "hello")
        while server.count() == 0:
            await asyncio.sleep(0.02)
        await pilot.press("ctrl+q")
        await pilot.pause()
    logged = await rows(app)
    assert [r["status"] for r in logged] == ["cancelled"]
    store = await Store.open(app.cfg.db_path())
    async with store.db.execute("SELECT COUNT(*) FROM reservations") as cur:
        assert (await cur.fetchone())[0] == 0
    await store.close()


async def test_80x24_is_usable(isolated_env):
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "What is 2+3?")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen.region
        for sel in ("#prompt", "#tierbar", "#meter", "#chat"):
            r = app.chat.query_one(sel).region
            assert r.width > 0 and r.height > 0 and screen.contains_region(r), sel
        assert app.chat.query_one("#chat").region.width >= 40
        assert "5" in app.chat.query_one(Answer).text


async def test_keymap_rebinds_tier_keys_and_theme_choice_persists(isolated_env):
    app = demo_app(keymap={"tier.premium": "f12"})
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await pilot.press("f12")
        assert app.tier == "premium"
        await pilot.press("f4")  # the old key no longer switches
        assert app.tier == "premium"
        assert "premium f12" in str(app.chat.query_one("#tierbar").render())
        app.theme = "modeltui-light"
        await pilot.pause()
    saved = config.load()
    assert saved.theme == "modeltui-light" and saved.default_tier == "balanced"  # the CLI's default stays
    assert demo_app().tier == "premium"  # the app's own choice is remembered
    assert "modeltui-light" in app.available_themes and "modeltui-dark" in app.available_themes


async def test_invalid_config_ends_the_app_with_one_line_and_exit_2(isolated_env):
    path = isolated_env / "bad.toml"
    path.write_text('[budget]\nmonthly_usd = "lots"\n')
    app = ModeltuiApp(config_path=str(path), raw={"budget": {"monthly_usd": "lots"}})
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            if app.startup_error:
                break
            await pilot.pause(0.05)
    assert app.return_code == 2
    assert app.startup_error.startswith(f"{path}: key 'budget.monthly_usd'") and "\n" not in app.startup_error


async def test_a_tier_change_leaves_the_users_commented_config_byte_identical(isolated_env):
    from modeltui.settings import config_file as raw
    from modeltui.settings import state_file as state

    path = isolated_env / "config.toml"
    text = ("# my settings, my layout\n\ndefault_tier = \"balanced\"   # start cheap-ish\n"
            "ollama_url = \"http://127.0.0.1:9\"\n\n[demo]\nspeed = 20.0  # fast demo for tests\n")
    path.write_bytes(text.encode())
    app = ModeltuiApp(config_path=str(path), raw=raw.with_state(raw.read(str(path))[1]))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.ready.wait()
        await pilot.press("f4")
        app.theme = "modeltui-light"
        await pilot.pause()
    assert path.read_bytes() == text.encode()
    assert state.read(app.cfg.db_path()) == {"app_tier": "premium", "theme": "modeltui-light"}
    again = raw.with_state(raw.read(str(path))[1])  # what the next launch paints with
    assert again["app_tier"] == "premium" and again["theme"] == "modeltui-light"
    assert config.load(path).default_tier == "balanced"  # the CLI keeps the config's tier


async def test_a_damaged_log_ends_the_app_with_one_line(isolated_env):
    from helpers import damage

    app = demo_app()
    async with app.run_test(size=(80, 24)):
        await app.ready.wait()
    damage(app.cfg.db_path())
    again = demo_app()
    async with again.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            if again.startup_error:
                break
            await pilot.pause(0.05)
    assert again.return_code == 1 and "\n" not in again.startup_error
    assert str(again.cfg.db_path()) in again.startup_error


async def test_an_answer_cut_short_says_so_in_its_header(server, isolated_env, monkeypatch):
    app = server_app(server, isolated_env, monkeypatch, {"openai/length:x": {}})
    async with app.run_test(size=(120, 30)) as pilot:
        await app.ready.wait()
        await send(app, pilot, "hello")
        await app.workers.wait_for_complete()
        await pilot.pause()
        meta = str(app.chat.query(Answer).last().query_one(".meta").render())
    assert "openai/length:x" in meta and "CUT SHORT (max tokens)" in meta
