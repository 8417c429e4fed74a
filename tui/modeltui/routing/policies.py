"""Candidate filtering and per-tier ordering.

budget   cheapest model meeting the tier's minimum quality (free/local first)
balanced best quality per dollar among models within `quality_tolerance` of the best candidate
premium  highest quality (cheaper breaks ties)
auto     the learning layer supplies sampled qualities; otherwise starts from complexity
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from modeltui.providers.catalog import ModelInfo

CONTEXT_SHARE = 0.85
STRENGTH_BONUS = 0.5  # a model listing the prompt's use case among its strengths
COMPLEXITY_FLOOR = {"low": 0.0, "medium": 5.0, "high": 7.0}  # complexity raises the quality floor


@dataclass(slots=True)
class Candidate:
    model: ModelInfo
    base: float  # catalog (or learned) quality
    bonus: float  # strength bonus for the prompt's use case
    est_cost: float  # USD for estimated input + max output; 0 for free
    max_out: int
    score: float = 0.0
    within: bool | None = None  # balanced: within tolerance of the best
    per_dollar: float | None = None
    sample: float | None = None  # auto: Thompson sample of the success probability
    mean: float | None = None  # auto: posterior mean

    @property
    def quality(self) -> float:
        return self.base + self.bonus

    def parts(self) -> dict:
        """Score parts for the decision's reasons (built only when reasons are read)."""
        p = {"quality": round(self.base, 2), "strength_bonus": self.bonus}
        if self.sample is not None:
            p.update(sample=round(self.sample, 4), posterior_mean=round(self.mean, 4), within_tolerance=self.within,
                     est_cost=round(self.est_cost, 8))
        elif self.within is not None:
            p["within_tolerance"] = self.within
            p["quality_per_dollar"] = "free" if self.per_dollar == float("inf") else round(self.per_dollar, 2)
        else:
            p["est_cost"] = round(self.est_cost, 8)
        return p


# Drop reasons are kept as (template, args) and formatted only when read: formatting ~50
# strings per prompt would otherwise be the largest cost of a decision.
CONTEXT_TOO_SMALL = "context too small: needs {} tokens, 85% of window is {}"
PRICE_UNKNOWN = "price unknown and a budget cap is set (give it a price or mark it free)"
BELOW_FLOOR = "quality {:.1f} below tier minimum {:.1f}"


def reason_text(reason) -> str:
    return reason if isinstance(reason, str) else reason[0].format(*reason[1])


def filter_models(models, *, tokens_in: int, max_tokens: int, min_quality: float, capped: bool,
                  use_case: str, cooling: dict[str, str], qualities: dict[str, float] | None = None):
    """Split models into candidates and (model id, reason) drops."""
    kept: list[Candidate] = []
    dropped: list = []
    drop = dropped.append
    for m in models:
        if not m.available:
            drop((m.id, m.why or "unavailable"))
            continue
        if cooling and m.id in cooling:
            drop((m.id, cooling[m.id]))
            continue
        max_out = max_tokens if max_tokens < m.max_output else m.max_output
        need = tokens_in + max_out
        if need > m.context_window * CONTEXT_SHARE:
            drop((m.id, (CONTEXT_TOO_SMALL, (need, int(m.context_window * CONTEXT_SHARE)))))
            continue
        if capped and not m.price_known:
            drop((m.id, PRICE_UNKNOWN))
            continue
        base = qualities.get(m.id, m.quality) if qualities else m.quality
        if base < min_quality:
            drop((m.id, (BELOW_FLOOR, (base, min_quality))))
            continue
        if m.free:
            cost = 0.0
        elif m.price_known:
            cost = (tokens_in * m.input_per_mtok + max_out * m.output_per_mtok) / 1e6
        else:
            cost = float("inf")
        kept.append(Candidate(m, base, STRENGTH_BONUS if use_case in m.strengths else 0.0, cost, max_out))
    return kept, dropped


_UNSAMPLED = (0.0, 0.0)
_SAMPLE, _COST = attrgetter("sample"), attrgetter("est_cost")


def order(tier: str, cands: list[Candidate], tolerance: float, prefer_local: bool,
          sampled: dict[str, tuple[float, float]] | None = None) -> list[Candidate]:
    """Best first for `tier`, setting each candidate's score and score parts."""
    if not cands:
        return []
    if tier == "auto" and sampled:
        # learned: among models whose sampled success is within tolerance of the best, the cheapest
        # (then the higher sample). Sorted by C-level keys, stable: by sample, then by cost
        get = sampled.get
        for c in cands:
            c.sample, c.mean = get(c.model.id, _UNSAMPLED)
            c.score = c.sample
        floor = max([c.sample for c in cands]) - tolerance / 10.0
        within, beyond = [], []
        for c in cands:
            c.within = keep = c.sample >= floor
            (within if keep else beyond).append(c)
        for part in (within, beyond):
            part.sort(key=_SAMPLE, reverse=True)
            part.sort(key=_COST)
        return within + beyond

    def local_rank(c: Candidate) -> int:
        return 0 if prefer_local and c.model.local else 1

    if tier == "budget":
        for c in cands:
            c.score = -c.est_cost
        return sorted(cands, key=lambda c: (c.est_cost, local_rank(c), -c.quality))
    if tier == "premium":
        for c in cands:
            c.score = c.quality
        return sorted(cands, key=lambda c: (-c.quality, local_rank(c), c.est_cost))
    # balanced (and auto's final pick): within tolerance of the best, best quality per dollar
    best = max(c.quality for c in cands)
    for c in cands:
        c.within = c.quality >= best - tolerance
        c.per_dollar = c.quality / c.est_cost if c.est_cost > 0 else float("inf")
        c.score = c.per_dollar if c.within else -1.0
    return sorted(cands, key=lambda c: (not c.within, -c.score, local_rank(c), -c.quality))
