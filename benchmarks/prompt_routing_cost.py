"""What per-prompt routing costs: time per auto decision with the embedding, and memory.

- decision_us: median of one auto-tier decision (the median of --blocks blocks, with their range) as Engine.route makes it, from the prompt text:
  embed it (wordllama), sample every candidate from the per-prompt model (trained on 2,000
  pieces of evidence over five models) and the use-case posteriors, and decide over a 50-model
  catalog (and over 10) with the default prompt_weight; and the same when the use case's bandit
  decides alone. The prompts are mmlu_dev's real ones (../shared/data), each seen once: the
  embedding's caches are emptied at each block's start, so they hold only the words of the
  2,000 training prompts, as a user's history would. `--generated`: round 2's generated prompts
  instead (four fixed openings and words from a list of 26: after the training prompts nearly
  every word is cached, so this times the embedding warm). Target <= 300 us.
- observe_us: one piece of evidence learnt (what a process replays at its first auto decision). The log reads Engine.route also does are
  not in it (route_overhead.py and rankings_scale.py measure those).
- log bytes per 100k calls: a log of --calls calls written through Store.log_call with and
  without their embeddings, the file size difference scaled to 100k.
- memory: the embedding table (resident once loaded) and the prompt model's matrices per model.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import SHARED_DATA, median, report  # noqa: E402
from route_overhead import PROMPTS, fifty_models  # noqa: E402

WORDS = ("python list bake bread river paris tax invoice gene protein tensor loop court contract poem "
         "budget orbit planet router cache kernel verse vote market glacier").split()


def prompt(rng: random.Random) -> str:
    return rng.choice(PROMPTS)[:200] + " " + " ".join(rng.choice(WORDS) for _ in range(12))


MMLU = SHARED_DATA / "routellm" / "mmlu_dev.csv"
GENERATED = False  # --generated, or no ../shared (main sets it)


@lru_cache(maxsize=1)
def mmlu_prompts() -> tuple[str, ...]:
    """mmlu_dev's prompts in a fixed shuffled order, read once for all the blocks."""
    with MMLU.open(newline="") as fh:
        rows = [r["prompt"] for r in csv.DictReader(fh)]
    random.Random(0).shuffle(rows)
    return tuple(rows)


def texts(n: int, rng: random.Random) -> list[str]:
    """`n` distinct prompts: mmlu_dev's, or generated ones."""
    if GENERATED:
        return [prompt(rng) + f" #{i}" for i in range(n)]
    rows = mmlu_prompts()
    return [rows[i % len(rows)] + (f" #{i // len(rows)}" if i >= len(rows) else "") for i in range(n)]


def trained(models, pool: list[str]):
    """(the per-prompt model trained on `pool`, µs a piece of evidence): the five first models
    answer in turn, two in three of them well."""
    from modeltui.learning import embed
    from modeltui.learning.prompt_model import PromptModel

    pm = PromptModel(embed.DIM)
    ids = [m.id for m in models[:5]]
    xs = [pm.features(embed.embed(t)) for t in pool]
    t = time.perf_counter()
    for i, x in enumerate(xs):
        pm.observe(x, ids[i % 5], 0.5, float(i % 3 != 0), float(i % 3 == 0))
    return pm, (time.perf_counter() - t) / len(xs) * 1e6


def time_decisions(runs: int, n_models: int = 50, bandit_only: bool = False) -> tuple[float, float, float]:
    """With the default `prompt_weight` (the per-prompt part moves the decision); `bandit_only`:
    `prompt_weight = "earned"` with no record yet, so the use case's bandit decides alone
    (learning/prompt_trust.py)."""
    from modeltui.learning import embed
    from modeltui.learning.bandit import Bandit
    from modeltui.learning.router_memory import Knowledge
    from modeltui.routing import RouteRequest, decide

    cfg, models = fifty_models()
    models = models[:n_models]
    rng = random.Random(0)
    if hasattr(embed, "_piece_ids"):  # each block starts from what the training prompts teach the caches
        # (hasattr: the script also times checkouts from before the piece cache)
        embed._piece_ids.cache_clear()
    embed._embed.cache_clear()
    pool = texts(2000 + runs, rng)
    pm, observe_us = trained(models, pool[:2000])
    knowledge = Knowledge(cfg, None, {m.id: m.quality for m in models})
    if bandit_only:  # the per-prompt part's say earned per use case, and none earned yet
        cfg.learning.prompt_weight = "earned"
    bandit = Bandit(seed=0)
    total, embed_only = [], []
    for k in range(runs):
        text = pool[2000 + k]  # each seen once
        t = time.perf_counter()
        vec = embed.embed(text)
        t_embed = time.perf_counter()
        req = RouteRequest([{"role": "user", "content": text}], tier="auto", use_case="general", budget_left=5.0)
        decide(models, req, cfg, sampler=knowledge.sampler(bandit, pm, vec, cfg.learning.exploration, time.time()))
        total.append(time.perf_counter() - t)
        embed_only.append(t_embed - t)
    return median(total) * 1e6, median(embed_only) * 1e6, observe_us


