"""What the engine knows from the log when it routes: the discovered use cases and the bandit
over the statistics. Both are read from the store, and the bandit is re-read whenever anything
(this process, the CLI, a second app) committed since: no stale copy of the evidence decides."""

from __future__ import annotations

import random

from modeltui.config import Config
from modeltui.learning.bandit import Bandit
from modeltui.learning.usecases import classifier
from modeltui.routing import classify_use_case
from modeltui.store import Store
from modeltui.tiers import GENERAL


class Knowledge:
    def __init__(self, cfg: Config, store: Store):
        self.cfg = cfg
        self.store = store
        self.clusters = None  # discovered use cases (learning/usecases.py)
        self.rng = random.Random()  # Thompson samples (tests seed it)
        self._bandit: tuple[object, Bandit] | None = None  # (store version it was read at, bandit)

    async def reload_use_cases(self) -> None:
        self.clusters = classifier(await self.store.clusters(), self.cfg.learning.min_cluster_similarity)

    def use_case(self, prompt: str, declared: str | None = None) -> tuple[str, str]:
        """(use case, where it came from): declared, else the config's keyword rules, else the
        discovered clusters, else general. The only place a prompt gets its use case."""
        if declared:
            return declared, "declared"
        found = classify_use_case(prompt, {k: v.keywords for k, v in self.cfg.use_cases.items()})
        if found == GENERAL and self.clusters is not None and (hit := self.clusters.classify(prompt)):
            return hit[0], f"discovered (similarity {hit[1]:.2f})"
        return found, "keywords"

    async def bandit(self) -> Bandit:
        """The bandit over the stats table as it is now."""
        version = await self.store.version()
        if self._bandit is None or self._bandit[0] != version:
            bandit = Bandit(self.store.half_life_s, rng=self.rng)
            bandit.load(await self.store.evidence_rows())
            self._bandit = (version, bandit)
        return self._bandit[1]
