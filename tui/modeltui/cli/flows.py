"""Headless commands for flows: `run` a pipeline (or an A/B of two variants), `compare` two
runs, `bench` a suite over models."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from modeltui.calls.engine import Engine
from modeltui.cli.commands import _money
from modeltui.cli.tables import _table
from modeltui.errors import UsageError
from modeltui.flows import spec, tables
from modeltui.flows.bench import BenchObserver
from modeltui.flows.pipeline import RunObserver
from modeltui.signals import standard


def read_input(value: str) -> str:
    """TEXT, or @FILE (@- reads standard input)."""
    if not value.startswith("@"):
        return value
    if value == "@-":
        from modeltui.cli.commands import read_stdin

        return read_stdin("--input")
    path = Path(value[1:]).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--input {value}: {exc.strerror if isinstance(exc, OSError) else exc}") from None


class _Progress(RunObserver):
    """Step headers and check results on stderr, each step's answer streamed to stdout."""

    def __init__(self, repeat: int):
        self.repeat = repeat

    def step(self, name: str, attempt: int, rep: int) -> None:
        tag = f" · pass {rep + 1}/{self.repeat}" if self.repeat > 1 else ""
        print(f"\n── {name}{' (escalated)' if attempt else ''}{tag}", file=sys.stderr, flush=True)

    def text(self, chunk: str) -> None:
        sys.stdout.write(chunk)
        sys.stdout.flush()

    def event(self, note: str) -> None:
        print(f"\n[{note}]", file=sys.stderr)

    def step_done(self, item) -> None:
        note = f" ({item.note})" if item.note and item.note.strip().lower() not in ("passed", "failed", "pass", "fail") else ""
        check = "" if item.passed is None else f" · check {'passed' if item.passed else 'FAILED'}{note}"
        if item.status == "skipped":
            print(f"\n   not asked: {item.note}", file=sys.stderr)
            return
        print(f"\n   {item.model} · {item.tokens_in}→{item.tokens_out} tokens · {_money(item.cost_usd)} · "
              f"{item.latency_ms:.0f} ms · {item.status}{check}", file=sys.stderr)


async def cmd_run(args) -> int:
    from modeltui.flows import pipeline, runs

    pipe = spec.load_pipeline(args.pipeline, args.config)
    input_text = read_input(args.input)
    async with Engine.open(args.config, session=args.session, listeners=standard) as engine:
        await engine.preload()
        if args.dry_run:
            for variant in args.ab or ():
                pipeline.apply_overrides(pipe, variant.split())  # a bad variant fails here too
            planned = pipeline.apply_overrides(pipe, args.set)
            return _print_plan(planned, await pipeline.plan(engine, planned, input_text), args)
        started = await runs.start(engine, pipe, input_text, args.set, args.repeat, args.ab,
                                   None if args.json else _Progress(args.repeat))
        comparison = None
        if args.ab:
            (a, _, _), (b, _, _) = started
            comparison = tables.compare(await engine.store.run_items(a), await engine.store.run_items(b),
                                        [s.name for s in pipe.steps])
    failed = [r for _, _, results in started for r in results if r.status != "ok"]
    if args.json:
        print(json.dumps({"runs": [{"run_id": rid, "variant": label, "passes": [r.to_dict() for r in results]}
                                   for rid, label, results in started],
                          "comparison": _comparison_json(comparison) if comparison else None}, ensure_ascii=False))
        return 1 if failed else 0
    for rid, label, results in started:
        cost = sum(r.cost_usd for r in results)
        ok = sum(r.status == "ok" for r in results)
        print(f"\n{rid if str(rid).startswith('run') else 'run ' + str(rid)}{' (' + label + ')' if label else ''}: {ok}/{len(results)} passes ok · {_money(cost)} in all",
              file=sys.stderr)
        for r in results:
            if r.error:
                print(f"  pass {r.rep + 1} stopped at {r.error}", file=sys.stderr)
    if comparison:
        (a, la, _), (b, lb, _) = started
        _print_comparison(comparison, f"A = {a} ({la}) · B = {b} ({lb})")
    return 1 if failed else 0


