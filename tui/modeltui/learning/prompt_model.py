"""Per-prompt success estimates for the auto tier: Bayesian logistic regression on the prompt's
embedding, learned online, one observation at a time.

    logit P(good answer | prompt, model) = offset(use case, model) + shared·x + own[model]·x

`offset` is the logit of the use case's Beta posterior mean (learning/bandit.py), so what the
log says per use case stays the base and the embedding learns what differs prompt by prompt.
`shared` is learned from every model's outcomes and says how hard a prompt is; `own[model]`
how that model differs (a smaller prior: models mostly agree on what is hard). Sharing matters
with bandit feedback, where each model only sees the prompts it was given.

Each part is a Gaussian with full covariance. An update is assumed density filtering: a 1-D
Laplace step on the linear score, projected back onto the parts (rank-one updates, O(d^2)).
Thompson sampling needs only the score's marginal, N(x·m, x'Sx), so no matrix is factorised
when deciding. numpy only: d = 257, a decision is two mat-vecs per candidate.
"""

from __future__ import annotations

import math

import numpy as np

SCALE = 2.0  # unit embedding * SCALE: a prior variance of 1 then allows a few logits of spread
SHARED_VAR = 1.0
OWN_VAR = 0.5
NEWTON_STEPS = 4


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


class Gaussian:
    def __init__(self, dim: int, var: float):
        self.m = np.zeros(dim)
        self.S = np.eye(dim) * var

    def score(self, x: np.ndarray) -> tuple[float, float, np.ndarray]:
        Sx = self.S @ x
        return float(self.m @ x), float(x @ Sx), Sx


class PromptModel:
    def __init__(self, dim: int):
        self.dim = dim + 1
        self.shared = Gaussian(self.dim, SHARED_VAR)
        self.own: dict[str, Gaussian] = {}
        self.n = 0.0  # evidence weight seen

    def features(self, vec: np.ndarray) -> np.ndarray:
        return np.concatenate(([1.0], np.asarray(vec, dtype=np.float64) * SCALE))

    def _parts(self, model: str, create: bool = False) -> list[Gaussian]:
        own = self.own.get(model)
        if own is None and create:
            own = self.own[model] = Gaussian(self.dim, OWN_VAR)
        return [self.shared, own] if own is not None else [self.shared]

    def estimate(self, x: np.ndarray, model: str, shared: tuple[float, float, float] | None = None) -> tuple[float, float]:
        """(mean, variance) of the learned part of the logit for `model` on this prompt
        (`shared`: the shared part's mean and variance and x·x, computed once for all models)."""
        mean, var, xx = shared or (*self.shared.score(x)[:2], float(x @ x))
        own = self.own.get(model)
        if own is None:
            return mean, var + OWN_VAR * xx  # an unseen model's own part is still its prior
        m, v, _ = own.score(x)
        return mean + m, var + v

    def observe(self, x: np.ndarray, model: str, offset: float, success: float, failure: float) -> None:
        """`success` and `failure` weigh the observation (a thumb 1, a continued conversation less)."""
        weight = success + failure
        if weight <= 0:
            return
        parts = self._parts(model, create=True)
        scores = [p.score(x) for p in parts]
        mu = offset + sum(s[0] for s in scores)
        v = sum(s[1] for s in scores)
        z = mu
        for _ in range(NEWTON_STEPS):  # maximise log N(z; mu, v) + s log σ(z) + f log(1-σ(z))
            p = sigmoid(z)
            z -= (-(z - mu) / v + success - weight * p) / (-1.0 / v - weight * p * (1 - p))
        p = sigmoid(z)
        v_new = 1.0 / (1.0 / v + weight * p * (1 - p))
        for part, (_, _, Sx) in zip(parts, scores):
            part.m += Sx * ((z - mu) / v)
            part.S -= np.outer(Sx, Sx) * ((v - v_new) / (v * v))
        self.n += weight

    def sample(self, x: np.ndarray, priors: dict[str, tuple[float, float]], rng, spread: float) -> dict[str, tuple[float, float]]:
        """model -> (Thompson sample, mean) of P(good answer), from each model's use-case prior
        (logit mean, logit variance) plus this prompt's learned part; `spread` scales the
        sampling noise (0 = greedy)."""
        out = {}
        shared = (*self.shared.score(x)[:2], float(x @ x))
        for model, (offset, offset_var) in priors.items():
            mean, var = self.estimate(x, model, shared)
            z = offset + mean
            out[model] = (sigmoid(rng.gauss(z, spread * math.sqrt(var + offset_var))) if spread > 0 else sigmoid(z), sigmoid(z))
        return out
