"""Median time of one routing decision over a 50-model catalog with learned statistics loaded,
beside the median of litellm Router's own deployment choice for 50 deployments in the same run.

Target: decision_us <= 100. The ratio is ours / litellm's (lower is faster).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import median, report  # noqa: E402

PROMPTS = [
    "What is the capital of France?",
    "Write a python function that parses a CSV file and returns the rows as dicts.",
    "Explain why the following design has a race, step by step:\n1. read\n2. write\n3. fix\n```python\nx = a + 1\n```",
    "Summarize the key points of this paragraph: " + "lorem ipsum dolor sit amet " * 40,
]


def fifty_models():
    from modeltui.providers import catalog
    from modeltui.settings import config

    cfg = config.Config()
    base = catalog.build(cfg, env={v: "x" for v in catalog.PROVIDER_ENV.values() if v}, ollama_tags=["llama3.2"]).all()
    models = [replace(m, available=True) if m.simulated else m for m in base]
    i = 0
    while len(models) < 50:  # pad with priced variants of real entries
        src = base[i % len(base)]
        models.append(replace(src, id=f"{src.id}-variant{i}", quality=max(0.0, src.quality - 0.3 * (i % 5)),
                              input_per_mtok=(src.input_per_mtok or 0.2) * 1.1, output_per_mtok=(src.output_per_mtok or 0.8) * 1.1,
                              available=True))
        i += 1
    return cfg, models[:50]


def time_ours(runs: int, serialise: bool = False) -> tuple[float, int]:
    from modeltui.routing import RouteRequest, decide

    cfg, models = fifty_models()
    qualities = {m.id: m.quality * 0.97 for m in models}  # learned statistics, as the learning layer supplies
    reqs = [RouteRequest([{"role": "user", "content": p}], tier=t, budget_left=5.0)
            for p in PROMPTS for t in ("budget", "balanced", "premium", "auto")]
    for r in reqs:
        decide(models, r, cfg, qualities)
    samples = []
    for k in range(runs):
        r = reqs[k % len(reqs)]
        t = time.perf_counter()
        d = decide(models, r, cfg, qualities)
        if serialise:
            d.to_json()
        samples.append(time.perf_counter() - t)
    return median(samples) * 1e6, len(models)


def time_litellm(runs: int) -> tuple[float, str]:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import logging

    import litellm
    from litellm import Router

    litellm.suppress_debug_info = True
    logging.getLogger("LiteLLM Router").setLevel(logging.CRITICAL)
    strategy = "simple-shuffle"
    model_list = [{"model_name": "pool", "litellm_params": {"model": f"openai/m{i}", "api_key": "x",
                                                              "api_base": "http://127.0.0.1:9/v1"}} for i in range(50)]
    router = Router(model_list=model_list, routing_strategy=strategy, num_retries=0)
    msgs = [{"role": "user", "content": PROMPTS[1]}]
    for _ in range(50):
        router.get_available_deployment(model="pool", messages=msgs)
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        router.get_available_deployment(model="pool", messages=msgs)
        samples.append(time.perf_counter() - t)
    return median(samples) * 1e6, strategy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    ours, n = time_ours(args.runs)
    with_json, _ = time_ours(args.runs, serialise=True)
    theirs, strategy = time_litellm(args.runs)
    figures = {"decision_us": round(ours, 1), "decision_with_json_us": round(with_json, 1), "litellm_router_us": round(theirs, 1),
               "ratio": round(ours / theirs, 2), "models": n, "runs": args.runs}
    report(f"routing decision overhead ({n} models, median of {args.runs})", [
        f"modeltui decide():                      {ours:8.1f} µs   (target <= 100 µs)",
        f"  + reasons serialised to JSON (logged):  {with_json:8.1f} µs",
        f"litellm Router ({strategy}) choice:  {theirs:8.1f} µs",
        f"ratio ours / litellm:                   {ours / theirs:8.2f}",
        "ours filters by availability, context, price and quality floor, scores per tier, and records",
        "every reason; litellm's simple-shuffle picks a random healthy deployment.",
    ], figures, args.json)


if __name__ == "__main__":
    main()
