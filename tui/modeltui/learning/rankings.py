"""Rankings per use case: a composite of success, speed, cost and satisfaction (weights from the
config, default 40/30/20/10) beside a Bradley-Terry rating from tournament votes.

Reads the `stats` table (one row per use case and model) and the votes: never the call log.
"""

from __future__ import annotations

import json
import time

from modeltui.config import Weights
from modeltui.learning import bt
from modeltui.learning.decay import factor


def composite(rows: dict[str, dict], w: Weights) -> dict[str, dict]:
    """model -> {composite, parts, success_rate, median_latency_ms, cost_per_call_usd, satisfaction}."""
    info = {}
    for m, r in rows.items():
        n = r["n"]
        lat = r["lat_median_ms"]
        info[m] = {"success_rate": r["ok"] / n if n > 0 else None, "smoothed_success": (r["ok"] + 1) / (n + 2),
                   "median_latency_ms": lat,
                   "cost_per_call_usd": r["cost_usd"] / n if n > 0 else None,
                   "satisfaction": (r["up"] + 1) / (r["up"] + r["down"] + 2), "observations": r["raw_calls"]}
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


async def load_stats(db, use_case: str | None, now: float, half_life_s: float) -> dict[str, dict[str, dict]]:
    """Decayed view of the stats rows (only the columns rankings need; no histogram parsing)."""
    sql = ("SELECT use_case, model, n, ok, cost_usd, up, down, raw_calls, lat_median_ms, ts FROM stats"
           + (" WHERE use_case = ?" if use_case else ""))
    async with db.execute(sql, (use_case,) if use_case else ()) as cur:
        rows = await cur.fetchall()
    out: dict[str, dict[str, dict]] = {}
    for uc, model, n, ok, cost, up, down, raw, lat, ts in rows:
        k = factor(now - ts, half_life_s)
        out.setdefault(uc, {})[model] = {"n": n * k, "ok": ok * k, "cost_usd": cost * k, "up": up * k, "down": down * k,
                                         "raw_calls": raw, "lat_median_ms": lat}
    return out


async def load_votes(db, use_case: str | None) -> dict[str, list[tuple[list[str], str]]]:
    """use case -> [(models in slot order, vote value)], using the first call's use case."""
    sql = """SELECT t.models AS models, v.value AS value,
                    (SELECT c.use_case FROM calls c WHERE c.tournament_id = t.id LIMIT 1) AS use_case
             FROM votes v JOIN tournaments t ON t.id = v.tournament_id WHERE v.kind = 'vote'"""
    async with db.execute(sql) as cur:
        rows = await cur.fetchall()
    out: dict[str, list] = {}
    for r in rows:
        uc = r["use_case"] or "general"
        if use_case is None or uc == use_case:
            out.setdefault(uc, []).append((json.loads(r["models"]), r["value"]))
    return out


async def rankings(db, weights: Weights, half_life_s: float, use_case: str | None = None,
                   now: float | None = None, bootstrap: int = 200) -> dict[str, list[dict]]:
    now = time.time() if now is None else now
    per_uc = await load_stats(db, use_case, now, half_life_s)
    votes = await load_votes(db, use_case)
    out = {}
    for uc in sorted(set(per_uc) | set(votes)):
        comp = composite(per_uc.get(uc, {}), weights)
        ratings = bt.with_intervals(bt.pairs_from_votes(votes.get(uc, [])), samples=bootstrap) if votes.get(uc) else {}
        models = set(comp) | set(ratings)
        rows = []
        for m in models:
            c = comp.get(m, {})
            r = ratings.get(m)
            rows.append({"model": m, "composite": c.get("composite", 0.0), "parts": c.get("parts", {}),
                         "success_rate": c.get("success_rate"), "median_latency_ms": c.get("median_latency_ms"),
                         "cost_per_call_usd": c.get("cost_per_call_usd"), "observations": c.get("observations", 0),
                         "bt_rating": r and round(r["rating"], 1), "bt_lo": r and round(r["lo"], 1),
                         "bt_hi": r and round(r["hi"], 1), "bt_comparisons": r["comparisons"] if r else 0})
        out[uc] = sorted(rows, key=lambda x: -x["composite"])
    return out
