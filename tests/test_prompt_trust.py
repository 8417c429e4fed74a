"""The per-prompt part's say in the auto tier. By default (shift) it moves the use case's own
Thompson sample by what it has learnt about the prompt, so with nothing learnt a decision is
exactly the per-use-case bandit's; with `earned` its say follows its predictive record per use
case; with `full` its own samples decide."""

import numpy as np

from modeltui.learning.bandit import Bandit
from modeltui.learning.prompt_model import PromptModel, sigmoid
from modeltui.learning.prompt_trust import PRIOR_LOG_ODDS, Trust
from modeltui.learning.router_memory import Knowledge
from modeltui.settings.config import Config

MODELS = {"weak": 6.0, "strong": 8.0}


def _knowledge_and_bandit(seed: int) -> tuple[Knowledge, Bandit, PromptModel, np.ndarray]:
    cfg = Config()
    cfg.learning.prompt_weight = "earned"  # (the default is "shift")
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
    got = k.sampler(bandit, pm, vec, 0.25, 1.0)("maths", MODELS)
    _, ref_bandit, _, _ = _knowledge_and_bandit(2)
    assert got != ref_bandit.sample("maths", MODELS, 1.0)
    assert all(isinstance(v, tuple) and len(v) == 2 for v in got.values())


def test_shift_with_nothing_learnt_is_the_bandits_own_sample():
    """The default: a per-prompt part with no evidence moves nothing, so the samples (and so the
    decisions) are the per-use-case router's, draw for draw."""
    assert Config().learning.prompt_weight == "shift"  # the default, on the figures in docs/learning.md
    for seed in range(5):
        k, bandit, _, vec = _knowledge_and_bandit(seed)
        k.cfg.learning.prompt_weight = "shift"
        fresh = PromptModel(8)
        got = [k.sampler(bandit, fresh, vec, 0.25, 1.0)("maths", MODELS) for _ in range(20)]
        _, ref_bandit, _, _ = _knowledge_and_bandit(seed)
        want = [ref_bandit.sample("maths", MODELS, 1.0) for _ in range(20)]
        for g, w in zip(got, want):
            assert g.keys() == w.keys()
            for m in g:
                assert np.allclose(g[m], w[m], rtol=0, atol=1e-12)


def test_shift_moves_the_sample_by_what_the_prompt_taught():
    """Evidence that the weak model fails on prompts like this one lowers its sample against the
    same Beta draw, and leaves the strong model's (never tried on them) almost where it was."""
    k, bandit, _, vec = _knowledge_and_bandit(3)
    k.cfg.learning.prompt_weight = "shift"
    pm = PromptModel(8)
    for _ in range(30):
        pm.observe(pm.features(vec), "weak", 0.0, success=0.0, failure=1.0)
    got = k.sampler(bandit, pm, vec, 0.25, 1.0)("maths", MODELS)
    _, ref_bandit, _, _ = _knowledge_and_bandit(3)
    want = ref_bandit.sample("maths", MODELS, 1.0)
    assert got["weak"][0] < want["weak"][0] - 0.1 and got["weak"][1] < want["weak"][1] - 0.1
    assert got["strong"][0] < want["strong"][0]  # the shared part: this prompt looks hard for everyone
    assert want["strong"][0] - got["strong"][0] < want["weak"][0] - got["weak"][0]
