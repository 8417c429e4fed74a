"""Tournament: one prompt to three models at once, each its own logged call, then a verdict.

Budget for all three is reserved before any is sent (all or none; if the trio does not fit, a
cheaper trio is tried, else a refusal with the numbers). One slow or failing model never blocks
or cancels the others; cancelling the tournament cancels and logs all three.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from modeltui.calls.request import AskObserver, AskRequest, started
from modeltui.errors import BudgetRefused, ModeltuiError, NoModelAvailable, UsageError
from modeltui.routing import RouteRequest
from modeltui.signals.agreement import compare_all
from modeltui.signals.blind import shuffled
from modeltui.signals.feedback import LETTERS
from modeltui.signals.judge import judge
from modeltui.vocab import CallKind
from modeltui.vocab.tiers import Tier

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine


@dataclass
class TournamentResult:
    id: str
    prompt: str
    models: list[str]
    results: list  # AskResult or the exception that ended that entrant
    agreement: dict

    def summary(self) -> dict:
        entrants = []
        for letter, model, r in zip(LETTERS, self.models, self.results):
            if isinstance(r, BaseException):
                entrants.append({"slot": letter, "model": model, "status": "error", "error": str(r)})
            else:
                s = r.summary().to_dict()  # JSON from here on (`tournament --json`, the screen's table)
                entrants.append({"slot": letter, **{k: s[k] for k in ("model", "simulated", "status", "error_kind", "error",
                                                                      "cost_usd", "latency_ms", "tokens_in", "tokens_out",
                                                                      "call_id", "text")}})
        return {"tournament_id": self.id, "prompt": self.prompt, "entrants": entrants, "agreement": self.agreement}


async def pick_models(engine: Engine, prompt: str, use_case: str, budget_left: float | None = None) -> list[str]:
    """The router's pick in budget, balanced and premium, made distinct by walking each tier's ranking."""
    chosen: list[str] = []
    for tier in Tier.routed():
        req = RouteRequest([{"role": "user", "content": prompt}], tier=tier, use_case=use_case,
                           max_tokens=engine.cfg.gateway.max_tokens)
        try:
            d = await engine.route(req, budget_left)
        except ModeltuiError:
            continue
        pick = next((c.model.id for c in d.ranked if c.model.id not in chosen), None)
        if pick:
            chosen.append(pick)
    if len(chosen) < 3:  # fewer distinct winners than tiers: fill from every available model, best first
        for m in sorted(engine.catalog.available(), key=lambda m: -m.quality):
            if len(chosen) == 3:
                break
            if m.id not in chosen:
                chosen.append(m.id)
    if len(chosen) < 2:
        raise NoModelAvailable("a tournament needs at least two available models")
    return chosen[:3]


async def _reserve_all(engine: Engine, prompt: str, models: list[str]) -> list:
    tokens_in = RouteRequest([{"role": "user", "content": prompt}]).tokens_in()
    taken = []
    try:
        for mid in models:
            est = engine.catalog[mid].worst_case(tokens_in, engine.cfg.gateway.max_tokens)
            if est is None and engine.ledger.capped:
                raise BudgetRefused(f"budget: {mid} has no known price and a cap is set")
            row = started(engine.session, engine.catalog[mid], None,
                          AskRequest(prompt, model=mid, kind=CallKind.TOURNAMENT), None)
            res = await engine.ledger.reserve(mid, est or 0.0, row)
            if res is None:
                raise _DoesNotFit
            taken.append(res)
    except BaseException as e:  # all or nothing, also when cancelled half-way
        for r in taken:
            await asyncio.shield(engine.ledger.release(r))
        if isinstance(e, _DoesNotFit):
            return []
        raise
    return taken


class _DoesNotFit(Exception):
    """One entrant did not fit: the others' reservations go back."""


async def run(engine: Engine, prompt: str, models: list[str] | None = None,
              on_text: Callable[[int, str], None] | None = None) -> TournamentResult:
    if not prompt.strip():
        raise UsageError("empty prompt")
    if models:
        for m in models:
            engine.catalog.require(m)
        if len(set(models)) != len(models) or not 2 <= len(models) <= 3:
            raise UsageError("--models takes two or three different model ids")
    use_case, _ = engine.resolve_use_case(prompt)  # one use case for all three (and for the votes)
    picked = models or shuffled(await pick_models(engine, prompt, use_case))  # no model has a fixed column
    reservations = await _reserve_all(engine, prompt, picked)
    if not reservations and not models:
        left = await engine.ledger.left() or 0.0
        picked = shuffled(await pick_models(engine, prompt, use_case, budget_left=left / 3))  # a cheaper trio that fits together
        reservations = await _reserve_all(engine, prompt, picked)
    if not reservations:
        left = await engine.ledger.left()
        raise BudgetRefused(f"budget: the tournament ({', '.join(picked)}) does not fit in ${left or 0:.6f} left")

    tid = uuid.uuid4().hex[:12]
    tasks: list[asyncio.Future] = []
    try:
        await engine.store.save_tournament(tid, engine.session, prompt, picked, use_case, None)
        tasks = [asyncio.ensure_future(engine.ask(
            AskRequest(prompt, model=mid, use_case=use_case, kind=CallKind.TOURNAMENT, tournament_id=tid),
            _Slot(i, on_text), reservation=res)) for i, (mid, res) in enumerate(zip(picked, reservations))]
        results = await asyncio.gather(*tasks, return_exceptions=True)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # each logs itself as cancelled
        raise
    finally:  # an entrant cancelled before it started never reached its own release
        for res in reservations:
            if not res.settled:
                await asyncio.shield(engine.ledger.release(res))
    answers = [r.final.text if not isinstance(r, BaseException) and r.final.status == "ok" else "" for r in results]
    done = {LETTERS[i]: a for i, a in enumerate(answers) if a}
    if len(done) >= 2:
        verdict = compare_all(prompt, done)
        if len(done) < len(answers):
            verdict["reason"] += f" (only {', '.join(done)} finished)"
    else:
        verdict = {"overall": "unclear", "reason": "fewer than two answers finished", "pairs": {}}
    if verdict["overall"] == "disagree":  # only then is a judge worth paying for
        slots = {LETTERS[i]: m for i, m in enumerate(picked) if LETTERS[i] in done}
        if (said := await judge(engine, tid, prompt, done, slots, use_case)) is not None:
            verdict["judge"] = said
    await engine.store.save_tournament(tid, engine.session, prompt, picked, use_case, verdict)
    return TournamentResult(tid, prompt, picked, list(results), verdict)


class _Slot(AskObserver):
    """One entrant's text, tagged with its slot."""

    def __init__(self, slot: int, on_text: Callable[[int, str], None] | None):
        self.slot, self.on_text = slot, on_text

    def text(self, chunk: str) -> None:
        if self.on_text:
            self.on_text(self.slot, chunk)
