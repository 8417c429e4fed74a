"""The per-prompt model's decision reads (every candidate at once: `sample` from the side-by-side
covariances, `shift` from the means) agree with reading each model's parts one by one
(`estimate`), for models with evidence, a model without any, and after a model is added between
two decisions."""

import random

import numpy as np

from modeltui.learning import embed
from modeltui.learning.prompt_model import PromptModel

WORDS = "python list bake bread river paris tax invoice gene protein tensor loop court poem orbit".split()


def text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(8))


def check(pm: PromptModel, rng: random.Random, models: list[str]) -> None:
    x = pm.features(embed.embed(text(rng)))
    offset, offset_var = np.linspace(-1.0, 1.0, len(models)), np.full(len(models), 0.2)
    noise = np.linspace(-2.0, 2.0, len(models)) + 0.1  # no zero: the variance is read back from it
    drawn, means = pm.sample(x, models, offset, offset_var, noise)
    for i, m in enumerate(models):
        mean, var = pm.estimate(x, m)
        z = offset[i] + mean
        assert abs(means[i] - 1 / (1 + np.exp(-z))) < 1e-9
        z_drawn = np.log(drawn[i] / (1 - drawn[i]))
        assert abs(((z_drawn - z) / noise[i]) ** 2 - offset_var[i] - var) < 1e-4 * max(1.0, var)
    p = np.linspace(0.1, 0.9, len(models))
    (moved,) = pm.shift(x, models, p)
    for i, m in enumerate(models):
        assert abs(moved[i] - 1 / (1 + np.exp(-(np.log(p[i] / (1 - p[i])) + pm.estimate(x, m)[0])))) < 1e-9


def test_all_at_once_equals_one_by_one():
    rng = random.Random(7)
    pm = PromptModel(embed.DIM)
    for i in range(300):
        ok = float(rng.random() < 0.6)
        pm.observe(pm.features(embed.embed(text(rng))), ("a", "b", "c")[i % 3], 0.2, ok, 1.0 - ok)
    for _ in range(5):
        check(pm, rng, ["c", "new", "a", "b"])  # "new" has no evidence: its own part is the prior
    pm.observe(pm.features(embed.embed(text(rng))), "new", 0.0, 1.0, 0.0)  # added between two decisions
    for _ in range(5):
        check(pm, rng, ["c", "new", "a", "b"])
        check(pm, rng, ["b", "a"])
