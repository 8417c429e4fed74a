"""RouteDecision: the chosen model, the fallback chain, the estimate, and every reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from modeltui.errors import BudgetRefused, NoModelAvailable
from modeltui.providers.catalog import ModelInfo
from modeltui.providers.tokens import estimate_messages
from modeltui.routing.complexity import estimate_complexity
from modeltui.routing.keyword_rules import classify_use_case
from modeltui.routing.policies import COMPLEXITY_FLOOR, Candidate, filter_models, order, reason_text
from modeltui.settings.config import Config
from modeltui.vocab.tiers import Tier

CHAIN_LEN = 4


@dataclass(frozen=True)
class RouteRequest:
    """Immutable: the engine derives each step's request with `dataclasses.replace`."""

    messages: list[dict]
    tier: str = Tier.BALANCED
    use_case: str | None = None
    use_case_source: str = "declared"
    complexity: str | None = None
    model: str | None = None  # user forced a model
    max_tokens: int = 1024
    budget_left: float | None = None  # None = no cap
    cooling: dict[str, str] = field(default_factory=dict)  # model id -> why it is resting
    exclude: frozenset[str] = frozenset()  # already tried in this chain
    min_context: int = 0  # after a context error: need a window larger than this
    est_tokens_in: int | None = None  # known size (e.g. a usage profile); else estimated from messages
    stronger_than: float | None = None  # escalation: only models of higher catalog quality than this
    strict_floor: bool = False  # fallback: never relax the tier's quality floor (say so instead)

    def tokens_in(self) -> int:
        return self.est_tokens_in if self.est_tokens_in is not None else estimate_messages(self.messages)


@dataclass
class RouteDecision:
    model: str
    tier: str  # the tier the request asked for
    effective_tier: str  # after auto / complexity
    use_case: str
    use_case_source: str
    complexity: str
    complexity_signals: list[str]
    est_tokens_in: int
    est_tokens_out: int
    est_cost_usd: float | None
    chain: list[str]
    dropped_raw: list[tuple[str, str]] = field(repr=False)
    ranked: list[Candidate] = field(repr=False)
    notes: list[str] = field(default_factory=list)
    vector: object = field(default=None, repr=False, compare=False)  # the prompt's embedding (numpy), if made

    # Reasons are materialised only when read (logging, --explain, the UI's expander), which
    # keeps the decision itself cheap.
    @property
    def dropped(self) -> list[dict]:
        return [{"model": mid, "reason": reason_text(why)} for mid, why in self.dropped_raw]

    @property
    def scored(self) -> list[dict]:
        return [_scored(c) for c in self.ranked]

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("dropped_raw", "ranked", "vector")}
        return {**d, "dropped": self.dropped, "scored": self.scored}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    def reasons(self) -> dict:
        return {"chosen": self.model, "tier": self.tier, "effective_tier": self.effective_tier,
                "use_case": self.use_case, "complexity": self.complexity, "notes": self.notes,
                "dropped": self.dropped, "scored": self.scored}

    def why(self) -> str:
        """One line for the chat header."""
        top = next((s for s in self.scored if s["model"] == self.model), None)
        bits = [f"{self.effective_tier} tier", f"{self.complexity} complexity", f"use case {self.use_case}"]
        if top:
            bits.append(f"quality {top['quality']:.1f}")
        if self.est_cost_usd is not None:
            bits.append(f"est. ≤${self.est_cost_usd:.5f}")
        return f"{self.model}: " + ", ".join(bits) + (f" — {self.notes[0]}" if self.notes else "")


def _scored(c: Candidate) -> dict:
    return {"model": c.model.id, "quality": round(c.quality, 2), "est_cost_usd": None if c.est_cost == float("inf") else round(c.est_cost, 8),
            "score": c.score if c.score in (float("inf"), float("-inf")) else round(c.score, 6), "parts": c.parts()}


