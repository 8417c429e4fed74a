"""The one object the CLI and the UI talk to: route, call, fall back, log.

It owns the session: catalog (with providers disabled after auth failures), cool-downs, the
store. UI code calls `ask()` with a callback for text and one for events, and renders.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from modeltui import catalog as catalog_mod
from modeltui import config as config_mod
from modeltui import gateway
from modeltui.budget import Ledger, Reservation
from modeltui.learning import stats as stats_mod
from modeltui.learning.bandit import Bandit
from modeltui.catalog import Catalog
from modeltui.config import Config
from modeltui.errors import BudgetRefused, ModeltuiError, UsageError
from modeltui.routing import RouteDecision, RouteRequest, classify_use_case, decide
from modeltui.routing.usecase import GENERAL
from modeltui.store import CallRecord, Store

MAX_ATTEMPTS = 5
LOWER_TIER = {"premium": "balanced", "balanced": "budget", "auto": "budget"}
HIGHER_TIER = {"budget": "balanced", "balanced": "premium", "premium": "premium"}
TEXT_CHAIN = ("server", "timeout", "connection", "bad_response", "not_found")


def new_session_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


@dataclass
class AskResult:
    decision: RouteDecision
    attempts: list[gateway.Attempt] = field(default_factory=list)
    call_ids: list[int] = field(default_factory=list)

    @property
    def final(self) -> gateway.Attempt:
        return self.attempts[-1]

    @property
    def call_id(self) -> int:
        return self.call_ids[-1]

    def summary(self) -> dict:
        a = self.final
        return {"call_id": self.call_id, "model": a.model.id, "simulated": a.model.simulated,
                "tier": self.decision.tier, "effective_tier": self.decision.effective_tier,
                "use_case": self.decision.use_case, "complexity": self.decision.complexity,
                "tokens_in": a.tokens_in, "tokens_out": a.tokens_out, "tokens_estimated": a.estimated,
                "cost_usd": None if a.cost is None else round(a.cost, 10),
                "total_cost_usd": round(sum(x.cost or 0 for x in self.attempts), 10),
                "latency_ms": round(a.latency_ms or 0, 1), "ttft_ms": a.ttft_ms and round(a.ttft_ms, 1),
                "status": a.status, "error_kind": a.error_kind, "error": a.error_message,
                "attempts": len(self.attempts), "text": a.text, "reasons": self.decision.reasons()}


class Engine:
    def __init__(self, cfg: Config, catalog: Catalog, store: Store, session: str | None = None):
        self.cfg = cfg
        self.catalog = catalog
        self.store = store
        self.session = session or new_session_id()
        self.ledger = Ledger(store, cfg.budget, self.session)
        self.bandit = Bandit(cfg.learning.half_life_days * 86_400)
        self.clusters = None  # discovered use cases (learning/usecases.py)
        self.failures: dict[str, int] = {}
        self.cooling_until: dict[str, float] = {}
        self.timeouts = gateway.Timeouts(cfg.gateway.connect_timeout_s, cfg.gateway.stall_timeout_s,
                                         cfg.gateway.total_timeout_s)
        if gateway.is_loaded():
            gateway.set_demo_speed(cfg.demo.speed)

    @classmethod
    async def open(cls, config_path=None, cfg: Config | None = None, probe_ollama: bool = True) -> Engine:
        cfg = cfg or config_mod.load(config_path)
        cat = await asyncio.to_thread(catalog_mod.build, cfg, None, True if probe_ollama else None)
        store = await Store.open(cfg.db_path(), cfg.learning.half_life_days * 86_400)
        engine = cls(cfg, cat, store)
        try:
            await engine.ledger.reclaim_stale()
            async with store.db.execute("SELECT use_case, model, s, f, ts FROM stats") as cur:
                engine.bandit.load([tuple(r) for r in await cur.fetchall()])
            await engine.reload_use_cases()
        except BaseException:
            await store.close()  # aiosqlite's thread would otherwise keep the process alive
            raise
        return engine

    async def reload_use_cases(self) -> None:
        from modeltui.learning import usecases

        self.clusters = usecases.classifier(await usecases.load(self.store.db), self.cfg.learning.min_cluster_similarity)

    async def close(self) -> None:
        await self.store.close()

    async def preload(self, warm: bool = False) -> None:
        """Import litellm off the event loop (seconds) so the first call does not wait for it;
        with `warm`, also run its request path once (the app does, while the user types)."""
        await asyncio.to_thread(gateway.load)
        gateway.set_demo_speed(self.cfg.demo.speed)
        if warm and any(not m.simulated for m in self.catalog.available()):
            await gateway.warm_up()

    # -- routing -----------------------------------------------------------------------------
    def cooling(self) -> dict[str, str]:
        now = time.monotonic()
        return {m: f"cooling down after {self.failures.get(m, 0)} failures ({until - now:.0f}s left)"
                for m, until in self.cooling_until.items() if until > now}

    async def route(self, req: RouteRequest, budget_left: float | None = None) -> RouteDecision:
        """Decide with what the budget has left now (or `budget_left`, e.g. a third of it for each
        tournament entrant) and the models cooling down now."""
        if req.model and req.model not in self.catalog:
            near = self.catalog.closest(req.model)
            hint = f"; closest: {', '.join(near)}" if near else ""
            raise UsageError(f"unknown model '{req.model}'{hint}")
        req.cooling = self.cooling()
        req.budget_left = budget_left if budget_left is not None else await self.ledger.left()
        if not req.use_case and self.clusters is not None and req.messages:
            prompt = str(req.messages[-1].get("content", ""))
            rules = {k: v.keywords for k, v in self.cfg.use_cases.items()}
            if classify_use_case(prompt, rules) == GENERAL and (hit := self.clusters.classify(prompt)):
                req.use_case, req.use_case_source = hit[0], f"discovered (similarity {hit[1]:.2f})"
        return decide(self.catalog.all(), req, self.cfg, sampler=self._sampler if req.tier == "auto" else None)

    async def route_for(self, prompt: str, tier: str, **kw) -> RouteDecision:
        """The decision `ask` would make now, without calling anything (for --explain-only uses and tests)."""
        return await self.route(RouteRequest([{"role": "user", "content": prompt}], tier=tier,
                                             max_tokens=self.cfg.gateway.max_tokens, **kw))

    def _sampler(self, use_case: str, models: dict[str, float]) -> dict[str, tuple[float, float]]:
        return self.bandit.sample(use_case, models, time.time())

    async def _reserve(self, req: RouteRequest, model: str) -> tuple[str, Reservation]:
        """Reserve the worst case for `model`; if a parallel call took the room, re-route."""
        for _ in range(10):
            res = await self.ledger.reserve(model, self.catalog[model].worst_case(req.tokens_in(), req.max_tokens) or 0.0)
            if res is not None:
                return model, res
            model = (await self.route(req)).model  # raises BudgetRefused when nothing fits
        raise BudgetRefused("budget: could not reserve room for the call (too many parallel calls)")

    def _note_failure(self, a: gateway.Attempt) -> None:
        mid = a.model.id
        self.failures[mid] = self.failures.get(mid, 0) + 1
        if self.failures[mid] >= self.cfg.routing.cooldown_failures:
            self.cooling_until[mid] = time.monotonic() + self.cfg.routing.cooldown_s

    def _disable_provider(self, a: gateway.Attempt) -> str:
        var = a.model.env_var or "its API key variable"
        why = f"{a.model.provider} rejected the key ({a.status_code or 'auth'}): check {var}"
        self.catalog.mark_unavailable([m.id for m in self.catalog.all() if m.provider == a.model.provider], why)
        return why

    async def _next(self, a: gateway.Attempt, req: RouteRequest, forced: bool) -> tuple[str | None, str]:
        """What to do after a failed attempt: (next model or None, why)."""
        kind = a.error_kind
        if kind == "rate_limit":
            if not forced:
                for tier in (req.tier, LOWER_TIER.get(req.tier)):
                    if tier is None:
                        continue
                    try:
                        d = await self.route(RouteRequest(**{**req.__dict__, "tier": tier}))
                        return d.model, f"429 from {a.model.id}: switched to {d.model} ({tier} tier)"
                    except ModeltuiError:
                        continue
            wait = min(a.retry_after if a.retry_after is not None else 1.0, self.cfg.gateway.max_retry_after_s)
            if a.retry_after is not None and a.retry_after > self.cfg.gateway.max_retry_after_s:
                return None, f"429: Retry-After {a.retry_after:.0f}s exceeds the {wait:.0f}s bound"
            await asyncio.sleep(wait)
            req.exclude.discard(a.model.id)
            return a.model.id, f"429 from {a.model.id}, no alternative: waited {wait:.1f}s (Retry-After)"
        if forced:
            return None, "model was chosen by the user: no fallback"
        if kind == "auth":
            why = self._disable_provider(a)
        elif kind == "context_window":
            req.min_context = max(req.min_context, a.model.context_window)
            why = f"context window of {a.model.id} too small: trying a larger window"
        elif kind in TEXT_CHAIN:
            why = f"{kind} from {a.model.id}: next in chain"
        else:
            return None, f"{kind}: not retried"
        try:
            return (await self.route(req)).model, why
        except ModeltuiError as exc:
            return None, f"{why}; {exc}"

    # -- the call ----------------------------------------------------------------------------
    async def ask(self, prompt: str, *, tier: str | None = None, model: str | None = None,
                  use_case: str | None = None, complexity: str | None = None, max_tokens: int | None = None,
                  history: list[dict] | None = None, kind: str = "chat", tournament_id: str | None = None,
                  on_text: Callable[[str], None] | None = None,
                  on_event: Callable[[str], None] | None = None,
                  on_reserve: Callable[[float], None] | None = None,
                  on_attempt: Callable[[object], None] | None = None,
                  reservation: Reservation | None = None) -> AskResult:
        """Route, reserve, stream and log one prompt, following the fallback rules. A caller
        that reserved already (the tournament reserves all three first) passes `reservation`."""
        if not prompt.strip():
            raise UsageError("empty prompt")
        messages = [*(history or []), {"role": "user", "content": prompt}]
        req = RouteRequest(messages=messages, tier=tier or self.cfg.default_tier, use_case=use_case,
                           complexity=complexity, model=model, max_tokens=max_tokens or self.cfg.gateway.max_tokens)
        decision = await self.route(req)
        result = AskResult(decision)
        current: str | None = decision.model
        parent: int | None = None
        while current is not None:
            if reservation is not None and reservation.model == current:
                chosen, res, reservation = current, reservation, None
            else:
                chosen, res = await self._reserve(req, current)
            if chosen != current:
                decision.notes.append(f"{current} no longer fits the budget (parallel calls): using {chosen}")
                current = chosen
            if on_reserve:
                on_reserve(res.amount)
            info = self.catalog[current]
            if on_attempt:
                on_attempt(info)  # the model about to be called (the UI prices the live text with it)
            req.exclude.add(current)
            attempt = gateway.Attempt(info, messages, min(req.max_tokens, info.max_output))
            result.attempts.append(attempt)
            try:
                await gateway.stream(attempt, self.timeouts, on_text)
            except asyncio.CancelledError:  # logged as cancelled; the reservation goes with it
                await asyncio.shield(self._log(attempt, decision, prompt, kind, parent, tournament_id, result, res))
                raise
            await self._log(attempt, decision, prompt, kind, parent, tournament_id, result, res)
            parent = parent or result.call_ids[0]
            if attempt.status == "ok":
                self.failures.pop(current, None)
                break
            self._note_failure(attempt)
            if len(result.attempts) >= MAX_ATTEMPTS:
                break
            current, why = await self._next(attempt, req, forced=model is not None)
            decision.notes.append(why)
            if on_event:
                on_event(why)
            if current is not None and attempt.text and on_text:
                on_text("\n\n")  # partial text stays visible above the retry
        return result

    async def _log(self, a: gateway.Attempt, d: RouteDecision, prompt: str, kind: str, parent: int | None,
                   tournament_id: str | None, result: AskResult, res: Reservation | None = None) -> None:
        rec = CallRecord(
            session=self.session, kind=kind, model=a.model.id, provider=a.model.provider, status=a.status,
            tier=d.tier, use_case=d.use_case, complexity=d.complexity, simulated=a.model.simulated,
            prompt=prompt, response=a.text, tokens_in=a.tokens_in, tokens_out=a.tokens_out,
            tokens_estimated=a.estimated, cost_usd=a.cost, latency_ms=a.latency_ms, ttft_ms=a.ttft_ms,
            error_kind=a.error_kind, error_message=a.error_message, parent_id=parent,
            tournament_id=tournament_id, decision=d.to_json())
        result.call_ids.append(await self.store.log_call(rec, reservation_id=res.id if res else None))
        if a.status == "error":  # the same evidence the stats row just took (learning/stats.py)
            self.bandit.observe(d.use_case, a.model.id, failure=stats_mod.ERROR_FAILURE, now=rec.ts)

    async def feedback(self, call_id: int, up: bool) -> None:
        """Thumbs up/down on an answer: stored, and evidence for rankings and the auto tier."""
        row = await self.store.get_call(call_id)
        if row is None:
            raise UsageError(f"no call with id {call_id}")
        await self.store.add_vote("thumb", "+1" if up else "-1", call_id=call_id, session=self.session)
        await self.learn([(row["use_case"] or "general", row["model"], 1.0 if up else 0.0, 0.0 if up else 1.0)], up_down=True)

    async def learn(self, outcomes: list[tuple[str, str, float, float]], up_down: bool = False) -> None:
        """(use case, model, success, failure) evidence into the stats and the bandit at once."""
        now = time.time()
        pairs = []
        for uc, model, succ, fail in outcomes:
            obs = stats_mod.Obs(ts=now, up=succ, down=fail) if up_down else stats_mod.Obs(ts=now, success=succ, failure=fail)
            pairs.append((uc, model, obs))
            self.bandit.observe(uc, model, success=succ, failure=fail, now=now)
        await self.store.observe(pairs)

    async def escalate(self, call_id: int, **kwargs) -> AskResult:
        """Re-ask a logged call's prompt one tier up (the user was not satisfied)."""
        row = await self.store.get_call(call_id)
        if row is None:
            raise UsageError(f"no call with id {call_id}")
        import json

        effective = json.loads(row["decision"])["effective_tier"] if row["decision"] else row["tier"]
        tier = HIGHER_TIER.get(effective, "premium")
        result = await self.ask(row["prompt"], tier=tier, use_case=row["use_case"], kind="escalate", **kwargs)
        result.decision.notes.insert(0, f"escalated from call {call_id} ({effective} -> {tier})")
        return result