async def log_bytes(calls: int) -> tuple[int, int]:
    from modeltui.learning import embed, observe
    from modeltui.store import CallRecord, Store

    sizes = []
    with tempfile.TemporaryDirectory() as tmp:
        for with_vectors in (False, True):
            store = await Store.open(Path(tmp) / f"log{int(with_vectors)}.sqlite3")
            rng = random.Random(1)
            for i in range(calls):
                text = prompt(rng)
                rec = CallRecord(session="s", kind="chat", model="m", provider="p", status="ok", prompt=text,
                                 response="An answer of a usual length. " * 8, use_case="general")
                await observe.log_call(store, rec, vector=embed.pack(embed.embed(text)) if with_vectors else None)
            await store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            await store.close()
            sizes.append((Path(tmp) / f"log{int(with_vectors)}.sqlite3").stat().st_size)
    return sizes[0], sizes[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3000)
    ap.add_argument("--calls", type=int, default=10_000, help="calls logged to measure the log's growth")
    ap.add_argument("--blocks", type=int, default=3, help="timing blocks of --runs decisions (median and range)")
    ap.add_argument("--generated", action="store_true", help="round 2's generated prompts, not mmlu_dev's")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    global GENERATED
    GENERATED = args.generated or not MMLU.exists()
    from modeltui.learning import embed
    from modeltui.learning.prompt_model import PromptModel

    t = time.perf_counter()
    embed.load()
    load_s = time.perf_counter() - t
    # the host's neighbours move a median by a third from one minute to the next: several blocks,
    # their median reported with their range
    blocks = [time_decisions(args.runs) for _ in range(args.blocks)]
    decision_us, embed_us, observe_us = (median([b[i] for b in blocks]) for i in range(3))
    low, high = min(b[0] for b in blocks), max(b[0] for b in blocks)
    decision_10_us, _, _ = time_decisions(args.runs, 10)
    fallback_us, _, _ = time_decisions(args.runs, 50, bandit_only=True)
    plain, with_vec = asyncio.run(log_bytes(args.calls))
    per_100k = (with_vec - plain) * 100_000 / args.calls
    table_mb = embed._load()[1].nbytes / 1e6
    pm = PromptModel(embed.DIM)
    per_model_mb = (pm.shared.S.nbytes + pm.shared.m.nbytes) / 1e6
    figures = {"prompts": "generated" if GENERATED else "mmlu_dev", "decision_us": round(decision_us, 1), "decision_us_blocks": [round(b[0], 1) for b in blocks], "decision_10_models_us": round(decision_10_us, 1),
               "decision_bandit_path_us": round(fallback_us, 1), "embed_us": round(embed_us, 1), "embedder_load_s": round(load_s, 3),
               "observe_us": round(observe_us, 1), "replay_20k_s": round(observe_us * 20_000 / 1e6, 2),
               "log_mb_per_100k_calls_plain": round(plain * 100_000 / args.calls / 1e6, 1),
               "vectors_mb_per_100k_calls": round(per_100k / 1e6, 1), "embedding_table_mb": round(table_mb, 1),
               "prompt_model_mb_per_model": round(per_model_mb, 2), "runs": args.runs, "calls": args.calls}
    report(f"per-prompt routing cost ({'generated prompts' if GENERATED else 'mmlu_dev prompts, each seen once'})", [
        f"auto decision with embedding (50 models): {decision_us:7.1f} µs median   (target <= 300 µs; "
        f"{args.blocks} blocks {low:.0f}-{high:.0f})",
        f"  of which the embedding:                 {embed_us:7.1f} µs",
        f"the same over 10 models:                  {decision_10_us:7.1f} µs",
        f"50 models, per-prompt weight 0 (bandit):  {fallback_us:7.1f} µs   (its record has not earned it the decision)",
        f"embedder load (once, off the event loop): {load_s:7.3f} s",
        f"one piece of evidence learnt: {observe_us:.0f} µs (a process starting on a long log replays the newest "
        f"20,000: {observe_us * 20_000 / 1e6:.1f} s, at its first auto decision)",
        f"log growth from embeddings: {per_100k / 1e6:.1f} MB per 100k calls "
        f"(the log without them: {plain * 100_000 / args.calls / 1e6:.1f} MB per 100k)",
        f"memory: embedding table {table_mb:.1f} MB; prompt model {per_model_mb:.2f} MB per model with evidence "
        "(+1 shared), whatever the number of calls",
    ], figures, args.json)


if __name__ == "__main__":
    main()
