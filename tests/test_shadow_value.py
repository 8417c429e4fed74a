"""Targeted shadow checks (`select = "value"`): the check goes to the answer whose routing was
most likely a mistake, at about the rate random checks would spend."""

import numpy as np

from modeltui.learning import embed
from modeltui.learning.prompt_model import PromptModel
from modeltui.learning.shadow_value import Selector, value
from test_prompt_learning import CODE, TRAVEL


def test_the_uncertain_answer_is_checked_and_the_certain_one_is_not():
    sel = Selector()
    certain = value(0.97, 0.98)  # the cheap model is surely right: a check confirms what is known
    uncertain = value(0.5, 0.9)  # a coin flip whether it was good enough: a check informs
    assert not any(sel.take(certain, 0.05) for _ in range(40))
    assert sel.take(uncertain, 0.05) and not sel.take(certain, 0.05)


def test_targeted_checks_spend_no_more_than_random_ones_would():
    sel, rng = Selector(), np.random.default_rng(5)
    costs = rng.uniform(0.1, 3.0, 2000)
    # dear prompts look the most informative: value alone would buy the costliest checks
    spent = sum(c for c in costs if sel.take(float(c), 0.05, float(c)))
    assert spent <= 0.05 * costs.sum() + costs.max()


def test_about_rate_of_the_answers_are_checked():
    sel, rng = Selector(), np.random.default_rng(3)
    taken = sum(sel.take(float(v), 0.05) for v in rng.random(2000))
    assert 60 <= taken <= 140  # 5 % of 2000 is 100


def test_the_per_prompt_estimates_point_the_check_at_the_prompts_the_cheap_model_fails():
    pm = PromptModel(embed.DIM)
    for p in CODE:  # the cheap model fails on code, the dear one does not; both fine on travel
        x = pm.features(embed.embed(p))
        pm.observe(x, "cheap", 0.0, 0.0, 1.0)
        pm.observe(x, "dear", 0.0, 1.0, 0.0)
    for p in TRAVEL[1:]:
        x = pm.features(embed.embed(p))
        pm.observe(x, "cheap", 0.0, 1.0, 0.0)
        pm.observe(x, "dear", 0.0, 1.0, 0.0)

    def score(prompt):
        _, (cheap, dear) = pm.sample(pm.features(embed.embed(prompt)), ["cheap", "dear"], np.zeros(2), np.zeros(2), None)
        return value(cheap, dear)

    code, travel = score("Write a Python class for a linked list"), score(TRAVEL[0])
    assert code > travel
    sel = Selector()
    for _ in range(40):
        sel.take(travel, 0.05)
    assert sel.take(code, 0.05)
