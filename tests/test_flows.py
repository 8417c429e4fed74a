"""Pipelines, A/B runs and benchmark suites over the local OpenAI-compatible server: the
engine's own path (routing, reservations, logging), the CLI's commands, the stored runs."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from helpers import server_config, until, write_config
from modeltui import cli, reports
from modeltui.calls.engine import Engine
from modeltui.cli import flows as flow_commands
from modeltui.cli.parser import build as build_parser
from modeltui.errors import UsageError
from modeltui.flows import bench, checks, runs, spec, tables
from modeltui.flows.spec import Check
from test_budget import CANARY

PRICE = {"context_window": 16_000, "max_output": 1000}
MODELS = {
    "openai/say:wrong": {**PRICE, "quality": 5.0, "input_per_mtok": 0.1, "output_per_mtok": 0.2},  # the budget pick
    "openai/say:right": {**PRICE, "quality": 7.0, "input_per_mtok": 1.0, "output_per_mtok": 2.0},  # balanced
    "openai/echo:top": {**PRICE, "quality": 8.5, "input_per_mtok": 5.0, "output_per_mtok": 10.0},  # premium
}

THREE_STEPS = """
name = "three"
model = "openai/say:wrong"          # the pipeline's default

[[steps]]
name = "first"
model = "openai/say:wrong"          # overridden with --set in the test
prompt = "Say something about {input}"

[[steps]]
name = "second"
tier = "premium"
prompt = "Repeat: {steps.first} / {last}"

