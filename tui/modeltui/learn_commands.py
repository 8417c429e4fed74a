"""Headless commands over what the log has learned: rankings, savings, use cases, feedback."""

from __future__ import annotations

import json
import time

from modeltui.commands import _money, _table
from modeltui.engine import Engine
from modeltui.errors import UsageError


async def cmd_rankings(args) -> int:
    from modeltui.learning.rankings import rankings
    from modeltui.learning.rebuild import rebuild

    engine = await Engine.open(args.config, probe_ollama=False)
    try:
        if args.rebuild:
            t = time.perf_counter()
            n = await rebuild(engine.store)
            if not args.json:
                print(f"rebuilt statistics from {n} logged events in {time.perf_counter() - t:.2f} s")
        result = await rankings(engine.store.db, engine.cfg.learning.weights, engine.store.half_life_s, args.use_case)
    finally:
        await engine.close()
    if args.json:
        print(json.dumps(result))
        return 0
    if not result:
        print("no calls logged yet" + (f" for use case '{args.use_case}'" if args.use_case else ""))
    w = engine.cfg.learning.weights
    for uc, rows in result.items():
        _table(f"{uc} — composite {w.success:g}/{w.speed:g}/{w.cost:g}/{w.satisfaction:g} (success/speed/cost/satisfaction)",
               ["model", "composite", "Bradley-Terry (95% CI)", "success", "median ms", "cost/call", "obs"],
               [[r["model"], f"{r['composite']:.3f}",
                 f"{r['bt_rating']:.0f} ({r['bt_lo']:.0f}–{r['bt_hi']:.0f}), {r['bt_comparisons']} cmp" if r["bt_rating"] is not None else "—",
                 f"{r['success_rate']:.2f}" if r["success_rate"] is not None else "—",
                 f"{r['median_latency_ms']:.0f}" if r["median_latency_ms"] else "—",
                 _money(r["cost_per_call_usd"]), r["observations"]] for r in rows])
    return 0


async def cmd_savings(args) -> int:
    from modeltui.budget import period_starts
    from modeltui.learning.rankings import rankings
    from modeltui.learning.savings import savings

    engine = await Engine.open(args.config, probe_ollama=False)
    try:
        since = time.time() - args.days * 86_400 if args.days else period_starts(engine.cfg.budget.month_boundary)[0]
        calls = await engine.store.select_calls(since=since)
        ranked = await rankings(engine.store.db, engine.cfg.learning.weights, engine.store.half_life_s, bootstrap=0)
    finally:
        await engine.close()
    result = savings([c for c in calls if c["status"] == "ok"], ranked, engine.catalog)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['calls']} calls: spent {_money(result['actual_usd'])}; the best-ranked adequate model per use case "
          f"would have cost {_money(result['alternative_usd'])} (possible saving {_money(result['possible_savings_usd'])})")
    _table("by use case", ["use case", "calls", "spent", "best adequate", "would cost"],
           [[uc, u["calls"], _money(u["actual_usd"]), u["best_adequate"] or "—", _money(u["alternative_usd"])]
            for uc, u in result["by_use_case"].items()])
    for f in result["flags"]:
        print("note: " + f)
    return 0


async def cmd_usecases(args) -> int:
    from modeltui.learning import usecases

    engine = await Engine.open(args.config, probe_ollama=False)
    try:
        if args.rename:
            await usecases.rename(engine.store, *args.rename)
        if args.discover:
            await usecases.refit(engine.store, args.k)
        rows = await usecases.load(engine.store.db)
        async with engine.store.db.execute("SELECT COALESCE(use_case, 'general'), COUNT(*) FROM calls GROUP BY 1") as cur:
            counts = dict(await cur.fetchall())
    finally:
        await engine.close()
    if args.json:
        print(json.dumps({"discovered": [{k: r[k] for k in ("name", "terms", "size", "kept")} for r in rows],
                          "keyword_rules": {k: v.keywords for k, v in engine.cfg.use_cases.items()}, "calls": counts}))
        return 0
    _table("use cases from keyword rules (config)", ["use case", "keywords", "calls"],
           [[k, ", ".join(v.keywords[:6]) + (" …" if len(v.keywords) > 6 else ""), counts.get(k, 0)]
            for k, v in engine.cfg.use_cases.items()])
    if rows:
        _table("discovered use cases (rename with --rename OLD NEW to keep one)", ["name", "top terms", "prompts", "kept"],
               [[r["name"], ", ".join(r["terms"]), r["size"], "yes" if r["kept"] else ""] for r in rows])
    else:
        print("no discovered use cases yet: run `modeltui usecases --discover` once some prompts are logged")
    return 0


async def cmd_feedback(args) -> int:
    engine = await Engine.open(args.config, probe_ollama=False)
    try:
        await engine.feedback(args.call_id, args.thumb == "up")
    finally:
        await engine.close()
    print(f"thumbs {args.thumb} stored for call {args.call_id}")
    return 0
