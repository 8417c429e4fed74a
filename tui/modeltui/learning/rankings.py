"""Rankings per use case: a composite of success, speed, cost and satisfaction (weights from the
config, default 40/30/20/10) beside a Bradley-Terry rating from tournament votes.

Takes the `stats` rows (one per use case and model) and the vote rows: never the call log. In
team mode, also the other members' aggregates (`TeamBook.team_stats`), added to this machine's.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from modeltui.learning import bt
from modeltui.learning.decay import factor
from modeltui.learning.evidence import ERROR_FAILURE
from modeltui.settings.config import Weights
from modeltui.vocab.tiers import GENERAL


def composite(rows: dict[str, dict], w: Weights) -> dict[str, dict]:
    """model -> {composite, parts, success_rate, median_latency_ms, cost_per_call_usd, satisfaction}."""
    info = {}
    for m, r in rows.items():
        n = r["n"]
        lat = r["lat_median_ms"]
        info[m] = {"success_rate": r["ok"] / n if n > 0 else None, "smoothed_success": (r["ok"] + 1) / (n + 2),
                   "median_latency_ms": lat,
                   "cost_per_call_usd": r["cost_usd"] / n if n > 0 else None,
                   # what users said: thumbs, votes, escalations, errors (learning/evidence.py), smoothed
                   "satisfaction": (r.get("s", r["up"]) + 1) / (r.get("s", r["up"]) + r.get("f", r["down"]) + 2),
                   "observations": r["raw_calls"]}
    lats = [v["median_latency_ms"] for v in info.values() if v["median_latency_ms"]]
    costs = [v["cost_per_call_usd"] for v in info.values() if v["cost_per_call_usd"] is not None]
    min_lat, min_cost = (min(lats) if lats else None), (min(costs) if costs else None)
    total = (w.success + w.speed + w.cost + w.satisfaction) or 1.0
    for v in info.values():
        speed = min_lat / v["median_latency_ms"] if min_lat and v["median_latency_ms"] else 0.0
        cost = (min_cost + 1e-9) / (v["cost_per_call_usd"] + 1e-9) if v["cost_per_call_usd"] is not None else 0.0
        parts = {"success": v["smoothed_success"], "speed": speed, "cost": cost, "satisfaction": v["satisfaction"]}
        v["parts"] = parts
        v["composite"] = (w.success * parts["success"] + w.speed * parts["speed"] + w.cost * parts["cost"]
                          + w.satisfaction * parts["satisfaction"]) / total
    return info


@dataclass
class RankingRow:
    model: str
    composite: float
    parts: dict = field(default_factory=dict)
    success_rate: float | None = None
    median_latency_ms: float | None = None
    cost_per_call_usd: float | None = None
    observations: int = 0
    satisfaction: float | None = None  # smoothed share of positive evidence (thumbs, votes, escalations)
    bt_rating: float | None = None
    bt_lo: float | None = None
    bt_hi: float | None = None
    bt_comparisons: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def decayed_stats(rows: list[tuple], now: float, half_life_s: float) -> dict[str, dict[str, dict]]:
    """use case -> model -> the row's sums as of `now` (rows from `Store.ranking_rows`)."""
    out: dict[str, dict[str, dict]] = {}
    for uc, model, n, ok, cost, up, down, raw, lat, ts, s, f in rows:
        k = factor(now - ts, half_life_s)
        out.setdefault(uc, {})[model] = {"n": n * k, "ok": ok * k, "cost_usd": cost * k, "up": up * k, "down": down * k,
                                         "s": s * k, "f": f * k, "raw_calls": int(raw), "lat_median_ms": lat}
    return out


def add_team(per_uc: dict[str, dict[str, dict]], team_rows: list[tuple], use_case: str | None = None) -> None:
    """Add the other members' decayed aggregates (rows of `TeamBook.team_stats`) to this
    machine's. An error counts ERROR_FAILURE as a failure, as a logged error does here (the team
    keeps the error in its calls, not in its evidence). The median latency becomes the two
    medians' mean weighted by their answered calls: an estimate, not the pooled median."""
    for uc, model, n, ok, errors, cost, lat, raw, up, down, s, f in team_rows:
        uc = uc or GENERAL
        if use_case and uc != use_case:
            continue
        r = per_uc.setdefault(uc, {}).setdefault(model, {"n": 0.0, "ok": 0.0, "cost_usd": 0.0, "up": 0.0, "down": 0.0,
                                                        "s": 0.0, "f": 0.0, "raw_calls": 0, "lat_median_ms": None})
        if lat is not None:
            mine = r["lat_median_ms"]
            r["lat_median_ms"] = lat if not mine or not r["ok"] else (mine * r["ok"] + lat * ok) / (r["ok"] + ok or 1.0)
        r["n"] += n
        r["ok"] += ok
        r["cost_usd"] += cost
        # a retracted thumb or vote is a negative row in the team's evidence; the server clamps
        # each member's sums at zero (team_stats), and so does this, whatever the server sends
        r["up"] += max(0.0, up)
        r["down"] += max(0.0, down)
        r["s"] += max(0.0, s)
        r["f"] += max(0.0, f) + errors * ERROR_FAILURE
        r["raw_calls"] += int(raw)


def votes_by_use_case(rows: list[tuple]) -> dict[str, list[tuple[list[str], str]]]:
    """use case -> [(models in slot order, vote value)] (rows from `Store.vote_rows`)."""
    out: dict[str, list] = {}
    for _ts, value, models, uc in rows:
        out.setdefault(uc or GENERAL, []).append((models, value))
    return out


def rankings(stat_rows: list[tuple], vote_rows: list[tuple], weights: Weights, half_life_s: float,
             now: float | None = None, team_rows: list[tuple] | None = None,
             use_case: str | None = None) -> dict[str, list[RankingRow]]:
    now = time.time() if now is None else now
    per_uc = decayed_stats(stat_rows, now, half_life_s)
    if team_rows:
        add_team(per_uc, team_rows, use_case)
    votes = votes_by_use_case(vote_rows)
    out = {}
    for uc in sorted(set(per_uc) | set(votes)):
        comp = composite(per_uc.get(uc, {}), weights)
        ratings = bt.with_intervals(bt.pairs_from_votes(votes.get(uc, []))) if votes.get(uc) else {}
        rows = []
        for m in set(comp) | set(ratings):
            c = comp.get(m, {})
            r = ratings.get(m)
            rows.append(RankingRow(
                model=m, composite=c.get("composite", 0.0), parts=c.get("parts", {}),
                success_rate=c.get("success_rate"), median_latency_ms=c.get("median_latency_ms"),
                cost_per_call_usd=c.get("cost_per_call_usd"), observations=c.get("observations", 0),
                satisfaction=c.get("satisfaction"),
                bt_rating=r and round(r["rating"], 1), bt_lo=r and round(r["lo"], 1), bt_hi=r and round(r["hi"], 1),
                bt_comparisons=r["comparisons"] if r else 0))
        out[uc] = sorted(rows, key=lambda x: -x.composite)
    return out
