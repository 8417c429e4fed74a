"""Routing quality on real model data: a replay of RouteLLM's mmlu_dev.csv through the product's
own path, with bandit feedback only.

Every prompt goes through `Engine.route` in auto mode (the embedding, the per-prompt model, the
use-case posteriors, `decide`), exactly as the app routes it, over a fresh log in a temporary
folder. The replay answers with the chosen model's recorded correctness, which goes back the way
a user's verdict does: the call is logged (`Store.log_call`, with its embedding) and thumbed up or
down (`feedback.thumb`). Only the chosen model's result is ever revealed; the router starts
empty. Two modes: the MMLU subject declared as the use case, and prompt only (the use case is
whatever the app resolves: keyword rules, else general). For a sweep of the auto tier's quality
tolerance it prints the weak share and the accuracy relative to always-strong, then the weak
share at which accuracy is still >= 95 % of always-strong (linear interpolation between sweep
points). Random routing and the per-subject oracle come from the same data. Median over seeds.

`--shadow` runs prompt only with no shadow checks, random ones and targeted ones
(`select = "value"`), at the default rate and share, and prints their weak share and learning
spend side by side. `--reveal-both` is not bandit feedback: every prompt reveals both models' results, so it bounds
what better exploration could add to the same learner (declared subject only). `--fast` drives the
same learning parts without the store and the engine (_routing_fast.py; the same figures, held
to the engine replay by tests/test_routing_fast.py), for trying choices over many seeds and draws.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED_DATA, report  # noqa: E402
from _routing_report import replay_name, report_draws, shadow_table  # noqa: E402

import _routing_fast  # noqa: E402

WEAK_COL, STRONG_COL = "mistralai/Mixtral-8x7B-Instruct-v0.1", "gpt-4-1106-preview"
WEAK, STRONG = "replay/mixtral-8x7b", "replay/gpt-4-1106"
PROMPT_WEIGHT = "shift"  # [learning] prompt_weight for the replays (--prompt-weight)
EXPLORATION = None  # [learning] exploration for the replays (--exploration; None: the default)
TOLERANCES = [0.0, 0.5, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0]  # quality points (0-10 scale); finer where 95 % is crossed


def load(path: Path) -> list[tuple[str, str, bool, bool]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [(r["subject"], r["prompt"], r[WEAK_COL] == "True", r[STRONG_COL] == "True") for r in csv.DictReader(fh)]


def replay_models():
    from modeltui.providers.catalog import ModelInfo

    # Generic priors (a decent and a better model), not fitted to this file; Together/OpenAI list prices.
    return [ModelInfo(WEAK, "replay", 6.0, (), "fast", 32_768, 4096, 0.6, 0.6, available=True),
            ModelInfo(STRONG, "replay", 8.0, (), "slow", 128_000, 4096, 10.0, 30.0, available=True)]


async def _run_stream(rows, declared: bool, tolerance: float, seed: int, shadow_checks: bool = False,
                      reveal_both: bool = False, prompt_model: bool = True) -> dict:
    from modeltui.calls.engine import Engine
    from modeltui.learning import observe
    from modeltui.learning.embed import pack
    from modeltui.providers.catalog import Catalog
    from modeltui.routing import RouteRequest
    from modeltui.settings.config import Config
    from modeltui.signals import feedback, shadow
    from modeltui.store import CallRecord, Store

    cfg = Config()
    cfg.learning.prompt_model = prompt_model
    cfg.learning.prompt_weight = PROMPT_WEIGHT
    if EXPLORATION is not None:
        cfg.learning.exploration = EXPLORATION
    if not shadow_checks:
        cfg.learning.shadow.rate = 0.0
    elif shadow_checks == "value":  # targeted: the answers whose routing was most likely a mistake
        cfg.learning.shadow.select = "value"
    cfg.tiers["auto"].quality_tolerance = tolerance
    cfg.tiers["auto"].min_quality = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "replay.db")
        engine = Engine(cfg, Catalog(replay_models()), store)
        engine.rng.seed(seed)
        weak_calls = correct = checks = 0
        spend = {"routed": 0.0, "shadow": 0.0}
        decide_s = []
        models = engine.catalog

        async def answered(model: str, right: bool, kind: str = "replay", complexity: str | None = "low",
                           **fields) -> int:
            """Log a replayed answer to the prompt being routed (`d`, `vector`) as the app logs a call,
            then thumb it as its user would."""
            rec = CallRecord(session=engine.session, kind=kind, model=model, provider="replay", status="ok",
                             tier="auto", use_case=d.use_case, complexity=complexity, **fields)
            call_id = await observe.log_call(store, rec, vector=vector)
            await feedback.thumb(engine, call_id, right)
            return call_id

        try:
            for subject, prompt, w_ok, s_ok in rows:
                t0 = time.perf_counter()
                d = await engine.route(RouteRequest([{"role": "user", "content": prompt}], tier="auto",
                                                    use_case=subject if declared else None, complexity="low", max_tokens=16))
                decide_s.append(time.perf_counter() - t0)
                ok = w_ok if d.model == WEAK else s_ok  # only the chosen model's result is revealed
                weak_calls += d.model == WEAK
                correct += ok
                cost = _cost(models[d.model], d.est_tokens_in)
                spend["routed"] += cost
                vector = pack(d.vector) if d.vector is not None else None
                call_id = await answered(d.model, ok, prompt=prompt[:200], cost_usd=cost)
                if reveal_both:  # the upper bound: the other model's result is revealed too, free
                    other = STRONG if d.model == WEAK else WEAK
                    await answered(other, s_ok if other == STRONG else w_ok, prompt=prompt[:200])
                est = models[STRONG].worst_case(d.est_tokens_in, 16)
                if (shadow_checks and d.model == WEAK and await shadow.drawn(engine, d, WEAK, STRONG, est)
                        and await shadow.within_share(engine, est)):
                    # the product's check, with the replay's answers: the strong model is asked too
                    # and its answer agrees with the weak one's when both are right or both wrong
                    cost = _cost(models[STRONG], d.est_tokens_in)
                    spend["shadow"] += cost
                    checks += 1
                    # the replay reveals the strong model's result too
                    await answered(STRONG, s_ok, kind="shadow", complexity=None, origin_id=call_id, cost_usd=cost)
                    await shadow.record(engine, call_id, WEAK, d.use_case, "agree" if w_ok == s_ok else "disagree")
            trust = engine.knowledge.trust  # how far the per-prompt part earned a say, per use case
            weight = statistics.median(trust.weight(u) for u in trust.llr) if trust.llr else None
        finally:
            await engine.close()
    return {"share": weak_calls / len(rows), "acc": correct / len(rows), "route_us": statistics.median(decide_s) * 1e6,
            "prompt_weight": weight, "checks": checks, "extra_spend": spend["shadow"] / spend["routed"] if spend["routed"] else 0.0}


def _cost(model, tokens_in: int) -> float:
    """A replayed answer is one letter: the prompt's tokens and one out, at the model's list price."""
    return (tokens_in * model.input_per_mtok + model.output_per_mtok) / 1e6


def run_stream(args) -> dict:
    rows, declared, tolerance, seed, (shadow_checks, reveal_both, *prompt_model) = args
    return asyncio.run(_run_stream(rows, declared, tolerance, seed, shadow_checks, reveal_both, *prompt_model))


def fast_stream(args) -> dict:
    """The same replay without the store and the engine (_routing_fast.py)."""
    rows, declared, tolerance, seed, (_, _, *prompt_model) = args
    return _routing_fast.stream(rows, declared, tolerance, seed, replay_models(), WEAK, *prompt_model,
                                prompt_weight=PROMPT_WEIGHT, exploration=EXPLORATION)


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
    ap.add_argument("--jobs", type=int, default=2, help="processes (one replay each)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N prompts (a quick look)")
    ap.add_argument("--shadow", action="store_true", help="run prompt only without shadow checks, with random ones and with "
                    "targeted ones (default rate and share; select = value) instead")
    ap.add_argument("--reveal-both", action="store_true",
                    help="an upper bound, not bandit feedback: every prompt reveals both models' results (declared subject)")
    ap.add_argument("--subsample", type=float, default=0.0, metavar="F",
                    help="replay random subsamples of this fraction of the file (each draw over the seeds)")
    ap.add_argument("--draws", type=int, default=5, metavar="K", help="how many subsamples (with --subsample)")
    ap.add_argument("--prompt-weight", choices=("shift", "full", "earned"), default="shift",
                    help="[learning] prompt_weight: the use case's sample moved by the per-prompt part (the "
                         "default), its own samples always (round 2), or as often as it has earned")
    ap.add_argument("--exploration", type=float, default=None, help="[learning] exploration (default: the config's)")
    ap.add_argument("--use-case-only", action="store_true",
                    help="also run both modes with [learning] prompt_model = false (the per-use-case posteriors alone)")
    ap.add_argument("--fast", action="store_true", help="the learning parts driven directly, without the store and "
                    "the engine (same figures, ~60x faster; not with --shadow or --reveal-both)")
    ap.add_argument("--tolerances", default="", help="comma-separated sweep (default: the full grid)")
    ap.add_argument("--modes", default="", help="only these modes, comma-separated (e.g. declared,declared_use_case_only)")
    args = ap.parse_args()
    global PROMPT_WEIGHT, EXPLORATION
    PROMPT_WEIGHT, EXPLORATION = args.prompt_weight, args.exploration  # (the replays are forked: they see them)
    path = Path(args.data)
    if not path.exists():
        sys.exit(f"{script}: data file not found: {path} (pass --data PATH)")
    if args.fast and (args.shadow or args.reveal_both):
        sys.exit(f"{script}: --fast replays routing only: shadow checks and --reveal-both need the engine")
    if args.subsample and not 0 < args.subsample <= 1:
        sys.exit(f"{script}: --subsample must be a fraction in (0, 1], not {args.subsample}")
    rows = load(path)
    return args, rows[:args.limit] if getattr(args, "limit", 0) else rows


def datasets(data: list, fraction: float, draws: int) -> list[tuple[str, list]]:
    """The whole file, or `draws` random subsamples of it (draw k is the same for every seed and
    every mode: the modes are compared on the same prompts)."""
    if not fraction:
        return [("all", data)]
    n = max(1, round(fraction * len(data)))
    return [(f"draw {k}", random.Random(10_000 + k).sample(data, n)) for k in range(draws)]


def main() -> None:
    args, data = read_args(__doc__, "routing_quality.py")
    tolerances = [float(t) for t in args.tolerances.split(",")] if args.tolerances else TOLERANCES
    # mode -> (subject declared, (shadow checks, both results revealed, per-prompt model))
    modes = {"declared": (True, (False, False, True)), "prompt_only": (False, (False, False, True))}
    if args.use_case_only:
        modes |= {"declared_use_case_only": (True, (False, False, False)),
                  "prompt_only_use_case_only": (False, (False, False, False))}
    if args.shadow:  # prompt only, without and with shadow checks, side by side
        modes = {"prompt_only": (False, (False, False, True)), "prompt_only_shadow": (False, ("random", False, True)),
                 "prompt_only_shadow_targeted": (False, ("value", False, True))}
    if args.reveal_both:
        modes = {"declared_reveal_both": (True, (False, True, True))}
    if args.modes:
        wanted = args.modes.split(",")
        if unknown := [m for m in wanted if m not in modes]:
            sys.exit(f"routing_quality.py: unknown mode(s) {', '.join(unknown)} (have {', '.join(modes)})")
        modes = {m: modes[m] for m in wanted}
    sets = datasets(data, args.subsample, args.draws)
    jobs = []
    for d, (_, rows_d) in enumerate(sets):
        for seed in range(args.seeds):
            rows = rows_d[:]
            random.Random(seed).shuffle(rows)
            jobs += [(d, seed, mode, tol, (rows, declared, tol, seed, how)) for mode, (declared, how) in modes.items()
                     for tol in tolerances]
    outs = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for (d, seed, mode, tol, _), out in zip(jobs, pool.map(fast_stream if args.fast else run_stream, [j[4] for j in jobs])):
            outs.append(out)  # each replay as it ends, on stderr: a long run's partial figures are not lost
            print(json.dumps({"set": d, "seed": seed, "mode": mode, "tolerance": tol, "share": out["share"],
                              "acc": out["acc"], "prompt_weight": out["prompt_weight"]}), file=sys.stderr, flush=True)
    per_set = [summarise(args, sets[d][1], modes, tolerances,
                         [(j[1], j[2], j[3], o) for j, o in zip(jobs, outs) if j[0] == d]) for d in range(len(sets))]
    if args.subsample:
        return report_draws(args, sets, per_set, modes)
    figures, lines = per_set[0]
    feedback = "both results revealed: an upper bound" if args.reveal_both else "bandit feedback"
    report(f"routing quality on mmlu_dev ({replay_name(args)}, {feedback})", lines, figures, args.json)


def summarise(args, data, modes, tolerances, runs) -> tuple[dict, list[str]]:
    """Figures and printed lines of one data set's replays: (seed, mode, tolerance, output) each."""
    strong_acc = sum(r[3] for r in data) / len(data)
    weak_acc = sum(r[2] for r in data) / len(data)
    target = 0.95 * strong_acc
    results = {m: [] for m in modes}
    curves = {m: defaultdict(list) for m in modes}
    route_us, weights = [], {m: [] for m in modes}
    extra, checks = {m: [] for m in modes}, {m: [] for m in modes}
    lines = []
    for seed in range(args.seeds):
        for mode in modes:
            pts, at = [], []
            for s, m, tol, out in runs:
                if s == seed and m == mode:
                    pts.append((out["share"], out["acc"]))
                    at.append(out)
                    curves[mode][tol].append((out["share"], out["acc"] / strong_acc))
                    if out["route_us"] is not None:
                        route_us.append(out["route_us"])
                    if out.get("prompt_weight") is not None:
                        weights[mode].append(out["prompt_weight"])
            results[mode].append(round(share_at(pts, target), 4))
            extra[mode].append(statistics.median(o["extra_spend"] for o in at))
            checks[mode].append(statistics.median(o["checks"] for o in at))
        lines.append(f"  seed {seed}: " + ", ".join(f"{m} {results[m][-1]:.3f}" for m in modes))
    random_share = (strong_acc - target) / (strong_acc - weak_acc)
    oracle = per_subject_oracle(data, 0.95)
    figures = {**{f"weak_share_at_95_{m}": round(statistics.median(results[m]), 4) for m in modes},
               "random": round(random_share, 4), "per_subject_oracle": round(oracle, 4),
               "strong_accuracy": round(strong_acc, 4), "weak_accuracy": round(weak_acc, 4), "seeds": args.seeds,
               "prompts": len(data), "route_us_median": round(statistics.median(route_us), 1) if route_us else None, "per_seed": results,
               "prompt_weight_at_end": {m: round(statistics.median(w), 3) for m, w in weights.items() if w},
               "shadow": {m: {"checks_per_run": statistics.median(checks[m]),
                              "extra_spend_ratio": round(statistics.median(extra[m]), 4)} for m in modes if "_shadow" in m},
               "curve": {m: {str(t): [round(statistics.median(x), 4) for x in zip(*curves[m][t])] for t in tolerances} for m in modes}}
    names = list(modes)
    lines += ["", f"{len(data)} prompts; always-strong accuracy {strong_acc:.3f}, always-weak {weak_acc:.3f}; "
              f"target 95% = {target:.3f}", "", "tolerance  " + "   ".join(f"{m}: weak share / acc vs strong" for m in names)]
    for tol in tolerances:
        cols = [[statistics.median(x) for x in zip(*curves[m][tol])] for m in names]
        lines.append(f"  {tol:4.2f}     " + "".join(f"{c[0]:.3f} / {c[1]:.3f}".ljust(len(m) + 31) for m, c in zip(names, cols)))
    targets = {"declared": "   (target >= 0.50)", "prompt_only": "   (target >= 0.45)"}
    lines += ["", f"weak share at 95% of strong accuracy (median of {args.seeds} seeds):"]
    lines += [f"  {m.replace('_', ' ') + ':':<28}{figures[f'weak_share_at_95_{m}']:.3f}{targets.get(m, '')}" for m in names]
    lines += [f"  random routing:             {random_share:.3f}",
              f"  per-subject oracle:         {oracle:.3f}"]
    if route_us:
        lines.append(f"  Engine.route, median per prompt: {figures['route_us_median']:.0f} us (embedding and log reads included)")
    if figures["shadow"]:
        lines += shadow_table(names, figures)
    return figures, lines


if __name__ == "__main__":
    main()
