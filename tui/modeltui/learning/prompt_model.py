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
when deciding. numpy only: d = 257. The models' own parts live in one stacked array, so a
decision over any number of candidates is two mat-vecs plus one batched mat-vec, with no Python
loop over the candidates.
"""

from __future__ import annotations

import math

import numpy as np

SCALE = 2.0  # unit embedding * SCALE: a prior variance of 1 then allows a few logits of spread
SHARED_VAR = 1.0
OWN_VAR = 0.5
NEWTON_STEPS = 4
# Covariances are what a decision reads (0.26 MB a model in float32): float32 halves that, and
# their entries stay far above its rounding (variances are floored where it could matter).
COV_DTYPE = np.float32
MIN_VAR = 1e-9
LEARNED_MAX = 40.0  # |learned logit| kept below this so its odds stay finite (a sigmoid of 40 is 1 to 17 digits)


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


class Gaussian:
    def __init__(self, dim: int, var: float, m: np.ndarray | None = None, S: np.ndarray | None = None):
        self.m = np.zeros(dim) if m is None else m  # views into PromptModel's stacks for the own parts
        self.S = np.eye(dim, dtype=COV_DTYPE) * var if S is None else S

    def score(self, x: np.ndarray) -> tuple[float, float, np.ndarray]:
        Sx = self.S @ x.astype(self.S.dtype, copy=False)
        return float(self.m @ x), float(x @ Sx), Sx


class PromptModel:
    def __init__(self, dim: int):
        self.dim = dim + 1
        self.shared = Gaussian(self.dim, SHARED_VAR)
        self.own: dict[str, Gaussian] = {}  # model -> its part: views into the stacks below
        self._index: dict[str, int] = {}
        self._m = np.zeros((0, self.dim))
        # the own covariances side by side, (d, k*d): model i's is the block of columns i*d..(i+1)*d.
        # x @ this is every model's x'S in one mat-vec that reads the rows in order (a fifth faster
        # than the (k*d, d) stack when the caches are cold, as between prompts); a decision reads
        # only x'Sx, the same for S and its transpose (S is symmetric up to float32 rounding)
        self._S = np.zeros((self.dim, 0), dtype=COV_DTYPE)
        self.n = 0.0  # evidence weight seen
        self._rows_for: dict[tuple[str, ...], np.ndarray] = {}  # candidate list -> rows (_rows)

    def features(self, vec: np.ndarray) -> np.ndarray:
        return np.concatenate(([1.0], np.asarray(vec, dtype=np.float64) * SCALE))

    def _parts(self, model: str, create: bool = False) -> list[Gaussian]:
        own = self.own.get(model)
        if own is None and create:
            own = self._add(model)
        return [self.shared, own] if own is not None else [self.shared]

    def _add(self, model: str) -> Gaussian:
        """A new model's own part at its prior, appended to the stacks (rare: once per model)."""
        self._index[model] = len(self._index)
        self._rows_for.clear()
        self._m = np.concatenate((self._m, np.zeros((1, self.dim))))
        self._S = np.concatenate((self._S, np.eye(self.dim, dtype=COV_DTYPE) * OWN_VAR), axis=1)
        d = self.dim
        for name, i in self._index.items():
            self.own[name] = Gaussian(d, OWN_VAR, self._m[i], self._S[:, i * d:(i + 1) * d])
        return self.own[model]

    def estimate(self, x: np.ndarray, model: str, shared: tuple[float, float, float] | None = None) -> tuple[float, float]:
        """(mean, variance) of the learned part of the logit for `model` on this prompt
        (`shared`: the shared part's mean and variance and x·x, computed once for all models)."""
        mean, var, xx = shared or (*self.shared.score(x)[:2], float(x @ x))
        own = self.own.get(model)
        if own is None:
            return mean, var + OWN_VAR * xx  # an unseen model's own part is still its prior
        m, v, _ = own.score(x)
        return mean + m, var + v

    def observe(self, x: np.ndarray, model: str, offset: float, success: float, failure: float) -> tuple[float, float]:
        """`success` and `failure` weigh the observation (a thumb 1, a continued conversation less).
        Returns the logit's mean and variance as predicted before it (learning/prompt_trust.py)."""
        weight = success + failure
        if weight <= 0:
            return offset, 0.0
        parts = self._parts(model, create=True)
        scores = [p.score(x) for p in parts]
        mu = offset + sum(s[0] for s in scores)
        v = max(sum(s[1] for s in scores), MIN_VAR)
        z = mu
        for _ in range(NEWTON_STEPS):  # maximise log N(z; mu, v) + s log σ(z) + f log(1-σ(z))
            p = sigmoid(z)
            z -= (-(z - mu) / v + success - weight * p) / (-1.0 / v - weight * p * (1 - p))
        p = sigmoid(z)
        v_new = 1.0 / (1.0 / v + weight * p * (1 - p))
        for part, (_, _, Sx) in zip(parts, scores):
            part.m += Sx * ((z - mu) / v)
            part.S -= np.multiply.outer(Sx * ((v - v_new) / (v * v)), Sx)  # one temporary, not two
        self.n += weight
        return mu, v

    def _rows(self, models: tuple[str, ...]) -> np.ndarray:
        """Each model's row in the stacks, -1 for a model with none yet (which then reads the slot
        after the last row: the own part's prior). A catalog asks about the same few candidate
        lists decision after decision, so answers are kept until a model is added."""
        rows = self._rows_for.get(models)
        if rows is None:
            if len(self._rows_for) >= 64:
                self._rows_for.clear()
            rows = self._rows_for[models] = np.fromiter((self._index.get(m, -1) for m in models), dtype=np.intp,
                                                        count=len(models))
        return rows

    def _learned_mean(self, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The learned part's logit mean for each model's row (`_rows`): shared plus own."""
        own_mean = np.zeros(len(self._index) + 1)  # slot k: an own part still at its prior (mean 0)
        if self._index:
            own_mean[:-1] = self._m @ x
        return own_mean[rows] + float(self.shared.m @ x)

    def shift(self, x: np.ndarray, models: list[str], *probabilities: np.ndarray) -> np.ndarray:
        """Each array of probabilities (one per model: the use case's Thompson samples, its means)
        moved by this prompt's learned part: sigmoid(logit p + its mean), one row each. Reads only
        the means, no covariance. Written on the odds (p e^L / (p e^L + 1 - p)): the same number,
        in a third of the array operations, and exact at p = 0 and 1 where the logit is not."""
        odds = np.exp(np.minimum(np.maximum(self._learned_mean(x, self._rows(tuple(models))), -LEARNED_MAX), LEARNED_MAX))
        p = np.array(probabilities)
        moved = p * odds
        return moved / (moved + (1.0 - p))

    def sample(self, x: np.ndarray, models: list[str], offset: np.ndarray, offset_var: np.ndarray,
               noise: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(Thompson samples, means) of P(good answer) for `models`, from each model's use-case prior
        (logit mean and variance, arrays in the models' order) plus this prompt's learned part.
        `noise`: one standard normal per model, already scaled by the exploration (None: greedy)."""
        rows = self._rows(tuple(models))
        z = offset + self._learned_mean(x, rows)
        means = _sigmoid(z)
        if noise is None:
            return means, means
        xs = x.astype(COV_DTYPE)
        k, d = len(self._index), self.dim
        own_var = np.empty(k + 1)  # slot k: an own part still at its prior
        own_var[k] = OWN_VAR * float(x @ x)
        if k:  # every own part at once
            own_var[:k] = (xs @ self._S).reshape(k, d) @ xs
        var = np.maximum(own_var[rows] + float(xs @ (self.shared.S @ xs)), MIN_VAR)  # float32 rounding: never negative
        return _sigmoid(z + noise * np.sqrt(var + offset_var)), means


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 + 0.5 * np.tanh(0.5 * z)  # the logistic function without exp's overflow