def _print_plan(pipe, rows: list[dict], args) -> int:
    """Each step once, then the most a run can cost: the dearest path (a branch's dearest arm, a
    loop's rounds up to max_steps) times the passes (--repeat)."""
    from modeltui.flows import pipeline

    worst, path = pipeline.dearest_path(pipe, [r["worst_case_usd"] for r in rows])
    passes = args.repeat  # (with --ab: per variant, priced as planned without its overrides)
    unpriced = sorted({rows[i]["step"] for i in path if rows[i]["worst_case_usd"] is None})
    most = {"worst_case_usd": worst * passes, "path": [rows[i]["step"] for i in path], "passes": passes,
            "unpriced_steps": unpriced, "escalations_counted": False}
    if args.json:
        print(json.dumps({"dry_run": True, "steps": rows, "at_most": most}))
    else:
        _table("dry run: nothing was called", ["step", "model (tier, from)", "tokens in / out ≤", "at most", "check", "next"],
               [[r["step"], f"{r['model']} ({r['tier']}, {r['source']})" if r["model"] else f"— {r['note']}",
                 f"{r['tokens_in']} / {r['max_tokens']}", _money(r["worst_case_usd"]), r["check"], r["next"]] for r in rows])
        steps = " → ".join(most["path"]) if len(path) <= 8 else f"{' → '.join(most['path'][:6])} → … ({len(path)} steps)"
        print(f"a run costs at most {_money(most['worst_case_usd'])}: the dearest path {steps}"
              + (f", x{passes} passes" if passes > 1 else "") + (" (per variant)" if args.ab else "")
              + (f"; steps with no price count $0: {', '.join(unpriced)}" if unpriced else "")
              + "; a failed check's escalation to a stronger tier is not in it")
    return 1 if any(r["model"] is None for r in rows) else 0


async def cmd_compare(args) -> int:
    async with Engine.open(args.config, probe_ollama=False, read_only=True) as engine:
        a, b = await _one_run(engine, args.run_a), await _one_run(engine, args.run_b)
        items_a, items_b = await engine.store.run_items(a["id"]), await engine.store.run_items(b["id"])
    steps = list(dict.fromkeys(it["item"] for it in items_a + items_b))
    rows = tables.compare(items_a, items_b, steps)
    if args.json:
        print(json.dumps({"a": a["id"], "b": b["id"], **_comparison_json(rows),
                          "totals": {"a": tables.totals(items_a), "b": tables.totals(items_b)}}))
        return 0
    _print_comparison(rows, f"A = {a['id']} ({a['variant'] or a['name']}) · B = {b['id']} ({b['variant'] or b['name']})")
    ta, tb = tables.totals(items_a), tables.totals(items_b)
    print(f"per pass: A {_money(ta['cost_usd'])}, {ta['tokens']:.0f} tokens, {ta['latency_ms']:.0f} ms · "
          f"B {_money(tb['cost_usd'])}, {tb['tokens']:.0f} tokens, {tb['latency_ms']:.0f} ms "
          f"({ta['passes']} and {tb['passes']} passes)")
    return 0


async def _one_run(engine: Engine, ref: str) -> dict:
    found = await engine.store.find_runs(ref)
    if not found:
        raise UsageError(f"no run '{ref}' (modeltui runs lists them)")
    if len(found) > 1 and not any(r["id"] == ref for r in found):
        raise UsageError(f"'{ref}' matches {len(found)} runs: {', '.join(r['id'] for r in found[:4])}…")
    return next((r for r in found if r["id"] == ref), found[0])