[[steps]]
name = "third"
prompt = "Conclude from {steps.second}"
"""


def _config(server, tmp, monkeypatch, **sections):
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    data = server_config(server.url, tmp, **sections)
    data["models"] = MODELS
    return data


def _write(tmp, name: str, text: str):
    path = tmp / name
    path.write_text(textwrap.dedent(text))
    return path


async def _open(data) -> Engine:
    from helpers import make_config

    return await Engine.open(cfg=make_config(data), probe_ollama=False)


async def _calls(engine, run_id):
    async with engine.store.db.execute("SELECT * FROM calls WHERE run_id = ? ORDER BY id", (run_id,)) as cur:
        return [dict(r) for r in await cur.fetchall()]


async def test_three_steps_log_three_linked_calls_on_the_right_models(server, isolated_env, monkeypatch):
    pipe = spec.load_pipeline(str(_write(isolated_env, "three.toml", THREE_STEPS)))
    async with await _open(_config(server, isolated_env, monkeypatch)) as eng:
        [(run_id, label, [result])] = await runs.start(eng, pipe, "tides", ["first.model=openai/say:right"])
        rows = await _calls(eng, run_id)
        items = await eng.store.run_items(run_id)
        [run] = await eng.store.find_runs(run_id)
    assert result.status == "ok" and label == "first.model=openai/say:right" and run["status"] == "ok"
    assert [(r["step"], r["model"], r["kind"]) for r in rows] == [
        ("first", "openai/say:right", "pipeline"),  # the --set override beats the step's own model
        ("second", "openai/echo:top", "pipeline"),  # the step's tier
        ("third", "openai/say:wrong", "pipeline")]  # the pipeline's default
    assert rows[1]["prompt"] == "Repeat: right / right"  # earlier outputs filled in
    assert result.output == rows[2]["response"]
    assert [(i["item"], i["call_id"], i["status"]) for i in items] == [(r["step"], r["id"], "ok") for r in rows]
    assert sum(i["cost_usd"] for i in items) == pytest.approx(sum(r["cost_usd"] for r in rows))


async def test_a_failing_check_escalates_one_tier_and_links_the_retry(server, isolated_env, monkeypatch):
    pipe = spec.load_pipeline(str(_write(isolated_env, "check.toml", """
        [[steps]]
        name = "answer"
        tier = "budget"
        prompt = "What is right? {input}"
        check = { contains = "right" }
        """)))
    async with await _open(_config(server, isolated_env, monkeypatch)) as eng:
        [(run_id, _, [result])] = await runs.start(eng, pipe, "now")
        first, retry = await _calls(eng, run_id)
        items = await eng.store.run_items(run_id)
        async with eng.store.db.execute("SELECT call_id, model, source, success, failure FROM prompt_evidence") as cur:
            ev = [tuple(r) for r in await cur.fetchall()]
    assert result.status == "ok" and result.output.strip() == "right"
    assert first["model"] == "openai/say:wrong" and retry["model"] == "openai/say:right"
    assert retry["origin_id"] == first["id"] and retry["step"] == "answer"  # the retry says what it re-asks
    assert [(i["attempt"], i["passed"]) for i in items] == [(0, 0), (1, 1)]
    assert "does not contain 'right'" in items[0]["note"]
    assert (first["id"], "openai/say:wrong", "check", 0.0, 0.5) in ev  # the failed check counts against it
    assert (retry["id"], "openai/say:right", "check", 0.5, 0.0) in ev


async def test_a_check_that_still_fails_stops_the_run_at_its_step(server, isolated_env, monkeypatch):
    pipe = spec.load_pipeline(str(_write(isolated_env, "never.toml", """
        [[steps]]
        name = "one"
        tier = "budget"
        prompt = "{input}"
        retries = 2
        check = { number = 7 }

        [[steps]]
        name = "two"
        prompt = "{last}"
        """)))
    async with await _open(_config(server, isolated_env, monkeypatch)) as eng:
        [(run_id, _, [result])] = await runs.start(eng, pipe, "go")
        rows = await _calls(eng, run_id)
        [run] = await eng.store.find_runs(run_id)
    # budget -> balanced -> premium, then no tier above: three answers, none with a 7
    assert [r["model"] for r in rows] == ["openai/say:wrong", "openai/say:right", "openai/echo:top"]
    assert result.status == "failed" and result.error.startswith("step 'one': check failed")
    assert run["status"] == "failed" and "step 'one'" in run["error"]


def test_dry_run_routes_every_step_and_calls_nothing(server, isolated_env, monkeypatch, capsys):
    import sqlite3

    data = _config(server, isolated_env, monkeypatch)
    cfg = write_config(data, isolated_env / "config.toml")
    path = _write(isolated_env, "three.toml", THREE_STEPS)
    code = cli.main(["--config", str(cfg), "run", str(path), "--input", "tides", "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and server.count() == 0
    assert [(s["step"], s["model"], s["source"]) for s in out["steps"]] == [
        ("first", "openai/say:wrong", "step model"), ("second", "openai/echo:top", "step tier"),
        ("third", "openai/say:wrong", "pipeline model")]
    assert all(s["worst_case_usd"] > 0 for s in out["steps"])
    con = sqlite3.connect(data["storage"]["path"])
    assert con.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 0
    assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0


async def test_an_ab_run_compares_the_variants_step_by_step(server, isolated_env, monkeypatch, capsys):
    pipe = spec.load_pipeline(str(_write(isolated_env, "three.toml", THREE_STEPS)))
    async with await _open(_config(server, isolated_env, monkeypatch)) as eng:
        (a, la, ra), (b, lb, rb) = await runs.start(eng, pipe, "tides", repeat=2,
                                                     ab=["first.model=openai/say:wrong", "first.model=openai/echo:top"])
        items_a, items_b = await eng.store.run_items(a), await eng.store.run_items(b)
        [run_a], [run_b] = await eng.store.find_runs(a), await eng.store.find_runs(b)
    assert len(ra) == len(rb) == 2 and la == "first.model=openai/say:wrong"
    assert run_a["ab_id"] == run_b["ab_id"] is not None and run_a["repeat"] == 2
    rows = {r["step"]: r for r in tables.compare(items_a, items_b, ["first", "second", "third"])}
    assert rows["first"]["a"].models == "openai/say:wrong" and rows["first"]["b"].models == "openai/echo:top"
    assert rows["first"]["d_cost_usd"] > 0  # the premium model costs more for the same step
    assert rows["first"]["a"].runs == rows["first"]["b"].runs == 2
    cfg = write_config(_config(server, isolated_env, monkeypatch), isolated_env / "config.toml")
    prefix = b[:len(os.path.commonprefix([a, b])) + 1]  # a prefix is enough (the shortest that is b's alone)
    args = build_parser().parse_args(["--config", str(cfg), "compare", a, prefix, "--json"])
    assert await flow_commands.cmd_compare(args) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["a"] == a and shown["b"] == b
    assert shown["steps"][0]["d_cost_usd"] == pytest.approx(rows["first"]["d_cost_usd"])


SUITE = """
name = "mini"
max_tokens = 50

