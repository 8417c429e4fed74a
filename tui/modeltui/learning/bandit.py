"""Thompson sampling over Beta posteriors per (use case, model), with decay and pooled priors.

Each arm keeps decayed pseudo-counts of successes and failures. Its prior is centred on the
model's pooled record across all use cases (itself starting from the catalog's quality), with a
fixed strength, so a new use case starts from what the model does elsewhere and moves away as
its own evidence arrives. Samples are clamped to the posterior mean ± `CLAMP_SD` standard
deviations: exploration stays bounded, and the decision says when it explored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from modeltui.learning.decay import DEFAULT_HALF_LIFE_S, factor
from modeltui.learning.draws import Rng

POOLED = "*"
PRIOR_STRENGTH = 6.0  # pseudo-observations behind an arm's prior
CATALOG_STRENGTH = 4.0  # pseudo-observations behind the catalog quality in the pooled arm
CLAMP_SD = 2.0


@dataclass
class Arm:
    s: float = 0.0  # decayed successes
    f: float = 0.0  # decayed failures
    ts: float = 0.0  # time of the last update

    def at(self, now: float, half_life_s: float) -> tuple[float, float]:
        k = factor(now - self.ts, half_life_s)
        return self.s * k, self.f * k


class Bandit:
    def __init__(self, half_life_s: float = DEFAULT_HALF_LIFE_S, seed: int | None = None, rng: Rng | None = None):
        self.half_life_s = half_life_s
        self.arms: dict[tuple[str, str], Arm] = {}
        self.rng = rng or Rng(seed)

    def observe(self, use_case: str, model: str, success: float = 0.0, failure: float = 0.0, now: float = 0.0) -> None:
        for key in ((use_case, model), (POOLED, model)):
            arm = self.arms.get(key)
            if arm is None:
                arm = self.arms[key] = Arm(ts=now)
            s, f = arm.at(now, self.half_life_s)
            arm.s, arm.f, arm.ts = s + success, f + failure, now

    def load(self, rows: list[tuple[str, str, float, float, float]]) -> None:
        """Arms from stored statistics (use case, model, s, f, ts), oldest first."""
        for use_case, model, succ, fail, ts in sorted(rows, key=lambda r: r[4]):
            if use_case == POOLED:
                continue
            self.arms[(use_case, model)] = Arm(succ, fail, ts)
            pooled = self.arms.setdefault((POOLED, model), Arm(ts=ts))
            ps, pf = pooled.at(ts, self.half_life_s)
            pooled.s, pooled.f, pooled.ts = ps + succ, pf + fail, max(ts, pooled.ts)

    def posterior(self, use_case: str, model: str, prior_quality: float, now: float) -> tuple[float, float]:
        """Beta(alpha, beta) for the model's success probability on this use case."""
        pooled = self.arms.get((POOLED, model))
        ps, pf = pooled.at(now, self.half_life_s) if pooled else (0.0, 0.0)
        arm = self.arms.get((use_case, model))
        s, f = arm.at(now, self.half_life_s) if arm else (0.0, 0.0)
        return _beta(ps, pf, s, f, min(max(prior_quality / 10.0, 0.01), 0.99))

    def posteriors(self, use_case: str, models: dict[str, float], now: float) -> tuple[np.ndarray, np.ndarray]:
        """`posterior` for many models at once (alpha and beta arrays in the order of `models`, a
        model id -> catalog quality): what one decision over a large catalog needs."""
        counts = np.zeros((4, len(models)))
        for i, mid in enumerate(models):
            if (pooled := self.arms.get((POOLED, mid))) is not None:  # most models have no evidence
                counts[0, i], counts[1, i] = pooled.at(now, self.half_life_s)
                if (arm := self.arms.get((use_case, mid))) is not None:
                    counts[2, i], counts[3, i] = arm.at(now, self.half_life_s)
        q = np.minimum(np.maximum(np.fromiter(models.values(), dtype=float, count=len(models)) / 10.0, 0.01), 0.99)
        return _beta(*counts, q)

    def sample(self, use_case: str, models: dict[str, float], now: float) -> dict[str, tuple[float, float]]:
        """model -> (clamped Thompson sample, posterior mean) for each model id -> catalog quality."""
        drawn, mean = self.draw(*self.posteriors(use_case, models, now))
        return dict(zip(models, zip(drawn.tolist(), mean.tolist())))

    def draw(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(clamped Thompson samples, means) of Beta(a, b) posteriors: one draw each, in one call."""
        n = a + b
        mean = a / n
        reach = CLAMP_SD * np.sqrt(mean * (1.0 - mean) / (n + 1.0))  # the Beta's SD, times CLAMP_SD
        return np.minimum(np.maximum(self.rng.betas(a, b), mean - reach), mean + reach), mean


def _beta(ps, pf, s, f, q):
    """Beta(alpha, beta) of an arm from its pooled and own decayed counts (floats or arrays)."""
    pooled_mean = (ps + CATALOG_STRENGTH * q) / (ps + pf + CATALOG_STRENGTH)
    return 1.0 + PRIOR_STRENGTH * pooled_mean + s, 1.0 + PRIOR_STRENGTH * (1 - pooled_mean) + f