def _comparison_json(rows: list[dict]) -> dict:
    def fig(f):
        return None if f is None else {"runs": f.runs, "models": f.models, "cost_usd": f.cost_usd, "tokens": f.tokens,
                                       "latency_ms": f.latency_ms, "pass_rate": f.pass_rate, "escalations": f.escalations}
    return {"steps": [{"step": r["step"], "a": fig(r["a"]), "b": fig(r["b"]),
                       **{k: r[k] for k in ("d_cost_usd", "d_tokens", "d_latency_ms", "d_pass_rate")}} for r in rows]}


def _print_comparison(rows: list[dict], title: str) -> None:
    """One line per step and measure (A, B, B − A): narrow enough for any terminal."""
    _table(title, ["step", "measure", "A", "B", "B − A"], tables.comparison_lines(rows, _money))


class _BenchProgress(BenchObserver):
    def done(self, item, finished: int, total: int) -> None:
        verdict = "skipped" if item.status == "skipped" else "pass" if item.passed else "fail"
        print(f"[{finished}/{total}] {item.model} · {item.item} · {verdict}" + (f" ({item.note})" if verdict != "pass" else ""),
              file=sys.stderr, flush=True)


async def cmd_bench(args) -> int:
    from modeltui.flows import bench

    suite = spec.load_suite(args.suite, args.config)
    async with Engine.open(args.config, listeners=standard) as engine:
        await engine.preload()
        result = await bench.bench(engine, suite, args.models.split(","), args.repeat, None if args.json else _BenchProgress())
        items = await engine.store.run_items(result.run_id)
    matrix, best = tables.bench_matrix(items, result.models)
    figures = {"run_id": result.run_id, "suite": result.suite, "models": result.models, "calls": len(items),
               "wall_s": round(result.wall_s, 3), "sum_latency_s": round(result.sum_latency_s, 3),
               "wall_share": round(result.wall_s / result.sum_latency_s, 3) if result.sum_latency_s else None}
    skipped = sum(it["status"] == "skipped" for it in items)
    if args.json:
        print(json.dumps({**figures, "matrix": {uc: {m: c.to_dict() for m, c in row.items()} for uc, row in matrix.items()},
                          "cheapest_as_good": best}))
        return 1 if skipped else 0
    print_matrix(matrix, best, result.models, f"suite {result.suite} · {result.run_id}\n"
                 "pass rate (passed/answered) · cost of those answers · median latency")
    share = f" ({figures['wall_share']:.2f} of it)" if figures["wall_share"] is not None else ""
    print(f"{len(items)} calls in {result.wall_s:.1f} s; one after another they took {result.sum_latency_s:.1f} s{share}")
    if skipped:
        print(f"modeltui: {skipped} calls were not made (budget or no model); they count in no pass rate", file=sys.stderr)
    return 1 if skipped else 0


def print_matrix(matrix, best, models: list[str], title: str) -> None:
    _table(title, ["use case", *models, "cheapest as good as the best"],
           [[uc, *(tables.matrix_cell(row.get(m), _money) for m in models), best.get(uc) or "none passes"]
            for uc, row in matrix.items()])


async def cmd_runs(args) -> int:
    async with Engine.open(args.config, probe_ollama=False, read_only=True) as engine:
        rows = await engine.store.recent_runs(limit=args.n)
    found = {kind: spec.available(kind, args.config) for kind in ("pipelines", "suites")}
    if args.json:
        print(json.dumps({"runs": rows, **{k: {n: str(p) for n, p in v} for k, v in found.items()}}))
        return 0
    from datetime import datetime

    _table("recent runs", ["run", "kind", "name", "variant / models", "when", "status", "items", "cost"],
           [[r["id"], r["kind"], r["name"], r["variant"] or "", datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M"),
             r["status"] + (f": {r['error']}" if r["error"] else ""), r["items"], _money(r["cost_usd"])] for r in rows],
           drop=("items", "kind", "when", "variant / models"))
    for kind, items in found.items():  # a table: its long paths fold within the terminal's width
        _table(f"{kind} found", ["name", "file"], [[n, str(p)] for n, p in items]) if items else print(f"{kind}: none")
    return 0
