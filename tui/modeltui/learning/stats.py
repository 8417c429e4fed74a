"""Running statistics per (use case, model), time-decayed, updated one observation at a time.

A row holds decayed sums as of its `ts`; reading or updating it first scales every sum by the
decay since then. So an update is O(1), reading rankings never scans the log, and a rebuild is
a replay of the log through the same function.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from modeltui.learning.decay import factor

LAT_EDGES_MS = [50, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200]  # bucket upper bounds
BUCKETS = len(LAT_EDGES_MS) + 1
DECAYED = ("n", "ok", "errors", "cost_usd", "up", "down", "s", "f")


@dataclass
class Obs:
    """One thing that happened to a (use case, model): a call, a thumb, a vote outcome."""

    ts: float
    status: str | None = None  # call: ok / error
    latency_ms: float | None = None
    cost_usd: float | None = None
    up: float = 0.0
    down: float = 0.0
    success: float = 0.0  # quality evidence (weights from learning/evidence.py)
    failure: float = 0.0


def empty(ts: float) -> dict:
    return {**{k: 0.0 for k in DECAYED}, "lat_hist": [0.0] * BUCKETS, "lat_ms": [0.0] * BUCKETS, "raw_calls": 0,
            "ts": ts}


def _midpoint(i: int) -> float:
    lo = LAT_EDGES_MS[i - 1] if i else 0
    hi = LAT_EDGES_MS[i] if i < len(LAT_EDGES_MS) else LAT_EDGES_MS[-1] * 2
    return (lo + hi) / 2


def latency_parts(row: dict) -> tuple[list[float], list[float]]:
    """(count, summed ms) per bucket. The log column holds {"n": [...], "ms": [...]}; a row
    written before the sums were kept holds the counts alone, and its calls count at their
    bucket's midpoint."""
    if "lat_ms" in row:
        return list(row["lat_hist"]), list(row["lat_ms"])
    stored = row["lat_hist"] if isinstance(row["lat_hist"], (list, dict)) else json.loads(row["lat_hist"] or "[]")
    counts, ms = (stored.get("n", []), stored.get("ms", [])) if isinstance(stored, dict) else (stored, [])
    counts = (list(counts) + [0.0] * BUCKETS)[:BUCKETS]
    ms = (list(ms) + [_midpoint(i) * counts[i] for i in range(len(ms), BUCKETS)])[:BUCKETS]
    return counts, ms


def decayed(row: dict, now: float, half_life_s: float) -> dict:
    """The row's sums as of `now`."""
    k = factor(now - row["ts"], half_life_s)
    counts, ms = latency_parts(row)
    out = {key: row[key] * k for key in DECAYED}
    out.update(lat_hist=[h * k for h in counts], lat_ms=[t * k for t in ms], raw_calls=row.get("raw_calls", 0),
               ts=max(now, row["ts"]))
    return out


def apply(row: dict | None, obs: Obs, half_life_s: float) -> dict:
    """Row after `obs` (a new dict; `row` may be None for a new pair)."""
    r = decayed(row, obs.ts, half_life_s) if row else empty(obs.ts)
    if obs.status is not None:
        r["n"] += 1
        r["raw_calls"] += 1
        if obs.status == "ok":
            r["ok"] += 1
        elif obs.status == "error":
            r["errors"] += 1
        r["cost_usd"] += obs.cost_usd or 0.0
        if obs.latency_ms is not None and obs.status == "ok":
            b = bisect.bisect_left(LAT_EDGES_MS, obs.latency_ms)
            r["lat_hist"][b] += 1
            r["lat_ms"][b] += obs.latency_ms
    # a retraction (learning/evidence.py) subtracts; rounding must not leave a negative count
    r["up"] = max(0.0, r["up"] + obs.up)
    r["down"] = max(0.0, r["down"] + obs.down)
    r["s"] = max(0.0, r["s"] + obs.success + obs.up)
    r["f"] = max(0.0, r["f"] + obs.failure + obs.down)
    return r


def median_latency_ms(hist: list[float], ms: list[float]) -> float | None:
    """The (decayed) mean latency of the bucket that holds the median: exact for one call or
    for calls alike, and within the bucket's 2x range otherwise (was the bucket's midpoint:
    9600 ms shown for a single 6954 ms call)."""
    total = sum(hist)
    if total <= 0:
        return None
    acc = 0.0
    for i, h in enumerate(hist):
        acc += h
        if acc >= total / 2 and h > 0:
            return ms[i] / h
    return None


def to_db(use_case: str, model: str, r: dict) -> tuple:
    stored = json.dumps({"n": [round(h, 6) for h in r["lat_hist"]], "ms": [round(t, 3) for t in r["lat_ms"]]})
    return (use_case, model, r["n"], r["ok"], r["errors"], r["cost_usd"], stored,
            median_latency_ms(r["lat_hist"], r["lat_ms"]), r["up"], r["down"], r["s"], r["f"], r["raw_calls"], r["ts"])
