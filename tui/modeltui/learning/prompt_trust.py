"""How far the auto tier trusts the per-prompt part, per use case, from its own predictive record.

Two predictors of each revealed outcome compete on every use case: the use case's rate alone
(the bandit's Beta posterior mean before that outcome) and the rate plus the per-prompt part
(its mean shrunk by its uncertainty: the probit approximation of the predictive, so a part that
knows little predicts the rate and neither gains nor loses). Each is scored before it learns
the outcome. The log-likelihood ratio so far, from a prior that favours the rate, gives the
posterior probability that the per-prompt part predicts better (Bayesian model comparison).

A decision uses it as Thompson sampling over the two models: with that probability the
per-prompt sampler decides, otherwise exactly the per-use-case bandit's sample does. A use case
the per-prompt part has not yet predicted anything on has weight 0, so a new use case or a short
stream is routed as the per-use-case router would route it; the per-prompt part earns its share
only where it has predicted better.
"""

from __future__ import annotations

import math

from modeltui.learning.prompt_model import sigmoid

PRIOR_LOG_ODDS = -3.0  # before a record favours it, the per-prompt part decides ~5 % of the time


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

    def weight(self, use_case: str) -> float:
        """P(the per-prompt part predicts better on this use case); 0 where it has no record."""
        llr = self.llr.get(use_case)
        return 0.0 if llr is None else sigmoid(PRIOR_LOG_ODDS + llr)
