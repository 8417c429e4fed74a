"""Shadow checks: labels for the auto tier without asking the user.

Now and then (`[learning.shadow] rate`; at random, or where a check informs most: `select`) an
answer given by a model cheaper than the strongest candidate of its decision is asked again, in
the background, of that strongest model. The two answers are compared (agreement.py):
agreement is evidence that the cheaper model was good enough for that prompt, disagreement that
it was not. A shadow call is reserved, capped and
logged like any call (kind `shadow`, linked to the answer it checks by `origin_id`), never shown
as an answer, and all shadow calls together never cost more than `max_share` of the month's
spend: so a month with little spend learns little this way.
"""

from __future__ import annotations

import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING

from modeltui.calls.budget import period_starts
from modeltui.calls.listeners import Listener
from modeltui.calls.request import AskRequest, AskResult
from modeltui.errors import ModeltuiError
from modeltui.learning import evidence, observe, shadow_value
from modeltui.signals import agreement
from modeltui.vocab import GENERAL, CallKind, EvidenceSource, Status

if TYPE_CHECKING:
    from modeltui.calls.engine import Engine

ELIGIBLE_KINDS = (CallKind.CHAT, CallKind.CLI)
MIN_TOKENS = 64


def strongest_other(result: AskResult) -> str | None:
    """The decision's strongest candidate, when the answer came from a weaker one."""
    ranked = result.decision.ranked
    if not ranked:
        return None
    top = max(ranked, key=lambda c: (c.quality, -c.est_cost))
    answered = next((c for c in ranked if c.model.id == result.final.model.id), None)
    if top.model.id == result.final.model.id or answered is None or answered.quality >= top.quality:
        return None
    return top.model.id


async def drawn(engine: Engine, decision, answered: str, strong: str, cost: float) -> bool:
    """Is this answer (by `answered`, cheaper than `strong`; its check costs up to `cost`) to be
    checked? At random with probability `rate`, or (`select = "value"`) when the chance that its
    routing was a mistake ranks in the top `rate` of recent answers, within what random checks
    would have spent (learning/shadow_value.py)."""
    cfg = engine.cfg.learning.shadow
    if cfg.select == "random":
        return engine.rng.random() < cfg.rate
    p = await engine.knowledge.estimates(decision.vector, decision.use_case, [answered, strong])
    return engine.knowledge.shadow_selector.take(shadow_value.value(p[answered], p[strong]), cfg.rate, cost)


async def within_share(engine: Engine, est_usd: float) -> bool:
    """Would a shadow call of `est_usd` keep this month's shadow spend within its share?"""
    share = engine.cfg.learning.shadow.max_share
    month_start = period_starts(engine.cfg.budget.month_boundary)[0]
    shadow, total = await engine.store.kind_spend(CallKind.SHADOW, month_start)
    return shadow + est_usd <= share * (total + est_usd)


class ShadowChecks(Listener):
    """After an answer: now and then, check it against the strongest candidate, in the background."""

    def __init__(self, engine: Engine):
        self.engine = engine

    async def answered(self, request: AskRequest, result: AskResult) -> None:
        if (work := await planned(self.engine, request, result)) is not None:
            self.engine.spawn(work)


async def planned(engine: Engine, request: AskRequest, result: AskResult) -> Coroutine | None:
    """The shadow check of `result`, if it is drawn and affordable (not started)."""
    cfg = engine.cfg.learning.shadow
    if (cfg.rate <= 0 or request.kind not in ELIGIBLE_KINDS or request.model or result.final.status != Status.OK
            or not result.call_ids):
        return None
    strong = strongest_other(result)
    if strong is None:
        return None
    # an answer of about the checked one's length is enough to compare; it bounds the worst case
    max_tokens = min(request.max_tokens or engine.cfg.gateway.max_tokens, max(MIN_TOKENS, 2 * (result.final.tokens_out or 0)))
    est = engine.catalog[strong].worst_case(result.decision.est_tokens_in, max_tokens) or 0.0
    if not await drawn(engine, result.decision, result.final.model.id, strong, est) or not await within_share(engine, est):
        return None
    return _check(engine, request, result, strong, max_tokens)


async def _check(engine: Engine, request: AskRequest, result: AskResult, strong: str, max_tokens: int) -> str | None:
    checked = result.call_id
    shadow_request = AskRequest(request.prompt, history=request.history, system=request.system, model=strong,
                                use_case=result.decision.use_case, kind=CallKind.SHADOW, conversation=request.conversation,
                                origin_id=checked, max_tokens=max_tokens)
    try:
        shadow = await engine.ask(shadow_request)
    except ModeltuiError:
        return None  # refused by the budget, or nothing to call: no label this time
    if shadow.final.status != Status.OK:
        return None
    verdict = agreement.compare(request.prompt, result.final.text, shadow.final.text)
    await record(engine, checked, result.final.model.id, result.decision.use_case, verdict.label)
    return verdict.label


async def record(engine: Engine, call_id: int, model: str, use_case: str | None, label: str) -> None:
    """The shadow's verdict on the cheaper answer, as evidence for its model (stats and per prompt)."""
    obs = evidence.shadow(label, time.time(), engine.cfg.learning.shadow.weight)
    if obs is None:
        return
    await observe.observe_answers(engine.store, EvidenceSource.SHADOW, [(call_id, use_case or GENERAL, model, obs)])
