"""What both faces show: rankings with savings, budget figures, sessions, search, export, use
cases, a decision explained. The CLI commands and the UI screens call these; neither reaches into
the engine's store or config for them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from modeltui.calls.budget import BudgetFigures, period_starts
from modeltui.errors import StoreError, UsageError
from modeltui.learning.rankings import RankingRow
from modeltui.learning.rankings import rankings as rank
from modeltui.learning.savings import savings as savings_of
from modeltui.vocab.words import money  # noqa: F401 - the one format, for the CLI

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine


@dataclass(frozen=True)
class Budget:
    figures: BudgetFigures
    by_model: list[dict]  # this month, dearest first


async def budget(engine: Engine, by_model: bool = True) -> Budget:
    return Budget(await engine.ledger.figures(), await engine.ledger.by_model() if by_model else [])


async def rankings(engine: Engine, use_case: str | None = None) -> dict[str, list[RankingRow]]:
    """Per use case, best composite first, with Bradley-Terry ratings from the votes; in team
    mode the other members' calls, thumbs, votes and checks are counted with this machine's."""
    store = engine.store
    team = await engine.team.stats() if engine.team is not None else None
    return rank(await store.ranking_rows(use_case), await store.vote_rows(use_case), engine.cfg.learning.weights,
                store.half_life_s, team_rows=team, use_case=use_case)


async def evidence_source(engine: Engine) -> str:
    """Whose evidence the rankings, the savings and the auto tier stand on, said beside them."""
    if engine.team is None:
        return "this machine's log"
    if (n := await engine.team.members()) is None:
        return "this machine's log only: the team database is unreachable now (its evidence is left out)"
    return (f"the team's evidence ({n} member{'s' if n != 1 else ''}: their calls, thumbs, votes and checks) plus "
            f"this machine's log ({engine.cfg.team.member_name()}'s); Bradley-Terry ratings from this machine's "
            "votes only (the team keeps votes as wins and losses, not as pairings)")


async def savings(engine: Engine, days: float | None = None, ranked: dict[str, list[RankingRow]] | None = None) -> dict:
    """What the period's calls cost against the best-ranked adequate model per use case
    (default period: this month). In team mode, `team`: the same for every member's answered
    calls (the team's month is UTC), against the same rankings."""
    since = time.time() - days * 86_400 if days else period_starts(engine.cfg.budget.month_boundary)[0]
    calls = await engine.store.select_calls(since=since)
    if ranked is None:
        ranked = await rankings(engine)
    out = savings_of([c for c in calls if c["status"] == "ok"], ranked, engine.catalog)
    out["compared"] = "answered calls (status ok): a failed or stopped call has no answer to compare"
    out["month"] = await month_spend(engine)
    if engine.team is not None:
        team_since = time.time() - days * 86_400 if days else period_starts("utc")[0]
        if (answered := await engine.team.answered(team_since)) is not None:  # None: unreachable now
            groups = [{"use_case": uc or None, "model": m, "calls": n, "tokens_in": tin, "tokens_out": tout,
                       "cost_usd": cost} for uc, m, n, tin, tout, cost in answered]
            out["team"] = savings_of(groups, ranked, engine.catalog)
            out["team"].pop("flags")  # the team keeps no complexity: the "simple prompt" flag is this machine's
    out["evidence"] = await evidence_source(engine)
    return out


async def month_spend(engine: Engine) -> dict:
    """This month's spend as every view shows it (store/spend.py holds the one definition)."""
    f = await engine.ledger.figures()
    return {"usd": f.month_usd, "calls": f.month_calls, "unpriced_calls": f.month_unpriced_calls,
            "boundary": f.month_boundary}


def weights_title(engine: Engine) -> str:
    w = engine.cfg.learning.weights
    return f"composite {w.success:g}/{w.speed:g}/{w.cost:g}/{w.satisfaction:g} (success/speed/cost/satisfaction)"


async def calls(engine: Engine, session: str | None = None, since: float | None = None, until: float | None = None) -> list[dict]:
    """Logged calls of a session ('last' = the most recent) and/or a period, oldest first."""
    if session == "last":
        last = await engine.store.sessions(limit=1)
        session = last[0]["session"] if last else None
    return await engine.store.select_calls(session=session, since=since, until=until)


async def recent(engine: Engine, limit: int = 20, session: str | None = None) -> list[dict]:
    return await engine.store.recent(limit, session)


async def search(engine: Engine, text: str, limit: int = 50) -> list[dict]:
    """Calls whose prompt or answer has every word of `text`, best first, with a `snippet`."""
    return await engine.store.search(text, limit)


async def tournament(engine: Engine, tournament_id: str) -> dict | None:
    """A logged tournament as the tournament view shows it: prompt, entrants in their slots
    (model, status, cost, latency, text), verdict and the vote, if any."""
    from modeltui.signals.feedback import LETTERS

    t = await engine.store.get_tournament(tournament_id)
    if t is None:
        return None
    calls = {r["model"]: r for r in await engine.store.tournament_calls(tournament_id)}
    entrants = []
    for slot, model in zip(LETTERS, t["models"]):
        r = calls.get(model) or {}
        entrants.append({"slot": slot, "model": model, "simulated": bool(r.get("simulated")),
                         "status": r.get("status", "missing"), "error_kind": r.get("error_kind"),
                         "error": r.get("error_message"), "cost_usd": r.get("cost_usd"),
                         "latency_ms": r.get("latency_ms") or 0.0, "text": r.get("response") or ""})
    votes = await engine.store.votes(tournament_id=tournament_id, kind="vote")
    value = votes[-1]["value"] if votes else None  # a winner is stored as its model id: shown as its slot
    slot = next((e["slot"] for e in entrants if e["model"] == value), value)
    return {"tournament_id": tournament_id, "prompt": t["prompt"], "entrants": entrants,
            "agreement": t["verdict"], "vote": slot}


async def conversations(engine: Engine, limit: int = 20, offset: int = 0) -> list[dict]:
    return await engine.store.conversations(limit, offset)


async def conversation(engine: Engine, conversation: str) -> list[dict]:
    """A past conversation's answered exchanges, oldest first (to show it, or to resume it)."""
    return await engine.store.conversation_calls(conversation)


async def export(engine: Engine, fmt: str, out: Path | None, texts: bool = True, session: str | None = None,
                 since: float | None = None, until: float | None = None) -> tuple[int, Path | None, str | None]:
    """(calls, conversations or pairs exported; the file written, or the rendered text when `out`
    is None). Every row carries its thumb and vote; `chat` and `preferences` are datasets."""
    from modeltui.reports import datasets
    from modeltui.store import export as exporter

    if out is not None:
        try:
            exporter.check_target(out, engine.store.path)
        except ValueError as exc:
            raise UsageError(f"-o: {exc}") from None
    rows = await calls(engine, session, since, until)
    votes = await engine.store.feedback_of([r["id"] for r in rows], [r["tournament_id"] for r in rows])
    if fmt == "chat":
        n, text = datasets.chat_jsonl(rows)
    elif fmt == "preferences":
        n, text = datasets.preference_jsonl(rows, votes)
    else:
        n, text = len(rows), exporter.render(datasets.with_feedback(rows, votes), fmt, texts) if rows else ""
    if not n:
        return 0, None, None
    if out is None:
        return n, None, text
    try:
        return n, exporter.write_text(text, out), None
    except OSError as exc:
        raise StoreError(f"export to {out} failed ({exc.strerror or exc}); nothing was written there") from None


def default_export_path(fmt: str) -> Path:
    from modeltui.settings import paths

    return paths.ensure_private_dir(paths.exports_dir()) / f"modeltui-{time.strftime('%Y%m%d-%H%M%S')}.{fmt}"


async def use_cases(engine: Engine) -> dict:
    """Keyword rules (config), discovered clusters and calls per use case."""
    return {"keyword_rules": {k: v.keywords for k, v in engine.cfg.use_cases.items()},
            "discovered": await engine.store.clusters(), "calls": await engine.store.calls_per_use_case()}


DECLARED = "use_cases"  # the state file's key for use cases added with `usecases --add`


def declared_use_cases(engine: Engine) -> list[str]:
    from modeltui.settings import state_file

    return [n for n in str(state_file.read(engine.cfg.db_path()).get(DECLARED, "")).split(",") if n]


async def known_use_cases(engine: Engine) -> list[str]:
    """What a person may name as a use case: the config's rules, the discovered clusters, the
    ones added with `usecases --add`, and `general`."""
    from modeltui.vocab import GENERAL

    found = [*engine.cfg.use_cases, *(c["name"] for c in await engine.store.clusters()), *declared_use_cases(engine)]
    return sorted({GENERAL, *found})


async def require_use_case(engine: Engine, name: str | None) -> None:
    """Refuse a use case nobody declared (a typo would otherwise live in the rankings for ever),
    with the closest known ones. The engine itself takes any name (the routing replay does)."""
    import difflib

    if name is None or name in (known := await known_use_cases(engine)):
        return
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    raise UsageError(f"unknown use case '{name}'" + (f" (did you mean {', '.join(close)}?)" if close else "")
                     + f"; known: {', '.join(known)}; add one with `modeltui usecases --add {name}`")


def declare_use_case(engine: Engine, name: str) -> None:
    from modeltui.settings import state_file

    if not name.replace("-", "").replace("_", "").isalnum():
        raise UsageError(f"use case names are letters, digits, - and _ ('{name}' is not)")
    state_file.remember(engine.cfg.db_path(), **{DECLARED: ",".join(sorted({*declared_use_cases(engine), name}))})


async def typical_tokens(engine: Engine) -> dict[str, tuple[int, int]]:
    from modeltui.reports.estimate import typical_tokens as typical

    return typical(await engine.store.token_rows())




def explain_text(reasons: dict) -> str:
    """A decision's reasons as text (`--explain` and the app's expander)."""
    lines = [f"chosen: {reasons['chosen']} (tier {reasons['tier']} -> {reasons['effective_tier']}, "
             f"use case {reasons['use_case']}, complexity {reasons['complexity']})"]
    lines += [f"note: {n}" for n in reasons["notes"]]
    lines.append("scored (best first):")
    for s in reasons["scored"]:
        parts = ", ".join(f"{k}={v}" for k, v in s["parts"].items())
        lines.append(f"  {s['model']:<40} score={s['score']}  est={money(s['est_cost_usd'])}  {parts}")
    lines.append("dropped:")
    lines += [f"  {d['model']:<40} {d['reason']}" for d in reasons["dropped"]]
    return "\n".join(lines)
