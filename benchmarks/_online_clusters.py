"""Online leader clustering of prompts, used only by the routing replay benchmark.

Each prompt joins the most similar cluster, or starts a new one (up to a maximum), and moves that
cluster's centroid; document frequencies are updated as prompts arrive. It lives here, not in the
package, because the app discovers use cases in batches (`modeltui usecases --discover`).
"""

from __future__ import annotations

import math
from collections import Counter

from modeltui.learning.discovery import tokens


class Online:
    """Leader clustering over TF-IDF with online document frequencies."""

    def __init__(self, threshold: float = 0.12, max_clusters: int = 64, warmup: int = 20):
        self.threshold = threshold
        self.max_clusters = max_clusters
        self.warmup = warmup  # below this many documents idf is too noisy to cluster
        self.df: Counter = Counter()
        self.docs = 0
        self.centroids: list[dict[str, float]] = []
        self.sizes: list[int] = []

    def _vector(self, toks: list[str]) -> dict[str, float]:
        tf = Counter(toks)
        vec = {t: (1 + math.log(c)) * math.log((1 + self.docs) / (1 + self.df[t])) for t, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {t: v / norm for t, v in vec.items() if v > 0}

    @staticmethod
    def _cos(vec: dict[str, float], centroid: dict[str, float]) -> float:
        if len(vec) > len(centroid):
            vec, centroid = centroid, vec
        return sum(v * centroid.get(t, 0.0) for t, v in vec.items())

    def assign(self, text: str, learn: bool = True) -> int | None:
        """Cluster id for `text` (None during warm-up); with learn=True the clusters adapt."""
        toks = tokens(text)
        if learn:
            self.docs += 1
            self.df.update(set(toks))
        if self.docs < self.warmup or not toks:
            return None
        vec = self._vector(toks)
        best, best_sim = None, -1.0
        for i, c in enumerate(self.centroids):
            sim = self._cos(vec, c)
            if sim > best_sim:
                best, best_sim = i, sim
        if best is None or (best_sim < self.threshold and len(self.centroids) < self.max_clusters):
            if not learn:
                return best
            self.centroids.append(dict(vec))
            self.sizes.append(1)
            return len(self.centroids) - 1
        if learn:  # move the centroid towards the new member, keep it unit length
            c, n = self.centroids[best], self.sizes[best]
            for t, v in vec.items():
                c[t] = c.get(t, 0.0) + (v - c.get(t, 0.0)) / (n + 1)
            for t in list(c):
                if t not in vec:
                    c[t] *= n / (n + 1)
                    if c[t] < 1e-4:
                        del c[t]
            norm = math.sqrt(sum(v * v for v in c.values())) or 1.0
            for t in c:
                c[t] /= norm
            self.sizes[best] = n + 1
        return best
