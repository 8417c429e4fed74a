"""Headless commands over what the log has learned: rankings, savings, use cases, feedback."""

from __future__ import annotations

import json
import time

from modeltui import reports
from modeltui.calls.engine import Engine
from modeltui.cli.commands import _money
from modeltui.cli.tables import _table
from modeltui.signals import standard


async def cmd_rankings(args) -> int:
    from modeltui.learning import relearn as upkeep

    async with Engine.open(args.config, probe_ollama=False, read_only=not args.rebuild) as engine:
        await reports.require_use_case(engine, args.use_case)
        if args.rebuild:
            t = time.perf_counter()
            n = await upkeep.rebuild_stats(engine)
            if not args.json:
                print(f"rebuilt statistics from {n} logged events in {time.perf_counter() - t:.2f} s")
        result = await reports.rankings(engine, args.use_case)
        title = reports.weights_title(engine)
        month = await reports.month_spend(engine)
        evidence, team = await reports.evidence_source(engine), engine.team is not None
    if args.json:
        print(json.dumps({"month": month, "evidence": evidence,
                          "use_cases": {uc: [r.to_dict() for r in rows] for uc, rows in result.items()}}))
        return 0
    if team:
        print(f"evidence: {evidence}")
    if not result:
        print("no calls logged yet" + (f" for use case '{args.use_case}'" if args.use_case else ""))
    for uc, rows in result.items():
        _table(f"{uc} — {title}",
               ["model", "composite", "Bradley-Terry (95% CI)", "success", "median ms", "cost/call", "obs"],
               [[r.model, f"{r.composite:.3f}",
                 f"{r.bt_rating:.0f} ({r.bt_lo:.0f}–{r.bt_hi:.0f}), {r.bt_comparisons} cmp" if r.bt_rating is not None else "—",
                 f"{r.success_rate:.2f}" if r.success_rate is not None else "—",
                 f"{r.median_latency_ms:.0f}" if r.median_latency_ms else "—",
                 _money(r.cost_per_call_usd), r.observations] for r in rows])
    return 0


async def cmd_savings(args) -> int:
    async with Engine.open(args.config, probe_ollama=False, read_only=True) as engine:
        result = await reports.savings(engine, args.days)
    if args.json:
        print(json.dumps(result))
        return 0
    m = result["month"]
    print(f"this month: {_money(m['usd'])} over {m['calls']} calls of every kind and status"
          + (f" ({m['unpriced_calls']} unpriced, not in the total)" if m["unpriced_calls"] else ""))
    print(f"of the period's answered calls ({result['calls']}): spent {_money(result['actual_usd'])}; the best-ranked "
          f"adequate model per use case would have cost {_money(result['alternative_usd'])} "
          f"(possible saving {_money(result['possible_savings_usd'])})")
    _table("by use case", ["use case", "calls", "spent", "best adequate", "would cost"],
           [[uc, u["calls"], _money(u["actual_usd"]), u["best_adequate"] or "—", _money(u["alternative_usd"])]
            for uc, u in result["by_use_case"].items()])
    for f in result["flags"]:
        print("note: " + f)
    if t := result.get("team"):
        print(f"the team's answered calls (all members, this UTC month unless --days): {t['calls']}, spent "
              f"{_money(t['actual_usd'])}; the best adequate models would have cost {_money(t['alternative_usd'])} "
              f"(possible saving {_money(t['possible_savings_usd'])})")
        print(f"evidence: {result['evidence']}")
    return 0


async def cmd_usecases(args) -> int:
    from modeltui.learning import relearn as upkeep

    async with Engine.open(args.config, probe_ollama=False, read_only=not (args.rename or args.discover)) as engine:
        if args.add:
            reports.declare_use_case(engine, args.add)
        if args.rename:
            await upkeep.rename_use_case(engine, *args.rename)
        if args.discover:
            await upkeep.discover_use_cases(engine, args.k)
        found = await reports.use_cases(engine)
    rows, rules, counts = found["discovered"], found["keyword_rules"], found["calls"]
    if args.json:
        print(json.dumps({"discovered": [{k: r[k] for k in ("name", "terms", "size", "kept")} for r in rows],
                          "keyword_rules": rules, "calls": counts}))
        return 0
    if declared := reports.declared_use_cases(engine):
        print(f"use cases added with --add: {', '.join(declared)}")
    _table("use cases from keyword rules (config)", ["use case", "keywords", "calls"],
           [[k, ", ".join(v[:6]) + (" …" if len(v) > 6 else ""), counts.get(k, 0)] for k, v in rules.items()])
    if rows:
        _table("discovered use cases (rename with --rename OLD NEW to keep one)", ["name", "top terms", "prompts", "kept"],
               [[r["name"], ", ".join(r["terms"]), r["size"], "yes" if r["kept"] else ""] for r in rows])
    else:
        print("no discovered use cases yet: run `modeltui usecases --discover` once some prompts are logged")
    return 0


async def cmd_feedback(args) -> int:
    from modeltui.signals import feedback

    async with Engine.open(args.config, probe_ollama=False, listeners=standard) as engine:
        await feedback.thumb(engine, args.call_id, args.thumb == "up")
    print(f"thumbs {args.thumb} stored for call {args.call_id} (it replaces any earlier thumb on it)")
    return 0


async def cmd_import(args) -> int:
    from modeltui.learning.warm_start import import_llm_logs

    async with Engine.open(args.config, probe_ollama=False) as engine:
        done = await import_llm_logs(engine, args.path)
    if args.json:
        print(json.dumps({"found": done.found, "added": done.added, "skipped": done.skipped, "shapes": done.shapes,
                          "models": done.models}))
        return 0
    shapes = ", ".join(f"{n} from {shape}" for shape, n in done.shapes.items() if n) or "none"
    print(f"{args.path}: {done.found} calls ({shapes}); imported {done.added}, already there {done.skipped}")
    for model, n in sorted(done.models.items(), key=lambda kv: -kv[1]):
        print(f"  {model}: {n}")
    return 0
