"""Routing quality on real model data: a replay of RouteLLM's mmlu_dev.csv through the real
router in auto mode (Thompson sampling), with bandit feedback only.

The stream is shuffled with a fixed seed. For each prompt the router picks the weak
(Mixtral-8x7B) or strong (GPT-4-1106) model; the replay reveals only the chosen model's recorded
correctness, which is fed back to the learner. The router starts empty. Two modes: the MMLU
subject given as the declared use case, and prompt only (use cases discovered online by
clustering the prompt text). For a sweep of the quality tolerance it prints the share of weak
calls and the accuracy relative to always-strong, then the weak share at which accuracy is still
>= 95 % of always-strong (linear interpolation between sweep points). Random routing and the
per-subject oracle are computed from the same data for reference. Median over seeds.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED_DATA, report  # noqa: E402

WEAK_COL, STRONG_COL = "mistralai/Mixtral-8x7B-Instruct-v0.1", "gpt-4-1106-preview"
WEAK, STRONG = "replay/mixtral-8x7b", "replay/gpt-4-1106"
TOLERANCES = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0]  # quality points (0-10 scale)
SECONDS_PER_PROMPT = 60.0


def load(path: Path) -> list[tuple[str, str, bool, bool]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [(r["subject"], r["prompt"], r[WEAK_COL] == "True", r[STRONG_COL] == "True") for r in csv.DictReader(fh)]


def replay_models():
    from modeltui.catalog import ModelInfo

    # Generic priors (a decent and a better model), not fitted to this file; Together/OpenAI list prices.
    return [ModelInfo(WEAK, "replay", 6.0, (), "fast", 32_768, 4096, 0.6, 0.6, available=True),
            ModelInfo(STRONG, "replay", 8.0, (), "slow", 128_000, 4096, 10.0, 30.0, available=True)]


def run_stream(rows, use_cases, tolerance: float, seed: int, full_info: bool = False) -> tuple[float, float]:
    """Returns (weak share, accuracy) of one pass of the router over the stream."""
    from modeltui.config import Config
    from modeltui.learning.bandit import Bandit
    from modeltui.routing import RouteRequest, decide

    cfg = Config()
    cfg.tiers["auto"].quality_tolerance = tolerance
    cfg.tiers["auto"].min_quality = 0.0
    models = replay_models()
    bandit = Bandit(seed=seed)
    weak_calls = correct = 0
    for i, ((_, prompt, w_ok, s_ok), uc) in enumerate(zip(rows, use_cases)):
        now = i * SECONDS_PER_PROMPT
        req = RouteRequest([{"role": "user", "content": prompt}], tier="auto", use_case=uc, complexity="low", max_tokens=16)
        d = decide(models, req, cfg, sampler=lambda u, ms: bandit.sample(u, ms, now))
        ok = w_ok if d.model == WEAK else s_ok  # only the chosen model's result is revealed
        weak_calls += d.model == WEAK
        correct += ok
        if full_info:  # diagnostic only: both results revealed, as no real deployment sees them
            bandit.observe(d.use_case, WEAK, success=float(w_ok), failure=float(not w_ok), now=now)
            bandit.observe(d.use_case, STRONG, success=float(s_ok), failure=float(not s_ok), now=now)
        else:
            bandit.observe(d.use_case, d.model, success=float(ok), failure=float(not ok), now=now)
    return weak_calls / len(rows), correct / len(rows)


def share_at(points: list[tuple[float, float]], target: float) -> float:
    """Largest weak share whose accuracy is >= target, interpolating along the sweep curve."""
    pts = sorted(points)
    best = 0.0
    for (s0, a0), (s1, a1) in zip(pts, pts[1:]):
        if a0 >= target:
            best = max(best, s0)
        if a0 >= target > a1 and a0 != a1:
            best = max(best, s0 + (s1 - s0) * (a0 - target) / (a0 - a1))
    if pts and pts[-1][1] >= target:
        best = max(best, pts[-1][0])
    return best


def per_subject_oracle(rows, target_ratio: float) -> float:
    """Subjects' accuracies known in advance: send whole subjects with the smallest loss per
    call to the weak model while accuracy stays >= target; the last subject partially."""
    n = len(rows)
    by = defaultdict(lambda: [0, 0, 0])
    for subject, _, w, s in rows:
        by[subject][0] += 1
        by[subject][1] += w
        by[subject][2] += s
    strong = sum(v[2] for v in by.values())
    budget = strong - target_ratio * strong  # correct answers we may lose
    weak = 0.0
    for cnt, w, s in sorted(by.values(), key=lambda v: (v[2] - v[1]) / v[0]):
        loss = s - w
        if loss <= budget:
            budget -= loss
            weak += cnt
        else:
            weak += cnt * budget / loss if loss > 0 else cnt
            break
    return weak / n


def read_args(description: str, script: str):
    """--data, --seeds and --json, and the data file's rows (one line and exit 1 if it is missing)."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(SHARED_DATA / "routellm" / "mmlu_dev.csv"))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    path = Path(args.data)
    if not path.exists():
        sys.exit(f"{script}: data file not found: {path} (pass --data PATH)")
    return args, load(path)


