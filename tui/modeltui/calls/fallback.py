"""What to do after a failed attempt (docs/learning.md, "How a model is chosen"): another
model of the same tier on a 429, the next in the chain on a server, timeout or connection
error, a larger window after a context error; the provider switched off after an auth failure.
Nothing is changed here: each step is a `Step` the engine applies (the next model, the request
the rest of the chain is routed with, the models to switch off for the session).

A fallback stays within the tier's quality floor and, in the budget and balanced tiers, does not
move to a dearer model; when it must (nothing else is left), what it gave up is said in the
result's `gave_up` and in the logged decision's notes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import NamedTuple, Protocol

from modeltui.errors import ModeltuiError
from modeltui.providers.attempt import Attempt
from modeltui.providers.catalog import Catalog
from modeltui.routing import RouteDecision, RouteRequest
from modeltui.settings.config import Config
from modeltui.vocab import ErrorKind, Tier

TEXT_CHAIN = (ErrorKind.SERVER, ErrorKind.TIMEOUT, ErrorKind.CONNECTION, ErrorKind.BAD_RESPONSE, ErrorKind.NOT_FOUND)


class Router(Protocol):
    """What a fallback needs of the engine: to route again, the catalog and the config."""

    catalog: Catalog
    cfg: Config

    async def route(self, req: RouteRequest) -> RouteDecision: ...


class Step(NamedTuple):
    model: str | None  # the next model, or None: the chain ends
    why: str
    request: RouteRequest  # what the rest of the chain is routed with
    disable: tuple[str, ...] = ()  # models to switch off for the session (their provider refused the key)


def _provider_models(engine: Router, a: Attempt) -> tuple[tuple[str, ...], str]:
    var = a.model.env_var or "its API key variable"
    why = f"{a.model.provider} rejected the key ({a.status_code or 'auth'}): check {var}"
    return tuple(m.id for m in engine.catalog.all() if m.provider == a.model.provider), why


async def _reroute(engine: Router, req: RouteRequest, failed: Attempt, result) -> str:
    """The next model within the tier if one is left, else the best outside it (said)."""
    try:
        d = await engine.route(replace(req, strict_floor=True))
    except ModeltuiError:
        d = await engine.route(req)  # raises when nothing at all is left
        q = engine.catalog[d.model].quality
        _gave_up(result, f"no other model meets the {req.tier} tier's quality floor: fell back to {d.model} "
                         f"(quality {q:.1f})")
        return d.model
    if Tier(req.tier) in (Tier.BUDGET, Tier.BALANCED):
        tokens = req.tokens_in()
        was = failed.model.worst_case(tokens, req.max_tokens)
        now = engine.catalog[d.model].worst_case(tokens, req.max_tokens)
        if was is not None and now is not None and now > was * 1.0001:
            _gave_up(result, f"no cheaper model left in the {req.tier} tier: fell back to the dearer {d.model} "
                             f"(up to ${now:.6f} vs ${was:.6f})")
    return d.model


def _gave_up(result, what: str) -> None:
    result.gave_up.append(what)
    result.decision.notes.append("gave up: " + what)


async def next_step(engine: Router, a: Attempt, req: RouteRequest, result, forced: bool) -> Step:
    """What to do after the failed attempt `a`."""
    kind = a.error_kind
    if kind == ErrorKind.RATE_LIMIT:
        if not forced:
            tier = Tier(req.tier)
            for t in (tier, tier.down()):
                if t is None:
                    continue
                try:
                    d = await engine.route(replace(req, tier=t, strict_floor=True))
                    if t != tier:
                        _gave_up(result, f"rate limited in the {tier} tier: fell to the {t} tier ({d.model})")
                    return Step(d.model, f"429 from {a.model.id}: switched to {d.model} ({t} tier)", req)
                except ModeltuiError:
                    continue
        limit = engine.cfg.gateway.max_retry_after_s
        wait = min(a.retry_after if a.retry_after is not None else 1.0, limit)
        if a.retry_after is not None and a.retry_after > limit:
            return Step(None, f"429: Retry-After {a.retry_after:.0f}s exceeds the {wait:.0f}s bound", req)
        await asyncio.sleep(wait)
        req = replace(req, exclude=req.exclude - {a.model.id})
        return Step(a.model.id, f"429 from {a.model.id}, no alternative: waited {wait:.1f}s (Retry-After)", req)
    if forced:
        return Step(None, "model was chosen by the user: no fallback", req)
    if kind == ErrorKind.AUTH:  # the engine switches them off, then asks `after_disabling`
        disable, why = _provider_models(engine, a)
        return Step(None, why, req, disable)
    if kind == ErrorKind.CONTEXT_WINDOW:
        req = replace(req, min_context=max(req.min_context, a.model.context_window))
        why = f"context window of {a.model.id} too small: trying a larger window"
    elif kind in TEXT_CHAIN:
        why = f"{kind} from {a.model.id}: next in chain"
    else:
        return Step(None, f"{kind}: not retried", req)
    return await _next_in_chain(engine, req, a, result, why)


async def after_disabling(engine: Router, step: Step, a: Attempt, result) -> Step:
    """The rest of the chain once the engine has switched off what `step.disable` named."""
    return await _next_in_chain(engine, step.request, a, result, step.why)


async def _next_in_chain(engine: Router, req: RouteRequest, a: Attempt, result, why: str) -> Step:
    try:
        return Step(await _reroute(engine, req, a, result), why, req)
    except ModeltuiError as exc:
        return Step(None, f"{why}; {exc}", req)
