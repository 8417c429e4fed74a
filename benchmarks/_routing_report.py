"""The parts of routing_quality.py's report that are not the main table: the subsample draws
(median and spread over draws) and the none / random / targeted shadow-check table."""

from __future__ import annotations

import statistics

from _common import report


def shadow_table(names, figures) -> list[str]:
    """None / random / targeted shadow checks: weak share at 95 % and what the checks cost
    (learning spend as a share of the routed calls' spend; checks a run: medians over tolerances, seeds)."""
    lines = ["", "shadow checks       weak share at 95%   checks a run   learning spend"]
    for m in names:
        f = figures["shadow"].get(m, {"checks_per_run": 0, "extra_spend_ratio": 0.0})
        label = {"prompt_only": "none", "prompt_only_shadow": "random", "prompt_only_shadow_targeted": "targeted"}.get(m, m)
        lines.append(f"  {label:<18}{figures[f'weak_share_at_95_{m}']:.3f}".ljust(40)
                     + f"{f['checks_per_run']:>5.0f}          {100 * f['extra_spend_ratio']:.2f} %")
    return lines


def report_draws(args, sets, per_set, modes) -> None:
    """Subsamples: each draw's median over the seeds, then the median and spread over the draws."""
    names = list(modes)
    lines = [f"{len(sets)} random subsamples of {args.subsample:g} of the file ({len(sets[0][1])} prompts each), "
             f"{args.seeds} seed(s) each; weak share at 95% of strong accuracy (median over seeds):", "",
             "draw     " + "".join(m.ljust(max(len(m), 8) + 3) for m in names)]
    for (label, _), (fig, _) in zip(sets, per_set):
        lines.append(f"{label:<9}" + "".join(f"{fig[f'weak_share_at_95_{m}']:.3f}".ljust(max(len(m), 8) + 3) for m in names))
    summary = {}
    for m in names:
        vals = [fig[f"weak_share_at_95_{m}"] for fig, _ in per_set]
        summary[m] = {"median": round(statistics.median(vals), 4), "min": min(vals), "max": max(vals),
                      "spread": round(max(vals) - min(vals), 4), "per_draw": vals,
                      "per_draw_per_seed": [fig["per_seed"][m] for fig, _ in per_set]}
    lines += ["median   " + "".join(f"{summary[m]['median']:.3f}".ljust(max(len(m), 8) + 3) for m in names),
              "min-max  " + "".join(f"{summary[m]['min']:.3f}-{summary[m]['max']:.3f} ".ljust(max(len(m), 8) + 3) for m in names)]
    for base in ("declared", "prompt_only"):
        alone = f"{base}_use_case_only"
        if alone in summary:
            wins = sum(a >= b for a, b in zip(summary[base]["per_draw"], summary[alone]["per_draw"]))
            lines.append(f"{base.replace('_', ' ')} >= {alone.replace('_', ' ')} on {wins} of {len(sets)} draws")
            summary[base][f"draws_at_least_{alone}"] = wins
    for (label, _), (fig, _) in zip(sets, per_set):
        if fig["shadow"]:
            lines += [f"{label}:"] + shadow_table(names, fig)[1:]
    lines += ["", "each draw's curve (tolerance: weak share / accuracy vs strong, median over seeds):"]
    for (label, _), (fig, _) in zip(sets, per_set):
        lines += [f"{label} {m}: " + "  ".join(f"{t}: {c[0]:.3f}/{c[1]:.3f}" for t, c in fig["curve"][m].items()) for m in names]
    figures = {"subsample": args.subsample, "draws": len(sets), "seeds": args.seeds, "prompts_per_draw": len(sets[0][1]),
               "curves": [fig["curve"] for fig, _ in per_set],
               "weak_share_at_95": summary, "random_per_draw": [fig["random"] for fig, _ in per_set],
               "prompt_weight_at_end": [fig["prompt_weight_at_end"] for fig, _ in per_set],
               "shadow": [fig["shadow"] for fig, _ in per_set]}
    report(f"routing quality on subsamples of mmlu_dev ({replay_name(args)}, bandit feedback)", lines, figures, args.json)


def replay_name(args) -> str:
    return "fast replay: the learning parts without the store" if args.fast else "Engine.route replay"