def decide(models: list[ModelInfo], req: RouteRequest, cfg: Config,
           qualities: dict[str, float] | None = None,
           sampler: Callable[[str, dict[str, float]], dict[str, tuple[float, float]]] | None = None) -> RouteDecision:
    """Pick a model for `req`. Raises NoModelAvailable / BudgetRefused with the numbers."""
    prompt = str(req.messages[-1].get("content", "")) if req.messages else ""
    tokens_in = req.tokens_in()
    if req.complexity:
        complexity, signals = req.complexity, ["declared"]
    else:
        complexity, signals = estimate_complexity(prompt)
    if req.use_case:
        use_case, source = req.use_case, req.use_case_source
    else:
        use_case = classify_use_case(prompt, {k: v.keywords for k, v in cfg.use_cases.items()})
        source = "keywords"

    tier = req.tier
    learned = tier == Tier.AUTO and sampler is not None
    effective = Tier.AUTO if learned else Tier.for_complexity(complexity) if tier == Tier.AUTO else Tier(tier)
    policy = cfg.policy(effective)
    min_q = max(policy.min_quality, COMPLEXITY_FLOOR.get(complexity, 0.0))
    if learned:  # complexity still sets the starting tier: its quality floor bounds what is learned
        min_q = max(min_q, cfg.policy(Tier.for_complexity(complexity)).min_quality)
    notes: list[str] = []
    if min_q > policy.min_quality:
        notes.append(f"{complexity} complexity raised the quality floor to {min_q:.1f}")

    pool = [m for m in models if m.id not in req.exclude] if req.exclude else models
    if req.min_context:
        pool = [m for m in pool if m.context_window > req.min_context]
    if req.stronger_than is not None:
        pool = [m for m in pool if m.quality > req.stronger_than]
    if req.model:
        pool = [m for m in pool if m.id == req.model]
        min_q = 0.0  # the user chose it: no quality floor
    capped = req.budget_left is not None
    cands, dropped = filter_models(pool, tokens_in=tokens_in, max_tokens=req.max_tokens, min_quality=min_q,
                                   capped=capped, use_case=use_case, cooling=req.cooling, qualities=qualities)
    if not cands and not req.model and min_q > 0 and not req.strict_floor:
        # nothing meets the floor: take the best we have rather than nothing, and say so
        cands, dropped = filter_models(pool, tokens_in=tokens_in, max_tokens=req.max_tokens, min_quality=0.0,
                                       capped=capped, use_case=use_case, cooling=req.cooling, qualities=qualities)
        if cands:
            notes.append(f"no available model meets quality {min_q:.1f}; using the best available")
            effective = Tier.PREMIUM
    sampled = sampler(use_case, {c.model.id: c.base for c in cands}) if learned and cands else None
    ranked = order(effective, cands, policy.quality_tolerance, cfg.routing.prefer_local, sampled)
    if sampled and ranked:
        top_mean = max([c.mean for c in ranked])
        if ranked[0].mean < top_mean - policy.quality_tolerance / 10.0:
            notes.append(f"exploring: {ranked[0].model.id} (posterior mean {ranked[0].mean:.3f}, best {top_mean:.3f})")
    drops = dropped
    if not ranked:
        reasons = "; ".join(f"{mid}: {reason_text(why)}" for mid, why in drops[:6])
        raise NoModelAvailable(f"no model can take this request ({reasons})")

    if capped:
        fits = []
        for c in ranked:
            if c.est_cost <= req.budget_left:
                fits.append(c)
            else:
                drops.append((c.model.id, f"est. ${c.est_cost:.6f} exceeds ${req.budget_left:.6f} left in budget"))
        if not fits:
            cheapest = min(ranked, key=lambda c: c.est_cost)
            raise BudgetRefused(f"budget: cheapest suitable model {cheapest.model.id} needs up to "
                                f"${cheapest.est_cost:.6f}, only ${req.budget_left:.6f} left")
        if fits[0] is not ranked[0]:
            notes.append(f"preferred {ranked[0].model.id} (est. ${ranked[0].est_cost:.6f}) does not fit in "
                         f"${req.budget_left:.6f} left; chose the best that fits")
        ranked = fits

    chosen = ranked[0]
    return RouteDecision(
        model=chosen.model.id, tier=tier, effective_tier=effective, use_case=use_case, use_case_source=source,
        complexity=complexity, complexity_signals=signals, est_tokens_in=tokens_in, est_tokens_out=chosen.max_out,
        est_cost_usd=None if chosen.est_cost == float("inf") else chosen.est_cost,
        chain=[c.model.id for c in ranked[:CHAIN_LEN]], dropped_raw=drops, ranked=ranked, notes=notes)
