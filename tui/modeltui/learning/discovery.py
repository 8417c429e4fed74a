"""Use-case discovery from logged prompts: their embeddings (learning/embed.py) clustered by
cosine similarity, or their TF-IDF vectors when embeddings are unavailable.

- `fit_kmeans`: spherical k-means (k-means++ start) over a batch of logged prompts, for
  `modeltui usecases`, where the user sees, renames and keeps the clusters.
Clusters are named by the top TF-IDF terms of their members. numpy only: the vectors are small and sparse enough
that a dict-of-terms representation for the online path and a dense matrix for the batch path
are both fast; no extra library is needed.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

_TOKEN = re.compile(r"[a-z][a-z]{2,}")
STOP = frozenset("""the and for are but not you your with this that from have has had was were will would can
could should what which who whom whose when where why how all any each few more most other some such
than too very just into over under about above below between through during before after again further
then once here there both only own same also its it's they them their these those our ours she her his him
one two three four five six first second following answer question true false does did doing being been
because while until use using used let may might must shall like get got make made yes none there""".split())


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOP]


def tfidf_matrix(texts: list[str], max_terms: int = 4000, min_df: int = 2) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Rows L2-normalised TF-IDF for `texts`; returns (matrix, vocabulary, idf)."""
    docs = [tokens(t) for t in texts]
    df = Counter(t for d in docs for t in set(d))
    vocab = [t for t, c in sorted(df.items(), key=lambda kv: (-kv[1], kv[0]))[:max_terms] if c >= min_df]
    index = {t: i for i, t in enumerate(vocab)}
    idf = np.array([math.log((1 + len(docs)) / (1 + df[t])) + 1 for t in vocab])
    X = np.zeros((len(docs), len(vocab)))
    for r, d in enumerate(docs):
        for t, c in Counter(d).items():
            if t in index:
                X[r, index[t]] = 1 + math.log(c)
    X *= idf
    X /= np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    return X, vocab, idf


def fit_kmeans(X: np.ndarray, k: int, seed: int = 0, iters: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means: returns (unit centroids k x d, labels)."""
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    k = max(1, min(k, n))
    centers = [X[rng.integers(n)]]
    for _ in range(1, k):  # k-means++ on cosine distance
        d = 1 - np.max(X @ np.array(centers).T, axis=1)
        p = np.clip(d, 0, None) ** 2
        centers.append(X[rng.choice(n, p=p / p.sum())] if p.sum() > 0 else X[rng.integers(n)])
    C = np.array(centers)
    labels = np.zeros(n, dtype=int)
    for _ in range(iters):
        new = np.argmax(X @ C.T, axis=1)
        if _ and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = X[labels == j]
            if len(members):
                c = members.sum(axis=0)
                C[j] = c / max(np.linalg.norm(c), 1e-12)
    return C, labels


def top_terms(centroid: np.ndarray, vocab: list[str], n: int = 3) -> list[str]:
    return [vocab[i] for i in np.argsort(-centroid)[:n] if centroid[i] > 0]


def member_terms(members: list[str], n: int = 3) -> list[str]:
    """A cluster's most frequent words when none of them is common enough across the prompts to
    be in the TF-IDF vocabulary (few prompts, each different): a name a user can read, not
    "cluster0"."""
    counts = Counter(t for text in members for t in tokens(text))
    return [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


class Classifier:
    """Nearest discovered use case for a new prompt: by embedding (a dot product per cluster) when
    the clusters and the prompt have one, else by cosine over the stored centroid terms."""

    def __init__(self, clusters: list[tuple[str, dict[str, float], dict[str, float], np.ndarray | None]],
                 min_similarity: float, min_vector_similarity: float = 0.15):
        self.clusters = clusters  # (name, centroid, idf, embedding centroid or None)
        self.min_similarity = min_similarity
        self.min_vector_similarity = min_vector_similarity
        vecs = [c[3] for c in clusters]
        self.vectors = np.vstack(vecs) if vecs and all(v is not None for v in vecs) else None

    def classify(self, prompt: str, vec: np.ndarray | None = None) -> tuple[str, float] | None:
        if self.vectors is not None and vec is not None:
            sims = self.vectors @ vec
            j = int(np.argmax(sims))
            return (self.clusters[j][0], float(sims[j])) if sims[j] >= self.min_vector_similarity else None
        tf = Counter(tokens(prompt))
        best, best_sim = None, 0.0
        for name, centroid, idf, _ in self.clusters:
            vec_ = {t: (1 + math.log(c)) * idf[t] for t, c in tf.items() if t in idf}
            norm = math.sqrt(sum(v * v for v in vec_.values()))
            if not norm:
                continue
            sim = sum(v * centroid.get(t, 0.0) for t, v in vec_.items()) / norm
            if sim > best_sim:
                best, best_sim = name, sim
        return (best, best_sim) if best is not None and best_sim >= self.min_similarity else None


def discover(prompts: list[str], k: int, seed: int = 0, top: int = 40, vectors: np.ndarray | None = None) -> list[dict]:
    """Clusters of `prompts`: name (top terms), terms, sparse centroid, idf of its terms, size, and
    (given the prompts' embeddings) the embedding centroid they were clustered by."""
    from modeltui.learning.embed import pack

    X, vocab, idf = tfidf_matrix(prompts)
    if vectors is not None:  # cluster by meaning; name by the members' terms
        V, labels = fit_kmeans(np.asarray(vectors, dtype=np.float64), k, seed)
        C = np.zeros((V.shape[0], X.shape[1]))
        for j in range(V.shape[0]):
            c = X[labels == j].sum(axis=0)
            C[j] = c / max(float(np.linalg.norm(c)), 1e-12)
    elif X.shape[1] == 0:
        return []
    else:
        V, (C, labels) = None, fit_kmeans(X, k, seed)
    out = []
    for j in range(C.shape[0]):
        size = int((labels == j).sum())
        if not size:
            continue
        keep = [i for i in np.argsort(-C[j])[:top] if C[j, i] > 0]
        norm = float(np.linalg.norm(C[j, keep])) or 1.0
        terms = top_terms(C[j], vocab) or member_terms([prompts[i] for i in np.flatnonzero(labels == j)])
        out.append({"name": "-".join(terms) or f"no-words-{j}", "terms": terms, "size": size,
                    "centroid": {vocab[i]: float(C[j, i]) / norm for i in keep},
                    "idf": {vocab[i]: float(idf[i]) for i in keep},
                    "vec": pack(V[j]) if V is not None else None})
    return sorted(out, key=lambda c: -c["size"])


MAX_PROMPTS = 5000  # the latest prompts a discovery clusters


def classifier(rows: list[dict], min_similarity: float, min_vector_similarity: float = 0.15) -> Classifier | None:
    from modeltui.learning.embed import unpack

    if not rows:
        return None
    return Classifier([(r["name"], r["centroid"], r["idf"], unpack(r["vec"]) if r.get("vec") else None) for r in rows],
                      min_similarity, min_vector_similarity)