def main() -> None:
    args, data = read_args(__doc__, "routing_quality.py")
    from _online_clusters import Online

    strong_acc = sum(r[3] for r in data) / len(data)
    weak_acc = sum(r[2] for r in data) / len(data)
    target = 0.95 * strong_acc
    results = {"declared": [], "prompt_only": [], "declared_full_info": []}
    curves = {"declared": defaultdict(list), "prompt_only": defaultdict(list)}
    for seed in range(args.seeds):
        rows = data[:]
        random.Random(seed).shuffle(rows)
        online = Online()
        discovered = [f"c{c}" if (c := online.assign(p)) is not None else "general" for _, p, _, _ in rows]
        for mode, ucs in (("declared", [r[0] for r in rows]), ("prompt_only", discovered)):
            pts = []
            for tol in TOLERANCES:
                share, acc = run_stream(rows, ucs, tol, seed)
                pts.append((share, acc))
                curves[mode][tol].append((share, acc / strong_acc))
            results[mode].append(share_at(pts, target))
        full = [run_stream(rows, [r[0] for r in rows], tol, seed, full_info=True) for tol in TOLERANCES]
        results["declared_full_info"].append(share_at(full, target))
        if not args.json:
            print(f"  seed {seed}: declared {results['declared'][-1]:.3f}, prompt only {results['prompt_only'][-1]:.3f} "
                  f"({len(online.centroids)} clusters discovered)", flush=True)
    random_share = (strong_acc - target) / (strong_acc - weak_acc)
    oracle = per_subject_oracle(data, 0.95)
    figures = {"weak_share_at_95_declared": round(statistics.median(results["declared"]), 4),
               "weak_share_at_95_prompt_only": round(statistics.median(results["prompt_only"]), 4),
               "declared_full_info": round(statistics.median(results["declared_full_info"]), 4),
               "random": round(random_share, 4), "per_subject_oracle": round(oracle, 4),
               "strong_accuracy": round(strong_acc, 4), "weak_accuracy": round(weak_acc, 4), "seeds": args.seeds,
               "per_seed": results}
    lines = [f"{len(data)} prompts; always-strong accuracy {strong_acc:.3f}, always-weak {weak_acc:.3f}; "
             f"target 95% = {target:.3f}", "", "tolerance  declared: weak share / acc vs strong   prompt only: weak share / acc vs strong"]
    for tol in TOLERANCES:
        d = [statistics.median(x) for x in zip(*curves["declared"][tol])]
        p = [statistics.median(x) for x in zip(*curves["prompt_only"][tol])]
        lines.append(f"  {tol:4.1f}        {d[0]:.3f} / {d[1]:.3f}                      {p[0]:.3f} / {p[1]:.3f}")
    lines += ["", f"weak share at 95% of strong accuracy (median of {args.seeds} seeds):",
              f"  declared use case (subject):  {figures['weak_share_at_95_declared']:.3f}   (target >= 0.55)",
              f"  prompt only (discovered):     {figures['weak_share_at_95_prompt_only']:.3f}   (target >= 0.50)",
              f"  (diagnostic) declared, both models' results revealed: {figures['declared_full_info']:.3f}",
              f"  random routing:               {random_share:.3f}",
              f"  per-subject oracle:           {oracle:.3f}"]
    report("routing quality on mmlu_dev (replay, bandit feedback)", lines, figures, args.json)


if __name__ == "__main__":
    main()
