"""Discovered use cases: a classifier from the stored clusters (rows from `Store.clusters`)."""

from __future__ import annotations

from modeltui.learning.discovery import Classifier

MAX_PROMPTS = 5000  # the latest prompts a discovery clusters


def classifier(rows: list[dict], min_similarity: float) -> Classifier | None:
    return Classifier([(r["name"], r["centroid"], r["idf"]) for r in rows], min_similarity) if rows else None