[[prompts]]
id = "p1"
use_case = "arithmetic"
prompt = "What is 6 * 7?"
check = { contains = "right" }

[[prompts]]
id = "p2"
use_case = "arithmetic"
prompt = "And 40 + 2?"
check = { regex = '^right' }

[[prompts]]
id = "p3"
use_case = "facts"
prompt = "Which is right?"
check = { exact = "right" }
"""


async def test_a_suite_stores_one_scored_row_per_prompt_and_model_and_moves_the_rankings(server, isolated_env, monkeypatch):
    suite = spec.load_suite(str(_write(isolated_env, "mini.toml", SUITE)))
    async with await _open(_config(server, isolated_env, monkeypatch)) as eng:
        before = await reports.rankings(eng, "arithmetic")
        result = await bench.bench(eng, suite, ["openai/say:wrong", "openai/say:right"])
        items = await eng.store.run_items(result.run_id)
        after = await reports.rankings(eng, "arithmetic")
        calls = await _calls(eng, result.run_id)
    assert sorted((i["item"], i["model"], i["passed"]) for i in items) == [
        (p, m, int(m.endswith("right"))) for p in ("p1", "p2", "p3") for m in ("openai/say:right", "openai/say:wrong")]
    assert {c["kind"] for c in calls} == {"bench"} and len(calls) == 6
    assert before.get("arithmetic") in (None, [])
    ranked = {r.model: r for r in after["arithmetic"]}
    # scored answers are quality evidence: what the rankings show as satisfaction and the auto tier samples
    assert ranked["openai/say:right"].satisfaction == pytest.approx(0.75) and ranked["openai/say:wrong"].satisfaction == pytest.approx(0.25)
    matrix, best = tables.bench_matrix(items, result.models)
    assert matrix["facts"]["openai/say:right"].pass_rate == 1.0 and matrix["facts"]["openai/say:wrong"].pass_rate == 0.0
    assert best["arithmetic"] == "openai/say:right" and best["all"] == "openai/say:right"


async def test_a_run_past_the_cap_stops_cleanly_at_the_step_that_would_pass_it(server, isolated_env, monkeypatch):
    pipe = spec.load_pipeline(str(_write(isolated_env, "three.toml", THREE_STEPS)))
    # the first step (say:wrong, at most $0.00004) fits; the premium second (at most $0.002) does not
    data = _config(server, isolated_env, monkeypatch, budget={"monthly_usd": 0.001})
    async with await _open(data) as eng:
        [(run_id, _, [result])] = await runs.start(eng, pipe, "tides", repeat=3)
        rows = await _calls(eng, run_id)
        items = await eng.store.run_items(run_id)
        figures = await eng.ledger.figures()
        async with eng.store.db.execute("SELECT COUNT(*) FROM reservations") as cur:
            reserved = (await cur.fetchone())[0]
    assert result.status == "failed" and result.error.startswith("step 'second': budget")
    assert [r["step"] for r in rows] == ["first"]  # one pass only: the next would stop at the same cap
    assert [(i["item"], i["status"]) for i in items] == [("first", "ok"), ("second", "skipped")]
    assert reserved == 0 and figures.month_usd <= 0.001
    assert server.count("openai/echo:top") == 0


LOOP = """
max_steps = 5
output = "draft"

[[steps]]
name = "draft"
model = "openai/say:first"
prompt = "Draft {input}"

[[steps]]
name = "critique"
model = "openai/say:REVISE"
prompt = "Review {steps.draft}"
choose = { approved = "end", revise = "revise" }

