"""Savings and inefficiencies: what the calls of a period cost, against what the best-ranked
adequate model of each use case would have cost for the same tokens; and patterns worth a look."""

from __future__ import annotations

from modeltui.providers.catalog import Catalog
from modeltui.vocab import CallKind
from modeltui.vocab.tiers import GENERAL

ADEQUATE_SUCCESS_GAP = 0.05  # adequate: success rate within this of the use case's best
PREMIUM_QUALITY = 8.0


def best_adequate(ranked: list, catalog: Catalog) -> str | None:
    """Among the use case's ranking rows (learning.rankings.RankingRow), the best composite of
    those whose success rate, and whose share of positive votes and thumbs, are within
    ADEQUATE_SUCCESS_GAP of the best: a model that loses the votes is not adequate."""
    usable = [r for r in ranked if r.model in catalog and catalog[r.model].price_known and r.success_rate]
    if not usable:
        return None
    top = max(r.success_rate for r in usable)
    liked = max(r.satisfaction or 0.0 for r in usable)
    adequate = [r for r in usable if r.success_rate >= top - ADEQUATE_SUCCESS_GAP
                and (r.satisfaction or 0.0) >= liked - ADEQUATE_SUCCESS_GAP]
    return max(adequate, key=lambda r: r.composite).model


def savings(calls: list[dict], ranked: dict[str, list], catalog: Catalog) -> dict:
    """`calls`: logged rows, or aggregates of several calls alike (`calls`: how many; tokens and
    cost their sums; the team's, from `TeamBook.answered`). Prices are per token, so a group's
    alternative is its tokens at the best adequate model's prices."""
    actual = alternative = 0.0
    count = 0
    by_uc: dict[str, dict] = {}
    simple_premium = simple_premium_cost = 0
    for c in calls:
        cost = c["cost_usd"]
        if cost is None and c.get("kind") == CallKind.IMPORTED:  # made elsewhere: at list price, when known
            cost = c.get("cost_computed_usd")
        cost = cost or 0.0
        actual += cost
        uc = c["use_case"] or GENERAL
        best = best_adequate(ranked.get(uc, []), catalog)
        alt = catalog[best].cost(c["tokens_in"] or 0, c["tokens_out"] or 0) if best else None
        alt = cost if alt is None else min(cost, alt)  # never count a dearer choice as "saving"
        alternative += alt
        u = by_uc.setdefault(uc, {"calls": 0, "actual_usd": 0.0, "alternative_usd": 0.0, "best_adequate": best})
        u["calls"] += c.get("calls", 1)
        count += c.get("calls", 1)
        u["actual_usd"] += cost
        u["alternative_usd"] += alt
        m = catalog.models.get(c["model"])
        if c.get("complexity") == "low" and m is not None and m.quality >= PREMIUM_QUALITY:
            simple_premium += 1
            simple_premium_cost += cost
    flags = []
    if simple_premium:
        flags.append(f"premium model used for {simple_premium} simple prompts (${simple_premium_cost:.6f})")
    return {"calls": count, "actual_usd": actual, "alternative_usd": alternative,
            "possible_savings_usd": actual - alternative, "by_use_case": by_uc, "flags": flags}
