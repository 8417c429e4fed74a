"""How far learning can go on mmlu_dev: ceilings for the routing_quality targets.

routing_quality.py measures the shipped router. This script asks what any learner of the same
kind could reach on the same file, giving each one more than the router gets, so that a missed
target can be told apart from a weak router:

  subject known   per-subject oracle (in-sample, as routing_quality prints it); per-subject rates
                  estimated on 4/5 of the file with both models' results and applied to the
                  held-out fifth (5-fold); an online per-subject learner that sees both
                  models' results for every prompt and routes on posterior means; and the same
                  learner with bandit feedback (only the chosen model's result), exploring as
                  the router can: greedy, Thompson samples at 0.25 and 1 posterior SD, or
                  greedy with the cheaper model read one SD optimistically.
  prompt only     an online nearest-neighbour learner over TF-IDF prompt vectors (the k most
                  similar earlier prompts vote), once with bandit feedback and once with both
                  results revealed. IDF comes from the whole file, which only helps it.

Shares are the weak share at >= 95 % of always-strong accuracy, median over seeds. numpy only;
nothing here is used by modeltui.
"""

from __future__ import annotations

import re
import statistics
import sys
import zlib
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import report  # noqa: E402
from routing_quality import per_subject_oracle, read_args, share_at  # noqa: E402

TAUS = [-0.05, 0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20, 0.30]  # routes weak when est. gap < tau
PRIOR = 4.0  # pseudo-observations at the pooled rate behind every estimate
START = np.array([0.6, 0.8])  # weak, strong: the replay models' catalog qualities / 10, as in routing_quality
DIMS = 4096  # hashed TF-IDF dimensions
NEIGHBOURS, KEEP = 30, 300
TOKEN = re.compile(r"[a-z0-9]+")


def ranked_share(gap: np.ndarray, w: np.ndarray, s: np.ndarray) -> float:
    """Weak share at 95 % when prompts go weak in order of predicted gap (best threshold)."""
    order = np.argsort(gap, kind="stable")
    loss = np.cumsum(s[order] - w[order])
    ok = np.flatnonzero(loss <= (1 - 0.95) * s.sum())
    return (ok.max() + 1) / len(gap) if len(ok) else 0.0


def subject_cv(subjects: np.ndarray, w: np.ndarray, s: np.ndarray, seed: int) -> float:
    folds = np.random.default_rng(seed).permutation(len(w)) % 5
    gap = np.zeros(len(w))
    for f in range(5):
        train, test = folds != f, folds == f
        pooled = (s[train].mean() - w[train].mean())
        for subj in np.unique(subjects[test]):
            tr = train & (subjects == subj)
            est = (s[tr].sum() - w[tr].sum() + PRIOR * pooled) / (tr.sum() + PRIOR)
            gap[test & (subjects == subj)] = est
    return ranked_share(gap, w, s)


def online_subject(subjects, w, s, order, tau, full_info: bool = True, explore: float = 0.0,
                   optimism: float = 0.0, seed: int = 0) -> tuple[float, float]:
    """Per-subject success rates shrunk to the pooled rate. `explore`: Thompson noise in posterior
    SDs; `optimism`: the weak model's estimate raised by that many SDs."""
    rng = np.random.default_rng(seed)
    n = defaultdict(float)
    k = defaultdict(float)
    tot = np.zeros(2)
    hit = np.zeros(2)
    weak = correct = 0
    for i in order:
        u = subjects[i]
        pooled = (hit + PRIOR * START) / (tot + PRIOR)
        est = np.array([(k[u, m] + PRIOR * pooled[m]) / (n[u, m] + PRIOR) for m in (0, 1)])
        if explore or optimism:
            sd = np.sqrt(est * (1 - est) / (np.array([n[u, 0], n[u, 1]]) + PRIOR + 1))
            est = est + explore * sd * rng.standard_normal(2) + optimism * sd * np.array([1.0, 0.0])
        go_weak = est[1] - est[0] < tau
        weak += go_weak
        correct += w[i] if go_weak else s[i]
        for m, y in ((0, w[i]), (1, s[i])) if full_info else (((0, w[i]),) if go_weak else ((1, s[i]),)):
            n[u, m] += 1
            k[u, m] += y
            tot[m] += 1
            hit[m] += y
    return weak / len(order), correct / len(order)


