"""What the engine knows from the log when it routes: the discovered use cases, the bandit over
the statistics and the per-prompt model. All are read from the store: the bandit is re-read
whenever anything (this process, the CLI, a second app) committed since, and the prompt model
replays the per-prompt evidence added since it last looked. No stale copy of the evidence decides."""

from __future__ import annotations

import time

import numpy as np

from modeltui.learning.bandit import Bandit
from modeltui.learning.decay import factor
from modeltui.learning.discovery import classifier
from modeltui.learning.draws import Rng
from modeltui.learning.prompt_model import PromptModel, logit
from modeltui.learning.prompt_trust import Trust
from modeltui.learning.shadow_value import Selector
from modeltui.routing import classify_use_case
from modeltui.settings.config import Config
from modeltui.store import Store
from modeltui.vocab.tiers import GENERAL


class Knowledge:
    def __init__(self, cfg: Config, store: Store, qualities: dict[str, float] | None = None):
        self.cfg = cfg
        self.store = store
        self.qualities = qualities or {}  # catalog quality per model: the priors' centre
        self.clusters = None  # discovered use cases (learning/usecases.py)
        self.rng = Rng()  # Thompson samples (tests seed it)
        self._bandit: tuple[object, Bandit] | None = None  # (store version it was read at, bandit)
        self._prompts: PromptModel | None = None
        self._prompts_at: tuple[object, int] = (None, 0)  # (store version, last evidence id replayed)
        self.trust = Trust()  # per use case: how far the per-prompt part has earned a say
        self.shadow_selector = Selector()  # recent shadow-check values (learning/shadow_value.py)

    async def reload_use_cases(self) -> None:
        self.clusters = classifier(await self.store.clusters(), self.cfg.learning.min_cluster_similarity,
                                   self.cfg.learning.min_vector_similarity)

    def use_case(self, prompt: str, declared: str | None = None) -> tuple[str, str]:
        """(use case, where it came from): declared, else the config's keyword rules, else the
        discovered clusters, else general. The only place a prompt gets its use case."""
        if declared:
            return declared, "declared"
        found = classify_use_case(prompt, {k: v.keywords for k, v in self.cfg.use_cases.items()})
        if found == GENERAL and self.clusters is not None and (hit := self.clusters.classify(prompt, self.embed(prompt))):
            return hit[0], f"discovered (similarity {hit[1]:.2f})"
        return found, "keywords"

    def embed(self, text) -> object | None:
        """The prompt's embedding (numpy), or None when per-prompt learning is off or unavailable."""
        if not self.cfg.learning.prompt_model or not isinstance(text, str) or not text.strip():
            return None
        from modeltui.learning import embed
        try:
            return embed.embed(text)
        except embed.EmbeddingUnavailable:
            return None

    # team mode: `async () -> [(use case, model, successes, failures, unix time)]`, the other
    # members' evidence (calls/team_ledger.py); it changes without our log changing, so is read each time
    shared = None

    async def bandit(self) -> Bandit:
        """The bandit over the stats table as it is now (and the team's evidence, in team mode)."""
        version = await self.store.version()
        if self._bandit is None or self._bandit[0] != version or self.shared is not None:
            bandit = Bandit(self.store.half_life_s, rng=self.rng)
            bandit.load(await self.store.evidence_rows())
            if self.shared is not None:
                now = time.time()
                sums: dict[tuple[str, str], list[float]] = {}
                for use_case, model, succ, fail, ts in await self.shared():
                    k = factor(now - ts, self.store.half_life_s)
                    acc = sums.setdefault((use_case, model), [0.0, 0.0])
                    acc[0] += succ * k
                    acc[1] += fail * k
                # the server sums each member's rows (a retraction is a negative one) and clamps
                # them at zero; clamped here too, so a Beta parameter can never go below its prior
                for (use_case, model), (succ, fail) in sums.items():
                    bandit.observe(use_case, model, max(0.0, succ), max(0.0, fail), now)
            self._bandit = (version, bandit)
        return self._bandit[1]

    async def prompt_model(self, dim: int) -> PromptModel:
        """The per-prompt model with every piece of per-prompt evidence logged so far replayed
        (the newest REPLAY_MAX when starting on a long log)."""
        from modeltui.learning.embed import unpack

        version = await self.store.version()
        if self._prompts is None:
            self._prompts = PromptModel(dim)
        if self._prompts_at[0] != version:
            last = self._prompts_at[1]
            rows = await self.store.prompt_evidence_after(last, REPLAY_MAX)
            if rows:
                bandit, now = await self.bandit(), time.time()
                for eid, model, use_case, success, failure, blob in rows:
                    self.learn(self._prompts, bandit, self._prompts.features(unpack(blob)), use_case, model,
                               success, failure, now)
                    last = eid
            self._prompts_at = (version, last)
        return self._prompts

    def learn(self, prompts: PromptModel, bandit: Bandit, x: np.ndarray, use_case: str, model: str,
              success: float, failure: float, now: float) -> None:
        """One piece of per-prompt evidence, which the statistics already hold: learnt against the
        use case's posterior without it, as it was when the answer was routed (or it would learn
        less from the surprise), and scored for the per-prompt part's record (learning/prompt_trust.py)."""
        a, b = bandit.posterior(use_case, model, self.qualities.get(model, 5.0), now)
        a, b = max(a - success, 1.0), max(b - failure, 1.0)
        offset = logit(a / (a + b))
        mu, var = prompts.observe(x, model, offset, success, failure)
        self.trust.record(use_case, offset, mu, var, success, failure)

    async def estimates(self, vec, use_case: str, models: list[str]) -> dict[str, float]:
        """P(good answer) per model on this prompt: the use case's rate plus the per-prompt part's
        mean, whatever its weight in decisions (the rate alone without an embedding)."""
        bandit = await self.bandit()
        a, b = bandit.posteriors(use_case, {m: self.qualities.get(m, 5.0) for m in models}, time.time())
        if vec is None:
            return dict(zip(models, (a / (a + b)).tolist()))
        prompts = await self.prompt_model(len(vec))
        _, means = prompts.sample(prompts.features(vec), models, np.clip(np.log(a / b), -LOGIT_MAX, LOGIT_MAX),
                                  1.0 / a + 1.0 / b, None)
        return dict(zip(models, means.tolist()))

    def sampler(self, bandit: Bandit, prompts: PromptModel | None, vec, spread: float, now: float):
        """What `decide` samples for the auto tier, by `[learning] prompt_weight`:

        - shift (the default): the use case's own Thompson sample (exactly the per-use-case
          router's Beta draw), moved on the logit scale by the per-prompt part's mean for this
          prompt. That mean is a posterior mean from a prior of 0: before any per-prompt evidence
          a decision is the per-use-case router's, draw for draw; after, every prompt is moved
          by the learnt bias and by what similar prompts taught (the shared part by the same
          logit for every model, each model's own part by its own), as far as the evidence
          carries it and no further.
        - full: the use case's rate plus the prompt's own estimate, as logit-normal Thompson
          samples at `spread` posterior SDs (round 2).
        - earned: the use case's Beta sample, or, with the probability that the per-prompt part
          predicts better on this use case (learning/prompt_trust.py), the full sampler."""
        if prompts is None or vec is None:
            return lambda uc, models: bandit.sample(uc, models, now)
        x = prompts.features(vec)
        mode = self.cfg.learning.prompt_weight

        def sample(use_case: str, models: dict[str, float]) -> dict[str, tuple[float, float]]:
            if mode == "earned":
                w = self.trust.weight(use_case)
                if w <= 0.0 or (w < 1.0 and self.rng.coin() >= w):  # no coin where it cannot change the answer
                    return bandit.sample(use_case, models, now)
            a, b = bandit.posteriors(use_case, models, now)
            if mode == "shift":
                drawn, mean = bandit.draw(a, b)
                moved, means = prompts.shift(x, list(models), drawn, mean)
                return dict(zip(models, zip(moved.tolist(), means.tolist())))
            noise = self.rng.normals(len(models)) * spread if spread > 0 else None
            drawn, means = prompts.sample(x, list(models), np.minimum(np.maximum(np.log(a / b), -LOGIT_MAX), LOGIT_MAX),
                                          1.0 / a + 1.0 / b, noise)
            return dict(zip(models, zip(drawn.tolist(), means.tolist())))
        return sample


REPLAY_MAX = 20_000
LOGIT_MAX = logit(1.0)  # the offset's logit is clamped as prompt_model.logit clamps it
