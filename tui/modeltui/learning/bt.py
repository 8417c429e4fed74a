"""Bradley-Terry ratings from tournament votes, with bootstrap confidence intervals.

A vote for A in a tournament of A, B, C counts as A beating B and A beating C; a tie counts half
a win each way for every pair; "all bad" carries no preference. Strengths are fitted with the
classic minorisation-maximisation update (Hunter 2004) and reported on an Elo-like scale
(400·log10, mean 1000). A small symmetric prior (one tie against a virtual average player)
keeps models with only wins or only losses finite.
"""

from __future__ import annotations

import numpy as np

PRIOR_GAMES = 1.0


def pairs_from_votes(votes: list[tuple[list[str], str]]) -> list[tuple[str, str, float]]:
    """(tournament models in slot order, vote value) -> (a, b, score of a against b) comparisons."""
    out = []
    for models, value in votes:
        if value == "tie":
            out += [(a, b, 0.5) for i, a in enumerate(models) for b in models[i + 1:]]
        elif value in models:
            out += [(value, b, 1.0) for b in models if b != value]
    return out


def fit(pairs: list[tuple[str, str, float]], iters: int = 200) -> dict[str, float]:
    models = sorted({m for a, b, _ in pairs for m in (a, b)})
    if not models:
        return {}
    idx = {m: i for i, m in enumerate(models)}
    n = len(models)
    W = np.zeros((n, n))  # W[i, j] = wins of i over j
    for a, b, s in pairs:
        W[idx[a], idx[b]] += s
        W[idx[b], idx[a]] += 1 - s
    games = W + W.T
    wins = W.sum(axis=1) + PRIOR_GAMES / 2
    p = np.ones(n)
    for _ in range(iters):
        denom = (games / (p[:, None] + p[None, :])).sum(axis=1) + PRIOR_GAMES / (p + 1.0)
        new = wins / denom
        new /= np.exp(np.mean(np.log(new)))
        if np.max(np.abs(new - p)) < 1e-9:
            p = new
            break
        p = new
    rating = 400 * np.log10(p)
    rating += 1000 - rating.mean()
    return {m: float(r) for m, r in zip(models, rating)}


def with_intervals(pairs: list[tuple[str, str, float]], samples: int = 200, seed: int = 0) -> dict[str, dict]:
    """Rating and 95% bootstrap interval (resampling comparisons) per model."""
    point = fit(pairs)
    if not point:
        return {}
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {m: [] for m in point}
    arr = list(pairs)
    for _ in range(samples):
        sample = [arr[i] for i in rng.integers(0, len(arr), len(arr))]
        for m, r in fit(sample, iters=100).items():
            draws[m].append(r)
    out = {}
    for m, r in point.items():
        d = draws[m]
        lo, hi = (float(np.percentile(d, 2.5)), float(np.percentile(d, 97.5))) if d else (r, r)
        out[m] = {"rating": r, "lo": lo, "hi": hi, "comparisons": sum(1 for a, b, _ in pairs if m in (a, b))}
    return out
