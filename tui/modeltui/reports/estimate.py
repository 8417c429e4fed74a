"""What a usage profile would cost per month in each tier, and which models each would use.

Calls per use case come from the user; typical token sizes default to the medians of the log
(per use case, then overall), else to 500 in / 400 out. Costs use actual sizes, not the
worst-case reservation.
"""

from __future__ import annotations

import statistics
from dataclasses import replace

from modeltui.errors import ModeltuiError
from modeltui.providers.catalog import ModelInfo
from modeltui.routing import RouteRequest, decide
from modeltui.settings.config import Config
from modeltui.vocab.tiers import GENERAL, TIERS

DEFAULT_TOKENS = (500, 400)


def typical_tokens(rows: list[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """Median (tokens_in, tokens_out) per use case, plus '*' over all rows."""
    by: dict[str, list[tuple[int, int]]] = {}
    for use_case, tin, tout in rows:
        if tin and tout:
            by.setdefault(use_case or GENERAL, []).append((tin, tout))
            by.setdefault("*", []).append((tin, tout))
    return {k: (int(statistics.median(a for a, _ in v)), int(statistics.median(b for _, b in v))) for k, v in by.items()}


def token_source(use_case: str, typical: dict[str, tuple[int, int]], given: bool = False) -> str:
    """Which token counts an estimate used, said with it (an estimate is only as good as them)."""
    if given:
        return "given (--tokens-in / --tokens-out)"
    if use_case in typical:
        return f"the log's median for {use_case}"
    if "*" in typical:
        return "the log's median over every use case"
    return f"the default {DEFAULT_TOKENS[0]} in / {DEFAULT_TOKENS[1]} out (the log has no answered calls)"


def estimate(models: list[ModelInfo], cfg: Config, calls: dict[str, int], typical: dict[str, tuple[int, int]],
             complexity: str = "medium", tiers=TIERS, given: bool = False) -> dict:
    out = {}
    for tier in tiers:
        rows, total = [], 0.0
        for use_case, n in calls.items():
            tin, tout = typical.get(use_case) or typical.get("*") or DEFAULT_TOKENS
            source = token_source(use_case, typical, given)
            req = RouteRequest([{"role": "user", "content": ""}], tier=tier, use_case=use_case, complexity=complexity,
                               max_tokens=tout, est_tokens_in=tin)
            try:
                d = decide(models, req, cfg)
            except ModeltuiError as exc:
                rows.append({"use_case": use_case, "calls": n, "model": None, "error": str(exc), "tokens_from": source})
                continue
            m = next(x for x in models if x.id == d.model)
            per_call = m.cost(tin, tout)
            monthly = None if per_call is None else per_call * n
            total += monthly or 0.0
            rows.append({"use_case": use_case, "calls": n, "tokens_in": tin, "tokens_out": tout, "model": m.id,
                         "simulated": m.simulated, "cost_per_call_usd": per_call, "monthly_usd": monthly,
                         "tokens_from": source})
        out[tier] = {"monthly_usd": total, "rows": rows}
    return out


def all_available(models: list[ModelInfo]) -> list[ModelInfo]:
    """For planning before keys are set: every real model as if available."""
    return [replace(m, available=True) if not m.simulated else replace(m, available=False) for m in models]
