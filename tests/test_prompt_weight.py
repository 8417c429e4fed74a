"""The per-prompt model's weight in a decision comes from its own predictive record: it grows when
the prompt explains outcomes the use case's rate does not, shrinks when it only fits noise, and
at weight 0 a decision is the use case's rate alone."""

import random

import numpy as np

from modeltui.learning import embed
from modeltui.learning.prompt_model import PRIOR_LOG_ODDS, PromptModel, sigmoid
from test_prompt_learning import CODE, TRAVEL

MORE_CODE = ["Write a Python decorator that times a function", "How do I profile Python code?",
             "Python: parse JSON from a file", "Explain Python list comprehensions with an example"]
MORE_TRAVEL = ["What is the cheapest way to travel around Japan?", "Is Venice worth visiting in November?",
               "Best day trips from Barcelona", "How many days do I need for Prague?"]


def test_weight_grows_when_the_prompt_predicts_outcomes():
    pm = PromptModel(embed.DIM)
    assert abs(pm.weight - sigmoid(PRIOR_LOG_ODDS)) < 1e-9  # no record yet: the prior
    for _ in range(3):  # one use case (offset 0): code always fails, travel always succeeds
        for p in CODE + MORE_CODE:
            pm.observe(pm.features(embed.embed(p)), "cheap", 0.0, success=0.0, failure=1.0)
        for p in TRAVEL + MORE_TRAVEL:
            pm.observe(pm.features(embed.embed(p)), "cheap", 0.0, success=1.0, failure=0.0)
    assert pm.weight > 0.9


def test_weight_shrinks_when_the_prompt_only_fits_noise():
    pm = PromptModel(embed.DIM)
    rng = random.Random(3)
    prompts = CODE + TRAVEL + MORE_CODE + MORE_TRAVEL
    for _ in range(300):  # outcomes at the use case's rate (offset 0), whatever the prompt
        pm.observe(pm.features(embed.embed(rng.choice(prompts))), "cheap", 0.0, *((1.0, 0.0) if rng.random() < 0.5 else (0.0, 1.0)))
    assert pm.weight < sigmoid(PRIOR_LOG_ODDS)


def test_at_weight_zero_a_decision_is_the_use_case_rate():
    pm = PromptModel(embed.DIM)
    for p in CODE:
        pm.observe(pm.features(embed.embed(p)), "cheap", 0.0, success=0.0, failure=1.0)
    x = pm.features(embed.embed("Write a Python function that flattens a nested list"))
    offset = np.array([0.4, 1.0])
    _, learned = pm.sample(x, ["cheap", "dear"], offset, np.array([0.1, 0.1]), None)
    pm.llr = -1e6
    drawn, means = pm.sample(x, ["cheap", "dear"], offset, np.array([0.1, 0.1]), np.zeros(2))
    assert np.allclose(means, 1 / (1 + np.exp(-offset))) and np.allclose(drawn, means)
    assert learned[0] < means[0] - 0.01  # with weight, the failures on code had lowered it
