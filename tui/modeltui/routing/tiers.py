"""Candidate filtering and per-tier ordering.

budget   cheapest model meeting the tier's minimum quality (free/local first)
balanced best quality per dollar among models within `quality_tolerance` of the best candidate
premium  highest quality (cheaper breaks ties)
auto     the learning layer supplies sampled qualities; otherwise starts from complexity
"""

from __future__ import annotations

from dataclasses import dataclass, field

from modeltui.catalog import ModelInfo

CONTEXT_SHARE = 0.85
STRENGTH_BONUS = 0.5  # a model listing the prompt's use case among its strengths
COMPLEXITY_FLOOR = {"low": 0.0, "medium": 5.0, "high": 7.0}  # complexity raises the quality floor
AUTO_START = {"low": "budget", "medium": "balanced", "high": "premium"}


@dataclass(slots=True)
class Candidate:
    model: ModelInfo
    quality: float  # effective: catalog (or learned) + strength bonus
    est_cost: float  # USD for estimated input + max output; 0 for free
    max_out: int
    parts: dict = field(default_factory=dict)
    score: float = 0.0


def est_cost(m: ModelInfo, tokens_in: int, max_out: int) -> float | None:
    return m.cost(tokens_in, max_out)


def filter_models(models, *, tokens_in: int, max_tokens: int, min_quality: float, capped: bool,
                  use_case: str, cooling: dict[str, str], qualities: dict[str, float] | None = None):
    """Split models into candidates and (model id, reason) drops."""
    kept: list[Candidate] = []
    dropped: list[tuple[str, str]] = []
    for m in models:
        if not m.available:
            dropped.append((m.id, m.why or "unavailable"))
            continue
        if m.id in cooling:
            dropped.append((m.id, cooling[m.id]))
            continue
        max_out = min(max_tokens, m.max_output)
        need, room = tokens_in + max_out, int(m.context_window * CONTEXT_SHARE)
        if need > room:
            dropped.append((m.id, f"context too small: needs {need} tokens, 85% of window is {room}"))
            continue
        if capped and not m.price_known:
            dropped.append((m.id, "price unknown and a budget cap is set (give it a price or mark it free)"))
            continue
        base = qualities.get(m.id, m.quality) if qualities else m.quality
        bonus = STRENGTH_BONUS if use_case in m.strengths else 0.0
        if base < min_quality:
            dropped.append((m.id, f"quality {base:.1f} below tier minimum {min_quality:.1f}"))
            continue
        cost = est_cost(m, tokens_in, max_out)
        kept.append(Candidate(m, base + bonus, cost if cost is not None else float("inf"), max_out,
                              {"quality": round(base, 2), "strength_bonus": bonus}))
    return kept, dropped


def order(tier: str, cands: list[Candidate], tolerance: float, prefer_local: bool) -> list[Candidate]:
    """Best first for `tier`, setting each candidate's score and score parts."""
    if not cands:
        return []

    def local_rank(c: Candidate) -> int:
        return 0 if prefer_local and c.model.local else 1

    if tier == "budget":
        for c in cands:
            c.score = -c.est_cost
            c.parts["est_cost"] = round(c.est_cost, 8)
        return sorted(cands, key=lambda c: (c.est_cost, local_rank(c), -c.quality))
    if tier == "premium":
        for c in cands:
            c.score = c.quality
        return sorted(cands, key=lambda c: (-c.quality, local_rank(c), c.est_cost))
    # balanced (and auto's final pick): within tolerance of the best, best quality per dollar
    best = max(c.quality for c in cands)
    for c in cands:
        within = c.quality >= best - tolerance
        per_dollar = c.quality / c.est_cost if c.est_cost > 0 else float("inf")
        c.parts.update(within_tolerance=within, quality_per_dollar=round(per_dollar, 2) if per_dollar != float("inf") else "free")
        c.score = per_dollar if within else -1.0
    return sorted(cands, key=lambda c: (not c.parts["within_tolerance"], -c.score, local_rank(c), -c.quality))