[[steps]]
name = "revise"
model = "openai/echo:top"
prompt = "new {steps.draft}"
as = "draft"
next = "critique"
"""


async def test_a_loop_revises_until_approved_and_max_steps_bounds_it(server, isolated_env, monkeypatch):
    pipe = spec.load_pipeline(str(_write(isolated_env, "loop.toml", LOOP)))
    data = _config(server, isolated_env, monkeypatch)
    data["models"] = {**MODELS, **{f"openai/say:{w}": MODELS["openai/say:wrong"] for w in ("first", "REVISE", "APPROVED")}}
    async with await _open(data) as eng:
        [(endless, _, [stopped])] = await runs.start(eng, pipe, "it")
        [(approved, _, [done])] = await runs.start(eng, pipe, "it", ["critique.model=openai/say:APPROVED"])
        loop_rows, approved_rows = await _calls(eng, endless), await _calls(eng, approved)
    assert [r["step"] for r in loop_rows] == ["draft", "critique", "revise", "critique", "revise"]
    assert loop_rows[4]["prompt"] == "new new first"  # the revision replaced the draft it revises
    assert stopped.status == "failed" and stopped.error == "step 'critique': more than max_steps (5) steps ran"
    assert [r["step"] for r in approved_rows] == ["draft", "critique"]
    assert done.status == "ok" and done.output.strip() == "first"  # the run's output is the draft


def test_checks_score_what_they_say():
    assert checks.local(Check(number=42), "6 * 7 = 42.\n\nThe answer is **42**.").passed
    assert not checks.local(Check(number=42), "It is 41").passed
    assert checks.local(Check(number=1904), "56 × 34 = 1,904").passed
    assert checks.local(Check(choice="B"), "The answer is (B) Jupiter").passed
    assert checks.local(Check(choice="b"), "B. Jupiter").passed
    assert not checks.local(Check(choice="B"), "A) Mars").passed
    assert checks.local(Check(json_keys=["name", "age"]), 'Here:\n```json\n{"name": "Al", "age": 3}\n```').passed
    assert checks.local(Check(json_keys=["name"]), 'Sure: {"name": "Al"} hope that helps').passed
    assert checks.local(Check(json_keys=["age"]), '{"name": "Al"}').note == "JSON lacks age"
    assert not checks.local(Check(is_json=True), "{not json").passed
    assert checks.local(Check(exact="Canberra"), " canberra. ").passed
    assert not checks.local(Check(contains="Austen", regex="Jane"), "Austen").passed  # every kind must pass


@pytest.mark.parametrize("text, message", [
    ("[[steps]]\nname = 'a'\nprompt = '{steps.nope}'\n", "uses {steps.nope}"),
    ("[[steps]]\nname = 'a'\nprompt = 'x'\nnext = 'b'\n", "goes to unknown step 'b'"),
    ("[[steps]]\nname = 'a'\nprompt = 'x'\ncheck = { regex = '(' }\n", "regex does not compile"),
    ("[[steps]]\nname = 'a'\nprompt = 'x'\ncheck = {}\n", "a check needs at least one of"),
    ("[[steps]\n", "Expected ']]'"),
    ("steps = []\n", "steps: List should have at least 1 item"),
    ("[[steps]]\nname = 'a'\nprompt = 'x'\n[[steps]]\nname = 'a'\nprompt = 'y'\n", "step names repeat: a"),
])
def test_a_bad_pipeline_file_is_one_clear_line(isolated_env, text, message, capsys):
    path = isolated_env / "bad.toml"
    path.write_text(text)
    with pytest.raises(UsageError) as err:
        spec.load_pipeline(str(path))
    assert message in str(err.value) and "\n" not in str(err.value) and str(path) in str(err.value)
    assert cli.main(["run", str(path), "--input", "x"]) == 2
    assert capsys.readouterr().err.startswith("modeltui: ")


def test_unknown_names_list_what_there_is(isolated_env, capsys):
    assert cli.main(["run", "nosuch", "--input", "x"]) == 2
    err = capsys.readouterr().err
    assert "no pipeline named 'nosuch'" in err and "triage" in err and "draft-critique-revise" in err
    assert cli.main(["bench", "basics", "--models", "demo/nosuch"]) == 2
    assert "unknown model 'demo/nosuch'" in capsys.readouterr().err
    assert cli.main(["run", "triage", "--input", "x", "--set", "answer.model=demo/nosuch"]) == 2
    assert "step 'answer': unknown model 'demo/nosuch'" in capsys.readouterr().err


def test_the_shipped_examples_load():
    assert {n for n, _ in spec.available("pipelines")} >= {"triage", "draft-critique-revise"}
    suite = spec.load_suite("basics")
    assert len(suite.prompts) >= 30 and len({p.use_case for p in suite.prompts}) >= 5
    triage = spec.load_pipeline("triage")
    assert triage.steps[0].choose == {"complex": "analyse", "simple": "answer"}


async def test_the_runs_view_shows_a_suites_matrix_and_an_ab_side_by_side(isolated_env):
    from test_app import demo_app

    suite = spec.load_suite(str(_write(isolated_env, "s.toml", """
        [[prompts]]
        id = "m"
        use_case = "arithmetic"
        prompt = "What is 56 * 34?"
        check = { number = 1904 }
        """)))
    app = demo_app()
    async with app.run_test(size=(80, 30)) as pilot:
        await app.ready.wait()
        await bench.bench(app.engine, suite, ["demo/small", "demo/large"])
        (a, _, _), (b, _, _) = await runs.start(app.engine, spec.load_pipeline("triage"), "hello", ab=[
            "answer.model=demo/small", "answer.model=demo/medium"])
        await app.run_action("view('runs')")
        await until(pilot, lambda: app.screen.query("DataTable") and app.screen.query_one("DataTable").row_count >= 3)
        table = app.screen.query_one("DataTable")
        ids = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert ids[:2] == [b, a] and ids[2].startswith("bench-")
        await until(pilot, lambda: "B − A" in _text(app.screen.query_one("#detail").content))
        shown = _text(app.screen.query_one("#detail").content)
        assert "B − A" in shown and "demo/small" in shown and "demo/medium" in shown  # the A/B's partner found
        await pilot.press("down", "down")
        await until(pilot, lambda: "cheapest as good" in _text(app.screen.query_one("#detail").content))
        shown = _text(app.screen.query_one("#detail").content)
        # the small model slips on long multiplication, the large one does not
        assert "cheapest as good" in shown and "0% (0/1)" in shown and "100% (1/1)" in shown


def _text(renderable) -> str:
    from rich.console import Console

    console = Console(width=78, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


async def test_a_suite_in_parallel_stays_under_the_cap_with_failing_and_slow_models(server, isolated_env, monkeypatch):
    suite = spec.load_suite(str(_write(isolated_env, "mini.toml", SUITE)))
    slow = {**PRICE, "quality": 6.0, "input_per_mtok": 10.0, "output_per_mtok": 20.0}
    data = _config(server, isolated_env, monkeypatch, budget={"monthly_usd": 0.0025}, flows={"concurrency": 6})
    data["models"] = {"openai/slowstream:a": slow, "openai/error500:b": slow, "openai/say:right": MODELS["openai/say:right"]}
    async with await _open(data) as eng:
        result = await bench.bench(eng, suite, ["openai/slowstream:a", "openai/error500:b", "openai/say:right"], repeat=2)
        items = await eng.store.run_items(result.run_id)
        figures = await eng.ledger.figures()
        async with eng.store.db.execute("SELECT COUNT(*) FROM reservations") as cur:
            reserved = (await cur.fetchone())[0]
        [run] = await eng.store.find_runs(result.run_id)
    assert len(items) == 18  # every (prompt, model, repeat) has its row: answered, failed or skipped
    by = {s: [i for i in items if i["status"] == s] for s in ("ok", "error", "skipped")}
    assert by["skipped"] and all("budget" in i["note"] for i in by["skipped"])  # the cap refused some
    assert by["error"] and all(i["passed"] == 0 for i in by["error"])  # a 500 is a failed answer
    assert figures.month_usd <= 0.0025 and reserved == 0
    assert run["status"] == "failed" and "skipped" in run["error"]


async def test_a_judge_check_is_a_logged_call_and_its_verdict_decides(server, isolated_env, monkeypatch):
    suite = spec.load_suite(str(_write(isolated_env, "judged.toml", """
        [[prompts]]
        id = "kind"
        use_case = "writing"
        prompt = "Say something kind"
        check = { judge = "openai/say:PASS", rubric = "It is kind." }

        [[prompts]]
        id = "harsh"
        use_case = "writing"
        prompt = "Say something kind"
        check = { contains = "right", judge = "openai/say:FAIL", rubric = "It is kind." }
        """)))
    data = _config(server, isolated_env, monkeypatch)
    data["models"] = {**MODELS, **{f"openai/say:{w}": MODELS["openai/say:wrong"] for w in ("PASS", "FAIL")}}
    async with await _open(data) as eng:
        result = await bench.bench(eng, suite, ["openai/say:right"])
        items = {i["item"]: i for i in await eng.store.run_items(result.run_id)}
        calls = await _calls(eng, result.run_id)
    assert items["kind"]["passed"] == 1 and items["kind"]["note"] == "judge openai/say:PASS: PASS"
    assert items["harsh"]["passed"] == 0 and items["harsh"]["note"] == "judge openai/say:FAIL: FAIL"
    judged = [c for c in calls if c["kind"] == "check"]
    assert sorted(c["model"] for c in judged) == ["openai/say:FAIL", "openai/say:PASS"]
    assert all("Rubric:\nIt is kind." in c["prompt"] and c["step"] in ("kind", "harsh") for c in judged)


async def test_the_runs_view_with_no_runs_says_how_to_make_one_and_keys_do_not_break_it(isolated_env):
    from test_app import demo_app

    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.ready.wait()
        await app.run_action("view('runs')")
        await pilot.pause()
        await pilot.press("m", "down", "r", "enter")
        await pilot.pause()
        assert "No runs yet" in _text(app.screen.query_one("#detail").content)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.chat


BRANCH_AND_LOOP = """
max_steps = 7
model = "openai/say:wrong"

