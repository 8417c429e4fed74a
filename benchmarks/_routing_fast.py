"""routing_quality.py's replay without the store and the engine (`--fast`): the same learning
parts, driven directly, in the order the product drives them.

Per prompt: the use case as `Knowledge.use_case` resolves it, then `decide` with the auto tier's
sampler from `Knowledge.sampler` (the bandit and the per-prompt model it is given), then the
revealed outcome as a thumb: one success or failure for the bandit, and `Knowledge.learn` for
the per-prompt model, from the embedding as the log stores it (float16). No SQL, no engine, no
decay worth a second: about sixty times faster than the engine replay, so choices can be tried
over many seeds and subsamples. tests/test_routing_fast.py holds it to the engine replay: the
same prompts and seed give the same weak share and accuracy.
"""

from __future__ import annotations

import statistics
import time


def stream(rows, declared: bool, tolerance: float, seed: int, models: list, weak: str, prompt_model: bool = True,
           prompt_weight: str = "shift", exploration: float | None = None) -> dict:
    """One replay over `models` (ModelInfo, as the replay's catalog): `weak` is the cheaper one."""
    from modeltui.learning import embed
    from modeltui.learning.bandit import Bandit
    from modeltui.learning.prompt_model import PromptModel
    from modeltui.learning.router_memory import Knowledge
    from modeltui.routing import RouteRequest, decide
    from modeltui.settings.config import Config

    cfg = Config()
    cfg.learning.prompt_model = prompt_model
    cfg.learning.prompt_weight = prompt_weight
    if exploration is not None:
        cfg.learning.exploration = exploration
    cfg.tiers["auto"].quality_tolerance = tolerance
    cfg.tiers["auto"].min_quality = 0.0
    knowledge = Knowledge(cfg, None, {m.id: m.quality for m in models})
    knowledge.rng.seed(seed)
    bandit = Bandit(rng=knowledge.rng)
    pm = PromptModel(embed.DIM) if prompt_model else None
    weak_calls = correct = 0
    for subject, prompt, w_ok, s_ok in rows:
        use_case, source = knowledge.use_case(prompt, subject if declared else None)
        vec = knowledge.embed(prompt)
        now = time.time()
        req = RouteRequest([{"role": "user", "content": prompt}], tier="auto", use_case=use_case,
                           use_case_source=source, complexity="low", max_tokens=16)
        model = decide(models, req, cfg, sampler=knowledge.sampler(bandit, pm, vec, cfg.learning.exploration, now)).model
        ok = w_ok if model == weak else s_ok
        weak_calls += model == weak
        correct += ok
        success, failure = float(ok), float(not ok)
        bandit.observe(use_case, model, success, failure, now)
        if pm is not None and vec is not None:  # as Knowledge.prompt_model replays it from the log
            knowledge.learn(pm, bandit, pm.features(embed.unpack(embed.pack(vec))), use_case, model, success, failure, now)
    trust = knowledge.trust
    return {"share": weak_calls / len(rows), "acc": correct / len(rows), "route_us": None,
            "prompt_weight": statistics.median(trust.weight(u) for u in trust.llr) if trust.llr else None,
            "checks": 0, "extra_spend": 0.0}