def tfidf_neighbours(prompts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For each prompt its KEEP most similar other prompts (ids, cosine similarities)."""
    docs = [Counter(zlib.crc32(t.encode()) % DIMS for t in TOKEN.findall(p.lower())) for p in prompts]
    x = np.zeros((len(docs), DIMS), np.float32)
    for i, d in enumerate(docs):
        for j, c in d.items():
            x[i, j] = 1.0 + np.log(c)
    df = (x > 0).sum(0)
    x *= np.log((1 + len(docs)) / (1 + df)).astype(np.float32) + 1.0
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    ids = np.zeros((len(docs), KEEP), np.int32)
    sims = np.zeros((len(docs), KEEP), np.float32)
    for lo in range(0, len(docs), 512):
        block = x[lo:lo + 512] @ x.T
        for r in range(block.shape[0]):
            block[r, lo + r] = -1.0
        top = np.argpartition(-block, KEEP, axis=1)[:, :KEEP]
        vals = np.take_along_axis(block, top, 1)
        srt = np.argsort(-vals, axis=1)
        ids[lo:lo + 512] = np.take_along_axis(top, srt, 1)
        sims[lo:lo + 512] = np.take_along_axis(vals, srt, 1)
    return ids, sims


def online_neighbours(w, s, order, ids, sims, tau, full_info: bool) -> tuple[float, float]:
    pos = np.empty(len(order), np.int64)
    pos[order] = np.arange(len(order))
    seen = np.zeros((len(order), 2), bool)  # which model's result is known for each prompt
    ys = (w, s)
    tot = np.zeros(2)
    hit = np.zeros(2)
    weak = correct = 0
    for t, i in enumerate(order):
        pooled = (hit + PRIOR * START) / (tot + PRIOR)
        earlier = pos[ids[i]] < t
        est = []
        for m in (0, 1):
            pick = np.flatnonzero(earlier & seen[ids[i], m])[:NEIGHBOURS]
            wt = sims[i, pick]
            est.append((wt @ ys[m][ids[i, pick]] + pooled[m]) / (wt.sum() + 1.0))
        go_weak = est[1] - est[0] < tau
        weak += go_weak
        correct += w[i] if go_weak else s[i]
        for m in ((0, 1) if full_info else ((0,) if go_weak else (1,))):
            seen[i, m] = True
            tot[m] += 1
            hit[m] += ys[m][i]
    return weak / len(order), correct / len(order)


def main() -> None:
    args, data = read_args(__doc__, "routing_bounds.py")
    subjects = np.array([r[0] for r in data])
    w = np.array([r[2] for r in data], float)
    s = np.array([r[3] for r in data], float)
    target = 0.95 * s.mean()
    ids, sims = tfidf_neighbours([r[1] for r in data])
    res = defaultdict(list)
    for seed in range(args.seeds):
        order = np.random.default_rng(seed).permutation(len(data))
        res["subject_cross_validated"].append(subject_cv(subjects, w, s, seed))
        for name, run in (("subject_online_full_info", lambda t: online_subject(subjects, w, s, order, t)),
                          ("subject_bandit_greedy", lambda t: online_subject(subjects, w, s, order, t, False)),
                          ("subject_bandit_thompson_0.25", lambda t: online_subject(subjects, w, s, order, t, False, 0.25, seed=seed)),
                          ("subject_bandit_thompson_1", lambda t: online_subject(subjects, w, s, order, t, False, 1.0, seed=seed)),
                          ("subject_bandit_optimistic", lambda t: online_subject(subjects, w, s, order, t, False, optimism=1.0)),
                          ("neighbours_bandit", lambda t: online_neighbours(w, s, order, ids, sims, t, False)),
                          ("neighbours_full_info", lambda t: online_neighbours(w, s, order, ids, sims, t, True))):
            res[name].append(share_at([run(t) for t in TAUS], target))
        if not args.json:
            print(f"  seed {seed}: " + ", ".join(f"{k} {v[-1]:.3f}" for k, v in res.items()), flush=True)
    figures = {k: round(statistics.median(v), 4) for k, v in res.items()}
    figures["per_subject_oracle"] = round(per_subject_oracle(data, 0.95), 4)
    figures["seeds"] = args.seeds
    lines = [f"{len(data)} prompts; weak share at 95% of always-strong accuracy, median of {args.seeds} seeds",
             "", "subject known (routing_quality target 0.50):",
             f"  per-subject oracle, in-sample:                        {figures['per_subject_oracle']:.3f}",
             f"  subject rates from 4/5 of the file, both results:     {figures['subject_cross_validated']:.3f}",
             f"  online per subject, both results revealed, means:     {figures['subject_online_full_info']:.3f}",
             "  online per subject, bandit feedback:",
             f"    greedy (posterior means):                           {figures['subject_bandit_greedy']:.3f}",
             f"    Thompson, 0.25 SD (the router's exploration):       {figures['subject_bandit_thompson_0.25']:.3f}",
             f"    Thompson, 1 SD:                                     {figures['subject_bandit_thompson_1']:.3f}",
             f"    greedy, weak model read 1 SD optimistically:        {figures['subject_bandit_optimistic']:.3f}",
             "", "prompt only (routing_quality target 0.44):",
             f"  online nearest neighbours, bandit feedback:           {figures['neighbours_bandit']:.3f}",
             f"  online nearest neighbours, both results revealed:     {figures['neighbours_full_info']:.3f}"]
    report("routing ceilings on mmlu_dev", lines, figures, args.json)


if __name__ == "__main__":
    main()
