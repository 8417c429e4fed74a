"""Each part of one auto decision timed on its own, warm (the same inputs repeated): where
prompt_routing_cost.py's decision_us goes, in figures steady enough to compare two checkouts.

The parts run over the 50-model catalog of route_overhead.py, with the per-prompt model
trained on 2,000 of mmlu_dev's prompts (or generated ones without ../shared), as
prompt_routing_cost.py trains it. A whole decision runs colder than the sum of its parts (the
embedding's table and tokenizer push the rest out of the CPU's caches): compare parts between
checkouts here, and whole decisions there.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import prompt_routing_cost as cost  # noqa: E402
from _common import report  # noqa: E402


def parts(number: int) -> dict[str, float]:
    from modeltui.learning import embed
    from modeltui.learning.bandit import Bandit
    from modeltui.learning.router_memory import Knowledge
    from modeltui.routing.complexity import estimate_complexity
    from modeltui.routing.policies import filter_models, order

    cost.GENERATED = not cost.MMLU.exists()
    cfg, models = cost.fifty_models()
    pool = cost.texts(2001, random.Random(0))
    pm, _ = cost.trained(models, pool[:2000])
    text = pool[2000]
    vec = embed.embed(text)
    knowledge, bandit, now = Knowledge(cfg, None, {m.id: m.quality for m in models}), Bandit(seed=0), time.time()
    cands, _ = filter_models(models, tokens_in=100, max_tokens=1024, min_quality=0.0, capped=True, use_case="general", cooling={})
    qualities = {c.model.id: c.base for c in cands}
    sample = knowledge.sampler(bandit, pm, vec, cfg.learning.exploration, now)
    sampled = sample("general", qualities)
    a, b = bandit.posteriors("general", qualities, now)
    drawn, mean = bandit.draw(a, b)
    x, ids = pm.features(vec), list(qualities)
    timed = {
        "embedding (cached)": lambda: embed._compute(text),
        "complexity": lambda: estimate_complexity(text),
        "filter": lambda: filter_models(models, tokens_in=100, max_tokens=1024, min_quality=0.0, capped=True,
                                        use_case="general", cooling={}),
        "sample (all of it)": lambda: sample("general", qualities),
        "  use-case posteriors": lambda: bandit.posteriors("general", qualities, now),
        "  Beta draws, clamped": lambda: bandit.draw(a, b),
        "  per-prompt shift": lambda: pm.shift(x, ids, drawn, mean),
        "order (auto)": lambda: order("auto", cands, 1.0, False, sampled),
    }
    return {name: min(timeit.repeat(f, number=number, repeat=7)) / number * 1e6 for name, f in timed.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--number", type=int, default=2000, help="calls a timing (the best of 7 is reported)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    figures = {name: round(us, 1) for name, us in parts(args.number).items()}
    report("the parts of one auto decision, warm (50 models; best of 7)",
           [f"{name:<26} {us:7.1f} µs" for name, us in figures.items()], figures, args.json)


if __name__ == "__main__":
    main()
