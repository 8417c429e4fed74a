"""The router's random draws from one seed: Python's generator for the few scalar draws, numpy's
for a decision's many (a Beta or a normal per candidate in one call, not one Python call each)."""

from __future__ import annotations

import random

import numpy as np


class Rng(random.Random):
    def seed(self, a=None, version=2) -> None:
        super().seed(a, version)
        self._np = np.random.default_rng(self.getrandbits(64))

    def betas(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self._np.beta(a, b)

    def normals(self, n: int) -> np.ndarray:
        return self._np.standard_normal(n)

    def coin(self) -> float:
        """A uniform draw from numpy's generator: Python's stream stays as it would be without it."""
        return float(self._np.random())
