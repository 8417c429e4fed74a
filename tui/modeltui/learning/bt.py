"""Bradley-Terry ratings from tournament votes, with 95% intervals.

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


def with_intervals(pairs: list[tuple[str, str, float]]) -> dict[str, dict]:
    """Rating and 95% interval per model, from the curvature of the fitted log-likelihood
    (a Laplace approximation, prior included). Not a bootstrap over comparisons: resamples of a
    few votes drop models and all-win records, so the estimate sat on its interval's edge
    ("1208 (1176-1208)"); this interval is centred on the estimate and widens with fewer votes."""
    point = fit(pairs)
    if not point:
        return {}
    models = sorted(point)
    idx = {m: i for i, m in enumerate(models)}
    theta = np.array([point[m] - 1000.0 for m in models]) * np.log(10) / 400  # back to log-strengths
    p = np.exp(theta)
    n = len(models)
    H = np.zeros((n, n))  # observed information of the log-strengths
    for a, b, _ in pairs:
        i, j = idx[a], idx[b]
        v = p[i] * p[j] / (p[i] + p[j]) ** 2
        H[i, i] += v
        H[j, j] += v
        H[i, j] -= v
        H[j, i] -= v
    H[np.diag_indices(n)] += PRIOR_GAMES * p / (p + 1.0) ** 2  # the tie against the virtual average player
    centre = np.eye(n) - 1.0 / n  # ratings are relative (mean 1000): a shift of all of them is no uncertainty
    cov = centre @ np.linalg.inv(H) @ centre.T
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None)) * 400 / np.log(10)
    out = {}
    for m in models:
        r, half = point[m], 1.96 * float(se[idx[m]])
        out[m] = {"rating": r, "lo": r - half, "hi": r + half,
                  "comparisons": sum(1 for a, b, _ in pairs if m in (a, b))}
    return out
