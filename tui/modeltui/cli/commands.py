"""The headless commands. Each opens the one Engine, does its job, prints, returns an exit code."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path

from modeltui import reports
from modeltui.calls.engine import Engine
from modeltui.calls.request import AskObserver, AskRequest
from modeltui.errors import UsageError
from modeltui.reports import money as _money
from modeltui.signals import standard
from modeltui.vocab import CallKind
from modeltui.cli.precheck import read_stdin  # noqa: F401 - (cli/flows.py takes it from here)
from modeltui.cli.printing import print_trailer_tail, print_tournament
from modeltui.cli.tables import _table
from modeltui.vocab.words import marked, plural, snippet_text


def _print_result(result, args) -> int:
    s = result.summary()
    if args.json:
        print(json.dumps(s.to_dict(), ensure_ascii=False))
        return 0 if s.status == "ok" else 1
    if s.text and not s.text.endswith("\n"):
        sys.stdout.write("\n")
        sys.stdout.flush()
    sim = " (simulated)" if s.simulated else ""
    est = " est." if s.tokens_estimated else ""
    print(f"— {s.model}{sim} · {s.effective_tier} · {s.tokens_in}→{s.tokens_out} tokens{est} · "
          f"{_money(s.cost_usd)} · {s.latency_ms:.0f} ms · {s.status} · call {s.call_id}", file=sys.stderr)
    if s.cut_short:
        why = {"length": "the model reached max_tokens", "cut_max_tokens": "it went past max_tokens: reading stopped",
               "cut_budget": "its cost reached what was reserved: reading stopped"}[s.finish_reason]
        print(f"  cut short: {why}", file=sys.stderr)
    if len(s.attempt_list) > 1:
        print(f"  {len(s.attempt_list)} attempts, {s.total_ms / 1000:.1f} s in all:", file=sys.stderr)
    return print_trailer_tail(s, args)


class _Terminal(AskObserver):
    """The answer streams to stdout; fallback notes go to stderr."""

    def text(self, chunk: str) -> None:
        sys.stdout.write(chunk)
        sys.stdout.flush()

    def event(self, note: str) -> None:
        print(f"\n[{note}]", file=sys.stderr)


def _observer(args) -> AskObserver | None:
    return None if args.json else _Terminal()


async def cmd_ask(args) -> int:
    prompt = read_stdin("the prompt") if args.prompt == "-" else args.prompt
    if args.max_tokens is not None and args.max_tokens <= 0:
        raise UsageError("--max-tokens must be positive")
    async with Engine.open(args.config, listeners=standard) as engine:
        await engine.preload()
        await reports.require_use_case(engine, args.use_case)
        result = await engine.ask(AskRequest(prompt, tier=args.tier, model=args.model, use_case=args.use_case,
                                             complexity=args.complexity, max_tokens=args.max_tokens, kind=CallKind.CLI),
                                  _observer(args))
    return _print_result(result, args)


async def cmd_escalate(args) -> int:
    from modeltui.signals import feedback

    async with Engine.open(args.config, listeners=standard) as engine:
        await engine.preload()
        result = await feedback.escalate(engine, args.call_id, _observer(args))
    return _print_result(result, args)


async def cmd_tournament(args) -> int:
    from modeltui.signals import tournament

    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    async with Engine.open(args.config, listeners=standard) as engine:
        await engine.preload()
        result = await tournament.run(engine, args.prompt, models)
    return print_tournament(result.summary(), args.json)


async def cmd_vote(args) -> int:
    from modeltui.signals import feedback

    async with Engine.open(args.config, probe_ollama=False, listeners=standard) as engine:
        vid = await feedback.vote(engine, args.tournament_id, args.choice)
    print(f"vote {vid} stored: {args.choice} in tournament {args.tournament_id} (it replaces any earlier vote)")
    return 0


async def cmd_prices(args) -> int:
    from modeltui.providers import prices

    if args.refresh:
        path, n = prices.refresh(args.url or prices.PUBLISHED_URL)
        print(f"saved {n} price entries to {path}; they are used from now on")
        return 0
    src = prices.source()
    print(f"prices from {src or 'nowhere (litellm not installed?)'} ({len(prices.price_map())} entries)")
    return 0


async def cmd_budget(args) -> int:
    from dataclasses import asdict

    async with Engine.open(args.config, probe_ollama=False, read_only=True) as engine:
        report = await reports.budget(engine)
    fig, per_model = asdict(report.figures), report.by_model
    team = report.figures.team  # team mode: the team's month and this member's, from the team database
    fig["team"] = team and team.as_dict()
    if args.json:
        print(json.dumps({**fig, "by_model": per_model}))
        return 0
    if team is not None:
        me = team.member(team.me)
        print(f"team month (utc): {_money(team.spent_usd)} of {_money(team.monthly_usd)}; reserved "
              f"{_money(team.reserved_usd)}; left {_money(team.left_usd)}")
        if me is not None:
            print(f"you ({me.member}):   {_money(me.spent_usd)} of "
                  f"{'no cap' if me.monthly_usd is None else _money(me.monthly_usd)}; reserved {_money(me.reserved_usd)}")
        print("this laptop:")
    cap = lambda c: "no cap" if c is None else _money(c)  # noqa: E731
    print(f"month ({fig['month_boundary']}): {_money(fig['month_usd'])} of {cap(fig['monthly_cap_usd'])}")
    print(f"today:            {_money(fig['today_usd'])} of {cap(fig['daily_cap_usd'])}")
    print(f"reserved now:     {_money(fig['reserved_usd'])}")
    if fig["month_unpriced_calls"]:
        print(f"unpriced:         {fig['month_unpriced_calls']} calls this month with no known price (not in the total)")
    if fig["learning_usd"]:
        print(f"learning:         {_money(fig['learning_usd'])} this month (shadow checks, part of the month's spend)")
    print(f"left:             {cap(fig['left_usd'])}")
    if per_model:
        _table("this month by model", ["model", "calls", "cost"],
               [[r["model"], r["calls"], "unpriced" if r["cost_usd"] is None else
                 _money(r["cost_usd"]) + (f" + {r['unpriced']} unpriced" if r["unpriced"] else "")] for r in per_model])
    return 0


def _parse_calls(text: str) -> dict[str, int]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, n = part.partition("=")
        if not name or not n.strip().isdigit():
            raise UsageError(f"--calls: '{part}' is not USE_CASE=COUNT (e.g. code=300)")
        out[name.strip()] = int(n)
    if not out:
        raise UsageError("--calls: give at least one USE_CASE=COUNT")
    return out


async def cmd_estimate(args) -> int:
    from modeltui.reports import estimate as est

    calls = _parse_calls(args.calls)
    async with Engine.open(args.config, read_only=True) as engine:
        typical = await reports.typical_tokens(engine)
    if args.tokens_in or args.tokens_out:
        base = typical.get("*", est.DEFAULT_TOKENS)
        typical = {"*": (args.tokens_in or base[0], args.tokens_out or base[1])}
    models = est.all_available(engine.catalog.all()) if args.all_models else engine.catalog.all()
    result = est.estimate(models, engine.cfg, calls, typical, args.complexity, given=bool(args.tokens_in or args.tokens_out))
    if args.json:
        print(json.dumps(result))
        return 0
    rows = []
    for tier, r in result.items():
        for row in r["rows"]:
            model = (row["model"] or row.get("error", "")) + (" (simulated)" if row.get("simulated") else "")
            rows.append([tier, row["use_case"], row["calls"], model, _money(row.get("cost_per_call_usd")),
                         _money(row.get("monthly_usd"))])
        rows.append([tier, "total", "", "", "", _money(r["monthly_usd"])])
    _table("estimated monthly cost per tier", ["tier", "use case", "calls", "model", "per call", "per month"], rows)
    first = next(iter(result.values()))["rows"]
    for row in first:
        sizes = f"{row['tokens_in']} in / {row['tokens_out']} out, " if "tokens_in" in row else ""
        print(f"tokens per call for {row['use_case']}: {sizes}{row['tokens_from']}")
    return 0


async def cmd_models(args) -> int:
    import asyncio

    from modeltui.providers import catalog
    from modeltui.settings import config

    cfg = config.load(args.config)
    cat = await asyncio.to_thread(catalog.build, cfg)
    models = cat.available() if args.available else cat.all()
    if args.json:
        from modeltui.providers.redact import redact  # (an api_base may carry credentials)

        print(redact(json.dumps([{**{k: getattr(m, k) for k in m.__slots__}, "strengths": list(m.strengths)}
                                 for m in models])))
        return 0
    rows = [[m.id + (" (simulated)" if m.simulated else ""), m.provider, f"{m.quality:.1f}", ",".join(m.strengths),
             m.speed, f"{m.context_window:,}",
             "free" if m.free else ("?" if m.input_per_mtok is None else f"{m.input_per_mtok:g}"),
             "free" if m.free else ("?" if m.output_per_mtok is None else f"{m.output_per_mtok:g}"),
             "yes" if m.available else "no", m.why] for m in models]
    _table(f"models ({catalog.SEED_NOTE}; prices $/1M tokens from litellm)",
           ["model", "provider", "quality", "strengths", "speed", "context", "in", "out", "available", "why"], rows,
           drop=("provider", "speed", "strengths", "context", "why"))
    return 0


async def cmd_log(args) -> int:
    async with Engine.open(args.config, probe_ollama=False, read_only=True) as engine:
        rows = (await reports.search(engine, args.search, args.n) if args.search
                else await reports.recent(engine, args.n, args.session))
    if args.json:
        for r in rows:
            if r.get("snippet"):
                r["snippet"] = "".join(f"[{p}]" if hit else p for p, hit in marked(r["snippet"]))
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if args.search:
        if not rows:
            print(f"modeltui: no call matches '{args.search}'", file=sys.stderr)
            return 1
        _table(f"{plural(len(rows), 'call')} matching '{args.search}', best first",
               ["id", "time", "model", "status", "match"],
               [[r["id"], datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M"), r["model"], r["status"],
                 snippet_text(r["snippet"], "bold underline")] for r in rows], drop=("status", "time"))
        return 0
    _table(f"last {len(rows)} calls ({engine.cfg.db_path()})",
           ["id", "time", "session", "kind", "model", "tier", "status", "tokens", "cost", "ms", "parent"],
           [[r["id"], datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M:%S"), r["session"], r["kind"],
             r["model"], r["tier"], r["status"] + (f" ({r['error_kind']})" if r["error_kind"] else ""),
             f"{r['tokens_in']}→{r['tokens_out']}" + ("~" if r["tokens_estimated"] else ""),
             _money(r["cost_usd"]), f"{r['latency_ms'] or 0:.0f}", r["parent_id"]] for r in rows],
           drop=("parent", "session", "ms", "kind", "tier", "tokens"))
    return 0


async def cmd_export(args) -> int:
    since, until = args.since, args.until  # (unix times: the argument parser read them)
    if args.output and args.output != "-" and args.output.endswith(("/", os.sep)):
        raise UsageError(f"-o: {args.output} is a folder: give a file name")  # (Path() would drop the slash)
    dataset = {"chat": "conversations", "preferences": "preference pairs"}.get(args.format)
    if dataset and not args.texts:
        raise UsageError(f"--no-text: the {args.format} format is made of the prompts and answers")
    suffix = "jsonl" if dataset else args.format
    out = None if args.output == "-" else Path(args.output) if args.output else reports.default_export_path(suffix)
    async with Engine.open(args.config, probe_ollama=False, read_only=True) as engine:
        n, path, text = await reports.export(engine, args.format, out, args.texts, args.session, since, until)
    if n == 0:
        nothing = {"chat": "no answered conversation matches", "preferences": "no tournament vote naming a winner matches"}
        print(f"modeltui: {nothing.get(args.format, 'no calls match')} (nothing exported)", file=sys.stderr)
        return 1
    if text is not None:
        sys.stdout.write(text)
        return 0
    print(f"exported {n} {dataset or 'calls'} to {path}")
    return 0
