"""Discovered use cases: a classifier from the stored clusters (rows from `Store.clusters`)."""

from __future__ import annotations

from modeltui.learning.discovery import Classifier

MAX_PROMPTS = 5000  # the latest prompts a discovery clusters


def classifier(rows: list[dict], min_similarity: float, min_vector_similarity: float = 0.15) -> Classifier | None:
    from modeltui.learning.embed import unpack

    if not rows:
        return None
    return Classifier([(r["name"], r["centroid"], r["idf"], unpack(r["vec"]) if r.get("vec") else None) for r in rows],
                      min_similarity, min_vector_similarity)
