"""How far the auto tier trusts the per-prompt part, per use case, from its own predictive record.

Two predictors of each revealed outcome compete on every use case: the use case's rate alone
(the bandit's Beta posterior mean before that outcome) and the rate plus the per-prompt part
(its mean shrunk by its uncertainty: the probit approximation of the predictive, so a part that
knows little predicts the rate and neither gains nor loses). Each is scored before it learns
the outcome. The log-likelihood ratio so far, from a prior that favours the rate, gives the
posterior probability that the per-prompt part predicts better (Bayesian model comparison).

A decision draws which of the two samples (`weight`): the per-prompt sampler with probability
P(better) - P(worse) once that is positive, otherwise exactly the per-use-case bandit's sample.
A new use case, a short stream or a record no better than the rate is routed as the
per-use-case router would route it; the per-prompt part earns its share only where it has
predicted better. (Sampling the choice at P(better) itself, from the prior's 5 %, was measured
first: those few per-prompt decisions on every subject cost the declared path on a third of dev,
0.359 against 0.429 for the bandit alone on draw 0.)
"""

from __future__ import annotations

import math

from modeltui.learning.prompt_model import sigmoid

PRIOR_LOG_ODDS = -3.0  # P(better) = 5 % before any record: it must gain 3 nats to reach even odds


class Trust:
    def __init__(self) -> None:
        self.llr: dict[str, float] = {}  # use case -> log-likelihood(rate + per prompt) - log-likelihood(rate)

    def record(self, use_case: str, offset: float, mu: float, var: float, success: float, failure: float) -> None:
        """Score one outcome (`success`, `failure` weights) as both predictors saw it before it:
        `offset` is the rate's logit, `mu` and `var` the per-prompt logit's mean and variance."""
        if success + failure <= 0:
            return
        p0 = sigmoid(offset)
        p1 = sigmoid(offset + (mu - offset) / math.sqrt(1.0 + math.pi * var / 8.0))
        gain = success * math.log(max(p1, 1e-9) / max(p0, 1e-9)) + failure * math.log(max(1 - p1, 1e-9) / max(1 - p0, 1e-9))
        self.llr[use_case] = self.llr.get(use_case, 0.0) + gain

    def better(self, use_case: str) -> float:
        """P(the per-prompt part predicts better on this use case | its record so far)."""
        return sigmoid(PRIOR_LOG_ODDS + self.llr.get(use_case, 0.0))

    def weight(self, use_case: str) -> float:
        """How often the per-prompt part decides: P(better) - P(worse), 0 below even odds. So
        it never decides where its record has not yet outweighed the prior (a new use case, a
        short stream, a record no better than the rate), and then decisions are exactly the
        bandit's; it decides always once it is surely better."""
        return max(0.0, 2.0 * self.better(use_case) - 1.0)