[[steps]]
name = "triage"
prompt = "{input}"
max_tokens = 10
choose = { cheap = "short", dear = "long" }
next = "end"

[[steps]]
name = "short"
prompt = "{last}"
max_tokens = 10
next = "end"

[[steps]]
name = "long"
prompt = "{last}"
max_tokens = 400
choose = { again = "long" }
next = "end"
"""


def test_dry_run_prices_the_dearest_arm_and_every_round_of_a_loop(server, isolated_env, monkeypatch, capsys):
    """A branch costs its dearest arm (not the sum of its arms) and a loop its rounds up to
    max_steps: here triage, then 'long' six times (7 steps in all), never 'short'."""
    cfg = write_config(_config(server, isolated_env, monkeypatch), isolated_env / "config.toml")
    path = _write(isolated_env, "branch.toml", BRANCH_AND_LOOP)
    code = cli.main(["--config", str(cfg), "run", str(path), "--input", "x", "--dry-run", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and server.count() == 0
    cost = {s["step"]: s["worst_case_usd"] for s in out["steps"]}
    most = out["at_most"]
    assert most["path"] == ["triage"] + ["long"] * 6
    assert most["worst_case_usd"] == pytest.approx(cost["triage"] + 6 * cost["long"])
    assert most["worst_case_usd"] < sum(cost.values()) * 7 and most["worst_case_usd"] > sum(cost.values())
    code = cli.main(["--config", str(cfg), "run", str(path), "--input", "x", "--dry-run", "--repeat", "3"])
    text = capsys.readouterr().out
    assert "the dearest path triage → long → long" in text and "x3 passes" in text


def test_estimate_says_which_token_counts_it_used(server, isolated_env, monkeypatch, capsys):
    cfg = write_config(_config(server, isolated_env, monkeypatch), isolated_env / "config.toml")
    assert cli.main(["--config", str(cfg), "estimate", "--calls", "code=10", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["budget"]["rows"]
    assert rows[0]["tokens_from"].startswith("the default 500 in / 400 out")
    assert cli.main(["--config", str(cfg), "estimate", "--calls", "code=10", "--tokens-in", "50"]) == 0
    assert "tokens per call for code: 50 in / 400 out, given (--tokens-in / --tokens-out)" in capsys.readouterr().out
