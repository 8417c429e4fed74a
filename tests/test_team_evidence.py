"""Shared evidence: a thumb given on one laptop moves the auto tier's next decisions on another,
and the rankings and savings another member sees (through the team database on a real PostgreSQL
server); its own evidence is not counted twice."""

from conftest import CANARY
from helpers import make_config, route_for, server_config
from pg_server import pg_admin, pg_db  # noqa: F401 - fixtures

from modeltui import reports
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskRequest
from modeltui.signals import feedback
from modeltui.team import TeamBook, TeamDB, admin

ROOMY = {"connect_timeout_s": 15.0, "stall_timeout_s": 15.0, "total_timeout_s": 40.0}  # a loaded machine is not "unreachable"
X, Y = "openai/ok:x", "openai/ok:y"
PRICE = {"input_per_mtok": 0.0, "output_per_mtok": 100.0, "context_window": 16_000, "max_output": 7}
PROMPT = "hello there"


def laptop(server, tmp, name, url, **learning):
    data = server_config(server.url, tmp / name, team={"database": url, "member": name}, gateway={"max_tokens": 7, **ROOMY},
                         learning={"prompt_model": False, "shadow": {"rate": 0.0}, **learning})
    data["models"] = {X: {"quality": 7.5, **PRICE}, Y: {"quality": 7.0, **PRICE}}
    return make_config(data)


async def two_laptops(server, tmp, monkeypatch, db, **learning) -> tuple[str, Engine, Engine]:
    """A team of two members on the test's database (`db`: pg_db's url and name), each with an
    engine of its own: (a's member name, a's engine, b's)."""
    url, dbname = db
    a, b = f"a_{dbname[-6:]}", f"b_{dbname[-6:]}"
    team = TeamDB(url)
    await admin.init(team, 10.0, None, "boss")
    for n in (a, b):
        await admin.add_member(team, n, password="pw-" + n)
    await team.close()
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    host = url.split("@", 1)[1]
    ea, eb = [await Engine.open(cfg=laptop(server, tmp, n, f"postgresql://{n}:pw-{n}@{host}", **learning), probe_ollama=False)
              for n in (a, b)]
    return a, ea, eb


async def picks_of_x(engine, n=60) -> int:
    engine.rng.seed(11)  # the same draws before and after: only the evidence differs
    return sum([(await route_for(engine, PROMPT, "auto")).model == X for _ in range(n)])


async def test_a_thumb_on_one_laptop_moves_the_auto_tier_on_another(server, isolated_env, monkeypatch, pg_db):
    _, ea, eb = await two_laptops(server, isolated_env, monkeypatch, pg_db)

    before = await picks_of_x(eb)
    assert before > 30  # X is the better model on paper
    for model, up in ((X, False), (Y, True)):
        for _ in range(6):
            result = await ea.ask(AskRequest(PROMPT, model=model))
            await feedback.thumb(ea, result.call_ids[-1], up)
    after = await picks_of_x(eb)
    assert after < before - 20, (before, after)  # b never saw these answers: only the team database told it

    # a's own evidence is in a's statistics already: the team's copy is not added again
    shared_to_a = await ea.ledger.book.shared_evidence(0)
    assert shared_to_a == []
    assert len(await eb.ledger.book.shared_evidence(0)) == 12
    await ea.close()
    await eb.close()


NO_SPEED = {"weights": {"success": 0.4, "speed": 0.0, "cost": 0.2, "satisfaction": 0.4}}  # latency is noise here


async def test_another_members_calls_and_thumbs_change_my_rankings_and_savings(server, isolated_env, monkeypatch, pg_db):
    a, ea, eb = await two_laptops(server, isolated_env, monkeypatch, pg_db, **NO_SPEED)
    for model in (X, Y):  # a has one answer of each, no thumbs: X and Y tie on a's log
        await ea.ask(AskRequest(PROMPT, model=model))
    mine = {r.model: r for r in (await reports.rankings(ea))["general"]}
    assert mine[X].observations == mine[Y].observations == 1
    assert abs(mine[X].composite - mine[Y].composite) < 1e-6  # (decay between the two calls)

    for model, up in ((X, False), (Y, True)):  # b's answers and thumbs, on b's laptop only
        for _ in range(4):
            result = await eb.ask(AskRequest(PROMPT, model=model))
            await feedback.thumb(eb, result.call_ids[-1], up)

    ranked = (await reports.rankings(ea))["general"]
    theirs = {r.model: r for r in ranked}
    assert [r.model for r in ranked] == [Y, X], ranked  # b's thumbs, read from the team database
    assert theirs[X].observations == theirs[Y].observations == 5  # a's call and b's four
    assert theirs[Y].satisfaction > 0.8 > 0.2 > theirs[X].satisfaction
    said = await reports.evidence_source(ea)
    assert said.startswith("the team's evidence (3 members") and f"this machine's log ({a}'s)" in said, said
    assert "pw-" not in said

    s = await reports.savings(ea)
    assert s["calls"] == 2 and s["team"]["calls"] == 10, s  # a's answers; every member's
    assert abs(s["team"]["actual_usd"] - 10 * 7 * 100 / 1e6) < 1e-9 and s["evidence"] == said
    # b's own rankings count b's evidence once (the local log), and a's call from the team
    bs = {r.model: r for r in (await reports.rankings(eb))["general"]}
    assert bs[X].observations == bs[Y].observations == 5
    await ea.close()
    await eb.close()


async def test_a_replaced_thumb_is_replaced_in_the_team_database_too(server, isolated_env, monkeypatch, pg_db):
    url, dbname = pg_db
    _, ea, eb = await two_laptops(server, isolated_env, monkeypatch, pg_db)
    result = await ea.ask(AskRequest(PROMPT, model=X))
    await feedback.thumb(ea, result.call_ids[-1], False)
    await feedback.thumb(ea, result.call_ids[-1], True)  # changed its mind: the down is retracted
    seen = await eb.ledger.book.shared_evidence(0)
    thumbs = [(s, f) for _uc, m, s, f, _ts in seen if m == X]
    assert len(thumbs) == 3  # down, its retraction, up: the team's log is append-only
    assert abs(sum(s for s, _ in thumbs) - 1.0) < 1e-6 and abs(sum(f for _, f in thumbs)) < 1e-6, thumbs
    mine = {r.model: r for r in (await reports.rankings(eb))["general"]}
    assert mine[X].satisfaction > 0.6  # (1 + 1) / (1 + 0 + 2): b sees a's up, not its down

    # a retraction whose thumb never reached the team (given before team mode) cancels only its
    # own member's evidence, never another member's thumb
    c = f"c_{dbname[-6:]}"
    admin_db = TeamDB(url)
    await admin.add_member(admin_db, c, password="pw-" + c)
    await admin_db.close()
    cb = TeamBook(TeamDB(f"postgresql://{c}:pw-{c}@{url.split('@', 1)[1]}"), c)
    await cb.add_evidence([(X, "general", "thumb", 1.0, 0.0)])
    await cb.db.close()
    await ea.ledger.book.add_evidence([(X, "general", "thumb", -2.0, 0.0)])  # a: net -1 on X
    row = next(r for r in await eb.ledger.book.team_stats(0, None) if r[1] == X)
    assert abs(row[8] - 1.0) < 1e-6 and abs(row[10] - 1.0) < 1e-6, row  # c's up stands (a's clamps at 0)
    arm = (await eb.knowledge.bandit()).arms[("general", X)]
    assert abs(arm.s - 1.0) < 1e-3, arm  # the auto tier reads the same sums
    await ea.close()
    await eb.close()
