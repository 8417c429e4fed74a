"""The per-prompt part's say in the auto tier is earned per use case: with no record of its own a
decision is exactly the per-use-case bandit's, and its weight follows its predictive record."""

import numpy as np

from modeltui.learning.bandit import Bandit
from modeltui.learning.prompt_model import PromptModel, sigmoid
from modeltui.learning.prompt_trust import PRIOR_LOG_ODDS, Trust
from modeltui.learning.router_memory import Knowledge
from modeltui.settings.config import Config

MODELS = {"weak": 6.0, "strong": 8.0}


def _knowledge_and_bandit(seed: int) -> tuple[Knowledge, Bandit, PromptModel, np.ndarray]:
    cfg = Config()
    cfg.learning.prompt_weight = "earned"  # (the default is "full": round 2's router)
    k = Knowledge(cfg, store=None)
    k.rng.seed(seed)
    bandit = Bandit(rng=k.rng)
    for i in range(20):
        bandit.observe("maths", "weak", success=float(i % 3 != 0), failure=float(i % 3 == 0), now=1.0)
        bandit.observe("maths", "strong", success=1.0, now=1.0)
    pm = PromptModel(8)
    rng = np.random.default_rng(0)
    for _ in range(30):  # per-prompt evidence, but none of it scored on "maths"
        x = pm.features(rng.standard_normal(8))
        mu, var = pm.observe(x, "weak", 0.0, success=1.0, failure=0.0)
        k.trust.record("history", 0.0, mu, var, 1.0, 0.0)
    return k, bandit, pm, rng.standard_normal(8)


def test_until_its_record_favours_it_the_decision_is_the_bandits_own_sample():
    for seed in range(5):
        k, bandit, pm, vec = _knowledge_and_bandit(seed)
        if seed % 2:
            k.trust.llr["maths"] = 2.5  # a record, but short of even odds against the prior
        assert k.trust.weight("maths") == 0.0
        got = [k.sampler(bandit, pm, vec, 0.25, 1.0)("maths", MODELS) for _ in range(20)]
        _, ref_bandit, _, _ = _knowledge_and_bandit(seed)  # the same seed, the bandit alone
        want = [ref_bandit.sample("maths", MODELS, 1.0) for _ in range(20)]
        assert got == want


def test_a_per_prompt_part_that_predicts_better_takes_the_decision():
    k, bandit, pm, vec = _knowledge_and_bandit(1)
    k.trust.llr["maths"] = 50.0  # a long record of better predictions on this use case
    got = k.sampler(bandit, pm, vec, 0.25, 1.0)("maths", MODELS)
    _, ref_bandit, _, _ = _knowledge_and_bandit(1)
    assert got != ref_bandit.sample("maths", MODELS, 1.0)


def test_the_weight_follows_the_predictive_record():
    t = Trust()
    for _ in range(40):  # the per-prompt logit says 2 where the rate says 0 and the answers are good
        t.record("good", 0.0, 2.0, 0.1, 1.0, 0.0)
        t.record("bad", 0.0, 2.0, 0.1, 0.0, 1.0)  # here it is confidently wrong
        t.record("blind", 0.0, 0.0, 0.1, 1.0, 0.0)  # here it predicts the rate: no gain, no loss
    assert t.weight("good") > 0.99
    assert t.weight("bad") < 1e-6
    assert abs(t.better("blind") - sigmoid(PRIOR_LOG_ODDS)) < 1e-9  # stays at its prior
    assert t.weight("blind") == t.weight("never") == 0.0  # and below even odds it never decides


def test_prompt_weight_full_lets_the_per_prompt_part_decide_without_a_record():
    """`[learning] prompt_weight = "full"` is round 2's router: the per-prompt sampler decides
    every time, record or none (the per-prompt means come with each sample)."""
    k, bandit, pm, vec = _knowledge_and_bandit(2)
    assert k.trust.weight("maths") == 0.0
    k.cfg.learning.prompt_weight = "full"
    assert Config().learning.prompt_weight == "full"  # the default, on the figures in docs/learning.md
    got = k.sampler(bandit, pm, vec, 0.25, 1.0)("maths", MODELS)
    _, ref_bandit, _, _ = _knowledge_and_bandit(2)
    assert got != ref_bandit.sample("maths", MODELS, 1.0)
    assert all(isinstance(v, tuple) and len(v) == 2 for v in got.values())
